"""The photo pipeline on the device: one camera or card image in, one stored photo out.

Orientation from EXIF applied; downscaled to a longest edge (default 2560 px); saved as
JPEG (default quality 85) with a thumbnail for lists; capture time and GPS read from
EXIF when present (else the device's own position is used); SHA-256 of the stored file.
Files go to ``<profile>/photos/<photo id>.jpg`` and ``<photo id>.thumb.jpg``.

What the stored JPEG keeps of the original's metadata: only the capture time
(DateTimeOriginal and its UTC offset). No GPS, camera make/model, serial numbers,
maker notes or thumbnails: the location travels as the photo's metadata
(sync.wire.PhotoMeta.position), where the city's records keep it, and the server's
public copies carry no EXIF at all.

A file that is not an image (or is broken) raises PhotoError and leaves nothing behind.
Pillow only; no Qt.
"""

from __future__ import annotations

import os
import tempfile
import uuid
import warnings
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from PIL import ExifTags, Image, UnidentifiedImageError

from sync.errors import LocalError
from sync.wire import PhotoKind, file_sha256

if TYPE_CHECKING:
    from sync.replica import Replica

PHOTO_KINDS: tuple[str, ...] = get_args(PhotoKind)

#: Longest edge of a stored photo, in pixels.
DEFAULT_MAX_EDGE = 2560
DEFAULT_QUALITY = 85
THUMB_EDGE = 320
THUMB_QUALITY = 75
#: Largest source image accepted, in pixels (a 100-megapixel camera is far beyond any tablet).
MAX_SOURCE_PIXELS = 120_000_000
PHOTOS_FOLDER = "photos"

# EXIF Orientation -> the transpose that makes the pixels upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_TAG = ExifTags.Base
_GPS = ExifTags.GPS


class PhotoError(LocalError):
    """The file cannot become a photo (not an image, broken, too big); nothing was stored."""


#: Replica setting holding the profile's choices (max_edge, quality).
SETTINGS_KEY = "photo_settings"
MAX_EDGE_RANGE = (640, 8000)
QUALITY_RANGE = (40, 95)


@dataclass(frozen=True)
class PipelineSettings:
    max_edge: int = DEFAULT_MAX_EDGE
    quality: int = DEFAULT_QUALITY
    thumb_edge: int = THUMB_EDGE
    thumb_quality: int = THUMB_QUALITY

    @classmethod
    def of_profile(cls, replica: Replica) -> PipelineSettings:
        """The profile's settings (`save_settings`), the defaults where it chose none."""
        chosen = replica.get(SETTINGS_KEY) or {}
        return cls(
            max_edge=int(chosen.get("max_edge", DEFAULT_MAX_EDGE)),
            quality=int(chosen.get("quality", DEFAULT_QUALITY)),
        )


def save_settings(
    replica: Replica, *, max_edge: int | None = None, quality: int | None = None
) -> PipelineSettings:
    """Change the profile's longest photo edge and JPEG quality; bad values change nothing."""
    current = PipelineSettings.of_profile(replica)
    edge = current.max_edge if max_edge is None else max_edge
    chosen_quality = current.quality if quality is None else quality
    if not MAX_EDGE_RANGE[0] <= edge <= MAX_EDGE_RANGE[1]:
        raise PhotoError(f"the longest edge must be {MAX_EDGE_RANGE[0]} to {MAX_EDGE_RANGE[1]} pixels")
    if not QUALITY_RANGE[0] <= chosen_quality <= QUALITY_RANGE[1]:
        raise PhotoError(f"the JPEG quality must be {QUALITY_RANGE[0]} to {QUALITY_RANGE[1]}")
    replica.put(**{SETTINGS_KEY: {"max_edge": edge, "quality": chosen_quality}})
    return PipelineSettings.of_profile(replica)


