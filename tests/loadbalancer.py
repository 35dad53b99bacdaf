"""A real load balancer in front of several case server processes: haproxy, from Debian's packages.

Round-robin per request, with the servers' readiness (`/health/ready`) checked every
300 ms: a stopped process leaves the pool at once, and a request whose connection it
refused is sent to another (`redispatch`), as a city's load balancer would do.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from serverproc import free_port

CONFIG = """\
global
    maxconn 512
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch
frontend caseservers
    bind 127.0.0.1:{port}
    default_backend processes
backend processes
    balance roundrobin
    option httpchk GET /health/ready
{servers}
"""


def haproxy_program() -> str | None:
    return shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)


@contextmanager
def load_balancer(folder: Path, backends: list[str]) -> Iterator[str]:
    """haproxy on a free port in front of `backends` (http://host:port each); its URL."""
    program = haproxy_program()
    assert program is not None, "haproxy is not installed (packaging/system-deps.sh --ci installs it)"
    port = free_port()
    servers = "\n".join(
        f"    server p{i} {url.removeprefix('http://')} check inter 300ms fall 1 rise 1"
        for i, url in enumerate(backends)
    )
    config = folder / "haproxy.cfg"
    config.write_text(CONFIG.format(port=port, servers=servers))
    log = (folder / "haproxy.log").open("ab")
    process = subprocess.Popen([program, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{url}/health/ready", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            running = process.poll() is None and time.monotonic() < deadline
            assert running, (folder / "haproxy.log").read_text()
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
