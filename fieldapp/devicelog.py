"""The device's own log: `sync.log` in the profile folder, kept small (three files of 1 MB).

The sync client writes a line per request with its request id, which the case server logs
too: a support person puts the device's lines and the servers' side by side.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE = "sync.log"
_LOGGERS = ("sync", "fieldapp")


def start_device_log(profile: Path) -> Path | None:
    """Log the sync and app loggers to the profile's `sync.log` (again: to the new profile only).

    None when the folder cannot be written: the app runs on without a log.
    """
    path = profile / LOG_FILE
    try:
        profile.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1024 * 1024, backupCount=2, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.set_name("fieldapp-device-log")
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == "fieldapp-device-log"]:
            logger.removeHandler(old)
            old.close()
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return path
