"""The standalone bundle: build it with packaging/build.sh, then run it as a user would.

The bundle is built into a temporary folder, moved elsewhere (it must not depend on where it was
built), and run from a folder outside the repository with a clean environment (no PYTHONPATH, no
venv on PATH), so it can only use what it carries. Slow (a PyInstaller build, ~40 s on 2 cores)
but run by default: it is the only test of what crews actually install.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_SCRIPT = ROOT / "packaging" / "build.sh"
#: In MiB (as `du -sh` counts). Measured 393 on Linux x86-64, of which QtWebEngineCore is 195;
#: 447 since photos came in (the camera's QtMultimedia with its FFmpeg libraries, and Pillow).
#: Fail on a big regression, such as the QML modules or Qt 3D coming back in.
SIZE_BUDGET_MB = 480
#: Never in the app: the server side and its stack.
SERVER_SIDE = ("caseserver", "fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@dataclass
class Bundle:
    folder: Path
    executable: Path
    build_seconds: float
    size_mb: float
    build_log: str


def _size_mb(folder: Path) -> float:
    total = sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return total / 2**20


def _clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What a desktop session would give the app: no PYTHONPATH, no venv, no repository."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }
    if os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS"):  # e.g. a CI container's sandbox flags
        env["QTWEBENGINE_CHROMIUM_FLAGS"] = os.environ["QTWEBENGINE_CHROMIUM_FLAGS"]
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bundle]:
    scratch = tmp_path_factory.mktemp("bundle")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(
        DIST_DIR=str(scratch / "dist"),
        WORK_DIR=str(scratch / "work"),
        PYINSTALLER=str(Path(sys.executable).with_name("pyinstaller")),
    )
    started = time.monotonic()
    result = subprocess.run(
        ["bash", str(BUILD_SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=840
    )
    seconds = time.monotonic() - started
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"build failed ({result.returncode}):\n{log[-6000:]}"

    # Where a user would unpack it: nowhere near the build or the repository.
    installed = tmp_path_factory.mktemp("installed") / "fieldapp"
    shutil.move(scratch / "dist" / "fieldapp", installed)
    shutil.rmtree(scratch, ignore_errors=True)
    size = _size_mb(installed)
    print(f"\nbundle built in {seconds:.0f} s; {size:.0f} MiB in {installed}")
    yield Bundle(installed, installed / "fieldapp", seconds, size, log)
    shutil.rmtree(installed, ignore_errors=True)  # 400 MB; pytest keeps its last three tmp folders


def test_bundle_self_check_runs_outside_the_repository(
    bundle: Bundle, tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    record_property("build_seconds", round(bundle.build_seconds))
    record_property("bundle_mb", round(bundle.size_mb))
    profile = tmp_path / "profile"
    result = subprocess.run(
        [str(bundle.executable), "--profile", str(profile), "gui", "--self-check"],
        cwd=tmp_path,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "self-check ok" in result.stdout, output
    assert (profile / "replica.sqlite").is_file()  # the sync core ran inside the bundle


def test_bundle_carries_every_app_module(bundle: Bundle, tmp_path: Path) -> None:
    """Import every module of sync and fieldapp inside the bundle (the sync client, scheduler,
    pydantic models: what the self-check does not touch)."""
    result = subprocess.run(
        [str(bundle.executable)],
        cwd=tmp_path,
        env=_clean_env(tmp_path, FIELDAPP_BUNDLE_IMPORT_CHECK="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bundle imports ok" in result.stdout
    for module in ("sync.client", "sync.scheduler", "fieldapp.app", "fieldapp.cli"):
        assert module in result.stdout


def test_bundle_command_line_works(bundle: Bundle, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(bundle.executable), "--profile", str(tmp_path / "p"), "--json", "status"],
        cwd=tmp_path,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    status = json.loads(result.stdout)
    assert status["tickets"] == 0
    assert status["user"] is None


def test_bundle_layout(bundle: Bundle) -> None:
    top = bundle.folder
    internal = top / "_internal"
    # build.sh's additions: the desktop entry and its icon, next to the executable.
    desktop = (top / "fieldapp.desktop").read_text(encoding="utf-8")
    assert desktop.startswith("[Desktop Entry]")
    for line in ("Name=Field app", "Exec=fieldapp", "Icon=fieldapp", "Terminal=false"):
        assert line in desktop.splitlines()
    assert (top / "fieldapp.png").read_bytes() == (ROOT / "resources/icons/fieldapp.png").read_bytes()
    # The whole resources folder, where fieldapp/app.py looks for it (sys._MEIPASS/resources).
    for name in ("web/selfcheck.html", "icons/fieldapp.png", "icons/fieldapp.ico"):
        assert (internal / "resources" / name).is_file(), name
    # QtWebEngine: the helper process, its qt.conf, and the resources Chromium loads at start.
    qt = internal / "PySide6" / "Qt"
    assert os.access(qt / "libexec" / "QtWebEngineProcess", os.X_OK)
    assert (qt / "libexec" / "qt.conf").is_file()
    for name in ("icudtl.dat", "qtwebengine_resources.pak", "v8_context_snapshot.bin"):
        assert (qt / "resources" / name).is_file(), name
    assert (qt / "translations" / "qtwebengine_locales" / "en-US.pak").is_file()
    # Kept for the coming camera and GPS features.
    assert (qt / "lib" / "libQt6Positioning.so.6").is_file()
    # Left out: unused Qt modules, QML, and the server side.
    assert not (qt / "qml").exists()
    assert not list(qt.glob("lib/libQt63D*")) and not list(qt.glob("lib/libQt6Charts*"))
    assert not list(internal.glob("PySide6/QtQuick3D*")) and not list(internal.glob("PySide6/QtCharts*"))
    for name in SERVER_SIDE:
        assert not (internal / name).exists(), name
    assert bundle.size_mb < SIZE_BUDGET_MB, f"bundle is {bundle.size_mb:.0f} MiB"


def test_server_side_is_not_in_the_archive(bundle: Bundle) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    modules = set(CArchiveReader(str(bundle.executable)).open_embedded_archive("PYZ.pyz").toc)
    assert {"sync.replica", "sync.client", "fieldapp.cli", "pydantic", "requests"} <= modules
    leaked = sorted(m for m in modules if m.split(".")[0] in SERVER_SIDE)
    assert not leaked


def test_bundled_qt_libraries_resolve(bundle: Bundle) -> None:
    """Every bundled Qt library and plugin finds the Qt libraries it links (nothing the spec
    dropped is still needed). System libraries are the target machine's business."""
    qt = bundle.folder / "_internal" / "PySide6"
    files = [p for p in qt.rglob("*") if p.is_file() and ".so" in p.name]
    assert files
    missing = []
    for path in files:
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True).stdout
        missing += [
            f"{path.relative_to(qt)}: {line.strip()}"
            for line in out.splitlines()
            if "not found" in line and ("Qt6" in line or "pyside" in line or "shiboken" in line)
        ]
    assert not missing, "\n".join(missing)
