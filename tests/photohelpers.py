"""Photo test helpers: real JPEGs with GPS EXIF, a tus client, a server with its own blob folder."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from PIL import ExifTags, Image
from s3server import S3Server
from serverproc import CaseServer, fresh_database_url, start_server
from tusclient.client import TusClient
from tusclient.uploader import Uploader

from caseserver.blobstore import blob_key

TUS = {"Tus-Resumable": "1.0.0"}


def jpeg_with_gps(width: int = 640, height: int = 480, seed: int = 0) -> bytes:
    """A real photo-like JPEG whose EXIF carries a camera, a time and a GPS position."""
    noise = Image.effect_noise((width, height), 40)
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (gradient, noise, noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    image.putpixel((seed % width, 0), (seed % 256, 7, 7))  # distinct bytes per seed
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "FieldCam"
    exif[ExifTags.Base.Model] = "Rugged 7"
    exif[ExifTags.Base.DateTime] = "2026:11:20 08:15:00"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (60.0, 10.0, 11.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (24.0, 56.0, 20.25),
    }
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class PhotoServer:
    """A case server process whose photo store is the test's own: a folder, or a bucket of a real
    S3-compatible server. The helpers read the store from outside, by its keys."""

    server: CaseServer
    blob_dir: Path
    env: dict[str, str]
    s3: S3Server | None = None
    bucket: str = ""

    @property
    def url(self) -> str:
        return self.server.url

    def keys(self, prefix: str) -> list[str]:
        """The store's keys under `prefix` (e.g. "blobs/", "uploads/<id>/")."""
        if self.s3 is not None:
            return [k.removeprefix("photos/") for k in self.s3.keys(self.bucket, f"photos/{prefix}")]
        root = self.blob_dir / prefix
        return sorted(p.relative_to(self.blob_dir).as_posix() for p in root.rglob("*") if p.is_file())

    def read(self, key: str) -> bytes:
        if self.s3 is not None:
            return self.s3.read(self.bucket, f"photos/{key}")
        return (self.blob_dir / key).read_bytes()

    def write(self, key: str, data: bytes) -> None:
        """Change an object behind the server's back (a damaged disk, a tampered bucket)."""
        if self.s3 is not None:
            self.s3.client.put_object(Bucket=self.bucket, Key=f"photos/{key}", Body=data)
        else:
            (self.blob_dir / key).write_bytes(data)

    def stored_blobs(self) -> list[str]:
        return self.keys("blobs/")

    def stored_bytes(self, sha: str) -> bytes:
        return self.read(blob_key(sha))

    def uploads_left(self) -> list[str]:
        return self.keys("uploads/")

    def upload_bytes_held(self, upload_id: str) -> int:
        """Bytes the store holds for an unfinished upload (every part, counted or not)."""
        return sum(len(self.read(key)) for key in self.keys(f"uploads/{upload_id}/"))


@contextmanager
def photo_server(backend: str, folder: Path, s3: S3Server | None = None, **env: str) -> Iterator[PhotoServer]:
    """A server with a fresh database of `backend` and its own photo store (a bucket when `s3`)."""
    blob_dir = folder / "blobs"
    bucket = s3.new_bucket() if s3 is not None else ""
    settings = {"CASESERVER_BLOB_DIR": str(blob_dir), **(s3.env(bucket) if s3 is not None else {}), **env}
    with fresh_database_url(backend, folder) as url:
        server = start_server(url, folder, **settings)
        try:
            yield PhotoServer(server, blob_dir, settings, s3, bucket)
        finally:
            server.stop()


def uploader(
    server_url: str,
    token: str,
    path: Path,
    *,
    sha: str | None = None,
    chunk_size: int = 64 * 1024,
    **extra: str,
) -> Uploader:
    """A tuspy uploader for the photo at `path`, announcing its hash and a new photo id."""
    metadata = {
        "sha256": sha or sha256(path.read_bytes()),
        "photo_id": str(uuid.uuid4()),
        "filename": path.name,
        **extra,
    }
    client = TusClient(f"{server_url}/api/v1/uploads/", headers=auth(token))
    return client.uploader(str(path), chunk_size=chunk_size, metadata=metadata)


def head_offset(upload_url: str, token: str) -> requests.Response:
    return requests.head(upload_url, headers={**TUS, **auth(token)}, timeout=30)


def blob(server_url: str, token: str, sha: str) -> requests.Response:
    return requests.get(f"{server_url}/api/v1/blobs/{sha}", headers=auth(token), timeout=30)


def push_photo(server: CaseServer, token: str, ticket_id: str, data: bytes, **meta: Any) -> str:
    """Attach a photo to a ticket through the real push, as a device's record sync does; its id.

    Bytes that are no image get a record all the same (a device may claim anything).
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except OSError:
        width, height = 640, 480
    photo_id = str(uuid.uuid4())
    value = {
        "kind": "before",
        "caption": "Pothole before repair",
        "sha256": sha256(data),
        "size": len(data),
        "width": width,
        "height": height,
        "taken_at": "2026-11-20T08:15:00Z",
        **meta,
    }
    op = {
        "op_id": photo_id,
        "ticket_id": ticket_id,
        "kind": "photo",
        "value": value,
        "device_time": "2026-11-20T08:16:00Z",
    }
    r = requests.post(f"{server.url}/api/v1/push", json={"ops": [op]}, headers=auth(token), timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["outcome"] == "applied", r.text
    return photo_id


def north_ticket(server: CaseServer) -> str:
    """A new ticket of crew north (aino's and eero's), made by the admin; its id."""
    return str(server.create_ticket(server.token("admin"), assigned_crew="north")["id"])


def recorded_uploader(
    photos: PhotoServer,
    token: str,
    path: Path,
    *,
    sha: str | None = None,
    ticket_id: str | None = None,
    chunk_size: int = 64 * 1024,
) -> Uploader:
    """An uploader for a photo whose record was pushed first (to a new ticket of crew north), as on a device.

    The record carries `sha` (default: the file's hash), so a record and bytes that
    disagree can be made on purpose.
    """
    data = path.read_bytes()
    meta = {"sha256": sha} if sha else {}
    photo_id = push_photo(photos.server, token, ticket_id or north_ticket(photos.server), data, **meta)
    return uploader(photos.url, token, path, sha=sha, chunk_size=chunk_size, photo_id=photo_id)
