"""Can the app window open here? One plain line saying why not, before Qt aborts without one.

On Linux, Qt's xcb window plugin needs an X display and a set of system libraries
(``libxcb-icccm4``, ``libxcb-keysyms1``, ...) that pip cannot install; when either is
missing Qt prints a long hint and aborts the process. ``window_problem`` finds both
first, without Qt: the display from the environment, the libraries with ``ldd`` over
the plugin (named with their Debian package from ``packaging/system-libs.txt``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

NO_DISPLAY = "no display: set DISPLAY or use QT_QPA_PLATFORM=offscreen"
PACKAGE_TABLE = Path(__file__).resolve().parents[1] / "packaging" / "system-libs.txt"
_LOCAL_DISPLAY = re.compile(r"^(?:unix)?:(\d+)(?:\.\d+)?$")


def _platform(env: Mapping[str, str]) -> str:
    """The platform plugin Qt will try first ('' when Qt chooses)."""
    return re.split(r"[:;]", env.get("QT_QPA_PLATFORM", ""), maxsplit=1)[0].strip().lower()


def _x_display_reachable(display: str) -> bool:
    """Whether a local X display's socket answers (remote displays are assumed to)."""
    match = _LOCAL_DISPLAY.match(display)
    if match is None:
        return True
    path = f"/tmp/.X11-unix/X{match.group(1)}"
    for address in (path, "\0" + path):  # the file, or Linux's abstract socket
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            try:
                sock.connect(address)
                return True
            except OSError:
                continue
    return False


def xcb_plugin_files() -> list[Path]:
    """The xcb platform plugin and its GL integrations in the installed PySide6."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    plugins = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins"
    files = [plugins / "platforms" / "libqxcb.so", *sorted((plugins / "xcbglintegrations").glob("*.so"))]
    return [file for file in files if file.exists()]


def missing_libraries(files: list[Path]) -> list[str]:
    """Shared libraries these files need that the system lacks (``ldd ... not found``)."""
    if not files or shutil.which("ldd") is None:
        return []
    result = subprocess.run(["ldd", *map(str, files)], capture_output=True, text=True, check=False)
    found = {line.split()[0] for line in result.stdout.splitlines() if "=> not found" in line}
    return sorted(found)


def packages_for(libraries: list[str], table: Path = PACKAGE_TABLE) -> list[str]:
    """Each library named by its Debian/Ubuntu package where the table knows it."""
    known: dict[str, str] = {}
    if table.exists():
        for line in table.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2 and not line.startswith("#"):
                known[parts[0]] = parts[1]
    return list(dict.fromkeys(known.get(library, library) for library in libraries))


def window_problem(
    env: Mapping[str, str] | None = None, plugin_files: list[Path] | None = None
) -> str | None:
    """Why the app window cannot open on this machine (one plain line), or None.

    ``plugin_files`` are the files whose libraries are checked (default: the installed xcb plugin).
    """
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux"):
        return None
    platform = _platform(env)
    if platform == "wayland":
        return None if env.get("WAYLAND_DISPLAY") else NO_DISPLAY
    if platform not in ("", "xcb"):
        return None  # offscreen, minimal, eglfs, vnc: no X display needed
    if not platform and env.get("WAYLAND_DISPLAY"):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        return NO_DISPLAY
    if not _x_display_reachable(display):
        return f"no display: nothing answers on DISPLAY={display}; start X or use QT_QPA_PLATFORM=offscreen"
    missing = missing_libraries(xcb_plugin_files() if plugin_files is None else plugin_files)
    if missing:
        packages = " ".join(packages_for(missing))
        return (
            f"the window system libraries {', '.join(missing)} are missing: "
            f"run packaging/system-deps.sh as root, or sudo apt-get install {packages}"
        )
    return None
