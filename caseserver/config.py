"""Server settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_database_url() -> str:
    data = Path(os.environ.get("CASESERVER_DATA_DIR", "caseserver-data"))
    return f"sqlite:///{data / 'caseserver.sqlite'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(
        default_factory=lambda: os.environ.get("CASESERVER_DATABASE_URL") or _default_database_url()
    )
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = field(
        default_factory=lambda: int(os.environ.get("CASESERVER_MAX_BODY_BYTES", 4 * 1024 * 1024))
    )
    #: How long a device token stays valid without a new sign-in.
    token_days: int = field(default_factory=lambda: int(os.environ.get("CASESERVER_TOKEN_DAYS", 30)))


def settings() -> Settings:
    return Settings()
