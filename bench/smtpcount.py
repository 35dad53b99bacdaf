"""An aiosmtpd handler for the benchmarks: accepts every message and appends its Message-ID to a file.

    python -m aiosmtpd -n -l 127.0.0.1:PORT -c bench.smtpcount.MessageIds FILE

A local relay that takes the message and does nothing else, so the benchmark measures the
sender; the file lets it count what arrived and see that nothing arrived twice.
"""

from __future__ import annotations

import re
from typing import Any


class MessageIds:
    def __init__(self, path: str) -> None:
        self.out = open(path, "a", encoding="ascii", buffering=1)  # noqa: SIM115 (open for the server's life)

    @classmethod
    def from_cli(cls, parser: Any, *args: str) -> MessageIds:
        if len(args) != 1:
            parser.error("MessageIds takes the path of the file to write")
        return cls(args[0])

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or b""
        found = re.search(rb"^Message-ID:\s*(\S+)", content, re.MULTILINE | re.IGNORECASE)
        self.out.write((found.group(1) if found else b"-").decode("ascii", "replace") + "\n")
        return "250 OK"
