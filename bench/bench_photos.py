"""Photo pipeline benchmark: one 12-megapixel camera photo processed on the device.

    .venv/bin/python bench/bench_photos.py [--runs 7]

The source is a 4000×3000 JPEG (quality 92, photo-like content: gradients, blurred
texture and fine grain, about 4–6 MB) with EXIF orientation 6 (taken upright), a
capture time and a GPS position, made once in a temporary folder.

Measured (median of --runs, each into a fresh output folder):
- pipeline: `sync.photos.process_photo` end to end: decode, EXIF, downscale to
  2560 px, turn upright, thumbnail, two JPEG encodes with fsync, SHA-256.
- floor: a plain full-size decode and re-encode of the same image at the same
  quality (what any tool that touches every pixel pays), and decode alone.
Goal: the pipeline under 1 s.
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import ExifTags, Image, ImageFilter, features

from sync.photos import PipelineSettings, process_photo

SIZE = (4000, 3000)


def camera_jpeg(path: Path) -> Path:
    """A photo-like 12 MP JPEG with the EXIF a phone or tablet camera writes."""
    width, height = SIZE
    sky = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    texture = Image.effect_noise((width // 4, height // 4), 90).resize((width, height)).convert("RGB")
    texture = texture.filter(ImageFilter.GaussianBlur(3))
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    image = Image.blend(Image.blend(sky, texture, 0.45), grain, 0.4)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "FieldCam"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:20 08:15:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (60.0, 10.0, 11.5)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", (24.0, 56.0, 20.25)
    image.save(path, "JPEG", quality=92, exif=exif.tobytes())
    return path


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    settings = PipelineSettings()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = camera_jpeg(folder / "camera.jpg")
        print(
            f"Python {platform.python_version()}, Pillow {Image.__version__}, "
            f"libjpeg-turbo {features.version('libjpeg_turbo') or 'no'}, {platform.machine()}"
        )
        print(f"source: {SIZE[0]}×{SIZE[1]}, {source.stat().st_size / 1e6:.1f} MB, EXIF orientation 6, GPS")

        counter = iter(range(10_000))

        def pipeline() -> None:
            process_photo(source, folder / f"out{next(counter)}", "photo", settings=settings)

        def decode() -> None:
            with Image.open(source) as image:
                image.load()

        def decode_encode() -> None:
            with Image.open(source) as image:
                image.load()
                image.save(io.BytesIO(), "JPEG", quality=settings.quality)

        pipeline()  # warm up (imports, file cache)
        result = process_photo(source, folder / "check", "photo", settings=settings)
        rows = [
            ("pipeline (process_photo)", timed(pipeline, args.runs)),
            ("floor: decode + encode, full size", timed(decode_encode, args.runs)),
            ("floor: decode only, full size", timed(decode, args.runs)),
        ]
        print(
            f"stored: {result.width}×{result.height}, {result.size / 1e6:.2f} MB, "
            f"thumbnail {Image.open(result.thumb_path).size}, quality {settings.quality}"
        )
        print(f"{'what':<36} {'median':>8} {'min':>8} {'max':>8}   (seconds, {args.runs} runs)")
        for name, times in rows:
            print(f"{name:<36} {statistics.median(times):8.3f} {min(times):8.3f} {max(times):8.3f}")
        goal = statistics.median(rows[0][1])
        print(f"goal: under 1 s -> {'met' if goal < 1.0 else 'NOT met'} ({goal:.3f} s)")


if __name__ == "__main__":
    main()
