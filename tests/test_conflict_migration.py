"""Migration 0004 on a database with conflicts recorded before it (SQLite and PostgreSQL).

Open conflicts get feed positions above everything devices have seen, so they reach
their audience on the next sync; each learns the crew its ticket has.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from serverproc import fresh_database_url

from caseserver.db import make_engine
from caseserver.migrate import alembic_config

NOW = "2026-11-30 08:00:00+00:00"


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database_url(backend, tmp_path) as url:
        yield url


def _columns(engine: sa.Engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def test_open_conflicts_get_feed_positions_and_their_ticket_crew(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0002")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO crews (id, code, name) VALUES (1, 'north', 'North')"))
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, username, display_name, role, password_hash, crew_id, active, "
                    "created_at) VALUES (1, 'aino', 'Aino', 'crew', '-', 1, :t, :now)"
                ),
                {"t": True, "now": NOW},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO tickets (id, service_code, description, address, lat, lon, priority, "
                    "status, assigned_crew_id, created_at, updated_at, version, seq, doc) VALUES ('t1', "
                    "'pothole', 'hole', 'Mannerheimintie 5', 60.1, 24.9, 3, 'assigned', 1, :now, :now, 1, 7, "
                    "'')"
                ),
                {"now": NOW},
            )
            for cid, status in (("c-open", "open"), ("c-done", "resolved")):
                conn.execute(
                    sa.text(
                        "INSERT INTO conflicts (id, ticket_id, field, audience, audience_crew_id, author_id, "
                        "author_crew_id, reason, status, created_at) VALUES (:id, 't1', 'priority', 'crew', "
                        "1, 1, 1, 'dispatch changed priority meanwhile', :status, :now)"
                    ),
                    {"id": cid, "status": status, "now": NOW},
                )
            conn.execute(sa.text("UPDATE feed_counter SET value = 7 WHERE id = 1"))

        command.upgrade(config, "head")
        assert {"seq", "ticket_crew_id"} <= _columns(engine, "conflicts")
        assert "reason" in _columns(engine, "audit_events")
        with engine.connect() as conn:
            rows = dict(
                (r.id, (r.seq, r.ticket_crew_id))
                for r in conn.execute(sa.text("SELECT id, seq, ticket_crew_id FROM conflicts"))
            )
            counter = conn.execute(sa.text("SELECT value FROM feed_counter")).scalar_one()
        assert rows == {"c-open": (8, 1), "c-done": (0, 1)}
        assert counter == 8

        command.downgrade(config, "0002")
        assert "seq" not in _columns(engine, "conflicts")
        assert "reason" not in _columns(engine, "audit_events")
    finally:
        engine.dispose()
