"""packaging/system-deps.sh, run for real in its dry-run mode.

The detection is real: ``ldd`` over a copy of Qt's xcb window plugin whose dependency on
``libxcb-icccm.so.4`` was renamed to a library no machine has, so the script must find
it missing whatever this machine has installed, and name the package that provides it.
"""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "packaging" / "system-deps.sh"
TABLE = ROOT / "packaging" / "system-libs.txt"
ABSENT = b"libfa-absent.so.1"  # as long as the name it replaces


def qt_dir() -> Path:
    spec = importlib.util.find_spec("PySide6")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "Qt"


def plugin_needing_an_absent_library(tmp_path: Path) -> Path:
    """A copy of libqxcb.so (beside Qt's libraries, for its $ORIGIN run path) needing ABSENT."""
    data = (qt_dir() / "plugins" / "platforms" / "libqxcb.so").read_bytes()
    original = b"libxcb-icccm.so.4"
    assert len(original) == len(ABSENT) and original + b"\0" in data
    (tmp_path / "lib").symlink_to(qt_dir() / "lib")
    plugin = tmp_path / "plugins" / "platforms" / "libqxcb.so"
    plugin.parent.mkdir(parents=True)
    plugin.write_bytes(data.replace(original + b"\0", ABSENT + b"\0"))
    return plugin


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_a_missing_library_is_found_and_its_package_named(tmp_path: Path) -> None:
    plugin = plugin_needing_an_absent_library(tmp_path)
    table = tmp_path / "libs.txt"
    table.write_text(TABLE.read_text() + f"{ABSENT.decode()} fa-absent-package\n")
    result = run("--scan", str(plugin), "--table", str(table), "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("system-deps: missing: ") and "fa-absent-package" in lines[0].split()
    assert lines[1].startswith("system-deps: would run: apt-get install -y")
    assert lines[1].split()[-len(lines[0].split()) + 2 :] == lines[0].split()[2:]
    assert "without a known package" not in result.stderr


def test_a_library_no_package_is_known_for_is_named_as_it_is(tmp_path: Path) -> None:
    plugin = plugin_needing_an_absent_library(tmp_path)
    result = run("--scan", str(plugin), "--dry-run")
    assert f"missing libraries without a known package: {ABSENT.decode()}" in result.stderr


def test_nothing_missing_says_so(tmp_path: Path) -> None:
    result = run("--scan", "/bin/sh", "--dry-run")
    assert result.returncode == 0
    assert result.stdout.strip() == "system-deps: every system library the app needs is present"


def test_the_table_names_every_system_library_the_window_plugin_needs() -> None:
    """So a fresh machine gets packages, never bare library names, for the app window."""
    plugin = qt_dir() / "plugins" / "platforms" / "libqxcb.so"
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True).stdout
    resolved = {line.split()[0]: line.split()[2] for line in out.splitlines() if "=>" in line}
    needed = set(resolved)
    shipped = str(qt_dir().resolve())  # Qt's own libraries and the ICU it carries
    own = {name for name, path in resolved.items() if str(Path(path).resolve()).startswith(shipped)}
    libc = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libresolv.so.2"}
    known = {line.split()[0] for line in TABLE.read_text().splitlines() if line and not line.startswith("#")}
    assert needed - own - libc <= known, sorted(needed - own - libc - known)
    assert {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxkbcommon-x11.so.0"} <= known


def test_the_venv_python_check_finds_the_installed_qt() -> None:
    """With the venv's Python the script scans the installed PySide6 (and answers in one go)."""
    import sys

    result = run("--python", sys.executable, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("system-deps: ")


def test_a_python_without_qt_is_an_error_not_all_clear(tmp_path: Path) -> None:
    python = tmp_path / "no-venv" / "python"
    result = run("--python", str(python), "--dry-run")
    assert result.returncode == 1 and "present" not in result.stdout
    assert (
        result.stderr.strip()
        == f"system-deps: cannot find PySide6's Qt with {python}; is the venv installed?"
    )
