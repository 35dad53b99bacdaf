"""The replica's SQLite schema, as numbered migrations recorded in the file itself
(sqlite-utils `Migrations`), and how values are stored in it (JSON text, UTC times)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import sqlite_utils
from sqlite_utils import Migrations

from sync.milestones import MILESTONES_INSERT, milestone_row

migrations = Migrations("fieldapp.replica")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute(
        """CREATE TABLE tickets (
            id TEXT PRIMARY KEY, service_code TEXT, description TEXT, address TEXT,
            lat REAL, lon REAL, priority INTEGER, status TEXT, assigned_crew TEXT,
            due_at TEXT, created_at TEXT, updated_at TEXT, version INTEGER,
            resolution_code TEXT, resolution_note TEXT, notes TEXT, events TEXT,
            vhash INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0)"""
    )
    # Covers the digest: SUM(vhash) over the tickets in scope without touching rows.
    db.execute("CREATE INDEX ix_tickets_digest ON tickets(revoked, vhash)")
    db.execute("CREATE INDEX ix_tickets_status ON tickets(status)")
    db.execute(
        """CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT UNIQUE NOT NULL,
            ticket_id TEXT NOT NULL, kind TEXT NOT NULL, field TEXT, base TEXT, value TEXT,
            conflict_id TEXT, device_time TEXT NOT NULL, ticket_version INTEGER,
            acked_version INTEGER)"""
    )
    db.execute("CREATE INDEX ix_outbox_ticket ON outbox(ticket_id)")
    db.execute(
        """CREATE TABLE conflicts (
            id TEXT PRIMARY KEY, ticket_id TEXT, op_id TEXT, field TEXT, base TEXT, mine TEXT,
            theirs TEXT, standing TEXT, audience TEXT, audience_crew TEXT, author TEXT,
            author_crew TEXT, reason TEXT, status TEXT, resolution TEXT, created_at TEXT)"""
    )
    db.execute("CREATE INDEX ix_conflicts_ticket ON conflicts(ticket_id)")
    db.execute(
        """CREATE TABLE rejected (
            op_id TEXT PRIMARY KEY, ticket_id TEXT, kind TEXT, field TEXT, base TEXT,
            value TEXT, conflict_id TEXT, device_time TEXT, code INTEGER, reason TEXT,
            rejected_at TEXT)"""
    )


@migrations()
def m002_photos_positions_geocoding(db: sqlite_utils.Database) -> None:
    # Where the device was when an edit was made (JSON of sync.wire.Position), sent with the op.
    db.execute("ALTER TABLE outbox ADD COLUMN position TEXT")
    # The photos attached to each ticket on the server (JSON list of sync.wire.PhotoDoc).
    db.execute("ALTER TABLE tickets ADD COLUMN photos TEXT")
    # Photos taken or imported on this device. The row and its 'photo' op in the outbox
    # are written in one transaction; the bytes go through the upload queue on their own.
    db.execute(
        """CREATE TABLE photos (
            id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL, kind TEXT NOT NULL,
            caption TEXT NOT NULL DEFAULT '', for_reporter INTEGER NOT NULL DEFAULT 1,
            sha256 TEXT NOT NULL, size INTEGER NOT NULL, width INTEGER, height INTEGER,
            content_type TEXT NOT NULL DEFAULT 'image/jpeg', taken_at TEXT,
            lat REAL, lon REAL, accuracy_m REAL,
            path TEXT, thumb_path TEXT, created_at TEXT NOT NULL,
            upload_state TEXT NOT NULL DEFAULT 'queued', upload_url TEXT,
            bytes_sent INTEGER NOT NULL DEFAULT 0, upload_error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
            confirmed_at TEXT, free_space INTEGER NOT NULL DEFAULT 0, local_removed_at TEXT)"""
    )
    db.execute("CREATE INDEX ix_photos_ticket ON photos(ticket_id)")
    db.execute("CREATE INDEX ix_photos_upload ON photos(upload_state)")
    # Answers of online geocoding, so an address looked up once is known offline.
    db.execute(
        """CREATE TABLE geocode_cache (
            kind TEXT NOT NULL, query TEXT NOT NULL, result TEXT, fetched_at TEXT NOT NULL,
            PRIMARY KEY (kind, query))"""
    )


@migrations()
def m003_conflicts_for_their_audience(db: sqlite_utils.Database) -> None:
    # Conflicts arrive on their own feed positions, also for tickets not on this device:
    # each carries a summary of its ticket (JSON of sync.wire.ConflictTicket).
    db.execute("ALTER TABLE conflicts ADD COLUMN resolved_by TEXT")
    db.execute("ALTER TABLE conflicts ADD COLUMN ticket TEXT")
    db.execute("CREATE INDEX ix_conflicts_status ON conflicts(status)")


@migrations()
def m_operations(db: sqlite_utils.Database) -> None:
    # What the operations figures need of each ticket, in one narrow table kept with every feed
    # page (times in POSIX seconds, taken from the history once rather than at every look; see
    # sync.milestones). Triggers follow the tickets table's revocations and deletions.
    db.execute(
        """CREATE TABLE ticket_milestones (
            ticket_id TEXT PRIMARY KEY, crew TEXT, service_code TEXT, status TEXT, priority INTEGER,
            created REAL, due REAL, assigned REAL, first_response REAL, resolved REAL,
            reopens INTEGER NOT NULL DEFAULT 0, escalated REAL, revoked INTEGER NOT NULL DEFAULT 0)"""
    )
    db.execute("CREATE INDEX ix_milestones_status ON ticket_milestones(revoked, status)")
    db.execute(
        """CREATE TRIGGER tr_milestones_revoked AFTER UPDATE OF revoked ON tickets BEGIN
            UPDATE ticket_milestones SET revoked = new.revoked WHERE ticket_id = new.id; END"""
    )
    db.execute(
        """CREATE TRIGGER tr_milestones_deleted AFTER DELETE ON tickets BEGIN
            DELETE FROM ticket_milestones WHERE ticket_id = old.id; END"""
    )
    rows = db.execute(
        "SELECT id, assigned_crew, service_code, status, priority, created_at, due_at, events, revoked "
        "FROM tickets"
    ).fetchall()
    if rows:
        db.conn.executemany(
            MILESTONES_INSERT,
            [(*milestone_row(*row[:7], from_json(row[7]) or []), row[8]) for row in rows],
        )


def to_json(value: Any) -> str:
    return orjson.dumps(value).decode()


def from_json(raw: str | None) -> Any:
    return None if raw is None else orjson.loads(raw)


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@migrations()
def m_duplicates(db: sqlite_utils.Database) -> None:
    # The ticket a duplicate was merged into, and the possible duplicates found on arrival (JSON).
    db.execute("ALTER TABLE tickets ADD COLUMN duplicate_of TEXT")
    db.execute("ALTER TABLE tickets ADD COLUMN possible_duplicates TEXT")


@migrations()
def m_work_records(db: sqlite_utils.Database) -> None:
    # The ticket's work record as the server sent it (JSON list of sync.wire.WorkRecordDoc).
    db.execute("ALTER TABLE tickets ADD COLUMN work TEXT")


@migrations()
def m_milestone_windows(db: sqlite_utils.Database) -> None:
    # The operations statistics read the tickets resolved or responded to in a window; the
    # view finds each crew's oldest open ticket by its creation time (sync.opscounts).
    db.execute("CREATE INDEX ix_milestones_resolved ON ticket_milestones(resolved, created)")
    db.execute("CREATE INDEX ix_milestones_first_response ON ticket_milestones(first_response, assigned)")
    db.execute("CREATE INDEX ix_milestones_created ON ticket_milestones(created)")
