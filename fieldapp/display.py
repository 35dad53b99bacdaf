"""This device's display choices: theme and language (no Qt).

They belong to the device, not to whoever is signed in: they are kept in the profile
folder as ``display.json`` beside the replica, not in the replica's settings, which a
sign-out wipes, and they are read before anyone signs in (the sign-in screen already
wears them). The file is replaced in one rename, so a crash never leaves half of it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

FILE = "display.json"
THEMES = ("sunlight", "dark")
LANGUAGE_CHOICES = ("system", "fi", "sv", "en")


@dataclass(frozen=True)
class DisplaySettings:
    theme: str = "sunlight"
    #: "system" (the device's language) or fi, sv, en.
    language: str = "system"

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise ValueError(f"unknown theme {self.theme!r}; one of {', '.join(THEMES)}")
        if self.language not in LANGUAGE_CHOICES:
            raise ValueError(f"unknown language {self.language!r}; one of {', '.join(LANGUAGE_CHOICES)}")


def path(profile: Path) -> Path:
    return Path(profile) / FILE


def load(profile: Path) -> DisplaySettings:
    """The stored choices; the defaults when there are none or the file is unreadable."""
    try:
        raw = json.loads(path(profile).read_text(encoding="utf-8"))
        return DisplaySettings(
            theme=str(raw.get("theme", "sunlight")), language=str(raw.get("language", "system"))
        )
    except (OSError, ValueError, AttributeError):
        return DisplaySettings()


def save(profile: Path, settings: DisplaySettings) -> None:
    """Store the choices (written to a temporary file, flushed, then renamed into place)."""
    target = path(profile)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(asdict(settings), handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
