"""Long work off the GUI thread, with results back on it (Anki's CollectionOp, in small).

`run_task(parent, fn, on_done, on_error)` runs `fn()` on a worker thread; the
callbacks run on the GUI thread. Database work is serialised on one worker so
two tasks never write the replica at once; `wait_for_tasks()` lets tests and
shutdown wait for everything in flight.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldapp.qt import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from sync.replica import Replica

_pools: dict[str, QThreadPool] = {}
_live: set[_Relay] = set()
#: Threads of each pool: one for the database (writes never overlap), a few for the network.
_THREADS = {"db": 1, "network": 2}


def _pool(kind: str = "db") -> QThreadPool:
    """The database worker (or the network pool), owned by the application so it ends with it."""
    if kind not in _pools:
        pool = QThreadPool(QCoreApplication.instance())
        pool.setMaxThreadCount(_THREADS[kind])
        _pools[kind] = pool
    return _pools[kind]


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # delivered to the GUI thread, never lost
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


def run_task(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    *,
    network: bool = False,
) -> None:
    """Run `fn` on the worker; call `on_done(result)` or `on_error(exc)` on the GUI thread.

    `network=True` runs it on the network pool instead, so a slow server never holds
    up the database worker.
    """
    relay = _Relay()
    _live.add(relay)

    def finish() -> None:
        _live.discard(relay)

    def done(result: Any) -> None:
        finish()
        if on_done is not None:
            on_done(result)

    def failed(exc: Exception) -> None:
        finish()
        if on_error is not None:
            on_error(exc)
        else:
            from fieldapp.errors import show_error

            show_error(None, exc)

    relay.done.connect(done)
    relay.failed.connect(failed)
    _pool("network" if network else "db").start(_Job(fn, relay))


def tasks_running() -> int:
    return len(_live)


def wait_for_tasks(msecs: int = 30_000) -> bool:
    network = _pool("network").waitForDone(msecs)
    return bool(_pool("db").waitForDone(msecs)) and bool(network)


def with_replica(path: Path, action: Callable[[Replica], Any]) -> Callable[[], Any]:
    """A task body that opens the replica on the worker, runs `action` on it and closes it."""

    def work() -> Any:
        replica = Replica(path)
        try:
            return action(replica)
        finally:
            replica.close()

    return work
