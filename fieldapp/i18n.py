"""The app's languages: Finnish, Swedish and English, with Qt's own translation tools.

The sources are ``resources/i18n/fieldapp_fi.ts`` and ``fieldapp_sv.ts``, made by
``pyside6-lupdate`` over ``fieldapp/**/*.py`` (``make translations``), translated, and
compiled by ``pyside6-lrelease`` into the ``.qm`` files beside them, which are committed
(so an install or the packaged bundle needs no Qt tools). English is the source language.

`install_language` loads the app's catalogue and Qt's own (``qt_fi.qm``: standard buttons,
dialogs) and sets the default `QLocale`, so dates and times follow the language (Finnish
``3.12.2026 8.50``). Installing a translator sends every widget a ``LanguageChange`` event.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fieldapp.app import RESOURCES
from fieldapp.qt import QT_TR_NOOP, QCoreApplication, QDate, QLibraryInfo, QLocale, QTime, QTranslator

log = logging.getLogger(__name__)

I18N_DIR = RESOURCES / "i18n"
#: The languages the app speaks; English is built in (the source strings).
LANGUAGES = ("fi", "sv", "en")
#: What a user may choose: the system's language or one of ours.
CHOICES = ("system", *LANGUAGES)
#: Each language's name in itself (never translated: a user looks for their own).
NATIVE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
#: The locale of a language when the system's own locale speaks another (Helsinki's first).
DEFAULT_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}

_installed: list[QTranslator] = []
_language = "en"
_choice = "system"


def system_language() -> str:
    """The first of the system's UI languages that the app speaks (English otherwise)."""
    for name in QLocale.system().uiLanguages():
        code = name.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


def resolve(choice: str | None) -> str:
    """The language for a choice ("system", None or a language code)."""
    if choice in LANGUAGES:
        return str(choice)
    return system_language()


def locale_for(language: str) -> QLocale:
    """Dates, times and numbers for `language`: the system's locale if it speaks it, else
    the language in the system's country if Qt knows that pairing, else our default."""
    system = QLocale.system()
    if system.name().split("_")[0] == language:
        return system
    paired = QLocale(f"{language}_{system.name().split('_')[-1]}")
    if paired.name().split("_")[0] == language and paired.territory() == system.territory():
        return paired
    return QLocale(DEFAULT_LOCALES[language])


def qt_translations_dir() -> str:
    """Where Qt's own catalogues are (inside the PySide6 package, also when bundled)."""
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def install_language(choice: str | None) -> str:
    """Speak the chosen language from now on; returns the language code used.

    Replaces translators installed earlier, so calling it again switches at run time.
    """
    global _language, _choice
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_language needs the application object")
    language = resolve(choice)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    QLocale.setDefault(locale_for(language))
    if language != "en":
        for name, folder in (
            (f"qt_{language}", qt_translations_dir()),
            (f"fieldapp_{language}", str(I18N_DIR)),
        ):
            translator = QTranslator(app)
            if translator.load(name, folder):
                app.installTranslator(translator)
                _installed.append(translator)
            else:
                log.warning("no translation %s in %s: those strings stay in English", name, folder)
    _language = language
    _choice = choice if choice in CHOICES else "system"
    return language


def current_language() -> str:
    """The language installed last ("en" before any)."""
    return _language


def local_time(moment: datetime, *, today_short: bool = False) -> str:
    """A moment in the device's time zone, in the language's short date and time format
    ("3.12.2026 8.50" in Finnish); only the time if `today_short` and it is today."""
    local = moment.astimezone()
    locale = QLocale()
    time = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    if today_short and local.date() == datetime.now(UTC).astimezone().date():
        return time
    day = locale.toString(QDate(local.year, local.month, local.day), QLocale.FormatType.ShortFormat)
    return f"{day} {time}"


def current_choice() -> str:
    """What was chosen last: "system" or a language code."""
    return _choice


def language_choice_label(choice: str) -> str:
    """How a choice is shown in the settings: a language's own name, or "System language"."""
    if choice == "system":
        return QCoreApplication.translate("", SYSTEM_LANGUAGE)
    return NATIVE_NAMES[choice]


SYSTEM_LANGUAGE = QT_TR_NOOP("System language")

#: Strings that screens pass to ``tr()`` through a variable (a table of labels), written
#: out here so lupdate sees them. Screens should prefer `fieldapp.labels` or literal
#: ``tr("...")`` calls; this list is for the few tables that remain.
VARIABLE_STRINGS = (
    # screens/statusbar.py, PHASE_TEXT
    QT_TR_NOOP("Online"),
    QT_TR_NOOP("Syncing…"),
    QT_TR_NOOP("Offline"),
    QT_TR_NOOP("Sync problem"),
)