@dataclass(frozen=True)
class ProcessedPhoto:
    """A photo stored in the profile folder, ready for the replica and the upload queue."""

    id: str
    path: Path
    thumb_path: Path
    sha256: str
    size: int
    width: int
    height: int
    #: Capture time (UTC, ISO 8601 with Z), from EXIF; None when the file does not say.
    taken_at: str | None
    #: sync.wire.Position as a dict: from EXIF GPS, else the device's position passed in.
    position: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"], data["thumb_path"] = str(self.path), str(self.thumb_path)
        return data


def photos_folder(profile: Path) -> Path:
    return Path(profile) / PHOTOS_FOLDER


# -- EXIF ----------------------------------------------------------------------------
def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _offset(raw: Any) -> timezone | None:
    """'+03:00' -> a timezone; None when absent or malformed."""
    if not isinstance(raw, str) or len(raw) < 6 or raw[0] not in "+-":
        return None
    try:
        hours, minutes = int(raw[1:3]), int(raw[4:6])
    except ValueError:
        return None
    sign = 1 if raw[0] == "+" else -1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def exif_taken_at(exif: Image.Exif) -> str | None:
    """DateTimeOriginal (else DateTime) as UTC; without an offset tag it is the device's local time."""
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    raw = sub.get(_TAG.DateTimeOriginal) or exif.get(_TAG.DateTime)
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone = _offset(sub.get(_TAG.OffsetTimeOriginal) or sub.get(_TAG.OffsetTime))
    moment = moment.replace(tzinfo=zone) if zone else moment.astimezone()  # local wall clock
    return _iso(moment)


def _degrees(value: Any) -> float | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return d + m / 60 + s / 3600


def exif_position(exif: Image.Exif) -> dict[str, Any] | None:
    """The GPS position of the EXIF, as sync.wire.Position; None when absent or nonsense."""
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    lat, lon = _degrees(gps.get(_GPS.GPSLatitude)), _degrees(gps.get(_GPS.GPSLongitude))
    if lat is None or lon is None:
        return None
    if str(gps.get(_GPS.GPSLatitudeRef, "N")).upper().startswith("S"):
        lat = -lat
    if str(gps.get(_GPS.GPSLongitudeRef, "E")).upper().startswith("W"):
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    position: dict[str, Any] = {"lat": round(lat, 7), "lon": round(lon, 7)}
    error = gps.get(_GPS.GPSHPositioningError)
    try:
        if error is not None and 0 <= float(error) <= 100_000:
            position["accuracy_m"] = float(error)
    except (TypeError, ValueError, ZeroDivisionError):
        pass
    return position


def _kept_exif(taken_at: str | None) -> bytes:
    """The EXIF the stored JPEG carries: the capture time only (in UTC, with its offset)."""
    if taken_at is None:
        return b""
    exif = Image.Exif()
    moment = datetime.fromisoformat(taken_at.replace("Z", "+00:00"))
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[_TAG.DateTimeOriginal] = moment.strftime("%Y:%m:%d %H:%M:%S")
    sub[_TAG.OffsetTimeOriginal] = "+00:00"
    return exif.tobytes()


