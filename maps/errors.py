"""Expected failures of the map core; each message is written for the person using the app."""

from __future__ import annotations


class MapsError(Exception):
    """Base of every expected map failure; str(error) is shown to the user as is."""


class NotMBTiles(MapsError):
    """The file is not an MBTiles tile package (or is damaged)."""


class ReadOnlyTiles(MapsError):
    """The tile package was opened read-only, or its tiles are a view that cannot be written."""
