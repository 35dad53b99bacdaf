"""`fieldapp` command line: the app's headless face, for scripts, tests and support.

Every command works on one device profile (--profile DIR: its replica and
credentials). Edits are queued offline; `sync` sends them. Expected failures
print one line on stderr and exit 1; --json prints machine-readable output.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fieldapp.devicelog import start_device_log
from fieldapp.workcli import add_work_commands
from sync.engine import SyncEngine, sign_in
from sync.errors import LocalError, SyncError
from sync.photos import PHOTO_KINDS, PhotoError, PipelineSettings, attach_photo, images_in, save_settings
from sync.replica import Replica
from sync.wire import text_problem
from sync.workflow import RESOLUTION_CODES, STATUSES

REPLICA_FILE = "replica.sqlite"
#: Views of the window `gui --screenshot` and `gui --audit` can show (`MainWindow.prepare_screenshot`).
VIEWS = (
    "signin",
    "mywork",
    "mywork-map",
    "ticket",
    "resolve",
    "onhold",
    "camera",
    "photos",
    "conflicts",
    "dispatch",
    "settings",
)


def default_profile() -> Path:
    env = os.environ.get("FIELDAPP_PROFILE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "fieldapp" / "default"


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: Any, text: str | None = None) -> None:
        if self.as_json:
            print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        elif text is not None:
            print(text)


def _replica(args: argparse.Namespace) -> Replica:
    return Replica(Path(args.profile) / REPLICA_FILE)


def _ticket_line(t: dict[str, Any]) -> str:
    mark = "*" if t["pending"] else " "
    due = (t["due_at"] or "")[:16].replace("T", " ")
    crew = t["assigned_crew"] or "-"
    return (
        f"{t['id'][:8]}{mark} {t['status']:<11} P{t['priority']} {due:<16} {crew:<8} "
        f"{t['service_code']:<15} {t['address']}"
    )


def cmd_login(args: argparse.Namespace, out: Output) -> None:
    user = sign_in(Path(args.profile) / REPLICA_FILE, args.server, args.user, args.password, args.device_name)
    crew = f", crew {user['crew']}" if user.get("crew") else ""
    out.emit(user, f"signed in as {user['username']} ({user['role']}{crew})")


def cmd_logout(args: argparse.Namespace, out: Output) -> None:
    replica = _replica(args)
    counts = replica.counts()
    # Conflicts live on the server too; unsent and refused edits exist only here.
    if (counts["pending"] or counts["rejected"]) and not args.force:
        raise LocalError(
            f"{counts['pending']} unsynced edit(s) and {counts['rejected']} refused edit(s) "
            "exist only on this device: sync first, or use --force to drop them"
        )
    photos = replica.upload_counts()
    if (photos["waiting"] or photos["failed"]) and not args.force:
        raise LocalError(
            f"{photos['waiting'] + photos['failed']} photo(s) are not yet on the server: "
            "upload first, or use --force to drop them"
        )
    replica.wipe()
    out.emit({"signed_out": True}, "signed out; the local copy was removed")


def cmd_sync(args: argparse.Namespace, out: Output) -> None:
    report = SyncEngine(Path(args.profile) / REPLICA_FILE).sync()
    text = (
        f"pushed {report.pushed} (applied {report.applied}, conflicts {report.conflicts}, "
        f"rejected {report.rejected}); pulled {report.pulled}, {report.new_tickets} new, "
        f"{report.revoked} left your list"
    )
    if report.repulled:
        text += "; the local copy was re-checked against the server"
    out.emit(report.as_dict(), text)


def cmd_tickets(args: argparse.Namespace, out: Output) -> None:
    tickets = _replica(args).tickets()
    if args.status:
        tickets = [t for t in tickets if t["status"] in args.status]
    elif not args.all:
        tickets = [t for t in tickets if t["status"] not in ("closed", "cancelled")]
    tickets.sort(key=lambda t: (t["priority"], t["due_at"] or "9999"))
    lines = [_ticket_line(t) for t in tickets] or ["no tickets"]
    out.emit(tickets, "\n".join(lines))


def cmd_show(args: argparse.Namespace, out: Output) -> None:
    replica = _replica(args)
    t = replica.ticket(replica.find_ticket_id(args.ticket))
    lines = [
        f"{t['id']}  {t['service_code']}  priority {t['priority']}",
        f"status:   {t['status']}{' (not yet synced)' if 'status' in t['pending_fields'] else ''}",
        f"address:  {t['address']}  ({t['lat']:.5f}, {t['lon']:.5f})",
        f"crew:     {t['assigned_crew'] or 'unassigned'}",
        f"due:      {t['due_at'] or '-'}",
        f"about:    {t['description']}",
    ]
    if t["resolution_code"]:
        lines.append(f"outcome:  {t['resolution_code']}: {t['resolution_note'] or ''}")
    for note in t["notes"]:
        flag = " (not yet synced)" if note.get("pending") else ""
        lines.append(f"note by {note['author']}{flag}: {note['text']}")
    out.emit(t, "\n".join(lines))


def _position(args: argparse.Namespace) -> dict[str, Any] | None:
    """--lat/--lon[/--accuracy]: where the device is, recorded with the edit (both or neither)."""
    if args.lat is None and args.lon is None:
        if args.accuracy is not None:
            raise LocalError("--accuracy needs --lat and --lon")
        return None
    if args.lat is None or args.lon is None:
        raise LocalError("give both --lat and --lon")
    if not (-90 <= args.lat <= 90 and -180 <= args.lon <= 180):
        raise LocalError("--lat must be within -90..90 and --lon within -180..180")
    if args.accuracy is not None and not 0 <= args.accuracy <= 100_000:
        raise LocalError("--accuracy is metres, 0 to 100000")
    fixed_at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return {"lat": args.lat, "lon": args.lon, "accuracy_m": args.accuracy, "fixed_at": fixed_at}


def _position_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lat", type=float, help="where you are: latitude (with --lon)")
    parser.add_argument("--lon", type=float, help="where you are: longitude")
    parser.add_argument("--accuracy", type=float, help="accuracy of the position in metres")


def cmd_set_status(args: argparse.Namespace, out: Output) -> None:
    where = _position(args)
    replica = _replica(args)
    ticket_id = replica.find_ticket_id(args.ticket)
    ops = replica.change_status(
        ticket_id, args.status, note=args.note, resolution_code=args.resolution_code, position=where
    )
    out.emit(ops, f"{ticket_id[:8]} is now {args.status} (queued, {len(ops)} edit(s))")


def cmd_note(args: argparse.Namespace, out: Output) -> None:
    where = _position(args)
    replica = _replica(args)
    op = replica.add_note(replica.find_ticket_id(args.ticket), args.text, position=where)
    out.emit(op, "note queued")


def cmd_edit(args: argparse.Namespace, out: Output) -> None:
    replica = _replica(args)
    try:
        value = json.loads(args.value)
    except json.JSONDecodeError:
        value = args.value
    op = replica.set_field(replica.find_ticket_id(args.ticket), args.field, value)
    out.emit(op, f"{args.field} changed (queued)")


def cmd_reassign(args: argparse.Namespace, out: Output) -> None:
    replica = _replica(args)
    if replica.role not in ("supervisor", "admin"):
        raise LocalError("only a supervisor can reassign tickets")
    crew = None if args.crew in ("none", "-") else args.crew
    op = replica.set_field(replica.find_ticket_id(args.ticket), "assigned_crew", crew)
    out.emit(op, f"reassigned to {crew or 'the unassigned queue'} (queued)")


def cmd_conflicts(args: argparse.Namespace, out: Output) -> None:
    conflicts = _replica(args).conflicts(include_resolved=args.all)
    lines = []
    for c in conflicts:
        state = "being resolved" if c["resolving"] else c["status"]
        t = c["ticket"]
        lines.append(
            f"{c['id'][:8]} ticket {c['ticket_id'][:8]} {c['field']}: you/they: "
            f"{c['mine']!r} / {c['theirs']!r}; standing {c['standing']!r} [{state}]\n"
            f"         {c['reason']}"
        )
        if t:
            crew = f"crew {t['assigned_crew']}" if t.get("assigned_crew") else "the unassigned queue"
            lines.append(f"         {t['service_code']} at {t['address']}: {t['status']}, with {crew}")
        if c["status"] == "open" and c["keep_mine_refusal"]:
            lines.append(f"         keep mine: {c['keep_mine_refusal']}; acknowledge with --keep seen")
    out.emit(conflicts, "\n".join(lines) or "no conflicts")


def cmd_resolve(args: argparse.Namespace, out: Output) -> None:
    keep = "theirs" if args.keep == "seen" else args.keep  # acknowledging keeps theirs
    op = _replica(args).resolve_conflict(args.conflict, keep)
    out.emit(op, f"conflict resolution queued (keep {keep})")


def cmd_rejected(args: argparse.Namespace, out: Output) -> None:
    rows = _replica(args).rejected()
    lines = [
        f"{r['op_id'][:8]} ticket {r['ticket_id'][:8]} {r['kind']} {r['field'] or ''} "
        f"{r['value']!r}: {r['reason']} (HTTP {r['code']})"
        for r in rows
    ]
    out.emit(rows, "\n".join(lines) or "no rejected edits")


def cmd_status(args: argparse.Namespace, out: Output) -> None:
    replica = _replica(args)
    user = replica.get("user")
    data = {
        "user": user,
        "server": replica.get("server"),
        "device_id": replica.get("device_id"),
        "tickets": replica.ticket_count(),
        **replica.counts(),
        "photos": replica.upload_counts(),
        "last_sync": replica.get("last_sync"),
        "last_error": replica.get("last_error"),
        "cursor": replica.cursor,
    }
    who = f"{user['username']} ({user['role']})" if user else "not signed in"
    text = (
        f"{who} on {data['server'] or '-'}\n"
        f"tickets {data['tickets']}, pending edits {data['pending']}, conflicts "
        f"{data['conflicts']}, rejected {data['rejected']}\n"
        f"photos waiting to upload {data['photos']['waiting']}, failed {data['photos']['failed']}\n"
        f"last sync {data['last_sync'] or 'never'}, cursor {data['cursor']}"
    )
    if data["last_error"]:
        text += f"\nlast error: {data['last_error']}"
    out.emit(data, text)


def _photo_sources(paths: list[Path]) -> list[Path]:
    """The files named, with each folder (a camera card) replaced by the images in it."""
    sources: list[Path] = []
    for path in paths:
        sources.extend(images_in(path) if path.is_dir() else [path])
    return sources


def cmd_photo_add(args: argparse.Namespace, out: Output) -> None:
    replica = _replica(args)
    ticket_id = replica.find_ticket_id(args.ticket)
    sources = _photo_sources(args.files)
    if not sources:
        raise PhotoError("no images found")
    added, errors = [], []
    for source in sources:
        try:
            added.append(
                attach_photo(
                    replica,
                    ticket_id,
                    source,
                    kind=args.kind,
                    caption=args.caption or "",
                    for_reporter=not args.private,
                )
            )
        except PhotoError as exc:  # one bad file does not stop the others
            errors.append(str(exc))
    lines = [f"{p['id'][:8]} {p['kind']} {p['width']}×{p['height']} queued" for p in added]
    lines += [f"not attached: {e}" for e in errors]
    out.emit({"added": [_photo_json(p) for p in added], "errors": errors}, "\n".join(lines))
    if errors:
        raise SystemExit(1)


def _photo_json(photo: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in photo.items()}


def _photo_line(p: dict[str, Any]) -> str:
    state = p["upload_state"]
    if state == "uploading":
        state = f"uploading {p['bytes_sent'] * 100 // max(1, p['size'])}%"
    elif state == "remote":
        state = f"by {p.get('author', '?')}"
    elif state == "confirmed" and p.get("local_removed_at"):
        state = "confirmed, original removed from this device"
    private = "" if p["for_reporter"] else " [private]"
    line = f"{p['id'][:8]} {p['kind']:<6} {state}{private} {p['caption'] or ''}".rstrip()
    if p.get("upload_error"):
        line += f"\n         {'failed' if p['upload_state'] == 'failed' else 'waiting'}: {p['upload_error']}"
    return line


def cmd_photos(args: argparse.Namespace, out: Output) -> None:
    replica = _replica(args)
    photos = replica.photos(replica.find_ticket_id(args.ticket))
    out.emit([_photo_json(p) for p in photos], "\n".join(_photo_line(p) for p in photos) or "no photos")


def cmd_photo_retry(args: argparse.Namespace, out: Output) -> None:
    replica = _replica(args)
    matches = [
        r[0]
        for r in replica.conn.execute(
            "SELECT id FROM photos WHERE id LIKE ? AND upload_state = 'failed'", (args.photo.lower() + "%",)
        )
    ]
    if len(matches) != 1:
        raise LocalError(f"no single failed photo {args.photo}")
    replica.retry_photo(matches[0])
    out.emit({"queued": matches[0]}, f"{matches[0][:8]} queued again")


def cmd_photo_settings(args: argparse.Namespace, out: Output) -> None:
    replica = _replica(args)
    if args.max_edge is not None or args.quality is not None:
        chosen = save_settings(replica, max_edge=args.max_edge, quality=args.quality)
    else:
        chosen = PipelineSettings.of_profile(replica)
    out.emit(
        {"max_edge": chosen.max_edge, "quality": chosen.quality},
        f"photos are stored at most {chosen.max_edge} px on their longest edge, "
        f"JPEG quality {chosen.quality}",
    )


def cmd_upload(args: argparse.Namespace, out: Output) -> None:
    replica = _replica(args)
    if args.free_space is not None:
        replica.choose_free_space(args.free_space)
    replica.close()
    from sync.uploads import DEFAULT_CHUNK, UploadQueue  # the tus client, only when uploading

    chunk_size = args.chunk_size or DEFAULT_CHUNK
    report = UploadQueue(Path(args.profile) / REPLICA_FILE, chunk_size=chunk_size).run()
    text = (
        f"confirmed {report.confirmed}, failed {report.failed}, waiting {report.waiting}; "
        f"sent {report.bytes_sent} bytes"
    )
    if report.freed:
        text += f"; {report.freed} original(s) removed from this device"
    for failure in report.failures:
        text += f"\n{failure['photo_id'][:8]} failed: {failure['reason']}"
    out.emit(report.as_dict(), text)


def cmd_gui(args: argparse.Namespace, out: Output) -> None:
    from fieldapp.app import run_audit, run_gui, self_check

    profile = Path(args.profile)
    size = getattr(args, "size", None) or (1280, 800)
    language, theme = getattr(args, "lang", None), getattr(args, "theme", None)
    if args.self_check:
        code = self_check(profile)
    elif getattr(args, "audit", False):
        if args.screenshot is not None:
            print("fieldapp: --audit and --screenshot are separate runs; give one", file=sys.stderr)
            raise SystemExit(2)
        code = run_audit(
            profile, args.view or "mywork", size=size, language=language, theme=theme, as_json=out.as_json
        )
    else:
        code = run_gui(profile, args.screenshot, args.view, size=size, language=language, theme=theme)
    raise SystemExit(code)


def _window_size(text: str) -> tuple[int, int]:
    from fieldapp.app import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _chunk_size(text: str) -> int:
    value = int(text)
    if not 16 * 1024 <= value <= 64 * 1024 * 1024:
        raise argparse.ArgumentTypeError("a chunk is 16 KiB to 64 MiB")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fieldapp", description="Field app for public-works crews.")
    p.add_argument(
        "--profile",
        default=str(default_profile()),
        help="folder of this device's replica and credentials (env FIELDAPP_PROFILE)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--screenshot", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--view", help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command")

    s = sub.add_parser("login", help="sign in to a case server and remember this device")
    s.add_argument("--server", required=True)
    s.add_argument("--user", required=True)
    s.add_argument("--password", default=os.environ.get("FIELDAPP_PASSWORD"))
    s.add_argument("--device-name", default=os.uname().nodename if hasattr(os, "uname") else "pc")
    s.set_defaults(func=cmd_login)

    s = sub.add_parser("logout", help="sign out and remove the local copy (after syncing)")
    s.add_argument("--force", action="store_true", help="also drop unsynced work")
    s.set_defaults(func=cmd_logout)

    sub.add_parser("sync", help="send queued edits and fetch changes").set_defaults(func=cmd_sync)

    s = sub.add_parser("tickets", help="list tickets (open ones unless --all)")
    s.add_argument("--status", nargs="*", choices=STATUSES)
    s.add_argument("--all", action="store_true")
    s.set_defaults(func=cmd_tickets)

    s = sub.add_parser("show", help="show one ticket")
    s.add_argument("ticket", help="ticket id or its first characters")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("set-status", help="move a ticket along the workflow")
    s.add_argument("ticket")
    s.add_argument("status", choices=STATUSES)
    s.add_argument("--note")
    s.add_argument("--resolution-code", choices=RESOLUTION_CODES)
    _position_arguments(s)
    s.set_defaults(func=cmd_set_status)

    s = sub.add_parser("note", help="add a note to a ticket")
    s.add_argument("ticket")
    s.add_argument("text")
    _position_arguments(s)
    s.set_defaults(func=cmd_note)

    s = sub.add_parser("edit", help="change a field (priority, address, description, ...)")
    s.add_argument("ticket")
    s.add_argument("field")
    s.add_argument("value", help="JSON or plain text")
    s.set_defaults(func=cmd_edit)

    s = sub.add_parser("reassign", help="assign a ticket to a crew (supervisor); 'none' unassigns")
    s.add_argument("ticket")
    s.add_argument("crew")
    s.set_defaults(func=cmd_reassign)

    s = sub.add_parser("conflicts", help="list conflicts (open unless --all)")
    s.add_argument("--all", action="store_true")
    s.set_defaults(func=cmd_conflicts)

    s = sub.add_parser("resolve", help="resolve a conflict")
    s.add_argument("conflict")
    s.add_argument("--keep", choices=["mine", "theirs", "seen"], required=True, help="seen: keep theirs")
    s.set_defaults(func=cmd_resolve)

    sub.add_parser("rejected", help="edits the server refused").set_defaults(func=cmd_rejected)
    sub.add_parser("status", help="sync state of this device").set_defaults(func=cmd_status)

    s = sub.add_parser("photo", help="attach photos to a ticket, or retry a failed upload")
    photo = s.add_subparsers(dest="photo_command", required=True)
    s = photo.add_parser("add", help="attach photos (files, or folders such as a camera card)")
    s.add_argument("ticket")
    s.add_argument("files", nargs="+", type=Path, metavar="FILE")
    s.add_argument("--kind", choices=PHOTO_KINDS, required=True)
    s.add_argument("--caption", default="")
    s.add_argument("--private", action="store_true", help="not for the reporter (no public copy)")
    s.set_defaults(func=cmd_photo_add)
    s = photo.add_parser("settings", help="show or change how photos are stored on this device")
    s.add_argument("--max-edge", type=int, help="longest edge in pixels (default 2560)")
    s.add_argument("--quality", type=int, help="JPEG quality (default 85)")
    s.set_defaults(func=cmd_photo_settings)
    s = photo.add_parser("retry", help="queue a failed upload again")
    s.add_argument("photo", help="photo id or its first characters")
    s.set_defaults(func=cmd_photo_retry)

    s = sub.add_parser("photos", help="a ticket's photos and their upload state")
    s.add_argument("ticket")
    s.set_defaults(func=cmd_photos)

    s = sub.add_parser("upload", help="upload waiting photos once (resumes unfinished uploads)")
    space = s.add_mutually_exclusive_group()
    space.add_argument(
        "--free-space",
        dest="free_space",
        action="store_const",
        const=True,
        help="from now on, remove originals from this device once the server confirmed them",
    )
    space.add_argument(
        "--keep-files", dest="free_space", action="store_const", const=False, help="keep originals"
    )
    s.add_argument("--chunk-size", type=_chunk_size, default=None, help=argparse.SUPPRESS)
    s.set_defaults(func=cmd_upload, free_space=None)

    add_work_commands(sub)

    s = sub.add_parser("gui", help="open the app window (the default without a command)")
    s.add_argument("--screenshot", type=Path, help="render a screen to this PNG and exit")
    s.add_argument("--view", choices=VIEWS, help="the view to screenshot or audit (default mywork)")
    s.add_argument("--size", type=_window_size, help="window size WIDTHxHEIGHT (default 1280x800)")
    s.add_argument("--lang", choices=("fi", "sv", "en"), help="language (default: this device's choice)")
    s.add_argument("--theme", choices=("sunlight", "dark"), help="theme (default: this device's choice)")
    s.add_argument(
        "--audit",
        action="store_true",
        help="open --view offscreen, list every control's size and contrast, "
        "exit 1 if any is under 48 px or under 7:1 (4.5:1 selected)",
    )
    s.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    s.add_argument(
        "--self-check",
        action="store_true",
        help="open the replica and the web view, then exit 0 if both work",
    )
    s.set_defaults(func=cmd_gui)
    return p


#: Arguments that name files: any bytes the file system holds are fine there.
PATH_ARGUMENTS = frozenset({"profile", "screenshot", "files"})
#: How an error names a positional argument (options are named as typed: --note).
POSITIONAL_NAMES = {
    "text": "the note",
    "value": "the value",
    "ticket": "the ticket",
    "crew": "the crew",
    "field": "the field",
    "conflict": "the conflict",
    "photo": "the photo",
    "code": "the material",
    "item": "the checklist item",
}


def _check_text_arguments(args: argparse.Namespace) -> None:
    """Refuse, before anything changes, text that cannot be stored or sent: Python decodes
    a command line's bytes that are not UTF-8 as lone surrogates."""
    for name, value in vars(args).items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if name not in PATH_ARGUMENTS and isinstance(text, str) and text_problem(text):
                where = POSITIONAL_NAMES.get(name) or f"--{name.replace('_', '-')}"
                raise LocalError(f"{where} is not valid UTF-8 text (check the terminal's encoding)")


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a camera card's file name may not be UTF-8
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    args = parser().parse_args(argv)
    if args.command is None:  # `fieldapp` alone, or `fieldapp --screenshot FILE --view NAME`
        if args.view is not None and args.view not in VIEWS:
            print(f"fieldapp: unknown view {args.view}; one of {', '.join(VIEWS)}", file=sys.stderr)
            return 2
        args.func, args.self_check = cmd_gui, False
    if args.command == "login" and not args.password:
        print("fieldapp: give --password (or FIELDAPP_PASSWORD)", file=sys.stderr)
        return 2
    try:
        _check_text_arguments(args)
        start_device_log(Path(args.profile))  # once the arguments are known to be good
        args.func(args, Output(args.json))
    except SyncError as exc:
        print(f"fieldapp: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
