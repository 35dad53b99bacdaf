"""HTTP client of the case server's sync API (requests, keep-alive, typed errors).

Whatever happens on the way is an ordinary `Offline`: no route, a refused or reset
connection, a timeout, an answer cut off at any byte (in its head or its body), and an
answer that is not the case server's (a proxy's or captive portal's page, JSON cut short,
a body of the wrong type or shape). Only the case server's own words become
`AuthRequired`, `RequestRefused` or `ServerFailure`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import orjson
import requests

from sync.errors import AuthRequired, Offline, RequestRefused, ServerBusy, ServerFailure
from sync.wire import API_PREFIX, DEFAULT_FEED_PAGE

T = TypeVar("T")
USER_AGENT = "fieldapp/0.1"
#: Gateways answer these when the case server behind them is down.
GATEWAY_FAILURES = frozenset({502, 503, 504})


class NotTheApi(Exception):
    """An answer that did not come whole from the case server (cut short, or someone else's)."""


def is_json(response: requests.Response) -> bool:
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def expect_keys(payload: Any, *keys: str) -> dict[str, Any]:
    """`payload` as a dict holding `keys`, or NotTheApi."""
    if not isinstance(payload, dict) or not all(key in payload for key in keys):
        raise NotTheApi(f"an answer without {', '.join(keys)}")
    return payload


#: What the device reads of every ticket in a feed page.
TICKET_KEYS = frozenset(
    {
        "id", "service_code", "description", "address", "lat", "lon", "priority", "status",
        "assigned_crew", "due_at", "created_at", "updated_at", "version", "resolution_code",
        "resolution_note", "notes", "events",
    }
)  # fmt: skip


def check_feed_page(payload: Any) -> dict[str, Any]:
    """A feed page as the replica reads it, or NotTheApi."""
    page = expect_keys(payload, "cursor", "more", "tickets", "revoked")
    if not (
        isinstance(page["cursor"], int)
        and isinstance(page["more"], bool)
        and isinstance(page["tickets"], list)
        and isinstance(page["revoked"], list)
        and isinstance(page.get("conflicts", []), list)
        and all(isinstance(t, dict) and t.keys() >= TICKET_KEYS for t in page["tickets"])
    ):
        raise NotTheApi("a feed page of the wrong shape")
    if page.get("digest") is not None and not isinstance(page.get("count"), int):
        raise NotTheApi("a digest without its count")
    return page


def check_push_results(payload: Any, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One result per op pushed, each naming its op and outcome, or NotTheApi."""
    results = expect_keys(payload, "results")["results"]
    sent = {str(op["op_id"]) for op in ops}
    if not (
        isinstance(results, list)
        and all(isinstance(r, dict) and "outcome" in r and str(r.get("op_id")) in sent for r in results)
    ):
        raise NotTheApi("push results of the wrong shape")
    return results


log = logging.getLogger("sync.client")

#: The longest wait a server's Retry-After can impose on a device.
MAX_RETRY_AFTER = 600.0


def retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds (a number, or an HTTP date), at most MAX_RETRY_AFTER; None without one."""
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(when.tzinfo or UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class CaseServerClient:
    def __init__(self, base_url: str, token: str | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def close(self) -> None:
        self.session.close()

    def unreachable(self, why: str | None = None) -> Offline:
        """The one error for every failure on the way to the case server."""
        text = f"cannot reach the case server at {self.base_url}"
        return Offline(f"{text} ({why})" if why else text)

    def _request(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        # The server logs this id with everything it does for the request, and answers with it:
        # the device's log line and the servers' lines of one sync can be put side by side.
        request_id = uuid.uuid4().hex
        headers = {"Accept": "application/json", "X-Request-Id": request_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
        url = f"{self.base_url}{API_PREFIX}{path}"
        started = time.perf_counter()
        try:
            response = self.session.request(
                method,
                url,
                data=data,
                params=params or None,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.exceptions.InvalidURL as exc:
            raise Offline(f"not a valid server address: {self.base_url}") from exc
        except requests.RequestException as exc:  # refused, reset, timed out, cut mid-answer
            log.info("%s %s: no answer (%s), request id %s", method, path, _why(exc), request_id)
            raise self.unreachable(_why(exc)) from exc
        took = (time.perf_counter() - started) * 1000
        log.info(
            "%s %s: HTTP %s in %.0f ms, request id %s", method, path, response.status_code, took, request_id
        )
        return self._answer(response)

    def _answer(self, response: requests.Response) -> Any:
        status = response.status_code
        if status == 204:
            return None
        payload = None
        if is_json(response):
            try:
                payload = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                payload = None
        detail = payload.get("detail") if isinstance(payload, dict) else None
        wait = retry_after(response) if status in (429, 503) else None
        if wait is not None:  # back-pressure: the server (or its load balancer) says when to come back
            said = detail if isinstance(detail, str) else "the case server is busy"
            raise ServerBusy(f"{said} (it asked to try again in {wait:.0f} s)", wait)
        if status in GATEWAY_FAILURES and not is_json(response):
            raise self.unreachable(f"the gateway answered HTTP {status}")
        if 200 <= status < 300:
            if payload is None:
                raise self.unreachable("the answer was cut off or did not come from the case server")
            return payload
        message = detail if isinstance(detail, str) else f"HTTP {status}"
        if status == 401:
            raise AuthRequired(message)
        if 400 <= status < 500:
            raise RequestRefused(status, message)
        raise ServerFailure(f"the case server failed (HTTP {status}): {message}")

    def login(self, username: str, password: str, device_name: str, device_id: str | None) -> dict[str, Any]:
        body = {"username": username, "password": password, "device_name": device_name}
        if device_id:
            body["device_id"] = device_id

        def answer() -> dict[str, Any]:
            signed_in = self._request("POST", "/auth/login", body)
            expect_keys(signed_in, "token", "expires_at", "device_id", "user")
            expect_keys(signed_in["user"], "username", "role")
            return signed_in  # type: ignore[no-any-return]

        return self._checked(answer)

    def logout(self) -> None:
        self._request("POST", "/auth/logout")

    def me(self) -> dict[str, Any]:
        return self._checked(lambda: expect_keys(self._request("GET", "/me"), "username", "role"))

    def feed(self, cursor: int, limit: int = DEFAULT_FEED_PAGE) -> dict[str, Any]:
        return self._checked(
            lambda: check_feed_page(self._request("GET", "/feed", cursor=cursor, limit=limit))
        )

    def push(self, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._checked(lambda: check_push_results(self._request("POST", "/push", {"ops": ops}), ops))

    def digest(self) -> dict[str, Any]:
        return self._checked(lambda: expect_keys(self._request("GET", "/digest"), "digest", "count"))

    def blob(self, sha256: str) -> dict[str, Any]:
        """What the server stores under `sha256` (404 RequestRefused until the upload is complete)."""
        return self._checked(lambda: expect_keys(self._request("GET", f"/blobs/{sha256}"), "sha256", "size"))

    def photo_thumb(self, photo_id: str) -> bytes:
        """The JPEG thumbnail of a photo the server knows."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        url = f"{self.base_url}{API_PREFIX}/photos/{photo_id}/thumb"
        try:
            response = self.session.get(url, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise self.unreachable(_why(exc)) from exc
        if response.status_code == 200:
            if response.headers.get("Content-Type", "").startswith("image/"):
                return response.content
            raise self.unreachable("the answer did not come from the case server")
        self._answer(response)
        raise self.unreachable(f"an unexpected answer (HTTP {response.status_code})")

    def health(self, timeout: float) -> None:
        """A cheap check that the case server answers (GET /health); Offline if it does not."""
        try:
            response = self.session.get(f"{self.base_url}/health", timeout=timeout)
        except requests.exceptions.InvalidURL as exc:
            raise Offline(f"not a valid server address: {self.base_url}") from exc
        except requests.RequestException as exc:
            raise self.unreachable(_why(exc)) from exc
        self._checked(lambda: expect_keys(self._answer(response), "status"))

    def escalation_rules(self) -> list[dict[str, Any]]:
        answer = self._request("GET", "/escalation-rules")
        if not isinstance(answer, list):
            raise self.unreachable("the answer did not come from the case server")
        return answer

    def work_catalogue(self) -> dict[str, Any]:
        answer = self._request("GET", "/work-catalogue")
        if not isinstance(answer, dict):
            raise self.unreachable("the answer did not come from the case server")
        return answer

    def set_position_sharing(self, enabled: bool, changed_at: str | None) -> None:
        self._request("PUT", "/position-sharing", {"enabled": enabled, "changed_at": changed_at})

    def send_position(self, fix: dict[str, Any]) -> None:
        self._request("POST", "/position", fix)

    def crew_positions(self) -> list[dict[str, Any]]:
        answer = self._request("GET", "/crew-positions")
        if not isinstance(answer, list):
            raise self.unreachable("the answer did not come from the case server")
        return answer

    def crews(self) -> list[dict[str, Any]]:
        answer = self._request("GET", "/crews")
        if not isinstance(answer, list):
            raise self.unreachable("the answer did not come from the case server")
        return answer

    def _checked(self, read: Callable[[], T]) -> T:
        """`read()`, with an answer of the wrong shape reported as not reaching the server."""
        try:
            return read()
        except NotTheApi as exc:
            raise self.unreachable(f"the answer did not come from the case server: {exc}") from exc


def _why(exc: requests.RequestException) -> str | None:
    """A few words on how the line failed."""
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return "the answer was cut off"
    return None
