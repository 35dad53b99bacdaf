"""The device's local replica: server state per ticket, the outbox of local edits,
conflicts and rejected edits, in one SQLite file (WAL, synchronous=FULL).

What the user sees is the server state with the outbox replayed on top. A local
edit writes its op to the outbox in one transaction, so it survives a crash the
moment the call returns. An op leaves the outbox only when its answer is stored:
applied ops stay (as 'acked') until a pulled ticket version contains them, so the
screen never flips back to an old value between push and pull; conflicts and
rejections move to their own tables. Nothing is dropped.

One Replica object per thread (SQLite connections are not shared).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from sync import milestones
from sync.errors import LocalError
from sync.replica_photos import PhotoRecords
from sync.replica_work import WorkRecords
from sync.replicadb import from_json as _u
from sync.replicadb import migrations, now_iso
from sync.replicadb import to_json as _j
from sync.wire import MAX_TEXT, digest_hex, text_problem, ticket_hash
from sync.workflow import (
    EDITABLE_FIELDS,
    FINAL,
    PRIORITIES,
    RESOLUTION_CODES,
    Role,
    keep_mine_refusal,
    may_set_status,
)

TICKET_COLUMNS = (
    "id",
    "service_code",
    "description",
    "address",
    "lat",
    "lon",
    "priority",
    "status",
    "assigned_crew",
    "due_at",
    "created_at",
    "updated_at",
    "version",
    "resolution_code",
    "resolution_note",
    "notes",
    "events",
    "photos",
    "duplicate_of",
    "possible_duplicates",
    "work",
)
CONFLICT_COLUMNS = (
    "id",
    "ticket_id",
    "op_id",
    "field",
    "base",
    "mine",
    "theirs",
    "standing",
    "audience",
    "audience_crew",
    "author",
    "author_crew",
    "reason",
    "status",
    "resolution",
    "created_at",
    "resolved_by",
    "ticket",
)
_JSON_CONFLICT = ("base", "mine", "theirs", "standing", "ticket")
LIST_COLUMNS = (
    "id",
    "status",
    "priority",
    "due_at",
    "service_code",
    "address",
    "lat",
    "lon",
    "assigned_crew",
    "description",
    "created_at",
    "updated_at",
    "version",
    "duplicate_of",
    "possible_duplicates",
)


def _apply_edit(row: dict[str, Any], field: str, value: Any) -> None:
    """A queued edit on a ticket as the user sees it, with what the server will do with it."""
    if field == "location":
        row["lat"], row["lon"] = value
        return
    row[field] = value
    if field == "duplicate_of" and value is not None:
        row["status"], row["resolution_code"] = "closed", "duplicate"  # merged: closed on arrival


class Replica(PhotoRecords, WorkRecords):
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.conn = self.db.conn
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA busy_timeout=10000")
        migrations.apply(self.db)

    def close(self) -> None:
        self.conn.close()

    # -- settings and identity ------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else _u(row[0])

    def put(self, **values: Any) -> None:
        with self.conn:
            self._put(values)

    def _put(self, values: dict[str, Any]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [(k, _j(v)) for k, v in values.items()],
        )

    def set_position_sharing(self, enabled: bool) -> None:
        """The user's choice to share this device's position (off until turned on); the
        server hears of it, with this time, at the next sync."""
        self.put(share_position=bool(enabled), share_position_changed_at=now_iso())

    @property
    def cursor(self) -> int:
        return int(self.get("cursor", 0))

    @property
    def device_id(self) -> str:
        device = self.get("device_id")
        if device is None:
            device = str(uuid.uuid4())
            self.put(device_id=device)
        return str(device)

    @property
    def role(self) -> str | None:
        user = self.get("user")
        return user["role"] if user else None

    # -- reading what the user sees ---------------------------------------------
    def _ops_for(self, ticket_ids: Iterable[str] | None = None) -> dict[str, list[dict[str, Any]]]:
        sql = "SELECT * FROM outbox"
        args: list[Any] = []
        if ticket_ids is not None:
            ids = list(ticket_ids)
            if not ids:
                return {}
            sql += f" WHERE ticket_id IN ({','.join('?' * len(ids))})"
            args = ids
        out: dict[str, list[dict[str, Any]]] = {}
        for row in self.conn.execute(sql + " ORDER BY seq", args):
            op = self._op_from_row(row)
            out.setdefault(op["ticket_id"], []).append(op)
        return out

    def _op_from_row(self, row: tuple[Any, ...]) -> dict[str, Any]:
        cols = (
            "seq",
            "op_id",
            "ticket_id",
            "kind",
            "field",
            "base",
            "value",
            "conflict_id",
            "device_time",
            "ticket_version",
            "acked_version",
            "position",
        )
        op = dict(zip(cols, row, strict=True))
        op["base"] = _u(op["base"])
        op["value"] = _u(op["value"])
        op["position"] = _u(op["position"])
        return op

    @staticmethod
    def _ticket_from_row(row: tuple[Any, ...]) -> dict[str, Any]:
        ticket = dict(zip((*TICKET_COLUMNS, "revoked"), row, strict=True))
        ticket["notes"] = _u(ticket["notes"]) or []
        ticket["events"] = _u(ticket["events"]) or []
        ticket["photos"] = _u(ticket["photos"]) or []
        ticket["possible_duplicates"] = _u(ticket["possible_duplicates"]) or []
        ticket["work"] = _u(ticket["work"]) or []
        return ticket

    def _overlay(self, ticket: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
        """The ticket as the user sees it: server state with local edits replayed."""
        pending_fields: set[str] = set()
        user = self.get("user") or {}
        for op in ops:
            acked = op["acked_version"] is not None
            if acked and ticket["version"] >= op["acked_version"]:
                continue  # the server state already contains it
            if op["kind"] == "set":
                _apply_edit(ticket, op["field"], op["value"])
                if not acked:
                    pending_fields.add(op["field"])
            elif op["kind"] == "record" and op["op_id"] not in {r["id"] for r in ticket["work"]}:
                author = user.get("username", "me")
                entry = {"id": op["op_id"], "author": author, "device_time": op["device_time"], **op["value"]}
                ticket["work"] = [*ticket["work"], {**entry, "pending": not acked}]
            elif op["kind"] == "note" and op["op_id"] not in {n["id"] for n in ticket["notes"]}:
                # (A note the server already shows, e.g. sent before a crash, is not repeated.)
                ticket["notes"] = [
                    *ticket["notes"],
                    {
                        "id": op["op_id"],
                        "author": user.get("username", "me"),
                        "text": op["value"],
                        "device_time": op["device_time"],
                        "created_at": None,
                        "pending": not acked,
                    },
                ]
        ticket["pending_fields"] = sorted(pending_fields)
        ticket["pending"] = sum(1 for op in ops if op["acked_version"] is None)
        return ticket

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        row = self.conn.execute(
            f"SELECT {', '.join(TICKET_COLUMNS)}, revoked FROM tickets WHERE id = ?", (ticket_id,)
        ).fetchone()
        if row is None:
            raise LocalError(f"no ticket {ticket_id} on this device")
        return self._overlay(self._ticket_from_row(row), self._ops_for([ticket_id]).get(ticket_id, []))

    def find_ticket_id(self, prefix: str) -> str:
        """Full id of the ticket whose id starts with `prefix` (for typing short ids)."""
        rows = self.conn.execute(
            "SELECT id FROM tickets WHERE id LIKE ? LIMIT 2", (prefix.lower() + "%",)
        ).fetchall()
        if not rows:
            raise LocalError(f"no ticket {prefix} on this device")
        if len(rows) > 1:
            raise LocalError(f"ticket id {prefix} is ambiguous: type more of it")
        return str(rows[0][0])

    def tickets(self, *, include_revoked: bool = False) -> list[dict[str, Any]]:
        where = "" if include_revoked else " WHERE revoked = 0"
        rows = self.conn.execute(
            f"SELECT {', '.join(TICKET_COLUMNS)}, revoked FROM tickets{where} ORDER BY id"
        ).fetchall()
        ops = self._ops_for()
        return [self._overlay(self._ticket_from_row(r), ops.get(r[0], [])) for r in rows]

    def ticket_rows(self) -> list[dict[str, Any]]:
        """Light rows for lists (no notes or history), with local edits applied."""
        cols = LIST_COLUMNS
        rows = self.conn.execute(f"SELECT {', '.join(cols)} FROM tickets WHERE revoked = 0").fetchall()
        out = [dict(zip(cols, r, strict=True)) for r in rows]
        for row in out:  # whether it has any: the list itself is read with the whole ticket
            row["possible_duplicates"] = row["possible_duplicates"] not in (None, "[]")
        edits: dict[str, list[tuple[str, Any, int | None]]] = {}
        for ticket_id, field, value, acked in self.conn.execute(
            "SELECT ticket_id, field, value, acked_version FROM outbox WHERE kind = 'set' ORDER BY seq"
        ):
            edits.setdefault(ticket_id, []).append((field, _u(value), acked))
        if edits:
            by_id = {row["id"]: row for row in out}
            for ticket_id, changes in edits.items():
                row = by_id.get(ticket_id)
                if row is None:
                    continue
                for field, value, acked in changes:
                    if acked is not None and row["version"] >= acked:
                        continue  # the server state already has it
                    if field == "location" or field in row:
                        _apply_edit(row, field, value)
                    if acked is None:
                        row["pending"] = True
        return out

    def ticket_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM tickets WHERE revoked = 0").fetchone()[0])

    # -- local edits -------------------------------------------------------------
    def _append(self, op: dict[str, Any]) -> dict[str, Any]:
        self.conn.execute(
            "INSERT INTO outbox (op_id, ticket_id, kind, field, base, value, conflict_id, "
            "device_time, ticket_version, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                op["op_id"],
                op["ticket_id"],
                op["kind"],
                op.get("field"),
                _j(op.get("base")),
                _j(op.get("value")),
                op.get("conflict_id"),
                op["device_time"],
                op.get("ticket_version"),
                None if op.get("position") is None else _j(op["position"]),
            ),
        )
        return op

    def _new_op(self, ticket_id: str, kind: str, **fields: Any) -> dict[str, Any]:
        return {
            "op_id": str(uuid.uuid4()),
            "ticket_id": ticket_id,
            "kind": kind,
            "device_time": now_iso(),
            **fields,
        }

    def set_field(
        self, ticket_id: str, field: str, value: Any, position: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Change a field locally and queue the edit, in one transaction.

        `position` (sync.wire.Position as a dict) is where the device was, when known.
        """
        with self.conn:
            return self._set(ticket_id, field, value, position)

    def _set(self, ticket_id: str, field: str, value: Any, position: dict[str, Any] | None) -> dict[str, Any]:
        """Queue one field change (inside the caller's transaction)."""
        if field not in EDITABLE_FIELDS:
            raise LocalError(f"{field} cannot be edited")
        _check_text(field.replace("_", " "), value)
        role = self.role or Role.CREW
        ticket = self.ticket(ticket_id)
        base = [ticket["lat"], ticket["lon"]] if field == "location" else ticket[field]
        self._check_edit(role, ticket, field, value)
        if field == "status" and value == "resolved":
            refusal = self.resolve_refusal(ticket)
            if refusal:
                raise LocalError(refusal)
        if base == value:
            raise LocalError(f"{field} is already {value}")
        op = self._new_op(
            ticket_id,
            "set",
            field=field,
            base=base,
            value=value,
            ticket_version=ticket["version"],
            position=position,
        )
        return self._append(op)

    @staticmethod
    def _check_edit(role: str, ticket: dict[str, Any], field: str, value: Any) -> None:
        if field == "status":
            if not may_set_status(role, ticket["status"], value):
                raise LocalError(f"status cannot move from {ticket['status']} to {value}")
        elif field == "priority":
            if isinstance(value, bool) or value not in PRIORITIES:
                raise LocalError("priority must be 1 (emergency) to 5 (planned)")
        elif field == "resolution_code":
            if value is not None and value not in RESOLUTION_CODES:
                raise LocalError(f"resolution code must be one of {', '.join(RESOLUTION_CODES)}")
        elif field in ("assigned_crew", "due_at") and role == Role.CREW:
            raise LocalError("only a supervisor can reassign tickets or change due times")
        elif field == "duplicate_of":
            if value == ticket["id"]:
                raise LocalError("a ticket cannot be a duplicate of itself")
            if ticket["status"] in FINAL:
                raise LocalError(f"the ticket is {ticket['status']}: it cannot be merged any more")

    def add_note(self, ticket_id: str, text: str, position: dict[str, Any] | None = None) -> dict[str, Any]:
        with self.conn:
            return self._note(ticket_id, text, position)

    def _note(self, ticket_id: str, text: str, position: dict[str, Any] | None) -> dict[str, Any]:
        """Queue one note (inside the caller's transaction)."""
        _check_text("the note", text)
        if not text.strip():
            raise LocalError("a note cannot be empty")
        self.ticket(ticket_id)
        return self._append(self._new_op(ticket_id, "note", value=text, position=position))

    def change_status(
        self,
        ticket_id: str,
        status: str,
        *,
        note: str | None = None,
        resolution_code: str | None = None,
        position: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Move a ticket along the workflow with what goes with the move, all or nothing.

        For `resolved`, `resolution_code` and `note` are the outcome (the note is the
        `resolution_note` the reporter reads); for any other status the note is an
        ordinary note (why it is on hold, ...). The edits are queued in one transaction,
        outcome first, so the server records them together and the reporter hears the
        outcome with the resolution. A note or code the ticket already has is not queued again.
        """
        if note is not None:
            _check_text("the note", note)
            note = note.strip() or None
        with self.conn:
            ops = []
            ticket = self.ticket(ticket_id)
            if resolution_code is not None and ticket["resolution_code"] != resolution_code:
                ops.append(self._set(ticket_id, "resolution_code", resolution_code, position))
            if status == "resolved" and note is not None:
                if ticket["resolution_note"] != note:
                    ops.append(self._set(ticket_id, "resolution_note", note, position))
                note = None
            ops.append(self._set(ticket_id, "status", status, position))
            if note is not None:
                ops.append(self._note(ticket_id, note, position))
            return ops

    def resolve_conflict(self, conflict_id: str, keep: str) -> dict[str, Any]:
        """Settle a conflict by keeping 'mine' (re-sent over what stands) or 'theirs'."""
        if keep not in ("mine", "theirs"):
            raise LocalError("keep must be 'mine' or 'theirs'")
        with self.conn:
            conflict = self.conflict(conflict_id)
            if conflict["status"] != "open":
                raise LocalError("this conflict is already resolved")
            if conflict["resolving"]:
                raise LocalError("this conflict is already being resolved")
            if keep == "mine" and conflict["keep_mine_refusal"]:
                raise LocalError(f"you cannot keep yours: {conflict['keep_mine_refusal']}")
            op = self._new_op(
                conflict["ticket_id"],
                "resolve",
                conflict_id=conflict["id"],
                value=keep,
                base=conflict["standing"],
            )
            return self._append(op)

    # -- conflicts and rejected edits ----------------------------------------------
    def _conflict_from_row(self, row: tuple[Any, ...]) -> dict[str, Any]:
        conflict = dict(zip(CONFLICT_COLUMNS, row, strict=True))
        for key in _JSON_CONFLICT:
            conflict[key] = _u(conflict[key])
        return conflict

    def conflicts(self, *, include_resolved: bool = False) -> list[dict[str, Any]]:
        where = "" if include_resolved else " WHERE status = 'open'"
        rows = self.conn.execute(
            f"SELECT {', '.join(CONFLICT_COLUMNS)} FROM conflicts{where} ORDER BY created_at, id"
        ).fetchall()
        resolving = {
            r[0]
            for r in self.conn.execute(
                "SELECT conflict_id FROM outbox WHERE kind = 'resolve' AND acked_version IS NULL"
            )
        }
        local = self._local_summaries({r[1] for r in rows})
        user = self.get("user") or {}
        out = []
        for row in rows:
            conflict = self._conflict_from_row(row)
            conflict["resolving"] = conflict["id"] in resolving
            conflict["on_device"] = conflict["ticket_id"] in local
            # The ticket here is newer than the summary when it is on the device.
            summary = local.get(conflict["ticket_id"]) or conflict["ticket"] or {}
            conflict["ticket"] = summary
            conflict["keep_mine_refusal"] = _keep_mine_refusal(user, conflict, summary)
            out.append(conflict)
        return out

    def _local_summaries(self, ticket_ids: set[str]) -> dict[str, dict[str, Any]]:
        """Conflict ticket summaries of the tickets on this device (in scope)."""
        ids = sorted(ticket_ids)
        cols = ("id", "service_code", "address", "assigned_crew", "status", "version")
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            rows = self.conn.execute(
                f"SELECT {', '.join(cols)} FROM tickets WHERE revoked = 0 "
                f"AND id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for row in rows:
                summary = dict(zip(cols, row, strict=True))
                out[summary.pop("id")] = summary
        return out

    def conflict(self, conflict_id: str) -> dict[str, Any]:
        matches = [c for c in self.conflicts(include_resolved=True) if c["id"].startswith(conflict_id)]
        if not matches:
            raise LocalError(f"no conflict {conflict_id}")
        if len(matches) > 1:
            raise LocalError(f"conflict id {conflict_id} is ambiguous: type more of it")
        return matches[0]

    def rejected(self) -> list[dict[str, Any]]:
        cols = (
            "op_id",
            "ticket_id",
            "kind",
            "field",
            "base",
            "value",
            "conflict_id",
            "device_time",
            "code",
            "reason",
            "rejected_at",
        )
        rows = self.conn.execute(f"SELECT {', '.join(cols)} FROM rejected ORDER BY rejected_at")
        out = []
        for row in rows:
            item = dict(zip(cols, row, strict=True))
            item["base"], item["value"] = _u(item["base"]), _u(item["value"])
            out.append(item)
        return out

    def counts(self) -> dict[str, int]:
        one = self.conn.execute
        return {
            "pending": one("SELECT count(*) FROM outbox WHERE acked_version IS NULL").fetchone()[0],
            "conflicts": one("SELECT count(*) FROM conflicts WHERE status = 'open'").fetchone()[0],
            "rejected": one("SELECT count(*) FROM rejected").fetchone()[0],
        }

    # -- sync: push ------------------------------------------------------------------
    def pending_ops(self, limit: int) -> list[dict[str, Any]]:
        """The oldest unanswered ops, in the wire shape of sync.wire.Op."""
        rows = self.conn.execute(
            "SELECT * FROM outbox WHERE acked_version IS NULL ORDER BY seq LIMIT ?", (limit,)
        ).fetchall()
        device = self.device_id
        ops = []
        for row in rows:
            op = self._op_from_row(row)
            wire = {k: op[k] for k in ("op_id", "ticket_id", "kind", "device_time", "ticket_version")}
            wire["device_id"] = device
            if op["position"] is not None:
                wire["position"] = op["position"]
            if op["kind"] == "set":
                wire.update(field=op["field"], base=op["base"], value=op["value"])
            elif op["kind"] in ("note", "photo", "record"):
                wire["value"] = op["value"]
            else:
                wire.update(conflict_id=op["conflict_id"], value=op["value"], base=op["base"])
            ops.append(wire)
        return ops

    def apply_results(self, ops: list[dict[str, Any]], results: list[dict[str, Any]]) -> None:
        """Store the server's answers for pushed ops (one transaction)."""
        by_id = {op["op_id"]: op for op in ops}
        with self.conn:
            for result in results:
                op_id = str(result["op_id"])
                op = by_id.get(op_id)
                if op is None:
                    continue
                outcome = result["outcome"]
                if outcome in ("applied", "merged"):
                    self.conn.execute(
                        "UPDATE outbox SET acked_version = ? WHERE op_id = ?",
                        (int(result.get("ticket_version") or 0), op_id),
                    )
                    if op["kind"] == "resolve" and outcome == "applied":
                        self.conn.execute(
                            "UPDATE conflicts SET status = 'resolved', resolution = ? WHERE id = ?",
                            (op["value"], op["conflict_id"]),
                        )
                    continue
                if outcome == "conflict" and result.get("conflict"):
                    self._store_conflicts([result["conflict"]])
                elif outcome == "rejected":
                    self.conn.execute(
                        "INSERT OR REPLACE INTO rejected VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            op_id,
                            op["ticket_id"],
                            op["kind"],
                            op.get("field"),
                            _j(op.get("base")),
                            _j(op.get("value")),
                            op.get("conflict_id"),
                            op["device_time"],
                            result.get("code"),
                            result.get("reason"),
                            now_iso(),
                        ),
                    )
                self.conn.execute("DELETE FROM outbox WHERE op_id = ?", (op_id,))
            # An answer that arrives after a pull already brought its effect (or the
            # ticket's revocation) has nothing left to show.
            touched = sorted({op["ticket_id"] for op in ops})
            self._forget_contained_acks(touched)
            marks = ",".join("?" * len(touched))
            if touched:
                # (A settled conflict of a ticket not on this device has nothing to wait for.)
                self.conn.execute(
                    f"DELETE FROM outbox WHERE acked_version IS NOT NULL AND ticket_id IN ({marks}) "
                    "AND (ticket_id IN (SELECT id FROM tickets WHERE revoked = 1) "
                    "OR ticket_id NOT IN (SELECT id FROM tickets))",
                    touched,
                )
            self._drop_released_revoked()

    def _store_conflicts(self, conflicts: list[dict[str, Any]]) -> None:
        rows = []
        for c in conflicts:
            rows.append(
                tuple(
                    _j(c.get(k)) if k in _JSON_CONFLICT else (None if c.get(k) is None else str(c[k]))
                    for k in CONFLICT_COLUMNS
                )
            )
        self.conn.executemany(
            f"INSERT OR REPLACE INTO conflicts ({', '.join(CONFLICT_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(CONFLICT_COLUMNS))})",
            rows,
        )

    def _drop_released_revoked(self) -> None:
        """Remove tickets that left our scope once none of our ops still need them."""
        self.conn.execute(
            "DELETE FROM tickets WHERE revoked = 1 AND id NOT IN (SELECT ticket_id FROM outbox)"
        )

    # -- sync: pull --------------------------------------------------------------------
    def apply_page(self, page: dict[str, Any], *, seen: set[str] | None = None) -> int:
        """Apply one feed page and advance the cursor, in one transaction.

        Returns how many tickets arrived that this device did not have before.
        `seen` collects ticket ids (for a full re-pull).
        """
        docs = page["tickets"]
        ids = [d["id"] for d in docs]
        revoked_ids = [str(r) for r in page["revoked"]]
        with self.conn:
            known = self._known_ids(ids)
            rows = [
                (
                    d["id"],
                    d["service_code"],
                    d["description"],
                    d["address"],
                    d["lat"],
                    d["lon"],
                    d["priority"],
                    d["status"],
                    d["assigned_crew"],
                    d["due_at"],
                    d["created_at"],
                    d["updated_at"],
                    d["version"],
                    d["resolution_code"],
                    d["resolution_note"],
                    _j(d["notes"]),
                    _j(d["events"]),
                    _j(d.get("photos", [])),
                    d.get("duplicate_of"),
                    _j(d.get("possible_duplicates", [])),
                    _j(d.get("work", [])),
                    ticket_hash(d["id"], d["version"]),
                )
                for d in docs
            ]
            self.conn.executemany(
                f"INSERT OR REPLACE INTO tickets ({', '.join(TICKET_COLUMNS)}, vhash, revoked) "
                f"VALUES ({', '.join('?' * len(TICKET_COLUMNS))}, ?, 0)",
                rows,
            )
            milestones.store(self.conn, docs)
            if revoked_ids:
                self.conn.executemany(
                    "UPDATE tickets SET revoked = 1 WHERE id = ?", [(r,) for r in revoked_ids]
                )
                self.conn.execute(
                    f"DELETE FROM outbox WHERE acked_version IS NOT NULL AND ticket_id IN "
                    f"({','.join('?' * len(revoked_ids))})",
                    revoked_ids,
                )
                self._drop_released_revoked()
            if ids:
                self._forget_contained_acks(ids)
            if page.get("conflicts"):
                self._store_conflicts(page["conflicts"])
            if seen is not None:
                seen.update(ids)
            self._put({"cursor": int(page["cursor"])})
        return len(ids) - len(known)

    def _known_ids(self, ids: list[str]) -> set[str]:
        known: set[str] = set()
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            known.update(
                r[0] for r in self.conn.execute(f"SELECT id FROM tickets WHERE id IN ({marks})", chunk)
            )
        return known

    def _forget_contained_acks(self, ids: list[str]) -> None:
        """Acked ops whose effect is now in the pulled server state leave the outbox."""
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            self.conn.execute(
                "DELETE FROM outbox WHERE acked_version IS NOT NULL "
                f"AND ticket_id IN ({','.join('?' * len(chunk))}) "
                "AND acked_version <= (SELECT version FROM tickets WHERE id = outbox.ticket_id)",
                chunk,
            )

    def drop_unseen(self, seen: set[str]) -> None:
        """After a full re-pull: tickets the server no longer shows us leave the scope."""
        with self.conn:
            local = [r[0] for r in self.conn.execute("SELECT id FROM tickets WHERE revoked = 0")]
            gone = [(tid,) for tid in local if tid not in seen]
            self.conn.executemany("UPDATE tickets SET revoked = 1 WHERE id = ?", gone)
            self._drop_released_revoked()

    def digest(self) -> tuple[str, int]:
        """Digest and count of (id, version) over the tickets in scope, from the rows."""
        count, total = self.conn.execute(
            "SELECT count(*), coalesce(sum(vhash), 0) FROM tickets WHERE revoked = 0"
        ).fetchone()
        return digest_hex(int(total)), int(count)

    def wipe(self) -> None:
        """Forget everything but the device id (sign-out)."""
        with self.conn:
            for table in ("tickets", "ticket_milestones", "outbox", "conflicts", "rejected", "photos"):
                self.conn.execute(f"DELETE FROM {table}")
            device = self.get("device_id")
            self.conn.execute("DELETE FROM meta")
            self._put({"device_id": device})
        shutil.rmtree(self.photos_dir, ignore_errors=True)


def _keep_mine_refusal(user: dict[str, Any], conflict: dict[str, Any], ticket: dict[str, Any]) -> str | None:
    """Why this device's user cannot keep their value (sync.workflow.keep_mine_refusal)."""
    if not ticket:
        return None  # nothing known about the ticket here: the server decides
    role = user.get("role") or Role.CREW
    if role == Role.ADMIN:
        crews: tuple[str, ...] | None = None
    elif role == Role.CREW:
        crews = (user["crew"],) if user.get("crew") else ()
    else:
        crews = tuple(user.get("crews") or ())
    return keep_mine_refusal(
        role=role,
        own_crews=crews,
        audience=conflict["audience"],
        ticket_status=ticket["status"],
        ticket_crew=ticket.get("assigned_crew"),
    )


def _check_text(what: str, value: Any) -> None:
    """LocalError when `value` is text that cannot be stored or sent (NUL, lone surrogates:
    bytes that were not UTF-8, as Python decodes a command line)."""
    if isinstance(value, str) and (problem := text_problem(value)):
        raise LocalError(f"{what} is not valid text: {problem.removeprefix('text ')}")
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise LocalError(f"{what} is at most {MAX_TEXT} characters")
