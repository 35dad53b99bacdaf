"""Layering: the core packages import no Qt and nothing from the app; the server uses
only the wire contract of sync. Checked by import-linter's contracts in pyproject.toml
and, as a second line, by a plain scan of the source."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _imports(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (REPO / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update((str(path), alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add((str(path), node.module))
    return found


def test_core_packages_import_no_qt_and_no_app() -> None:
    for package in ("sync", "maps", "caseserver"):
        bad = {
            (path, module)
            for path, module in _imports(package)
            if module.split(".")[0] in ("PySide6", "PyQt6", "PyQt5", "shiboken6", "fieldapp")
        }
        assert not bad, bad


def test_caseserver_uses_only_the_wire_contract_of_sync() -> None:
    allowed = {"sync.wire", "sync.workflow", "sync.operations", "sync.workrecord"}
    bad = {
        (path, module)
        for path, module in _imports("caseserver")
        if module.startswith("sync") and module not in allowed
    }
    assert not bad, bad


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken" in done.stdout
