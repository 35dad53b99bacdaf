"""Finnish, Swedish and English: complete catalogues, built .qm files, and no crew string left in English."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from crewviews import CREW_VIEWS, crew_profile, show_view
from serverproc import PASSWORDS, REPO, CaseServer, serving

from caseserver.services import BY_CODE
from fieldapp import display, i18n, labels
from fieldapp.app import WindowHost, start_display
from fieldapp.mainwindow import MainWindow
from fieldapp.qt import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDate,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QLocale,
    Qt,
    QTabBar,
    QWidget,
)
from fieldapp.theme import current as current_theme
from sync.replica import Replica
from sync.workflow import RESOLUTION_CODES, STATUSES

I18N = REPO / "resources" / "i18n"
BIN = Path(sys.executable).parent
TRANSLATED = ("fi", "sv")
PLACEHOLDER = re.compile(r"\{[^}]*\}|%[vmn]")


def _messages(ts: Path) -> Iterator[tuple[str, ET.Element]]:
    for context in ET.parse(ts).getroot().iter("context"):
        for message in context.iter("message"):
            yield context.findtext("name") or "", message


def _sources() -> list[str]:
    return subprocess.run(
        ["git", "ls-files", "fieldapp/*.py"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()


@pytest.fixture(autouse=True)
def english_afterwards(qapp: QApplication) -> Iterator[None]:
    """Each test leaves the application in English (the other tests' language)."""
    yield
    i18n.install_language("en")


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated_with_its_placeholders(language: str) -> None:
    problems = []
    count = 0
    for context, message in _messages(I18N / f"fieldapp_{language}.ts"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        count += 1
        if translation.get("type") in ("unfinished", "vanished", "obsolete") or not (translation.text or ""):
            problems.append(f"{context}/{source!r}: not translated")
        elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation.text or "")):
            problems.append(f"{context}/{source!r}: placeholders differ in {translation.text!r}")
    assert count > 200
    assert not problems, "\n".join(problems)


def test_the_catalogues_hold_every_string_of_the_code(tmp_path: Path) -> None:
    """lupdate over today's code finds nothing the committed .ts files lack."""
    copies = []
    for language in TRANSLATED:
        copy = tmp_path / f"fieldapp_{language}.ts"
        shutil.copy(I18N / copy.name, copy)
        copies.append(str(copy))
    done = subprocess.run(
        [str(BIN / "pyside6-lupdate"), "-locations", "none", "-no-obsolete", *_sources(), "-ts", *copies],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    for copy in copies:
        new = [
            f"{context}/{m.findtext('source')!r}"
            for context, m in _messages(Path(copy))
            if m.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
        ]
        assert not new, f"run `make translations` and translate: {new}\n{done.stdout}"


def test_the_qm_files_are_built_from_the_ts_files(tmp_path: Path) -> None:
    for language in TRANSLATED:
        built = tmp_path / f"fieldapp_{language}.qm"
        subprocess.run(
            [str(BIN / "pyside6-lrelease"), str(I18N / f"fieldapp_{language}.ts"), "-qm", str(built)],
            capture_output=True,
            check=True,
        )
        committed = I18N / built.name
        assert committed.read_bytes() == built.read_bytes(), (
            f"{committed.name} is stale: run `make translations`"
        )


def test_the_bundle_takes_the_translations() -> None:
    spec = (REPO / "packaging" / "fieldapp.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "resources"), "resources")' in spec  # resources/i18n/*.qm with it
    languages = re.search(r'FIELDAPP_BUNDLE_LANGUAGES", "([^"]+)"', spec)
    assert languages is not None and {"fi", "sv"} <= set(languages.group(1).split(","))


@pytest.mark.parametrize(
    ("table", "codes", "label"),
    [
        (labels.SERVICES, tuple(BY_CODE), labels.service_label),
        (labels.STATUSES, STATUSES, labels.status_label),
        (labels.OUTCOMES, RESOLUTION_CODES, labels.outcome_label),
        (labels.HOLD_REASONS, tuple(labels.HOLD_REASONS), labels.hold_reason_label),
    ],
    ids=["services", "statuses", "outcomes", "hold reasons"],
)
def test_every_code_has_a_label_in_each_language(qapp, table, codes, label) -> None:  # type: ignore[no-untyped-def]
    assert set(codes) <= set(table), f"codes without a label: {set(codes) - set(table)}"
    english = {code: label(code) for code in codes}
    for language in TRANSLATED:
        i18n.install_language(language)
        for code in codes:
            assert label(code) and label(code) != english[code], f"{language}: {code} stays {english[code]!r}"
    assert labels.service_label("new_kind_of_thing") == "new kind of thing"


def test_language_sets_dates_and_qt_own_buttons(qapp) -> None:  # type: ignore[no-untyped-def]
    assert i18n.install_language("fi") == "fi"
    assert QLocale().name() == "fi_FI"
    assert QLocale().toString(QDate(2026, 12, 3), QLocale.FormatType.ShortFormat) == "3.12.2026"
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Peru"  # Qt's own qt_fi.qm
    assert i18n.install_language("sv") == "sv"
    assert QLocale().name() == "sv_FI"
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Avbryt"
    assert i18n.install_language("en") == "en"
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"


# -- no crew string stays English ------------------------------------------------------------------
WORD = re.compile(r"[^\W\d_]{3,}")
TAG = re.compile(r"<[^>]+>|\w+://\S+")  # markup, addresses of servers


def _words(text: str | None) -> set[str]:
    return {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text or ""))}


