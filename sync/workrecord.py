"""The work record of a ticket: time on the job, materials used, and the service's checklist.

Time comes without typing, from the status moves: travel from `en_route` to `in_progress`, on
site from `in_progress` until `on_hold` or `resolved` (again after each return to work). A crew
that knows better records a correction of either kind; the latest correction (by device
time, then id) replaces the time taken from the moves.

Materials come from the city's catalogue, checklists per service type; a required item that
is not ticked blocks `resolved` (on the device, and on the server, with a plain message).

Every record is append-only and keyed by the id of the op that carries it (op kind
'record'): records merge as a union, never conflict, and a replay never adds one twice. A
wrong quantity is corrected by recording the difference; a tick is undone by a later record.
Pure data and functions, shared by the case server and the device.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from sync.wire import Strict

RecordType = Literal["time", "material", "check"]
TimeKind = Literal["travel", "on_site"]
TIME_KINDS: tuple[TimeKind, ...] = ("travel", "on_site")
#: Longest time one correction may record, in minutes.
MAX_MINUTES = 24 * 60
MAX_QUANTITY = 10_000.0

Code = str


Translations = dict[Literal["fi", "sv", "en"], str]


class Material(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    name: str = Field(min_length=1, max_length=80)
    unit: str = Field(min_length=1, max_length=20)
    #: The name in other languages, by language code ("fi", "sv", "en").
    names: Translations = Field(default_factory=dict)

    def label(self, language: str) -> str:
        return self.names.get(language, self.name)  # type: ignore[call-overload]


class CheckItem(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    text: str = Field(min_length=1, max_length=120)
    required: bool = False
    #: The text in other languages, by language code.
    texts: Translations = Field(default_factory=dict)

    def label(self, language: str) -> str:
        return self.texts.get(language, self.text)  # type: ignore[call-overload]


class WorkCatalogue(Strict):
    """The city's materials, and a checklist per service code ("*": every service)."""

    materials: list[Material] = Field(default_factory=list, max_length=500)
    checklists: dict[str, list[CheckItem]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        codes = [m.code for m in self.materials]
        if len(codes) != len(set(codes)):
            raise ValueError("two materials have the same code")
        for service, items in self.checklists.items():
            if len({i.code for i in items}) != len(items):
                raise ValueError(f"checklist {service}: two items have the same code")
        return self

    def material(self, code: str) -> Material | None:
        return next((m for m in self.materials if m.code == code), None)

    def checklist(self, service_code: str) -> list[CheckItem]:
        """The service's own items after those for every service."""
        return [*self.checklists.get("*", []), *self.checklists.get(service_code, [])]


#: Without a catalogue file: common materials, and checklists whose items are not required
#: (a city marks the ones that must block `resolved` in its own file).
DEFAULT_CATALOGUE = WorkCatalogue(
    materials=[
        Material(
            code="asphalt_t",
            name="Hot asphalt",
            unit="t",
            names={"fi": "Kuuma asfaltti", "sv": "Varm asfalt"},
        ),
        Material(
            code="cold_patch_bag",
            name="Cold patch (25 kg bag)",
            unit="bag",
            names={"fi": "Kylmäpaikkausmassa (25 kg säkki)", "sv": "Kallasfalt (25 kg säck)"},
        ),
        Material(code="gravel_t", name="Gravel", unit="t", names={"fi": "Sora", "sv": "Grus"}),
        Material(
            code="sign", name="Traffic sign", unit="pcs", names={"fi": "Liikennemerkki", "sv": "Vägmärke"}
        ),
        Material(
            code="lamp",
            name="Street light lamp",
            unit="pcs",
            names={"fi": "Katuvalolamppu", "sv": "Gatlampa"},
        ),
        Material(
            code="paint_l",
            name="Graffiti remover / paint",
            unit="l",
            names={"fi": "Graffitinpoistoaine / maali", "sv": "Klotterborttagning / färg"},
        ),
        Material(
            code="sand_t", name="Grit sand", unit="t", names={"fi": "Hiekoitushiekka", "sv": "Sandningssand"}
        ),
    ],
    checklists={
        "*": [
            CheckItem(
                code="area_safe",
                text="Area made safe",
                texts={"fi": "Alue tehty turvalliseksi", "sv": "Området säkrat"},
            ),
            CheckItem(
                code="cones_removed",
                text="Cones and barriers removed",
                texts={"fi": "Kartiot ja aidat poistettu", "sv": "Koner och avspärrningar borttagna"},
            ),
        ],
        "pothole": [
            CheckItem(
                code="edges_sealed",
                text="Edges sealed",
                texts={"fi": "Reunat saumattu", "sv": "Kanterna tätade"},
            )
        ],
        "water_leak": [
            CheckItem(
                code="water_off",
                text="Water shut off at the valve",
                texts={"fi": "Vesi suljettu venttiilistä", "sv": "Vattnet avstängt vid ventilen"},
            )
        ],
    },
)


class WorkRecordValue(Strict):
    """What a crew records (the value of a 'record' op)."""

    type: RecordType
    #: time: which time this corrects, and the minutes it should be.
    time_kind: TimeKind | None = None
    minutes: int | None = Field(default=None, ge=0, le=MAX_MINUTES)
    #: material: a catalogue code and the quantity used (negative corrects an earlier record).
    material: str | None = Field(default=None, max_length=40)
    quantity: float | None = Field(default=None, ge=-MAX_QUANTITY, le=MAX_QUANTITY)
    #: check: a checklist item, ticked or unticked.
    item: str | None = Field(default=None, max_length=40)
    done: bool | None = None

    @model_validator(mode="after")
    def _complete(self) -> Self:
        wanted = {
            "time": ("time_kind", "minutes"),
            "material": ("material", "quantity"),
            "check": ("item", "done"),
        }[self.type]
        for name in ("time_kind", "minutes", "material", "quantity", "item", "done"):
            given = getattr(self, name) is not None
            if given != (name in wanted):
                raise ValueError(f"a {self.type} record {'needs' if name in wanted else 'has no'} {name}")
        if self.type == "material" and self.quantity == 0:
            raise ValueError("a material record needs a quantity other than 0")
        return self


def _latest(records: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    ordered = sorted(records, key=lambda r: (str(r.get("device_time") or ""), str(r["id"])))
    return ordered[-1] if ordered else None


def status_intervals(events: Sequence[dict[str, Any]]) -> list[tuple[TimeKind, str, str]]:
    """(kind, start, end) of travel and on-site time, from the ticket's status history."""
    out: list[tuple[TimeKind, str, str]] = []
    running: tuple[TimeKind, str] | None = None
    for event in events:
        if event.get("field") not in ("status", "created"):
            continue
        status, at = event.get("new"), str(event["at"])
        if running is not None:
            out.append((running[0], running[1], at))
            running = None
        if status == "en_route":
            running = ("travel", at)
        elif status == "in_progress":
            running = ("on_site", at)
    return out


def _minutes(start: str, end: str) -> float:
    begin = datetime.fromisoformat(start.replace("Z", "+00:00"))
    finish = datetime.fromisoformat(end.replace("Z", "+00:00"))
    return max(0.0, (finish - begin).total_seconds() / 60)


def time_totals(
    events: Sequence[dict[str, Any]], records: Iterable[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Minutes of each kind: {'travel': {'minutes': m, 'corrected': bool}, 'on_site': ...}."""
    records = list(records)
    out: dict[str, dict[str, Any]] = {}
    intervals = status_intervals(events)
    for kind in TIME_KINDS:
        correction = _latest(r for r in records if r["type"] == "time" and r.get("time_kind") == kind)
        if correction is not None:
            out[kind] = {"minutes": int(correction["minutes"]), "corrected": True}
        else:
            minutes = sum(_minutes(a, b) for k, a, b in intervals if k == kind)
            out[kind] = {"minutes": round(minutes), "corrected": False}
    return out


def materials_used(records: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Quantity used per material code (corrections summed in), leaving out what nets to 0."""
    used: dict[str, float] = {}
    for record in records:
        if record["type"] == "material":
            used[record["material"]] = used.get(record["material"], 0.0) + float(record["quantity"])
    return {code: round(q, 3) for code, q in sorted(used.items()) if round(q, 3) != 0}


def ticked(records: Iterable[dict[str, Any]]) -> set[str]:
    """Checklist items whose latest record ticks them."""
    by_item: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        if record["type"] == "check":
            by_item.setdefault(record["item"], []).append(record)
    return {item for item, rows in by_item.items() if (_latest(rows) or {}).get("done")}


def missing_required(
    catalogue: WorkCatalogue, service_code: str, records: Iterable[dict[str, Any]]
) -> list[str]:
    """The required checklist items not ticked, in words."""
    done = ticked(records)
    return [
        item.text for item in catalogue.checklist(service_code) if item.required and item.code not in done
    ]


def resolve_refusal(
    catalogue: WorkCatalogue, service_code: str, records: Iterable[dict[str, Any]]
) -> str | None:
    """Why the ticket cannot be resolved yet, in one plain sentence; None when it can."""
    missing = missing_required(catalogue, service_code, records)
    if not missing:
        return None
    return "tick the checklist before resolving: " + ", ".join(f"“{text}”" for text in missing)


def record_problem(catalogue: WorkCatalogue, service_code: str, value: WorkRecordValue) -> str | None:
    """Why a record does not fit the catalogue, or None."""
    if value.type == "material" and catalogue.material(value.material or "") is None:
        return f"unknown material {value.material!r}"
    if value.type == "check" and value.item not in {i.code for i in catalogue.checklist(service_code)}:
        return f"{value.item!r} is not on the checklist of {service_code}"
    return None
