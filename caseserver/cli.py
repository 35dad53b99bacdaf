"""`caseserver` command: serve, migrate, seed-demo, user add, device revoke, routing, crew services,
blobs migrate / verify."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from caseserver.auth import hash_password
from caseserver.blobmigrate import copy_store, verify_store
from caseserver.blobstore import BlobStore, StoreUnavailable, open_blob_store
from caseserver.config import Settings
from caseserver.db import Database
from caseserver.escalations import RulesError, load_rules
from caseserver.filestore import FileBlobStore
from caseserver.migrate import upgrade
from caseserver.models import Crew, Device, SupervisedCrew, User, utcnow
from caseserver.reportermail import stage_policy
from caseserver.reporterstages import StagePolicyError
from caseserver.requestlog import log_config
from caseserver.routing import (
    RoutingError,
    RoutingRuleDoc,
    crew_services,
    replace_rules,
    set_crew_services,
    stored_rules,
)
from caseserver.workrecords import CatalogueError, as_csv, day_rows, load_catalogue

_RULE_LIST = TypeAdapter(list[RoutingRuleDoc])


class CommandError(Exception):
    """A problem to report in one line, with exit code 2."""


def _settings(args: argparse.Namespace) -> Settings:
    if getattr(args, "database_url", None):
        os.environ["CASESERVER_DATABASE_URL"] = args.database_url
    return Settings()


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = _settings(args)
    upgrade(settings.database_url)
    print(f"database is at the newest schema: {settings.database_url}")


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = _settings(args)
    try:
        open_blob_store(settings)  # a malformed CASESERVER_BLOB_URL stops here, in one line
        load_rules(settings.escalation_rules_file)  # a bad rules file stops here, in one line
        load_catalogue(settings.work_catalogue_file)  # likewise a bad work catalogue
        stage_policy(settings)  # and the reporter stages, quiet hours, templates and language
    except (RulesError, CatalogueError, StagePolicyError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    if not args.no_migrate:
        upgrade(settings.database_url)
    uvicorn.run(
        "caseserver.app:build",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=log_config(args.log_level, args.log_format == "json", args.access_log),
        access_log=False,  # the app writes the access lines, with each request's id
        # On SIGTERM: stop taking connections, finish the requests in flight (at most this long).
        timeout_graceful_shutdown=settings.shutdown_seconds,
        # Idle connections stay open longer than a device waits when told to come back, and
        # than a load balancer's idle timeout: a request never meets a connection closing under it.
        timeout_keep_alive=settings.keep_alive_seconds,
    )


def _store(url: str, settings: Settings) -> BlobStore:
    """The store at an s3:// address or a folder path; the configured one for ''."""
    try:
        if url.startswith("s3:"):
            from caseserver.s3store import S3BlobStore  # boto3 only where object storage is used

            return S3BlobStore.from_url(url)
        return FileBlobStore(url) if url else open_blob_store(settings)
    except (ValueError, OSError) as exc:
        raise CommandError(str(exc)) from exc


def cmd_blobs_migrate(args: argparse.Namespace) -> None:
    """Copy the folder store (or --from) into object storage; then check it against the database."""
    settings = _settings(args)
    source = _store(args.source or str(settings.blob_dir), settings)
    if not args.to.startswith("s3:"):
        raise CommandError(f"--to must be s3://bucket[/prefix], not {args.to!r}")
    target = _store(args.to, settings)
    why = target.probe()
    if why is not None:
        raise CommandError(f"{target.location}: {why}")
    try:
        copied = copy_store(source, target)
    except StoreUnavailable as exc:
        raise CommandError(f"the copy stopped (run it again to continue): {exc}") from exc
    print(f"{source.location} -> {target.location}: {copied.line()}")
    checked = verify_store(Database(settings.database_url), target)
    print(f"{target.location}: {checked.line()}")
    if copied.failed or copied.damaged or not checked.ok:
        raise CommandError("the store is not whole yet: see above")


def cmd_blobs_verify(args: argparse.Namespace) -> None:
    settings = _settings(args)
    store = _store(args.store or "", settings)
    try:
        checked = verify_store(Database(settings.database_url), store)
    except StoreUnavailable as exc:
        raise CommandError(str(exc)) from exc
    print(f"{store.location}: {checked.line()}")
    if not checked.ok:
        raise CommandError("photos are missing or damaged: see above")


def cmd_seed_demo(args: argparse.Namespace) -> None:
    from caseserver.demo import CREWS, DEMO_USERS, ensure_crews_and_users, seed_tickets

    settings = _settings(args)
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    with db.write() as session:
        ensure_crews_and_users(session)
        added = seed_tickets(session, args.tickets, seed=args.seed)
    db.dispose()
    print(f"demo city ready: {added} tickets, crews {', '.join(c for c, _ in CREWS)}")
    print("demo users (user / password / role):")
    for user in DEMO_USERS:
        crew = f" of crew {user.crew}" if user.crew else ""
        print(f"  {user.username:8} {user.password:12} {user.role}{crew}")


