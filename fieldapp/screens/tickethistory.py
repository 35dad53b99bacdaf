"""A ticket's history and times in words, for the ticket screen."""

from __future__ import annotations

from typing import Any

from fieldapp.i18n import local_time
from fieldapp.labels import field_label, field_value_label
from fieldapp.qt import tr
from fieldapp.ticketmodel import parse_time
from sync.operations import ESCALATION_FIELD


def local_text(raw: str | None) -> str:
    moment = parse_time(raw)
    return local_time(moment) if moment else "–"


def history_line(event: dict[str, Any]) -> str:
    """One line of the ticket's history."""
    when = local_text(event["at"])
    if event["field"] == ESCALATION_FIELD:
        text = tr("⚑ Escalated: nobody was acting on it by its escalation time (due {due})")
        return f"{when} " + text.format(due=local_text(event["new"]))
    if event["field"] == "possible_duplicate":
        return f"{when} " + tr("⧉ Possible duplicate: a new report of the same service close by")
    if event["field"] == "merged":
        return f"{when} " + tr("⧉ Another report of the same problem was merged into this ticket")
    if event["field"] == "not_fixed":
        text = tr("↺ Reopened: the reporter says it is not fixed: “{words}”")
        return f"{when} " + text.format(words=event["new"])
    if event["field"] == "follow_up":
        text = tr("↺ The reporter says it is not fixed: new ticket {ticket}")
        return f"{when} " + text.format(ticket=str(event["new"])[:8])
    return (
        f"{when} {event['actor']}: {field_label(event['field'])} "
        f"{field_value_label(event['field'], event['old'])} → "
        f"{field_value_label(event['field'], event['new'])}"
    )
