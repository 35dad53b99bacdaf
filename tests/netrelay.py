"""A TCP relay between a device and a real case server that can slow or cut the line.

It counts (and keeps) every byte sent upstream, can cut the line after so many upstream
bytes (`cut_at`), and can cut chosen answers (`cut_answers`): part-way through the
answer's head, right after the head, or after so many bytes of its body, as a flaky
mobile link does. HTTP/1.1 clients send a request only once the previous answer is in,
so upstream bytes that follow an answer start the next request on that connection.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from dataclasses import dataclass, field

REQUEST_LINE = re.compile(rb"^([A-Z]+) (\S+) HTTP/1\.[01]\r\n")
HEAD_END = b"\r\n\r\n"
#: Where an answer is cut: inside its status line, half-way through its head, right after
#: it, half-way through its body, or after N bytes of its body.
STATUS_LINE = "status-line"
INSIDE_HEAD = "inside-head"
AFTER_HEAD = "after-head"
HALF_BODY = "half-body"
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.IGNORECASE)


@dataclass
class AnswerCut:
    """Cut the answers to `method` requests whose path starts with `path`."""

    method: str
    path: str
    at: str | int  # STATUS_LINE, INSIDE_HEAD, AFTER_HEAD, HALF_BODY, or body bytes to let through
    times: int = 1  # how many answers to cut (then the line is healthy again)
    done: int = 0

    def matches(self, method: str, path: str) -> bool:
        return self.done < self.times and method == self.method and path.startswith(self.path)


@dataclass
class _Connection:
    client: socket.socket
    server: socket.socket
    request: tuple[str, str] | None = None
    answering: bool = True  # the next upstream bytes start a request
    head: bytearray = field(default_factory=bytearray)
    cut: AnswerCut | None = None


class Relay:
    """A TCP relay to the server that counts the bytes sent upstream; it can slow or cut the line."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.upstream = 0
        self.sent_up = bytearray()  # every byte sent upstream, to count the requests in it
        self.delay = 0.0  # seconds per 64 KiB forwarded upstream
        self.cut_at: int | None = None  # close every connection once this many bytes went up
        self.cut_answers: list[AnswerCut] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request seen
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._pumping = 0  # upstream pumps still running
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut_answer(self, method: str, path: str, at: str | int, times: int = 1) -> AnswerCut:
        cut = AnswerCut(method, path, at, times)
        with self._lock:
            self.cut_answers.append(cut)
        return cut

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            conn = _Connection(client, server)
            with self._lock:
                self._sockets += [client, server]
                self._pumping += 1
            threading.Thread(target=self._pump_up, args=(conn,), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(conn,), daemon=True).start()

    def _pump_up(self, conn: _Connection) -> None:
        try:
            while data := conn.client.recv(65536):
                with self._lock:
                    if conn.answering:
                        self._new_request(conn, data)
                    if self.cut_at is not None and self.upstream + len(data) > self.cut_at:
                        data = data[: max(0, self.cut_at - self.upstream)]
                        self.upstream += len(data)
                        conn.server.sendall(data)
                        raise OSError("line cut")
                    self.upstream += len(data)
                    self.sent_up += data
                if self.delay:
                    time.sleep(self.delay)
                conn.server.sendall(data)
        except OSError:
            pass
        finally:
            _close(conn)
            with self._lock:
                self._pumping -= 1

    def _new_request(self, conn: _Connection, data: bytes) -> None:
        conn.answering = False
        conn.head = bytearray()
        match = REQUEST_LINE.match(data)
        conn.request = (match[1].decode(), match[2].decode()) if match else None
        conn.cut = None
        if conn.request is not None:
            self.requests.append(conn.request)
            conn.cut = next((c for c in self.cut_answers if c.matches(*conn.request)), None)
            if conn.cut is not None:
                conn.cut.done += 1

    def _pump_down(self, conn: _Connection) -> None:
        try:
            while data := conn.server.recv(65536):
                with self._lock:
                    conn.answering = True
                    cut = conn.cut
                if cut is None:
                    conn.client.sendall(data)
                    continue
                conn.head += data
                end = conn.head.find(HEAD_END)
                if cut.at == STATUS_LINE:
                    conn.client.sendall(bytes(conn.head[:12]))  # "HTTP/1.1 200"
                    raise OSError("answer cut inside its status line")
                if cut.at == INSIDE_HEAD:
                    conn.client.sendall(bytes(conn.head[: max(1, (end if end > 0 else len(conn.head)) // 2)]))
                    raise OSError("answer cut inside its head")
                if end < 0:
                    continue  # the head is not complete yet
                keep = end + len(HEAD_END) + _body_bytes(cut.at, bytes(conn.head[:end]))
                if len(conn.head) < keep:
                    continue
                conn.client.sendall(bytes(conn.head[:keep]))
                raise OSError("answer cut")
        except OSError:
            pass
        finally:
            _close(conn)

    def wait_drained(self, timeout: float = 30) -> None:
        """Until every connection's upstream is forwarded and closed (a killed client's last bytes too)."""
        deadline = time.monotonic() + timeout
        while self._pumping and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not self._pumping, "the relay still forwards a connection"

    def close(self) -> None:
        self.listener.close()
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.close()


def _body_bytes(at: str | int, head: bytes) -> int:
    """How much of the body to let through: never all of it (a body of N bytes gets at most N-1)."""
    length = CONTENT_LENGTH.search(head)
    whole = int(length[1]) if length else None
    wanted = 0 if at == AFTER_HEAD else (whole or 0) // 2 if at == HALF_BODY else int(at)
    return wanted if whole is None else min(wanted, max(0, whole - 1))


def _close(conn: _Connection) -> None:
    for s in (conn.client, conn.server):
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        s.close()
