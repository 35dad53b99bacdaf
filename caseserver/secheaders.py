"""Headers every answer carries so that browsers and caches treat it safely.

- `X-Content-Type-Options: nosniff`: a browser takes each answer for the type it is
  declared as (a photo as a JPEG, JSON as JSON) and never guesses HTML or script
  from its bytes.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = ((b"x-content-type-options", b"nosniff"),)


class SecurityHeaders:
    """Pure ASGI middleware adding `SECURITY_HEADERS` to every HTTP answer (streamed ones too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [header for header in SECURITY_HEADERS if header[0] not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
