"""What the PDF documents draw with, on a bare reportlab canvas: text wrapped to a width
(long words such as hashes cut where they must, after a `-` or `/` when one is near),
colours from `#rrggbb`, and QR codes drawn as vectors (segno's module matrix as one
filled path, no image)."""

from __future__ import annotations

import segno
from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white around a QR code, as the standard asks


def colour(hex_rgb: str) -> Color:
    """`#rrggbb` as a reportlab colour."""
    return HexColor(hex_rgb)


def tint(base: Color, amount: float) -> Color:
    """`base` mixed with white: 0 is `base`, 1 is white."""
    return Color(*(part + (1 - part) * amount for part in (base.red, base.green, base.blue)))


def width_of(text: str, font: str, size: float) -> float:
    """How wide `text` is drawn: Courier's glyphs are all 600 units wide, other fonts are
    measured."""
    if font.startswith("Courier"):
        return len(text) * size * 0.6
    return stringWidth(text, font, size)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """`text` in lines no wider than `width` (at least one line, possibly empty): words
    are kept whole when they fit a line, cut otherwise; line breaks in `text` are kept.
    (The standard fonts are not kerned: a line is as wide as its words and spaces.)"""
    if "\n" not in text and width_of(text, font, size) <= width:
        return [text]  # most values: one measure
    space = width_of(" ", font, size)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0.0
        for whole in paragraph.split(" "):
            wide = width_of(whole, font, size)
            if line and used + space + wide <= width:
                line, used = f"{line} {whole}", used + space + wide
                continue
            if line:
                lines.append(line)
            word = whole
            while wide > width:
                cut = _cut(word, font, size, width)
                lines.append(word[:cut])
                word = word[cut:]
                wide = width_of(word, font, size)
            line, used = word, wide
        lines.append(line)
    return lines


def _cut(word: str, font: str, size: float, width: float) -> int:
    """Where to cut a word too wide for a line: after the last `-` or `/` that fits, if
    it is in the second half of what fits, else after as many characters as fit."""
    low, high = 1, len(word)  # the longest prefix that fits, by bisection (at least 1)
    while low < high:
        middle = (low + high + 1) // 2
        if width_of(word[:middle], font, size) <= width:
            low = middle
        else:
            high = middle - 1
    soft = max(word.rfind("-", 0, low), word.rfind("/", 0, low)) + 1
    return soft if soft > low // 2 else low


def draw_qr(pdf: Canvas, data: str, x: float, y: float, size: float) -> None:
    """`data` as a QR code (error correction at least M) filling the square of side
    `size` whose lower left corner is (`x`, `y`), quiet zone included: each row's runs of
    dark modules are rectangles of one path, filled in the current fill colour."""
    matrix = segno.make(data, error="m", micro=False).matrix
    module = size / (len(matrix) + 2 * QUIET_ZONE)
    left = x + QUIET_ZONE * module
    top = y + size - QUIET_ZONE * module
    path = pdf.beginPath()
    for row_index, row in enumerate(matrix):
        bottom = top - (row_index + 1) * module
        start = None
        for column, dark in enumerate((*row, 0)):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                path.rect(left + start * module, bottom, (column - start) * module, module)
                start = None
    pdf.drawPath(path, stroke=0, fill=1)
