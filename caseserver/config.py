"""Server settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _data_dir() -> Path:
    return Path(os.environ.get("CASESERVER_DATA_DIR", "caseserver-data"))


def _default_database_url() -> str:
    return f"sqlite:///{_data_dir() / 'caseserver.sqlite'}"


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
    #: Folder of the blob store (photos) and of unfinished uploads.
    blob_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("CASESERVER_BLOB_DIR") or _data_dir() / "blobs")
    )
    #: Largest photo upload accepted, in bytes.
    max_photo_bytes: int = field(
        default_factory=lambda: int(os.environ.get("CASESERVER_MAX_PHOTO_BYTES", 25 * 1024 * 1024))
    )
    #: Where reporter emails go: smtp://[user:password@]host:port[?starttls=1&from=addr]; empty: no email.
    smtp_url: str = field(default_factory=lambda: os.environ.get("CASESERVER_SMTP_URL", ""))
    #: The server's public address, used in links sent to reporters (status pages, media_url).
    public_url: str = field(
        default_factory=lambda: os.environ.get("CASESERVER_PUBLIC_URL", "http://127.0.0.1:8311").rstrip("/")
    )


def settings() -> Settings:
    return Settings()
