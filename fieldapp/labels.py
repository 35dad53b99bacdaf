"""Words for the codes the core speaks: services, statuses, outcomes, on-hold reasons, roles.

The core (`sync/`, the case server) stores and sends codes (``traffic_signal``,
``in_progress``, ``temporary_fix``); screens show these labels instead, translated in
the ``labels`` context of the app's `.ts` files. Each English label is written out here
as a literal (``QT_TRANSLATE_NOOP``) so `pyside6-lupdate` finds it; an unknown code (a
service the city added later) is shown as the code in plain words.
"""

from __future__ import annotations

from fieldapp.qt import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "labels"

SERVICES: dict[str, str] = {
    "pothole": QT_TRANSLATE_NOOP("labels", "Pothole"),
    "sidewalk": QT_TRANSLATE_NOOP("labels", "Damaged sidewalk or curb"),
    "streetlight": QT_TRANSLATE_NOOP("labels", "Street light out"),
    "traffic_signal": QT_TRANSLATE_NOOP("labels", "Traffic signal fault"),
    "sign_damage": QT_TRANSLATE_NOOP("labels", "Damaged or missing sign"),
    "graffiti": QT_TRANSLATE_NOOP("labels", "Graffiti"),
    "illegal_dumping": QT_TRANSLATE_NOOP("labels", "Illegal dumping"),
    "overflowing_bin": QT_TRANSLATE_NOOP("labels", "Overflowing litter bin"),
    "fallen_tree": QT_TRANSLATE_NOOP("labels", "Fallen tree or branch"),
    "park_damage": QT_TRANSLATE_NOOP("labels", "Park furniture damage"),
    "water_leak": QT_TRANSLATE_NOOP("labels", "Water leak in street"),
    "blocked_drain": QT_TRANSLATE_NOOP("labels", "Blocked storm drain"),
    "snow_ice": QT_TRANSLATE_NOOP("labels", "Snow or ice on walkway"),
    "abandoned_bike": QT_TRANSLATE_NOOP("labels", "Abandoned bicycle"),
}

STATUSES: dict[str, str] = {
    "new": QT_TRANSLATE_NOOP("labels", "New"),
    "assigned": QT_TRANSLATE_NOOP("labels", "Assigned"),
    "en_route": QT_TRANSLATE_NOOP("labels", "En route"),
    "in_progress": QT_TRANSLATE_NOOP("labels", "In progress"),
    "on_hold": QT_TRANSLATE_NOOP("labels", "On hold"),
    "resolved": QT_TRANSLATE_NOOP("labels", "Resolved"),
    "closed": QT_TRANSLATE_NOOP("labels", "Closed"),
    "cancelled": QT_TRANSLATE_NOOP("labels", "Cancelled"),
}

#: Resolution codes (`sync.workflow.RESOLUTION_CODES`).
OUTCOMES: dict[str, str] = {
    "fixed": QT_TRANSLATE_NOOP("labels", "Fixed"),
    "temporary_fix": QT_TRANSLATE_NOOP("labels", "Temporary fix"),
    "not_found": QT_TRANSLATE_NOOP("labels", "Nothing found on site"),
    "duplicate": QT_TRANSLATE_NOOP("labels", "Duplicate"),
    "referred": QT_TRANSLATE_NOOP("labels", "Referred elsewhere"),
    "no_action_needed": QT_TRANSLATE_NOOP("labels", "No action needed"),
}

#: Why work is on hold; the reason's words go into the ticket's note.
HOLD_REASONS: dict[str, str] = {
    "parts": QT_TRANSLATE_NOOP("labels", "Waiting for parts or material"),
    "access": QT_TRANSLATE_NOOP("labels", "No access to the site"),
    "weather": QT_TRANSLATE_NOOP("labels", "Weather"),
    "other_crew": QT_TRANSLATE_NOOP("labels", "Needs another crew or contractor"),
    "unsafe": QT_TRANSLATE_NOOP("labels", "Unsafe to work"),
    "other": QT_TRANSLATE_NOOP("labels", "Other…"),
}

ROLES: dict[str, str] = {
    "crew": QT_TRANSLATE_NOOP("labels", "crew"),
    "supervisor": QT_TRANSLATE_NOOP("labels", "supervisor"),
    "admin": QT_TRANSLATE_NOOP("labels", "admin"),
}

#: A ticket's fields, as conflicts and the history name them.
FIELDS: dict[str, str] = {
    "status": QT_TRANSLATE_NOOP("labels", "status"),
    "priority": QT_TRANSLATE_NOOP("labels", "priority"),
    "assigned_crew": QT_TRANSLATE_NOOP("labels", "assigned crew"),
    "due_at": QT_TRANSLATE_NOOP("labels", "due time"),
    "address": QT_TRANSLATE_NOOP("labels", "address"),
    "description": QT_TRANSLATE_NOOP("labels", "description"),
    "location": QT_TRANSLATE_NOOP("labels", "location"),
    "service_code": QT_TRANSLATE_NOOP("labels", "service type"),
    "resolution_code": QT_TRANSLATE_NOOP("labels", "outcome"),
    "resolution_note": QT_TRANSLATE_NOOP("labels", "outcome note"),
    "created": QT_TRANSLATE_NOOP("labels", "created"),
    "duplicate_of": QT_TRANSLATE_NOOP("labels", "duplicate of"),
}

PHOTO_KINDS: dict[str, str] = {
    "before": QT_TRANSLATE_NOOP("labels", "Before"),
    "after": QT_TRANSLATE_NOOP("labels", "After"),
    "other": QT_TRANSLATE_NOOP("labels", "Other"),
}


def _label(table: dict[str, str], code: str | None) -> str:
    if not code:
        return ""
    english = table.get(code)
    if english is None:
        return str(code).replace("_", " ")
    return QCoreApplication.translate(CONTEXT, english)


def service_label(code: str | None) -> str:
    """The service's name ("Traffic signal fault" for ``traffic_signal``)."""
    return _label(SERVICES, code)


def status_label(code: str | None) -> str:
    """The status in words ("In progress" for ``in_progress``)."""
    return _label(STATUSES, code)


def outcome_label(code: str | None) -> str:
    """The resolution code in words ("Temporary fix" for ``temporary_fix``)."""
    return _label(OUTCOMES, code)


def hold_reason_label(code: str | None) -> str:
    """Why the work is on hold, in words."""
    return _label(HOLD_REASONS, code)


def role_label(code: str | None) -> str:
    """The user's role in words."""
    return _label(ROLES, code)


def photo_kind_label(code: str | None) -> str:
    """Before, after or other."""
    return _label(PHOTO_KINDS, code)


def field_label(field: str | None) -> str:
    """A ticket field in words ("assigned crew" for ``assigned_crew``)."""
    return _label(FIELDS, field)


def field_value_label(field: str, value: object) -> str:
    """A field's value in words: a status, service or outcome by its label, others as written."""
    words = {
        "status": status_label,
        "created": status_label,  # a ticket is created in a status
        "service_code": service_label,
        "resolution_code": outcome_label,
    }
    if field in words and isinstance(value, str):
        return words[field](value)
    return "" if value is None else str(value)
