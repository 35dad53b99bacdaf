"""The stages a reporter hears about, and when a message may go (pure: no I/O).

A ticket's *public stage* follows from its status, resolution and merge; the
reporter of a report merged into another follows that one's outcome. The city
chooses which stages are sent (for all services, and per service), how long at
least lies between two messages to one reporter, and the quiet hours in which
nothing is sent. The notifier applies them when a message falls due:

- a message for a stage the report has left is never sent (the newer stage has its
  own message, so the latest state wins);
- at most one message per reporter per `gap`: a later one waits until the gap is over,
  and by then it may have been overtaken by a newer stage;
- nothing in the quiet hours (local time): it waits for their end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from caseserver.services import BY_CODE

#: Every stage, in the order a ticket usually passes them.
STAGES: tuple[str, ...] = (
    "received",
    "assigned",
    "en_route",
    "in_progress",
    "on_hold",
    "resolved",
    "referred",
    "duplicate",
    "cancelled",
)
#: Sent unless the city says otherwise.
DEFAULT_STAGES: tuple[str, ...] = ("received", "assigned", "en_route", "resolved", "referred", "duplicate")
#: Stages that report the outcome: their message carries the photos and the "not fixed?" link.
OUTCOME_STAGES: frozenset[str] = frozenset({"resolved", "referred"})

_BY_STATUS = {
    "new": "received",
    "assigned": "assigned",
    "en_route": "en_route",
    "in_progress": "in_progress",
    "on_hold": "on_hold",
    "cancelled": "cancelled",
}


class StagePolicyError(ValueError):
    """The city's stage settings cannot be used; the message says which and why."""


def stage_of(status: str, resolution_code: str | None, duplicate_of: str | None) -> str:
    """The public stage of a ticket in this state."""
    if duplicate_of:
        return "duplicate"
    if status in ("resolved", "closed"):
        if resolution_code == "duplicate":
            return "duplicate"
        return "referred" if resolution_code == "referred" else "resolved"
    return _BY_STATUS.get(status, "in_progress")


def reporter_stage(own: str, main: str | None) -> str:
    """What a reporter hears: their ticket's stage, or for a merged report the main ticket's
    outcome once it has one (until then: merged as a duplicate)."""
    if own == "duplicate" and main is not None:
        return main if main in OUTCOME_STAGES else "duplicate"
    return own


@dataclass(frozen=True)
class StagePolicy:
    #: Stages sent for services without a list of their own.
    stages: frozenset[str] = frozenset(DEFAULT_STAGES)
    #: Per service code: the stages sent for it.
    per_service: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Least time between two messages to one reporter.
    gap: timedelta = timedelta(hours=4)
    #: Local (start, end) in which nothing is sent; None: any time.
    quiet: tuple[time, time] | None = (time(21, 0), time(7, 0))

    def sends(self, service_code: str, stage: str) -> bool:
        return stage in self.per_service.get(service_code, self.stages)

    def send_at(self, now: datetime, last_sent: datetime | None, tz: ZoneInfo) -> datetime:
        """The earliest moment from `now` at which a message may go to a reporter last told at `last_sent`."""
        at = now if last_sent is None else max(now, last_sent + self.gap)
        return self._after_quiet(at, tz)

    def _after_quiet(self, at: datetime, tz: ZoneInfo) -> datetime:
        if self.quiet is None:
            return at
        start, end = self.quiet
        local = at.astimezone(tz)
        clock = local.time()
        overnight = start > end
        inside = (clock >= start or clock < end) if overnight else (start <= clock < end)
        if not inside:
            return at
        day = local.date() if (not overnight or clock < end) else local.date() + timedelta(days=1)
        return datetime.combine(day, end, tzinfo=tz).astimezone(at.tzinfo)


def parse_stages(raw: str, where: str) -> frozenset[str]:
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in STAGES]
    if unknown:
        raise StagePolicyError(f"{where}: unknown stage {unknown[0]!r} (stages: {', '.join(STAGES)})")
    return frozenset(names)


def parse_quiet(raw: str) -> tuple[time, time] | None:
    """'21:00-07:00' (or '21-7'); empty: no quiet hours."""
    if not raw.strip():
        return None
    try:
        start_raw, end_raw = raw.split("-")
        start, end = (_clock(part) for part in (start_raw, end_raw))
    except ValueError:
        raise StagePolicyError(
            f"CASESERVER_NOTIFY_QUIET_HOURS must look like 21:00-07:00, not {raw!r}"
        ) from None
    if start == end:
        raise StagePolicyError("CASESERVER_NOTIFY_QUIET_HOURS: the start and the end are the same")
    return start, end


def _clock(raw: str) -> time:
    hours, _, minutes = raw.strip().partition(":")
    return time(int(hours), int(minutes or 0))


def load_policy(stages: str, service_file: str, gap_hours: str, quiet: str) -> StagePolicy:
    """The policy from the settings' raw strings, or StagePolicyError in one line."""
    try:
        gap = timedelta(hours=float(gap_hours))
    except ValueError:
        raise StagePolicyError(f"CASESERVER_NOTIFY_GAP_HOURS must be a number, not {gap_hours!r}") from None
    if gap < timedelta(0):
        raise StagePolicyError("CASESERVER_NOTIFY_GAP_HOURS cannot be negative")
    default = (
        parse_stages(stages, "CASESERVER_NOTIFY_STAGES") if stages.strip() else frozenset(DEFAULT_STAGES)
    )
    return StagePolicy(default, _service_stages(service_file), gap, parse_quiet(quiet))


def _service_stages(path: str) -> dict[str, frozenset[str]]:
    """A JSON object {service_code: [stage, ...]} from the file at `path`; empty path: none."""
    if not path.strip():
        return {}
    where = f"CASESERVER_NOTIFY_SERVICE_STAGES ({path})"
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise StagePolicyError(f"{where}: cannot read it: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise StagePolicyError(f"{where}: not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise StagePolicyError(f"{where}: must be an object of service codes to lists of stages")
    out = {}
    for code, names in raw.items():
        if code not in BY_CODE:
            raise StagePolicyError(f"{where}: {code!r} is not a service of this city")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise StagePolicyError(f"{where}: {code!r} must have a list of stage names")
        out[code] = parse_stages(",".join(names), f"{where}, {code}")
    return out
