"""The errors the device side raises; each message is written for the person using the app."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every expected failure; str(error) is shown to the user as is."""


class Offline(SyncError):
    """The case server cannot be reached (no network, server down, timeout)."""


class AuthRequired(SyncError):
    """The token is missing, expired or was revoked: the user must sign in again."""


class RequestRefused(SyncError):
    """The server refused a request (4xx) with a reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ServerBusy(SyncError):
    """The server asked the device to come back later (429 or 503 with `Retry-After`)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        #: Seconds the server asked the device to wait before it tries again.
        self.retry_after = retry_after


class ServerFailure(SyncError):
    """The server failed (5xx) or answered something that is not the API."""


class LocalError(SyncError):
    """A local action is not possible (unknown ticket, illegal move, not signed in)."""
