"""The work record on the device: the catalogue the server sent, and records queued as ops.

A record is a 'record' op in the outbox (its id the record's id); the ticket shows it at once
(the overlay adds pending records to `ticket["work"]`), and after the sync the server's copy
in the ticket document. See sync.workrecord for what the records mean.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sync.errors import LocalError
from sync.workrecord import (
    DEFAULT_CATALOGUE,
    WorkCatalogue,
    WorkRecordValue,
    materials_used,
    record_problem,
    resolve_refusal,
    ticked,
    time_totals,
)


class WorkRecords:
    """Mixin of Replica: work records and the work catalogue."""

    conn: sqlite3.Connection
    path: Path

    if TYPE_CHECKING:

        def get(self, key: str, default: Any = None) -> Any: ...
        def _append(self, op: dict[str, Any]) -> dict[str, Any]: ...
        def _new_op(self, ticket_id: str, kind: str, **fields: Any) -> dict[str, Any]: ...
        def ticket(self, ticket_id: str) -> dict[str, Any]: ...

    @property
    def work_catalogue(self) -> WorkCatalogue:
        """The catalogue from the last sync; the default one before."""
        raw = self.get("work_catalogue")
        if raw is None:
            return DEFAULT_CATALOGUE
        try:
            return WorkCatalogue.model_validate(raw)
        except ValidationError:
            return DEFAULT_CATALOGUE

    def add_record(self, ticket_id: str, **value: Any) -> dict[str, Any]:
        """Queue one work record (`value`: the fields of a WorkRecordValue)."""
        try:
            record = WorkRecordValue.model_validate(value)
        except ValidationError as exc:
            error = exc.errors()[0]
            raise LocalError(f"work record: {error['msg']}") from exc
        with self.conn:
            ticket = self.ticket(ticket_id)
            problem = record_problem(self.work_catalogue, ticket["service_code"], record)
            if problem:
                raise LocalError(f"work record: {problem}")
            wire = record.model_dump(mode="json", exclude_none=True)
            return self._append(self._new_op(ticket_id, "record", value=wire))

    def resolve_refusal(self, ticket: dict[str, Any]) -> str | None:
        """Why the ticket (as the user sees it) cannot be resolved yet; None when it can."""
        return resolve_refusal(self.work_catalogue, ticket["service_code"], ticket["work"])

    def work_summary(self, ticket_id: str) -> dict[str, Any]:
        """Times, materials and checklist of a ticket as the user sees it."""
        ticket = self.ticket(ticket_id)
        catalogue = self.work_catalogue
        done = ticked(ticket["work"])
        return {
            "times": time_totals(ticket["events"], ticket["work"]),
            "materials": materials_used(ticket["work"]),
            "checklist": [
                {"code": item.code, "text": item.text, "required": item.required, "done": item.code in done}
                for item in catalogue.checklist(ticket["service_code"])
            ],
        }
