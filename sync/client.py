"""HTTP client of the case server's sync API (requests, keep-alive, typed errors)."""

from __future__ import annotations

from typing import Any

import orjson
import requests

from sync.errors import AuthRequired, Offline, RequestRefused, ServerFailure
from sync.wire import API_PREFIX, DEFAULT_FEED_PAGE

USER_AGENT = "fieldapp/0.1"


class CaseServerClient:
    def __init__(self, base_url: str, token: str | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def close(self) -> None:
        self.session.close()

    def _request(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
        url = f"{self.base_url}{API_PREFIX}{path}"
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
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Offline(f"cannot reach the case server at {self.base_url}") from exc
        return self._answer(response)

    @staticmethod
    def _answer(response: requests.Response) -> Any:
        status = response.status_code
        if status == 204:
            return None
        try:
            payload = orjson.loads(response.content) if response.content else None
        except orjson.JSONDecodeError as exc:
            raise ServerFailure(f"the server answered something unexpected (HTTP {status})") from exc
        if 200 <= status < 300:
            return payload
        detail = payload.get("detail") if isinstance(payload, dict) else None
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
        return self._request("POST", "/auth/login", body)  # type: ignore[no-any-return]

    def logout(self) -> None:
        self._request("POST", "/auth/logout")

    def me(self) -> dict[str, Any]:
        return self._request("GET", "/me")  # type: ignore[no-any-return]

    def feed(self, cursor: int, limit: int = DEFAULT_FEED_PAGE) -> dict[str, Any]:
        return self._request("GET", "/feed", cursor=cursor, limit=limit)  # type: ignore[no-any-return]

    def push(self, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._request("POST", "/push", {"ops": ops})["results"]  # type: ignore[no-any-return]

    def digest(self) -> dict[str, Any]:
        return self._request("GET", "/digest")  # type: ignore[no-any-return]

    def blob(self, sha256: str) -> dict[str, Any]:
        """What the server stores under `sha256` (404 RequestRefused until the upload is complete)."""
        return self._request("GET", f"/blobs/{sha256}")  # type: ignore[no-any-return]

    def photo_thumb(self, photo_id: str) -> bytes:
        """The JPEG thumbnail of a photo the server knows."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        url = f"{self.base_url}{API_PREFIX}/photos/{photo_id}/thumb"
        try:
            response = self.session.get(url, headers=headers, timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Offline(f"cannot reach the case server at {self.base_url}") from exc
        if response.status_code == 200:
            return response.content
        self._answer(response)
        raise ServerFailure(f"the server answered something unexpected (HTTP {response.status_code})")

    def crews(self) -> list[dict[str, Any]]:
        return self._request("GET", "/crews")  # type: ignore[no-any-return]
