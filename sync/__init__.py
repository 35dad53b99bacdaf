"""Device side of sync: the local replica, the outbox, the sync client and scheduler.

Imports no Qt and nothing from `fieldapp`; a GUI observes it through `sync.events`.
"""
