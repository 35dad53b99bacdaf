#!/usr/bin/env bash
# The system packages the app needs that pip cannot install: the shared libraries of
# Qt's window plugin (xcb), WebEngine, Multimedia and Positioning; python3-venv before
# the venv exists; with --ci also chromium (the status page tests' browser) and haproxy
# (the load balancer in front of two server processes in the scale-out tests).
#
# Finds what is missing (`ldd ... | grep 'not found'` over the PySide6 wheel), maps each
# library to its Debian/Ubuntu package (packaging/system-libs.txt) and, as root with
# apt-get, installs them; otherwise prints one line naming them and exits 1.
#
#   packaging/system-deps.sh [--python VENV_PYTHON] [--base-python PYTHON] [--ci]
#                            [--scan FILE ...] [--table FILE] [--dry-run]
#
# --dry-run prints what it would install (exit 0) and changes nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
table="$here/system-libs.txt"
python=""
base_python=""
ci=0
dry_run=0
scan=()
while [ $# -gt 0 ]; do
    case "$1" in
        --python) python="$2"; shift 2 ;;
        --base-python) base_python="$2"; shift 2 ;;
        --ci) ci=1; shift ;;
        --scan) scan+=("$2"); shift 2 ;;
        --table) table="$2"; shift 2 ;;
        --dry-run) dry_run=1; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "system-deps: unknown option $1" >&2; exit 2 ;;
    esac
done

[ "$(uname -s)" = Linux ] || exit 0  # Windows and macOS wheels carry what they need

packages=()
unknown=()
add_package() {
    local p
    for p in "${packages[@]+"${packages[@]}"}"; do [ "$p" = "$1" ] && return 0; done
    packages+=("$1")
}

# python3-venv: Debian splits `python3 -m venv` out of python3.
if [ -n "$base_python" ] && ! "$base_python" -c 'import ensurepip, venv' 2>/dev/null; then
    add_package "python3-venv"
fi

# The Qt files the app loads (or the files given with --scan).
if [ ${#scan[@]} -eq 0 ] && [ -n "$python" ]; then
    qt="$("$python" -c 'import os, PySide6; print(os.path.join(os.path.dirname(PySide6.__file__), "Qt"))' 2>/dev/null || true)"
    if [ -n "$qt" ] && [ -d "$qt" ]; then
        for f in "$qt"/lib/libQt6{Core,Gui,Widgets,Network,OpenGL,DBus,XcbQpa,WebEngineCore,WebEngineWidgets,WebChannel,Multimedia,Positioning,SerialPort,Svg,Quick,Qml}.so.6 \
                 "$qt"/plugins/platforms/libqxcb.so "$qt"/plugins/xcbglintegrations/*.so \
                 "$qt"/plugins/multimedia/*.so "$qt"/plugins/position/*.so \
                 "$qt"/plugins/imageformats/*.so "$qt"/plugins/tls/*.so "$qt"/libexec/QtWebEngineProcess; do
            [ -e "$f" ] && scan+=("$f")
        done
    else
        echo "system-deps: cannot find PySide6's Qt with $python; is the venv installed?" >&2
        exit 1
    fi
fi

if [ ${#scan[@]} -gt 0 ]; then
    missing="$(ldd "${scan[@]}" 2>/dev/null | awk '/=> not found/ {print $1}' | sort -u)"
    for soname in $missing; do
        package="$(awk -v s="$soname" '$1 == s {print $2}' "$table")"
        if [ -n "$package" ]; then add_package "$package"; else unknown+=("$soname"); fi
    done
fi

if [ "$ci" = 1 ] && ! command -v chromium >/dev/null; then
    add_package "chromium"
fi
if [ "$ci" = 1 ] && ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
    add_package "haproxy"
fi

if [ ${#unknown[@]} -gt 0 ]; then
    echo "system-deps: missing libraries without a known package: ${unknown[*]}" >&2
fi
if [ ${#packages[@]} -eq 0 ]; then
    [ ${#unknown[@]} -eq 0 ] && echo "system-deps: every system library the app needs is present"
    [ ${#unknown[@]} -eq 0 ]
    exit
fi

command=(apt-get install -y -qq --no-install-recommends "${packages[@]}")
if [ "$dry_run" = 1 ]; then
    echo "system-deps: missing: ${packages[*]}"
    echo "system-deps: would run: ${command[*]}"
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "system-deps: installing ${packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${command[@]}" >/dev/null
    exit 0
fi
echo "system-deps: missing system packages: ${packages[*]}; install them with: sudo apt-get install ${packages[*]}" >&2
exit 1
