"""`fieldapp work …`: the work record of a ticket from the command line.

fieldapp work show TICKET                    times, materials and checklist
fieldapp work time TICKET --on-site 45       correct the time taken from the status moves
fieldapp work material TICKET asphalt_t 0.5  material used (a negative quantity corrects)
fieldapp work check TICKET area_safe [--undo]
fieldapp work catalogue                      the city's materials and checklists
"""

from __future__ import annotations

import argparse
from typing import Any

from sync.errors import LocalError


def _replica(args: argparse.Namespace) -> Any:
    from fieldapp.cli import _replica as open_replica

    return open_replica(args)


def _minutes(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 24 * 60:
        raise argparse.ArgumentTypeError("minutes are 0 to 1440")
    return value


def summary_text(summary: dict[str, Any], catalogue: Any) -> str:
    lines = []
    for kind, words in (("travel", "travel"), ("on_site", "on site")):
        time = summary["times"][kind]
        lines.append(f"{words}: {time['minutes']} min" + (" (corrected)" if time["corrected"] else ""))
    for code, quantity in summary["materials"].items():
        material = catalogue.material(code)
        name, unit = (material.name, material.unit) if material else (code, "")
        lines.append(f"{name}: {quantity:g} {unit}".rstrip())
    for item in summary["checklist"]:
        mark = "[x]" if item["done"] else "[ ]"
        lines.append(f"{mark} {item['text']}" + (" (required)" if item["required"] else ""))
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace, out: Any) -> None:
    replica = _replica(args)
    summary = replica.work_summary(replica.find_ticket_id(args.ticket))
    out.emit(summary, summary_text(summary, replica.work_catalogue))


def cmd_time(args: argparse.Namespace, out: Any) -> None:
    if (args.on_site is None) == (args.travel is None):
        raise LocalError("give --on-site MINUTES or --travel MINUTES")
    kind, minutes = ("on_site", args.on_site) if args.on_site is not None else ("travel", args.travel)
    replica = _replica(args)
    op = replica.add_record(replica.find_ticket_id(args.ticket), type="time", time_kind=kind, minutes=minutes)
    out.emit(op, f"{kind.replace('_', ' ')} time set to {minutes} min (queued)")


def cmd_material(args: argparse.Namespace, out: Any) -> None:
    replica = _replica(args)
    op = replica.add_record(
        replica.find_ticket_id(args.ticket), type="material", material=args.code, quantity=args.quantity
    )
    out.emit(op, f"{args.quantity:g} {args.code} recorded (queued)")


def cmd_check(args: argparse.Namespace, out: Any) -> None:
    replica = _replica(args)
    op = replica.add_record(
        replica.find_ticket_id(args.ticket), type="check", item=args.item, done=not args.undo
    )
    out.emit(op, f"{args.item} {'unticked' if args.undo else 'ticked'} (queued)")


def cmd_catalogue(args: argparse.Namespace, out: Any) -> None:
    catalogue = _replica(args).work_catalogue
    lines = [f"{m.code}: {m.name} ({m.unit})" for m in catalogue.materials]
    for service, items in sorted(catalogue.checklists.items()):
        lines += [f"{service} / {i.code}: {i.text}" + (" (required)" if i.required else "") for i in items]
    out.emit(catalogue.model_dump(), "\n".join(lines))


def add_work_commands(sub: Any) -> None:
    work = sub.add_parser("work", help="a ticket's work record: time, materials, checklist").add_subparsers(
        dest="action", required=True
    )
    s = work.add_parser("show", help="times, materials and checklist of a ticket")
    s.add_argument("ticket")
    s.set_defaults(func=cmd_show)
    s = work.add_parser("time", help="correct the travel or on-site time taken from the status moves")
    s.add_argument("ticket")
    s.add_argument("--on-site", type=_minutes, metavar="MINUTES")
    s.add_argument("--travel", type=_minutes, metavar="MINUTES")
    s.set_defaults(func=cmd_time)
    s = work.add_parser("material", help="record material used (a negative quantity corrects)")
    s.add_argument("ticket")
    s.add_argument("code", help="a material code of the catalogue (fieldapp work catalogue)")
    s.add_argument("quantity", type=float)
    s.set_defaults(func=cmd_material)
    s = work.add_parser("check", help="tick (or --undo) a checklist item")
    s.add_argument("ticket")
    s.add_argument("item")
    s.add_argument("--undo", action="store_true")
    s.set_defaults(func=cmd_check)
    work.add_parser("catalogue", help="the city's materials and checklists").set_defaults(func=cmd_catalogue)
