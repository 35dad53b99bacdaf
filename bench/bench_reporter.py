"""Reporter email benchmark: does sending reporter emails slow the crews' sync?

    .venv/bin/python bench/bench_reporter.py [--tickets 40]

Two fresh SQLite case servers (`caseserver serve`) on free loopback ports, each with
`--tickets` tickets of crew north whose reporters asked for email, and a before and an
after photo (800×600 JPEG, uploaded over tus before timing) on each:

1. **floor**: email off (`CASESERVER_SMTP_URL` empty). The crew device resolves the
   tickets one push each (in progress, resolution code, resolved: 3 ops), back to back;
   each push's latency is timed.
2. **with email**: the same against a server whose worker sends to an aiosmtpd process
   (polling every 0.5 s), so emails are built (two public copies resized from the
   blobs) and sent while the pushes run. Push latencies are timed the same way, and the
   time from the first push until the last email has arrived.

Figures are printed; docs/benchmarks.md keeps them with the command.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from reporterkit import GREEN, RED, MailServer, device_push, jpeg_with_exif, photo_op, upload_photo  # noqa: E402
from serverproc import Device, free_port, start_server  # noqa: E402


def run(tickets: int, folder: Path, email: bool) -> tuple[list[float], float | None]:
    folder.mkdir(parents=True)
    mail = MailServer(folder / "mail", free_port())
    env = {"CASESERVER_BLOB_DIR": str(folder / "blobs"), "CASESERVER_NOTIFY_POLL_SECONDS": "0.5"}
    if email:
        mail.start()
        env["CASESERVER_SMTP_URL"] = f"smtp://127.0.0.1:{mail.port}?from=noreply@city.example"
    server = start_server(f"sqlite:///{folder / 'cs.sqlite'}", folder, **env)
    try:
        office = server.token("sanna")
        ids = [
            str(server.create_ticket(office, assigned_crew="north", reporter_email=f"r{i}@example.org")["id"])
            for i in range(tickets)
        ]
        crew = Device(folder / "aino", server, "aino")
        crew.sync()
        for n, ticket_id in enumerate(ids):
            for kind, color in (("before", RED), ("after", GREEN)):
                data = jpeg_with_exif((color[0], color[1], n % 256))
                op = photo_op(ticket_id, data, kind)
                device_push(crew, [op])
                upload_photo(crew, op, data, folder)
        crew.sync()
        latencies = []
        started = time.perf_counter()
        for ticket_id in ids:
            version = crew.ticket(ticket_id)["version"]
            ops = [
                {"field": "status", "base": "assigned", "value": "in_progress"},
                {"field": "resolution_code", "base": None, "value": "fixed"},
                {"field": "status", "base": "in_progress", "value": "resolved"},
            ]
            common = {"ticket_id": ticket_id, "kind": "set", "ticket_version": version}
            batch = [{"op_id": str(uuid.uuid4()), **common, **o} for o in ops]
            t0 = time.perf_counter()
            results = device_push(crew, batch)
            latencies.append(time.perf_counter() - t0)
            assert all(r["outcome"] == "applied" for r in results), results
        delivered = None
        if email:
            deadline = time.monotonic() + 300
            while len(mail.messages()) < tickets and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(mail.messages()) == tickets
            delivered = time.perf_counter() - started
        return latencies, delivered
    finally:
        server.stop()
        mail.stop()


def describe(name: str, latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"{name:<22} median {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms   max {ms[-1]:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        floor, _ = run(args.tickets, Path(tmp) / "floor", email=False)
        with_email, delivered = run(args.tickets, Path(tmp) / "email", email=True)
    print(f"resolving pushes (3 ops each), {args.tickets} tickets, SQLite, one server process")
    print(describe("floor (email off)", floor))
    print(describe("with email worker", with_email))
    assert delivered is not None
    print(
        f"all {args.tickets} emails (2 photos each) delivered {delivered:.1f} s after the first push"
        f" ({args.tickets / delivered:.1f} emails/s)"
    )


if __name__ == "__main__":
    main()
