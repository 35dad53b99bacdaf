"""Photo records of the replica: the device's file, hash and upload state of each photo.

A photo is a row in `photos` plus a 'photo' op in the outbox carrying its metadata;
both are written in one transaction. The bytes go through the upload queue
(sync.uploads) on their own. Upload states: queued -> uploading -> uploaded ->
confirmed, or failed (with the server's reason). Paths are stored relative to the
profile folder.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sync.errors import LocalError
from sync.replicadb import from_json as _u
from sync.replicadb import now_iso
from sync.wire import PhotoMeta

if TYPE_CHECKING:
    from sync.photos import ProcessedPhoto

PHOTOS_DIR = "photos"


class PhotoRecords:
    """The photo part of `sync.replica.Replica` (mixed in; it uses the replica's connection
    and outbox)."""

    conn: sqlite3.Connection
    path: Path

    if TYPE_CHECKING:

        def get(self, key: str, default: Any = None) -> Any: ...
        def _put(self, values: dict[str, Any]) -> None: ...
        def _append(self, op: dict[str, Any]) -> dict[str, Any]: ...
        def _new_op(self, ticket_id: str, kind: str, **fields: Any) -> dict[str, Any]: ...
        def ticket(self, ticket_id: str) -> dict[str, Any]: ...

    # A photo is a row in `photos` (this device's file, hash and upload state) plus a
    # 'photo' op in the outbox carrying its metadata; both are written in one
    # transaction. The bytes go through the upload queue (sync.uploads) on their own.
    # Upload states: queued -> uploading -> uploaded -> confirmed, or failed (with the
    # server's reason). Paths are stored relative to the profile folder.

    @property
    def profile_dir(self) -> Path:
        return self.path.parent

    @property
    def photos_dir(self) -> Path:
        return self.profile_dir / PHOTOS_DIR

    @property
    def free_space_chosen(self) -> bool:
        """Whether the user chose to remove originals from the device once the server has them."""
        return bool(self.get("photos_free_space", False))

    def choose_free_space(self, enabled: bool) -> None:
        """Remember the choice; it applies to every photo not yet removed, old and new."""
        with self.conn:
            self._put({"photos_free_space": bool(enabled)})
            self.conn.execute(
                "UPDATE photos SET free_space = ? WHERE local_removed_at IS NULL", (int(bool(enabled)),)
            )

    def add_photo(
        self,
        ticket_id: str,
        photo: ProcessedPhoto,
        *,
        kind: str,
        caption: str = "",
        for_reporter: bool = True,
    ) -> dict[str, Any]:
        """Record a processed photo and queue its 'photo' op, in one transaction."""
        try:
            meta = PhotoMeta(
                kind=kind,  # type: ignore[arg-type]
                caption=caption.strip(),
                sha256=photo.sha256,
                size=photo.size,
                width=photo.width,
                height=photo.height,
                taken_at=photo.taken_at,  # type: ignore[arg-type]
                position=photo.position,  # type: ignore[arg-type]
                for_reporter=for_reporter,
            )
        except ValueError as exc:
            raise LocalError(f"this photo cannot be attached: {_first_error(exc)}") from exc
        value = meta.model_dump(mode="json", exclude_none=True)
        position = value.get("position")
        with self.conn:
            self.ticket(ticket_id)
            self.conn.execute(
                "INSERT INTO photos (id, ticket_id, kind, caption, for_reporter, sha256, size, width, "
                "height, content_type, taken_at, lat, lon, accuracy_m, path, thumb_path, created_at, "
                "free_space) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    photo.id,
                    ticket_id,
                    meta.kind,
                    meta.caption,
                    int(meta.for_reporter),
                    meta.sha256,
                    meta.size,
                    meta.width,
                    meta.height,
                    meta.content_type,
                    value.get("taken_at"),
                    position["lat"] if position else None,
                    position["lon"] if position else None,
                    position.get("accuracy_m") if position else None,
                    self._relative(photo.path),
                    self._relative(photo.thumb_path),
                    now_iso(),
                    int(self.free_space_chosen),
                ),
            )
            op = self._new_op(ticket_id, "photo", value=value, position=position)
            op["op_id"] = photo.id
            self._append(op)
        return self.photo(photo.id)

    def _relative(self, path: Path) -> str:
        try:
            return str(Path(path).resolve().relative_to(self.profile_dir.resolve()))
        except ValueError:
            return str(path)

    def _absolute(self, stored: str | None) -> Path | None:
        return None if stored is None else self.profile_dir / stored

    def _photo_from_row(self, row: sqlite3.Row | tuple[Any, ...], cols: list[str]) -> dict[str, Any]:
        photo = dict(zip(cols, row, strict=True))
        photo["for_reporter"] = bool(photo["for_reporter"])
        photo["free_space"] = bool(photo["free_space"])
        photo["path"] = self._absolute(photo["path"])
        photo["thumb_path"] = self._absolute(photo["thumb_path"])
        photo["origin"] = "device"
        return photo

    def _photo_rows(self, where: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
        cursor = self.conn.execute(f"SELECT * FROM photos WHERE {where} ORDER BY created_at, id", args)
        cols = [d[0] for d in cursor.description]
        return [self._photo_from_row(row, cols) for row in cursor.fetchall()]

    def photo(self, photo_id: str) -> dict[str, Any]:
        rows = self._photo_rows("id = ?", (photo_id,))
        if not rows:
            raise LocalError(f"no photo {photo_id} on this device")
        photo = rows[0]
        photo["op_pending"] = self._photo_op_pending(photo_id)
        return photo

    def _photo_op_pending(self, photo_id: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM outbox WHERE op_id = ? AND acked_version IS NULL", (photo_id,)
        ).fetchone()
        return row is not None

    def photos(self, ticket_id: str) -> list[dict[str, Any]]:
        """The ticket's photos: this device's (with upload state) and those the server lists."""
        local = self._photo_rows("ticket_id = ?", (ticket_id,))
        known = {p["id"] for p in local}
        out = list(local)
        row = self.conn.execute("SELECT photos FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        for doc in (_u(row[0]) if row else None) or []:
            if doc["id"] in known:
                continue
            position = doc.get("position") or {}
            out.append(
                {
                    **doc,
                    "ticket_id": ticket_id,
                    "lat": position.get("lat"),
                    "lon": position.get("lon"),
                    "path": None,
                    "thumb_path": None,
                    "upload_state": "remote",
                    "bytes_sent": 0,
                    "upload_error": None,
                    "origin": "server",
                }
            )
        return out

    def photos_to_upload(self) -> list[dict[str, Any]]:
        """Photos whose bytes still have to reach the server and whose metadata already did.

        A photo whose op the server refused is marked failed with the server's reason first.
        """
        with self.conn:
            self.conn.execute(
                "UPDATE photos SET upload_state = 'failed', upload_error = (SELECT "
                "'the server refused this photo: ' || coalesce(reason, 'no reason given') "
                "FROM rejected WHERE rejected.op_id = photos.id) "
                "WHERE upload_state != 'failed' AND id IN (SELECT op_id FROM rejected)"
            )
        return self._photo_rows(
            "upload_state IN ('queued', 'uploading', 'uploaded') "
            "AND id NOT IN (SELECT op_id FROM outbox WHERE acked_version IS NULL)",
            (),
        )

    def photos_to_free(self) -> list[dict[str, Any]]:
        """Confirmed photos whose original may go (the user chose to free space)."""
        return self._photo_rows("upload_state = 'confirmed' AND free_space = 1 AND path IS NOT NULL", ())

    def update_photo(self, photo_id: str, **values: Any) -> None:
        """Record upload progress or state (upload_url, bytes_sent, upload_state, upload_error, ...)."""
        allowed = {"upload_state", "upload_url", "bytes_sent", "upload_error", "attempts", "confirmed_at"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"not an upload column: {', '.join(sorted(unknown))}")
        sets = ", ".join(f"{name} = ?" for name in values)
        with self.conn:
            self.conn.execute(f"UPDATE photos SET {sets} WHERE id = ?", (*values.values(), photo_id))

    def mark_confirmed(self, photo_id: str) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE photos SET upload_state = 'confirmed', confirmed_at = ?, upload_error = NULL, "
                "upload_url = NULL WHERE id = ?",
                (now_iso(), photo_id),
            )

    def mark_local_removed(self, photo_id: str) -> None:
        """The original left the device (after the server confirmed it); the thumbnail stays."""
        with self.conn:
            self.conn.execute(
                "UPDATE photos SET path = NULL, local_removed_at = ? "
                "WHERE id = ? AND upload_state = 'confirmed'",
                (now_iso(), photo_id),
            )

    def retry_photo(self, photo_id: str) -> None:
        """Queue a failed upload again (the user asked to)."""
        with self.conn:
            self.conn.execute(
                "UPDATE photos SET upload_state = 'queued', upload_error = NULL, upload_url = NULL, "
                "bytes_sent = 0 WHERE id = ? AND upload_state = 'failed' "
                "AND id NOT IN (SELECT op_id FROM rejected)",
                (photo_id,),
            )

    def upload_counts(self) -> dict[str, int]:
        counts = dict(
            self.conn.execute("SELECT upload_state, count(*) FROM photos GROUP BY upload_state").fetchall()
        )
        waiting = sum(counts.get(state, 0) for state in ("queued", "uploading", "uploaded"))
        return {
            "waiting": waiting,
            "failed": counts.get("failed", 0),
            "confirmed": counts.get("confirmed", 0),
        }


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return str(exc)
