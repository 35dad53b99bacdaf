"""The crew's words reach the reporter: a note given with a resolution is the outcome note.

The command line resolves a ticket with `--note` against a real case server set up for
the reporter loop (SMTP server process, Open311, public status page); the note is the
ticket's `resolution_note`, and the reporter reads it in the email, in Open311's
`status_notes` and on the public status page.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import requests
from reporterkit import ReporterServer, wait_for
from serverproc import PASSWORDS
from test_cli import fieldapp, ok_json

NOTE = "Filled with cold asphalt; a permanent repair follows next week."


def test_a_note_given_with_the_resolution_reaches_the_reporter_everywhere(
    reporter_server: ReporterServer, tmp_path: Path
) -> None:
    server, mail = reporter_server.server, reporter_server.mail
    email = f"reporter-{uuid.uuid4().hex[:10]}@example.org"
    ticket_id = server.create_ticket(
        server.token("sanna"), assigned_crew="north", reporter_name="Maija", reporter_email=email
    )["id"]
    profile = tmp_path / "aino"
    ok_json(profile, "login", "--server", server.url, "--user", "aino", "--password", PASSWORDS["aino"])
    ok_json(profile, "sync")
    short = ticket_id[:8]
    assert fieldapp(profile, "set-status", short, "in_progress").returncode == 0
    done = fieldapp(profile, "set-status", short, "resolved", "--resolution-code", "fixed", "--note", NOTE)
    assert done.returncode == 0, done.stderr
    shown = ok_json(profile, "show", short)
    assert shown["resolution_note"] == NOTE and shown["notes"] == []  # shown as the outcome at once
    report = ok_json(profile, "sync")
    assert report["rejected"] == 0 and report["conflicts"] == 0

    on_server = server.get_ticket(server.token("sanna"), ticket_id)
    assert on_server["status"] == "resolved"
    assert (on_server["resolution_code"], on_server["resolution_note"]) == ("fixed", NOTE)
    assert on_server["notes"] == []

    (doc,) = requests.get(f"{server.url}/open311/v2/requests/{ticket_id}.json", timeout=30).json()
    assert doc["status_notes"] == f"Fixed. {NOTE}"
    page = requests.get(f"{server.url}/requests/{ticket_id}", timeout=30)
    assert page.status_code == 200 and f"Fixed. {NOTE}" in page.text
    (message,) = wait_for(lambda: mail.messages_to(email))
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and NOTE in str(body.get_content())  # type: ignore[attr-defined]
