"""Dispatch suggestions for 500 unassigned tickets x 30 crews.

    .venv/bin/python bench/bench_suggest.py [--tickets 500] [--crews 30] [--open 1500] [--runs 5]

The crews' open tickets (`--open`, spread over the city with each crew in its own district)
are indexed once (`crew_work`), then every unassigned ticket gets its ordered crews
(`suggest`). Measured, median of `--runs`: the whole job (index + suggestions), and, as the
alternative in the same run, every crew measured and sorted (no pruning by the box round a
crew's tickets). Both must give the same best three.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync import suggest as sg

GOAL_MS = 200.0


def _scan(lat: float, lon: float, work: list[sg.CrewWork], limit: int) -> list[sg.Suggestion]:
    """Every crew measured, then sorted: what `suggest` must agree with."""
    found = []
    scale = math.cos(math.radians(lat))
    for crew in work:
        distance = crew.nearest_km(lat, lon, scale) if crew.places else None
        cost = (sg.NO_WORK_KM if distance is None else distance) + sg.KM_PER_HOUR * crew.hours
        found.append(
            sg.Suggestion(
                crew.crew,
                round(cost, 3),
                None if distance is None else round(distance, 3),
                len(crew.places),
                crew.hours,
            )
        )
    found.sort(key=lambda s: (s.cost_km, s.crew))
    return found[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--crews", type=int, default=30)
    parser.add_argument("--open", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(11)
    crews = [f"crew{i:02d}" for i in range(args.crews)]
    side = math.ceil(math.sqrt(args.crews))
    districts = {c: (60.10 + (i // side) * 0.03, 24.80 + (i % side) * 0.06) for i, c in enumerate(crews)}
    open_tickets = []
    for _ in range(args.open):
        crew = rng.choice(crews)
        lat, lon = districts[crew]
        open_tickets.append((crew, lat + rng.uniform(0, 0.03), lon + rng.uniform(0, 0.06), rng.randint(1, 5)))
    tickets = [
        (60.10 + rng.uniform(0, 0.03 * side), 24.80 + rng.uniform(0, 0.06 * side))
        for _ in range(args.tickets)
    ]

    def job() -> list[list[sg.Suggestion]]:
        work = sg.crew_work(crews, open_tickets)
        return [sg.suggest(lat, lon, work) for lat, lon in tickets]

    def alternative() -> list[list[sg.Suggestion]]:
        work = sg.crew_work(crews, open_tickets)
        return [_scan(lat, lon, work, 3) for lat, lon in tickets]

    results = {}
    for name, fn in (("best", job), ("scan", alternative)):
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            results[name] = fn()
            times.append((time.perf_counter() - start) * 1000)
        results[name + "_ms"] = statistics.median(times)
    same = [[s.crew for s in row] for row in results["best"]] == [
        [s.crew for s in row] for row in results["scan"]
    ]
    print(f"{args.tickets} tickets x {args.crews} crews, {args.open} open tickets")
    print(f"suggestions, pruned by each crew's box: {results['best_ms']:.1f} ms (goal < {GOAL_MS:.0f} ms)")
    print(f"alternative, every crew measured: {results['scan_ms']:.1f} ms")
    print(f"same order both ways: {'yes' if same else 'NO'}")
    print(f"goal met: {'yes' if results['best_ms'] < GOAL_MS else 'no'}")


if __name__ == "__main__":
    main()
