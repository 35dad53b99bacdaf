"""Offline maps: the MBTiles tile cache, prefetch and the basemap builder (no Qt)."""
