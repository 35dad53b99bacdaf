"""Sync state and events a GUI (or anything else) can observe without the core knowing it.

Callbacks run on the thread that emits; a Qt adapter re-emits them as signals so
handlers run on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Phase = Literal["idle", "syncing", "offline", "error"]


@dataclass(frozen=True)
class SyncState:
    phase: Phase = "idle"
    message: str | None = None
    pending: int = 0
    conflicts: int = 0
    rejected: int = 0
    #: Supervisors and admins: tickets nobody acts on past their escalation time.
    escalated: int = 0
    last_sync: str | None = None
    #: While syncing: (what, done, total); total may be None when unknown.
    progress: tuple[str, int, int | None] | None = None
    #: The session ended (token expired or revoked): the user must sign in again.
    auth_required: bool = False


@dataclass
class EventBus:
    """Named events with any number of subscribers; thread-safe."""

    _subscribers: dict[str, list[Callable[[Any], None]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, name: str, callback: Callable[[Any], None]) -> Callable[[], None]:
        with self._lock:
            self._subscribers.setdefault(name, []).append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers.get(name, []):
                    self._subscribers[name].remove(callback)

        return unsubscribe

    def emit(self, name: str, payload: Any = None) -> None:
        with self._lock:
            callbacks = list(self._subscribers.get(name, []))
        for callback in callbacks:
            callback(payload)