# -- the pipeline -----------------------------------------------------------------------
def _fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """`size` scaled so that its longest side is `edge` (never enlarged)."""
    width, height = size
    scale = min(1.0, edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _open(source: Path, max_edge: int) -> Image.Image:
    if not source.is_file():
        raise PhotoError(f"{source.name}: no such file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise PhotoError(f"{source.name}: the image is too large ({image.width}×{image.height})")
            if image.format == "JPEG":
                # Let the decoder skip detail we would throw away (keeps at least the target size).
                image.draft("RGB", _fit(image.size, max_edge))
            image.load()
    except PhotoError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoError(f"{source.name}: not an image this app can read") from exc
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise PhotoError(f"{source.name}: the image is damaged and cannot be read ({exc})") from exc
    return image


def _upright(image: Image.Image, orientation: Any) -> Image.Image:
    method = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(method) if method is not None else image


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _save_jpeg(image: Image.Image, target: Path, quality: int, exif: bytes = b"") -> None:
    """Write atomically: a temporary file beside the target, then a rename."""
    fd, staging = tempfile.mkstemp(dir=target.parent, prefix=".incoming-", suffix=".jpg")
    os.close(fd)
    try:
        image.save(staging, "JPEG", quality=quality, optimize=True, exif=exif)
        with open(staging, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(staging, target)
    finally:
        Path(staging).unlink(missing_ok=True)


def process_photo(
    source: str | Path,
    folder: str | Path,
    photo_id: str,
    *,
    position: dict[str, Any] | None = None,
    settings: PipelineSettings | None = None,
) -> ProcessedPhoto:
    """Turn `source` into a stored photo under `folder`; raises PhotoError and stores nothing on bad input.

    `position` (sync.wire.Position as a dict) is the device's position now, used when the
    file carries no GPS of its own.
    """
    settings = settings or PipelineSettings()
    source, folder = Path(source), Path(folder)
    image = _open(source, settings.max_edge)
    try:
        exif = image.getexif()
        taken_at = exif_taken_at(exif)
        found = exif_position(exif)
        orientation = exif.get(_TAG.Orientation)
        pixels = _rgb(image)
        if max(pixels.size) > settings.max_edge:
            # Downscale first, then turn upright: both are cheaper on fewer pixels.
            target = _fit(pixels.size, settings.max_edge)
            pixels = pixels.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
        pixels = _upright(pixels, orientation)
        if pixels is image:
            pixels = image.copy()  # the original is closed below
        thumb = pixels.copy()
        thumb.thumbnail((settings.thumb_edge, settings.thumb_edge), Image.Resampling.LANCZOS)
    except (OSError, ValueError) as exc:
        raise PhotoError(f"{source.name}: the image is damaged and cannot be read ({exc})") from exc
    finally:
        image.close()

    folder.mkdir(parents=True, exist_ok=True)
    path, thumb_path = folder / f"{photo_id}.jpg", folder / f"{photo_id}.thumb.jpg"
    try:
        _save_jpeg(pixels, path, settings.quality, _kept_exif(taken_at))
        _save_jpeg(thumb, thumb_path, settings.thumb_quality)
    except BaseException:
        path.unlink(missing_ok=True)
        thumb_path.unlink(missing_ok=True)
        raise
    return ProcessedPhoto(
        id=photo_id,
        path=path,
        thumb_path=thumb_path,
        sha256=file_sha256(path),
        size=path.stat().st_size,
        width=pixels.width,
        height=pixels.height,
        taken_at=taken_at,
        position=found or position,
    )


def discard(photo: ProcessedPhoto) -> None:
    """Remove a processed photo's files (when it could not be recorded)."""
    photo.path.unlink(missing_ok=True)
    photo.thumb_path.unlink(missing_ok=True)


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif")


def images_in(folder: str | Path) -> list[Path]:
    """The image files of a folder and its subfolders (a camera card), in name order."""
    root = Path(folder)
    if not root.is_dir():
        raise PhotoError(f"{root}: no such folder")
    found = [p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    return sorted(found, key=lambda p: str(p.relative_to(root)).lower())


def attach_photo(
    replica: Replica,
    ticket_id: str,
    source: str | Path,
    *,
    kind: str,
    caption: str = "",
    for_reporter: bool = True,
    position: dict[str, Any] | None = None,
    settings: PipelineSettings | None = None,
) -> dict[str, Any]:
    """Process `source` and attach it to the ticket (photos row + 'photo' op, one transaction).

    Nothing is left behind when the file is bad or the photo cannot be recorded.
    """
    if kind not in PHOTO_KINDS:
        raise PhotoError(f"a photo is one of {', '.join(PHOTO_KINDS)}, not {kind!r}")
    replica.ticket(ticket_id)  # an unknown ticket fails before any work
    settings = settings or PipelineSettings.of_profile(replica)
    photo = process_photo(source, replica.photos_dir, str(uuid.uuid4()), position=position, settings=settings)
    try:
        return replica.add_photo(ticket_id, photo, kind=kind, caption=caption, for_reporter=for_reporter)
    except BaseException:
        discard(photo)
        raise
