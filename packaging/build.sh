#!/usr/bin/env bash
# Build the one-folder Field app bundle (Linux): dist/fieldapp/fieldapp plus its .desktop file and
# icon. Run from anywhere; paths are relative to the repository root. See docs/packaging.md.
#
#   packaging/build.sh                      # -> dist/fieldapp/
#   DIST_DIR=/tmp/out WORK_DIR=/tmp/work packaging/build.sh
#
# DIST_DIR, WORK_DIR: output and scratch folders (default dist, build/pyinstaller);
# PYINSTALLER: the pyinstaller to run (default .venv/bin/pyinstaller).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIST_DIR="${DIST_DIR:-dist}"
WORK_DIR="${WORK_DIR:-build/pyinstaller}"
PYINSTALLER="${PYINSTALLER:-.venv/bin/pyinstaller}"

start=$(date +%s)
"$PYINSTALLER" --noconfirm --clean packaging/fieldapp.spec --distpath "$DIST_DIR" --workpath "$WORK_DIR"

bundle="$DIST_DIR/fieldapp"
install -m 644 packaging/fieldapp.desktop "$bundle/fieldapp.desktop"
install -m 644 resources/icons/fieldapp.png "$bundle/fieldapp.png"

echo "built $bundle in $(($(date +%s) - start)) s, $(du -sh "$bundle" | cut -f1)"
