"""Draw the Field app icon: a white wrench on a rounded city-orange square.

Run from the repository root:  .venv/bin/python packaging/make_icon.py
Writes resources/icons/fieldapp.png (256x256), fieldapp.ico (16..256) and fieldapp.icns.
Drawn at 1024 px and scaled down, so every size is anti-aliased. Needs only Pillow.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"

CANVAS = 1024
ORANGE = (242, 107, 29, 255)  # city orange
ORANGE_DARK = (196, 78, 14, 255)  # shading at the bottom edge
WHITE = (255, 255, 255, 255)
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def draw(size: int = CANVAS) -> Image.Image:
    """The icon at `size` pixels (drawn at CANVAS and scaled)."""
    img = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = CANVAS / 1024

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        return (round(x0 * s), round(y0 * s), round(x1 * s), round(y1 * s))

    # Background: a rounded square with a slightly darker lower edge for depth.
    margin, radius = 48, 200
    d.rounded_rectangle(box(margin, margin + 16, 1024 - margin, 1024 - margin), radius, fill=ORANGE_DARK)
    d.rounded_rectangle(box(margin, margin, 1024 - margin, 1024 - margin - 16), radius, fill=ORANGE)

    # A white open-end wrench, drawn level on its own layer and turned 45 degrees:
    # jaw at the upper right, ring end at the lower left.
    layer = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    w = ImageDraw.Draw(layer)
    clear = (0, 0, 0, 0)
    cy = 512
    w.rounded_rectangle(box(250, cy - 52, 720, cy + 52), round(52 * s), fill=WHITE)  # handle
    w.ellipse(box(150, cy - 100, 350, cy + 100), fill=WHITE)  # ring end
    w.ellipse(box(205, cy - 45, 295, cy + 45), fill=clear)  # its hole
    w.ellipse(box(610, cy - 150, 910, cy + 150), fill=WHITE)  # head
    w.rectangle(box(790, cy - 62, 930, cy + 62), fill=clear)  # jaw opening
    w.ellipse(box(728, cy - 62, 852, cy + 62), fill=clear)  # rounded throat of the jaw
    layer = layer.rotate(45, resample=Image.Resampling.BICUBIC, center=(CANVAS / 2, CANVAS / 2))
    img.alpha_composite(layer)

    return img if size == CANVAS else img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    big.resize((256, 256), Image.Resampling.LANCZOS).save(OUT / "fieldapp.png", optimize=True)
    big.save(OUT / "fieldapp.ico", sizes=ICO_SIZES)
    written = ["fieldapp.png", "fieldapp.ico"]
    try:
        big.save(OUT / "fieldapp.icns")  # Pillow writes every ICNS size up to 1024 from one image
        written.append("fieldapp.icns")
    except (OSError, ValueError, KeyError) as exc:  # pragma: no cover - older Pillow without ICNS save
        print(f"fieldapp.icns skipped: {exc}", file=sys.stderr)
    print("wrote " + ", ".join(str(OUT / name) for name in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