def cmd_user_add(args: argparse.Namespace) -> None:
    settings = _settings(args)
    password = args.password or os.environ.get("CASESERVER_NEW_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise CommandError("give --password or set CASESERVER_NEW_PASSWORD")
        password = getpass.getpass(f"password for {args.username}: ")
    if len(password) < 8:
        raise CommandError("password must have at least 8 characters")
    db = Database(settings.database_url)
    with db.write() as session:
        if session.scalar(select(User).where(User.username == args.username)) is not None:
            raise CommandError(f"user {args.username} already exists")
        crew_id = None
        if args.crew:
            crew = session.scalar(select(Crew).where(Crew.code == args.crew))
            if crew is None:
                crew = Crew(code=args.crew, name=args.crew_name or args.crew)
                session.add(crew)
                session.flush()
            crew_id = crew.id
        if args.role == "crew" and crew_id is None:
            raise CommandError("a crew member needs --crew CODE")
        user = User(
            username=args.username,
            display_name=args.display_name or args.username,
            role=args.role,
            crew_id=crew_id if args.role == "crew" else None,
            password_hash=hash_password(password),
        )
        session.add(user)
        session.flush()
        for code in args.supervises or []:
            crew = session.scalar(select(Crew).where(Crew.code == code))
            if crew is None:
                raise CommandError(f"unknown crew {code}")
            session.add(SupervisedCrew(supervisor_id=user.id, crew_id=crew.id))
    db.dispose()
    print(f"user {args.username} added ({args.role})")


def cmd_device_revoke(args: argparse.Namespace) -> None:
    settings = _settings(args)
    db = Database(settings.database_url)
    with db.write() as session:
        if args.user:
            user = session.scalar(select(User).where(User.username == args.user))
            if user is None:
                raise CommandError(f"unknown user {args.user}")
            devices = list(session.scalars(select(Device).where(Device.user_id == user.id)))
        else:
            device = session.get(Device, args.device)
            if device is None:
                raise CommandError(f"unknown device {args.device}")
            devices = [device]
        for device in devices:
            device.revoked_at = utcnow()
    db.dispose()
    print(f"revoked {len(devices)} device(s)")


def cmd_device_list(args: argparse.Namespace) -> None:
    settings = _settings(args)
    db = Database(settings.database_url)
    with db.read() as session:
        rows = session.execute(select(Device, User.username).join(User, User.id == Device.user_id)).all()
        out = [
            {
                "device": d.id,
                "user": username,
                "name": d.name,
                "expires_at": d.expires_at.isoformat(),
                "revoked": d.revoked_at is not None,
                "last_seen_at": d.last_seen_at.isoformat() if d.last_seen_at else None,
            }
            for d, username in rows
        ]
    db.dispose()
    print(json.dumps(out, indent=2))


def _read_rules(path: str) -> list[RoutingRuleDoc]:
    """The rules in a JSON file (a list of rules), or a one-line CommandError."""
    try:
        return _RULE_LIST.validate_json(open(path, "rb").read())
    except OSError as exc:
        raise CommandError(f"routing rules {path}: cannot read the file ({exc.strerror})") from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise CommandError(f"routing rules {path}: {where}: {error['msg']}".replace(": : ", ": ")) from exc


def cmd_routing_show(args: argparse.Namespace) -> None:
    db = Database(_settings(args).database_url)
    with db.read() as session:
        rules = stored_rules(session)
    db.dispose()
    print(json.dumps([rule.model_dump() for rule in rules], indent=2))


def cmd_routing_set(args: argparse.Namespace) -> None:
    rules = [] if args.file is None else _read_rules(args.file)
    db = Database(_settings(args).database_url)
    try:
        with db.write() as session:
            replace_rules(session, rules)
    except RoutingError as exc:
        raise CommandError(f"routing rules {args.file}: {exc}") from exc
    finally:
        db.dispose()
    print(f"{len(rules)} routing rule(s) in place")


def cmd_crew_services(args: argparse.Namespace) -> None:
    db = Database(_settings(args).database_url)
    try:
        with db.write() as session:
            if args.set is None:
                crew = session.scalar(select(Crew).where(Crew.code == args.crew))
                if crew is None:
                    raise CommandError(f"unknown crew {args.crew}")
                services = crew_services(crew)
            else:
                services = set_crew_services(session, args.crew, args.set)
    except RoutingError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        db.dispose()
    print(f"crew {args.crew} handles " + (", ".join(services) if services else "every service"))


def cmd_work_record(args: argparse.Namespace) -> None:
    settings = _settings(args)
    try:
        day = date.fromisoformat(args.day)
    except ValueError as exc:
        raise CommandError(f"--day {args.day!r}: give a date as YYYY-MM-DD") from exc
    try:
        catalogue = load_catalogue(settings.work_catalogue_file)
    except CatalogueError as exc:
        raise CommandError(str(exc)) from exc
    db = Database(settings.database_url)
    try:
        with db.read() as session:
            crews = dict(session.execute(select(Crew.code, Crew.id)).tuples().all())
            if args.crew is not None and args.crew not in crews:
                raise CommandError(f"unknown crew {args.crew}")
            wanted = [crews[args.crew]] if args.crew else list(crews.values())
            rows = day_rows(session, day, wanted, ZoneInfo(settings.timezone), catalogue)
    finally:
        db.dispose()
    sys.stdout.write(as_csv(rows))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="caseserver", description="The central case server.")
    p.add_argument("--database-url", help="overrides CASESERVER_DATABASE_URL")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the HTTP API")
    s.add_argument("--host", default=os.environ.get("CASESERVER_HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=int(os.environ.get("CASESERVER_PORT", 8311)))
    s.add_argument("--workers", type=int, default=1, help="processes (PostgreSQL only)")
    s.add_argument("--no-migrate", action="store_true", help="do not upgrade the schema first")
    s.add_argument("--log-level", default="info")
    s.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True)
    s.add_argument(
        "--log-format",
        choices=("json", "text"),
        default=os.environ.get("CASESERVER_LOG_FORMAT", "json"),
        help="one JSON object per line (default; CASESERVER_LOG_FORMAT), or plain text",
    )
    s.set_defaults(func=cmd_serve)

    m = sub.add_parser("migrate", help="upgrade the database schema")
    m.set_defaults(func=cmd_migrate)

    d = sub.add_parser("seed-demo", help="fill the database with the demo city")
    d.add_argument("--tickets", type=int, default=300)
    d.add_argument("--seed", type=int, default=311)
    d.set_defaults(func=cmd_seed_demo)

    u = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    ua = u.add_parser("add", help="add a user")
    ua.add_argument("username")
    ua.add_argument("--role", choices=["crew", "supervisor", "admin"], required=True)
    ua.add_argument("--crew", help="crew code (created if new) for a crew member")
    ua.add_argument("--crew-name")
    ua.add_argument("--supervises", nargs="*", help="crew codes a supervisor oversees")
    ua.add_argument("--display-name")
    ua.add_argument("--password", help="or CASESERVER_NEW_PASSWORD, or asked for")
    ua.set_defaults(func=cmd_user_add)

    dv = sub.add_parser("device", help="manage devices").add_subparsers(dest="action", required=True)
    dr = dv.add_parser("revoke", help="sign a device (or all of a user's devices) out")
    who = dr.add_mutually_exclusive_group(required=True)
    who.add_argument("--device")
    who.add_argument("--user")
    dr.set_defaults(func=cmd_device_revoke)
    dl = dv.add_parser("list", help="list devices")
    dl.set_defaults(func=cmd_device_list)

    r = sub.add_parser("routing", help="rules that assign new tickets to crews").add_subparsers(
        dest="action", required=True
    )
    r.add_parser("show", help="print the rules as JSON").set_defaults(func=cmd_routing_show)
    rs = r.add_parser("set", help="replace the rules with those in a JSON file (a list of rules)")
    rs.add_argument("file", nargs="?", help="the rules; leave out to remove every rule")
    rs.set_defaults(func=cmd_routing_set)

    w = sub.add_parser("work-record", help="a day's work per crew as CSV (time and materials per ticket)")
    w.add_argument("--day", required=True, help="YYYY-MM-DD, in CASESERVER_TIMEZONE")
    w.add_argument("--crew", help="one crew's code (default: every crew)")
    w.set_defaults(func=cmd_work_record)

    b = sub.add_parser("blobs", help="the photo store").add_subparsers(dest="action", required=True)
    bm = b.add_parser("migrate", help="copy the photo folder into object storage (resumable), then verify")
    bm.add_argument("--to", required=True, metavar="s3://BUCKET[/PREFIX]")
    bm.add_argument("--from", dest="source", metavar="FOLDER", help="default: CASESERVER_BLOB_DIR")
    bm.set_defaults(func=cmd_blobs_migrate)
    bv = b.add_parser("verify", help="check that every photo the database knows is stored whole")
    bv.add_argument("--store", metavar="s3://BUCKET[/PREFIX] or FOLDER", help="default: the configured store")
    bv.set_defaults(func=cmd_blobs_verify)

    c = sub.add_parser("crew", help="manage crews").add_subparsers(dest="action", required=True)
    cs = c.add_parser("services", help="show or set the services a crew handles")
    cs.add_argument("crew")
    cs.add_argument("--set", nargs="*", metavar="SERVICE", help="service codes; none given: every service")
    cs.set_defaults(func=cmd_crew_services)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except CommandError as exc:
        print(f"caseserver: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