def _english_words(language: str) -> set[str]:
    """Words of the app's English strings that the language does not use itself."""
    english: set[str] = set()
    native: set[str] = set()
    for _context, message in _messages(I18N / f"fieldapp_{language}.ts"):
        english |= {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", message.findtext("source") or ""))}
        native |= {
            w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", message.findtext("translation") or ""))
        }
    return english - native


def _shown_texts(window: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every text a person can see or hear on the window's visible widgets."""
    yield "window title", window.windowTitle()
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        where = f"{type(widget).__name__} {widget.objectName() or widget.accessibleName()!r}"
        yield f"{where} accessible name", widget.accessibleName()
        yield f"{where} tooltip", widget.toolTip()
        if isinstance(widget, QLabel | QAbstractButton):
            yield where, widget.text()
        if isinstance(widget, QLineEdit):
            yield f"{where} placeholder", widget.placeholderText()
        if isinstance(widget, QComboBox):
            for index in range(widget.count()):
                yield f"{where} item", widget.itemText(index)
        if isinstance(widget, QGroupBox):
            yield where, widget.title()
        if isinstance(widget, QTabBar):
            for index in range(widget.count()):
                yield f"{where} tab", widget.tabText(index)
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            header = getattr(widget, "horizontalHeader", None)
            columns = header().count() if header is not None else 1
            for column in range(columns):
                yield f"{where} header", str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            for row in range(min(model.rowCount(), 50)):
                for column in range(columns):
                    index = model.index(row, column)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        yield f"{where} row {row}", str(index.data(role) or "")


def _data_texts(profile: Path) -> list[str]:
    """What the crew's data says (addresses, descriptions, names): shown as written, never translated."""
    replica = Replica(profile / "replica.sqlite")
    try:
        user = replica.get("user") or {}
        texts = [replica.get("server") or "", user.get("display_name", ""), user.get("crew") or ""]
        for row in replica.ticket_rows():
            ticket = replica.ticket(row["id"])
            texts += [str(ticket.get(k) or "") for k in ("address", "description", "id", "assigned_crew")]
    finally:
        replica.close()
    return sorted({t for t in texts if t} | set(PASSWORDS), key=len, reverse=True)


@pytest.fixture(scope="module")
def i18n_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseServer]:
    """A server of this module's own: the texts seen are the app's, not other tests' conflicts
    (whose reasons the server writes in English)."""
    with serving(backend, tmp_path_factory.mktemp(f"i18n-server-{backend}")) as proc:
        yield proc


@pytest.fixture(scope="module")
def profile(i18n_server: CaseServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crew_profile(i18n_server, tmp_path_factory.mktemp("crew-i18n"))


@pytest.fixture(scope="module")
def supervisor_profile(i18n_server: CaseServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crew_profile(i18n_server, tmp_path_factory.mktemp("supervisor-i18n"), user="sanna")


def _english_left(qtbot, profile: Path, views: tuple[str, ...], language: str) -> set[str]:  # type: ignore[no-untyped-def]
    """Every text on `views` (at both sizes) that still has words of the app's English strings."""
    i18n.install_language(language)
    english = _english_words(language)
    data = _data_texts(profile)
    window = MainWindow(profile, sync_interval=3600)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.show()
    untranslated: set[str] = set()
    seen = 0
    for view in views:
        for size in ((1280, 800), (800, 1280)):
            show_view(qtbot, window, view, size)
            seen += sum(1 for _where, text in _shown_texts(window) if text.strip())
            untranslated |= _english_in(window, view, english, data)
    if "mywork" in views:  # the map download, opened from the window
        dialog = window.open_prefetch()
        qtbot.waitUntil(lambda: not window.busy(), timeout=30_000)
        untranslated |= _english_in(dialog, "map download", english, data)
        dialog.close()
    assert seen > 50 * len(views)
    return untranslated


def _english_in(widget: QWidget, where: str, english: set[str], data: list[str]) -> set[str]:
    found = set()
    for place, text in _shown_texts(widget):
        plain = TAG.sub(" ", text)
        for known in data:
            plain = plain.replace(known, " ")
        words = {w for w in WORD.findall(plain) if w.lower() in english}
        if words:
            found.add(f"{where}: {place}: {text!r} ({', '.join(sorted(words))})")
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_crew_string_stays_english(qtbot, qapp, profile: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    views = (*[v for v in CREW_VIEWS if v != "signin"], "signin")  # sign-in last: it stops sync
    untranslated = _english_left(qtbot, profile, views, language)
    assert not untranslated, f"{len(untranslated)} English strings under --lang {language}:\n" + "\n".join(
        sorted(untranslated)
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_dispatch_board_string_stays_english(qtbot, qapp, supervisor_profile: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    untranslated = _english_left(qtbot, supervisor_profile, ("dispatch",), language)
    assert not untranslated, f"{len(untranslated)} English strings under --lang {language}:\n" + "\n".join(
        sorted(untranslated)
    )


# -- the device's choice ---------------------------------------------------------------------------
def test_settings_are_kept_per_device_and_overridden_by_the_command_line(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    display.save(tmp_path, display.DisplaySettings(theme="dark", language="sv"))
    (tmp_path / "replica.sqlite").write_bytes(b"")  # a sign-out wipes the replica, not this
    try:
        start_display(qapp, tmp_path)
        assert current_theme().name == "dark" and i18n.current_language() == "sv"
        start_display(qapp, tmp_path, language="fi", theme="sunlight")
        assert current_theme().name == "sunlight" and i18n.current_language() == "fi"
        assert display.load(tmp_path) == display.DisplaySettings(theme="dark", language="sv")  # not stored
    finally:
        start_display(qapp, tmp_path, language="en", theme="sunlight")
    (tmp_path / display.FILE).write_text("{not json", encoding="utf-8")
    assert display.load(tmp_path) == display.DisplaySettings()
    with pytest.raises(ValueError, match="unknown theme"):
        display.DisplaySettings(theme="neon")


def test_a_tap_switches_theme_and_language_and_the_window_speaks_it(qtbot, qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    start_display(qapp, tmp_path, language="en", theme="sunlight")
    host = WindowHost(tmp_path, (800, 1280))
    first = host.window
    qtbot.addWidget(first, before_close_func=lambda w: w.shutdown())
    first.show()
    first.show_view("settings")
    settings = first.settings
    try:
        qtbot.mouseClick(settings.theme_buttons["dark"], Qt.MouseButton.LeftButton)
        assert current_theme().name == "dark"
        assert qapp.palette().color(qapp.palette().ColorRole.Window).name() == current_theme().window
        with qtbot.waitSignal(settings.language_changed, timeout=5000):
            qtbot.mouseClick(settings.language_buttons["fi"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: host.window is not first, timeout=10_000)
        window = host.window
        qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
        assert window.current_view() == "settings"
        assert window.settings.title.text() == "Asetukset"
        assert window.settings.language_buttons["fi"].isChecked()
        assert window.settings.theme_buttons["dark"].isChecked()
        qtbot.waitUntil(lambda: display.load(tmp_path) == display.DisplaySettings("dark", "fi"), timeout=5000)
    finally:
        start_display(qapp, tmp_path, language="en", theme="sunlight")


def test_settings_screen_retranslates_itself_when_the_language_changes(qtbot, qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from fieldapp.screens.settings import SettingsScreen

    i18n.install_language("en")
    screen = SettingsScreen(tmp_path)
    qtbot.addWidget(screen)
    screen.show()
    assert screen.title.text() == "Settings"
    i18n.install_language("sv")
    qtbot.waitUntil(lambda: screen.title.text() == "Inställningar", timeout=2000)
    assert screen.theme_buttons["sunlight"].text() == "Solljus"
    assert screen.language_buttons["system"].text() == "Enhetens språk"


def test_the_reporters_not_fixed_reads_in_each_language(qapp) -> None:  # type: ignore[no-untyped-def]
    """The history lines a reporter's "not fixed" leaves on a supervisor's device."""
    from fieldapp.screens.tickethistory import history_line

    at = "2026-12-04T08:00:00+00:00"
    reopened = {"field": "not_fixed", "at": at, "actor": "reporter", "old": None, "new": "The hole is back"}
    follow_up = {"field": "follow_up", "at": at, "actor": "reporter", "old": None, "new": "0123456789abcdef"}
    expected = {
        "en": ("Reopened: the reporter says it is not fixed", "new ticket 01234567"),
        "fi": ("Avattu uudelleen: ilmoittajan mukaan", "uusi tiketti 01234567"),
        "sv": ("Öppnad igen: anmälaren säger", "nytt ärende 01234567"),
    }
    for language, (reopened_words, follow_up_words) in expected.items():
        i18n.install_language(language)
        assert reopened_words in history_line(reopened) and "“The hole is back”" in history_line(reopened)
        assert follow_up_words in history_line(follow_up)
