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
    #: Photos in an S3-compatible object store: s3://bucket[/prefix] (endpoint, region and
    #: credentials from boto3's AWS_* settings); empty: the folder `blob_dir`.
    blob_url: str = field(default_factory=lambda: os.environ.get("CASESERVER_BLOB_URL", "").strip())
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
    #: How often each server process looks for reporter emails that are due, in seconds.
    notify_poll_seconds: float = field(
        default_factory=lambda: float(os.environ.get("CASESERVER_NOTIFY_POLL_SECONDS", 5))
    )
    #: First retry delay after a failed send, in seconds; it doubles with each attempt (capped at 6 h).
    notify_retry_seconds: float = field(
        default_factory=lambda: float(os.environ.get("CASESERVER_NOTIFY_RETRY_SECONDS", 60))
    )
    #: Attempts before a reporter email is given up as failed.
    notify_max_attempts: int = field(
        default_factory=lambda: int(os.environ.get("CASESERVER_NOTIFY_MAX_ATTEMPTS", 12))
    )
    #: How long an email waits for the bytes of its photos before it goes without them, in hours.
    notify_photo_wait_hours: float = field(
        default_factory=lambda: float(os.environ.get("CASESERVER_NOTIFY_PHOTO_WAIT_HOURS", 6))
    )
    #: SMTP connections each server process sends reporter messages over at once.
    notify_senders: int = field(default_factory=lambda: int(os.environ.get("CASESERVER_NOTIFY_SENDERS", 4)))
    #: Stages reporters hear about (comma-separated, see caseserver/reporterstages.py); empty: the defaults.
    notify_stages: str = field(default_factory=lambda: os.environ.get("CASESERVER_NOTIFY_STAGES", ""))
    #: A JSON file {service_code: [stage, ...]} of the stages sent per service; empty: none.
    notify_service_stages: str = field(
        default_factory=lambda: os.environ.get("CASESERVER_NOTIFY_SERVICE_STAGES", "")
    )
    #: Least time between two messages to one reporter, in hours (the latest stage wins).
    notify_gap_hours: str = field(default_factory=lambda: os.environ.get("CASESERVER_NOTIFY_GAP_HOURS", "4"))
    #: Local hours in which no message is sent, e.g. 21:00-07:00; empty: any time.
    notify_quiet_hours: str = field(
        default_factory=lambda: os.environ.get("CASESERVER_NOTIFY_QUIET_HOURS", "21:00-07:00")
    )
    #: A folder of the city's own reporter templates (same names as caseserver/templates/reporter/).
    templates_dir: str = field(default_factory=lambda: os.environ.get("CASESERVER_TEMPLATES_DIR", ""))
    #: Language of reporters who did not give one: fi, sv or en.
    default_language: str = field(
        default_factory=lambda: os.environ.get("CASESERVER_DEFAULT_LANGUAGE", "en").strip().lower()
    )
    #: Days after the resolution in which "not fixed" reopens the ticket; later it opens a new one.
    reopen_days: float = field(default_factory=lambda: float(os.environ.get("CASESERVER_REOPEN_DAYS", 14)))
    #: Days the links in a reporter message stay valid.
    reporter_link_days: float = field(
        default_factory=lambda: float(os.environ.get("CASESERVER_REPORTER_LINK_DAYS", 90))
    )
    #: API keys accepted for posting Open311 requests (comma-separated); empty: posting is open.
    open311_api_keys: frozenset[str] = field(
        default_factory=lambda: frozenset(
            k.strip() for k in os.environ.get("CASESERVER_OPEN311_API_KEYS", "").split(",") if k.strip()
        )
    )
    #: Whom integrators ask about the Open311 API and its keys (the discovery document); empty: the agency.
    open311_contact: str = field(default_factory=lambda: os.environ.get("CASESERVER_OPEN311_CONTACT", ""))
    #: The agency named to the public (Open311 agency_responsible, emails, status pages).
    agency_name: str = field(
        default_factory=lambda: os.environ.get("CASESERVER_AGENCY_NAME", "City Public Works")
    )
    #: Time zone in which dates are shown to the public (IANA name).
    timezone: str = field(default_factory=lambda: os.environ.get("CASESERVER_TIMEZONE", "UTC"))
    #: A JSON file of escalation rules (a list of sync.operations.EscalationRule); empty: escalate when due.
    escalation_rules_file: str = field(
        default_factory=lambda: os.environ.get("CASESERVER_ESCALATION_RULES", "")
    )
    #: A new ticket this close (metres) to an open one of the same service flags both as
    #: possible duplicates; 0: off.
    duplicate_meters: float = field(
        default_factory=lambda: float(os.environ.get("CASESERVER_DUPLICATE_METERS", 50))
    )
    #: A JSON file of the work catalogue (sync.workrecord.WorkCatalogue); empty: the default one.
    work_catalogue_file: str = field(default_factory=lambda: os.environ.get("CASESERVER_WORK_CATALOGUE", ""))
    #: How often each server process looks for tickets to escalate, in seconds.
    escalation_poll_seconds: float = field(
        default_factory=lambda: float(os.environ.get("CASESERVER_ESCALATION_POLL_SECONDS", 60))
    )
    #: API requests one process works on at once; more are answered 503 with Retry-After (0: no limit).
    max_in_flight: int = field(default_factory=lambda: int(os.environ.get("CASESERVER_MAX_IN_FLIGHT", 64)))
    #: The Retry-After of a busy answer, in seconds.
    busy_retry_seconds: int = field(
        default_factory=lambda: int(os.environ.get("CASESERVER_BUSY_RETRY_SECONDS", 5))
    )
    #: How long `serve` keeps an idle keep-alive connection open, in seconds.
    keep_alive_seconds: int = field(
        default_factory=lambda: int(os.environ.get("CASESERVER_KEEP_ALIVE_SECONDS", 75))
    )
    #: On SIGTERM, how long `serve` lets the requests in flight finish before it stops, in seconds.
    shutdown_seconds: int = field(
        default_factory=lambda: int(os.environ.get("CASESERVER_SHUTDOWN_SECONDS", 30))
    )
    #: Bearer token a Prometheus scrape of /metrics must carry; empty: /metrics is open.
    metrics_token: str = field(default_factory=lambda: os.environ.get("CASESERVER_METRICS_TOKEN", ""))


def settings() -> Settings:
    return Settings()
