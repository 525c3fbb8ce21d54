"""Evidence pictures: the element a finding cites, outlined on the page's stored screenshot.

The browser recorded, while rendering, the box of every element the probes may cite
(``Rendered.boxes``); ``probes.base.attach_boxes`` put the box and the screenshot's path on
the evidence item. Here the picture is cut: the region around the box (the box plus a
margin, at most a viewport's size), with a thick outline drawn around the element. Nothing
is rendered again, so a re-judged run shows the same pictures as the run it judged.

Media are blocked while rendering (see crawler.browser): images show as empty boxes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

OUTLINE_COLOR = (227, 0, 125)  # #e3007d, legible on white and on dark headers
OUTLINE_WIDTH = 4
MARGIN = 160  # CSS px of context around the element
MAX_W, MAX_H = 1280, 800  # a desktop viewport: the picture never grows past it


def picture_name(screenshot: str, box: list[float]) -> str:
    """A stable file name for the outlined picture of ``box`` on ``screenshot``."""
    key = f"{screenshot} {' '.join(f'{v:.1f}' for v in box)}"
    return "outline-" + hashlib.sha1(key.encode()).hexdigest()[:12] + ".png"


def crop_box(box: list[float], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The region to cut from a screenshot of ``size`` (w, h) for ``box`` [x, y, w, h]:
    the box centred with ``MARGIN`` around it, clipped to the image and to a viewport."""
    x, y, w, h = box
    iw, ih = size
    cw = min(MAX_W, iw, max(w + 2 * MARGIN, 320))
    ch = min(MAX_H, ih, max(h + 2 * MARGIN, 200))
    left = int(max(0, min(iw - cw, x + w / 2 - cw / 2)))
    top = int(max(0, min(ih - ch, y + h / 2 - ch / 2)))
    return left, top, int(left + cw), int(top + ch)


def outline_picture(screenshot: Path, box: list[float], out: Path) -> bool:
    """Write the outlined picture of ``box`` on ``screenshot`` to ``out``. False (and no
    file) when the screenshot is missing or unreadable, or the box lies outside it."""
    from PIL import Image, ImageDraw

    try:
        with Image.open(screenshot) as im:
            im.load()
            img = im.convert("RGB")
    except (OSError, ValueError):
        return False
    x, y, w, h = box
    if w <= 0 or h <= 0 or x >= img.width or y >= img.height:
        return False
    left, top, right, bottom = crop_box(box, img.size)
    part = img.crop((left, top, right, bottom))
    draw = ImageDraw.Draw(part)
    pad = OUTLINE_WIDTH
    rect = (x - left - pad, y - top - pad, x - left + w + pad, y - top + h + pad)
    draw.rectangle(rect, outline=(255, 255, 255), width=OUTLINE_WIDTH + 3)
    draw.rectangle(rect, outline=OUTLINE_COLOR, width=OUTLINE_WIDTH)
    out.parent.mkdir(parents=True, exist_ok=True)
    part.save(out, optimize=True)
    return True
