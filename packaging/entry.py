"""Entry script of the frozen Field app (PyInstaller): the same `main` as the `fieldapp` command.

With FIELDAPP_BUNDLE_IMPORT_CHECK=1 it instead imports every module of `sync` and `fieldapp`
(except the developer demo) and prints "bundle imports ok: N modules": the packaging test uses
this to prove that the bundle carries every dependency, including ones the self-check never
touches (the sync client, the scheduler, pydantic models).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

NOT_BUNDLED = {"fieldapp.demo"}  # starts a local case server: a developer tool, not part of the app


def import_check() -> int:
    names: list[str] = []
    failed: list[str] = []
    for package_name in ("sync", "fieldapp"):
        package = importlib.import_module(package_name)
        names.append(package_name)
        for info in pkgutil.walk_packages(package.__path__, package_name + "."):
            if info.name in NOT_BUNDLED or info.name.endswith(".__main__"):  # __main__ runs the app
                continue
            try:
                importlib.import_module(info.name)
            except Exception as exc:  # report every missing module, not just the first
                failed.append(f"{info.name}: {type(exc).__name__}: {exc}")
            else:
                names.append(info.name)
    if failed:
        print("bundle imports FAILED:\n  " + "\n  ".join(failed))
        return 1
    print(f"bundle imports ok: {len(names)} modules ({', '.join(names)})")
    return 0


def run() -> int:
    if os.environ.get("FIELDAPP_BUNDLE_IMPORT_CHECK") == "1":
        return import_check()
    from fieldapp.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(run())
