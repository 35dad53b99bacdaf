"""The crews' last shared positions on the supervisor's map, each with how old it is.

Positions reach a supervisor's device with each sync (only crews they supervise, only devices
whose users turned sharing on); this turns them into labelled dots for `MapView.show_crews`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fieldapp.qt import tr
from fieldapp.ticketmodel import parse_time


def age_words(fixed_at: datetime | None, now: datetime) -> str:
    """How old a position is, in a few words."""
    if fixed_at is None:
        return tr("time unknown")
    minutes = int((now - fixed_at).total_seconds() // 60)
    if minutes < 1:
        return tr("just now")
    if minutes < 60:
        return tr("{n} min ago").format(n=minutes)
    if minutes < 48 * 60:
        return tr("{n} h ago").format(n=minutes // 60)
    return tr("{n} days ago").format(n=minutes // (24 * 60))


def crew_dots(
    docs: Iterable[dict[str, Any]], crews: Iterable[str | None], now: datetime
) -> list[dict[str, Any]]:
    """One dot per sharing device of the board's crews: crew, place and label."""
    shown = {crew for crew in crews if crew}
    dots = []
    for doc in docs:
        if doc.get("crew") not in shown:
            continue
        label = f"{doc['crew']} · {doc['user']} · {age_words(parse_time(doc.get('fixed_at')), now)}"
        dots.append({"crew": doc["crew"], "lat": doc["lat"], "lon": doc["lon"], "label": label})
    return dots
