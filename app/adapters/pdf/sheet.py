"""Pages that fill from the top down on a reportlab canvas: a branded band on the first
page (a thinner one on the pages after), a footer on each, section headings and label /
value rows whose values wrap; whatever does not fit the page goes on to a new one."""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.adapters.pdf.drawing import colour, tint, wrap
from app.ports.certificates import CertificateLayout

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BOTTOM = 22 * mm  # the lowest line of content; the footer is below
LABEL_WIDTH = 40 * mm
INK = colour("#222222")  # greys: a grey is one number in the page, a colour three
MUTED = colour("#5c5c5c")
SANS, BOLD, MONO = "Helvetica", "Helvetica-Bold", "Courier"
SIZE, LEADING = 9.0, 11.5
MONO_SIZE = 8.5  # Courier is wide: a hash of 32 bytes fits a value column


@dataclass(frozen=True)
class Branding:
    layout: CertificateLayout
    footer_right: str  # what identifies the document on every page

    @functools.cached_property
    def primary(self) -> Color:
        return colour(self.layout.primary_color)

    @functools.cached_property
    def accent(self) -> Color:
        return colour(self.layout.accent_color)


class Sheet:
    """The pages being drawn; `y` is where the next line's top goes. A page's text is one
    text object (not one a line), in reading order, drawn over the page's shapes when the
    page ends (text is never under a shape); a font or a colour is set only when it
    changes."""

    def __init__(self, pdf: Canvas, branding: Branding) -> None:
        self.pdf = pdf
        self.branding = branding
        self.page = 1
        self.logo = _logo(branding.layout.logo_png)
        self._begin_text()
        self.y = self._band(PAGE_HEIGHT, 30 * mm, 20, 2)

    def _begin_text(self) -> None:
        self.text = self.pdf.beginText()
        self._font: tuple[str, float] | None = None
        self._ink: Color | None = None

    def put(self, x: float, y: float, line: str, font: str, size: float, *, ink: Color) -> None:
        """`line` with its baseline starting at (`x`, `y`)."""
        text = self.text
        if self._font != (font, size):
            text.setFont(font, size)
            self._font = (font, size)
        if self._ink is not ink:
            if ink.red == ink.green == ink.blue:
                text.setFillGray(ink.red)
            else:
                text.setFillColor(ink)
            self._ink = ink
        text.setTextOrigin(x, y)
        text.textOut(line)

    def _end_page(self) -> None:
        self._footer()
        self.pdf.drawText(self.text)
        self.pdf.showPage()

    def _band(self, top: float, height: float, title_size: float, most_lines: int) -> float:
        """The coloured band at the top of a page with the logo and title; returns the y
        under it (an accent rule drawn between)."""
        pdf, brand = self.pdf, self.branding
        pdf.setFillColor(brand.primary)
        pdf.rect(0, top - height, PAGE_WIDTH, height, stroke=0, fill=1)
        pdf.setFillColor(brand.accent)
        pdf.rect(0, top - height - 1.5 * mm, PAGE_WIDTH, 1.5 * mm, stroke=0, fill=1)
        text_x = MARGIN
        if self.logo is not None:
            side = height - 8 * mm
            pdf.drawImage(
                self.logo, MARGIN, top - height + 4 * mm, side, side, mask="auto",
                preserveAspectRatio=True, anchor="w",
            )  # fmt: skip
            text_x += side + 5 * mm
        lines = clipped(
            wrap(brand.layout.title, BOLD, title_size, PAGE_WIDTH - MARGIN - text_x),
            most_lines, BOLD, title_size, PAGE_WIDTH - MARGIN - text_x,
        )  # fmt: skip
        baseline = top - height / 2 - title_size * 0.35 + (len(lines) - 1) * title_size * 0.55
        for line in lines:
            self.put(text_x, baseline, line, BOLD, title_size, ink=white)
            baseline -= title_size * 1.1
        return top - height - 1.5 * mm - 8 * mm

    def _footer(self) -> None:
        pdf, brand = self.pdf, self.branding
        pdf.setStrokeColor(brand.accent)
        pdf.setLineWidth(0.6)
        pdf.line(MARGIN, BOTTOM - 4 * mm, PAGE_WIDTH - MARGIN, BOTTOM - 4 * mm)
        right = f"{brand.footer_right}  \u00b7  page {self.page}"
        right_width = stringWidth(right, SANS, 7)
        self.put(PAGE_WIDTH - MARGIN - right_width, BOTTOM - 8 * mm, right, SANS, 7, ink=MUTED)
        text_width = CONTENT_WIDTH - right_width - 6 * mm
        y = BOTTOM - 8 * mm
        footer = wrap(brand.layout.footer_text, SANS, 7, text_width)
        for line in clipped(footer, 3, SANS, 7, text_width):
            self.put(MARGIN, y, line, SANS, 7, ink=MUTED)
            y -= 8.5

    def new_page(self) -> None:
        self._end_page()
        self._begin_text()
        self.page += 1
        self.y = self._band(PAGE_HEIGHT, 12 * mm, 11, 1)

    def need(self, height: float) -> None:
        """A new page unless `height` more fits on this one."""
        if self.y - height < BOTTOM:
            self.new_page()

    def finish(self) -> None:
        self._end_page()

    def heading(self, text: str) -> None:
        self.need(16 + 2 * LEADING)  # never a heading alone at the foot of a page
        pdf = self.pdf
        self.y -= 4
        self.put(MARGIN, self.y - 11, text, BOLD, 11, ink=self.branding.primary)
        pdf.setStrokeColor(self.branding.accent)
        pdf.setLineWidth(0.8)
        pdf.line(MARGIN, self.y - 14.5, PAGE_WIDTH - MARGIN, self.y - 14.5)
        self.y -= 20

    def lines(
        self,
        x: float,
        lines: Sequence[str],
        font: str,
        size: float,
        ink: Color,
        *,
        baseline: float | None = None,
        centred: bool = False,
    ) -> None:
        """Lines from `x` (their centre, if `centred`), the first one's baseline
        `baseline` (by default `size`) below `y`, in a leading in proportion to `size`;
        their height must have been made room for."""
        y = self.y - (size if baseline is None else baseline)
        for line in lines:
            start = x - stringWidth(line, font, size) / 2 if centred else x
            self.put(start, y, line, font, size, ink=ink)
            y -= size * LEADING / SIZE

    def row(self, label: str, value: str, *, mono: bool = False) -> None:
        """`label` in the left column, `value` wrapped in the right one."""
        font, size = (MONO, MONO_SIZE) if mono else (SANS, SIZE)
        value_lines = wrap(value, font, size, CONTENT_WIDTH - LABEL_WIDTH)
        label_lines = wrap(label, SANS, 8, LABEL_WIDTH - 3 * mm)
        height = max(len(value_lines) * LEADING, len(label_lines) * 8 * LEADING / SIZE)
        self.need(height)
        self.lines(MARGIN, label_lines, SANS, 8, MUTED, baseline=SIZE)
        self.lines(MARGIN + LABEL_WIDTH, value_lines, font, size, INK, baseline=SIZE)
        self.y -= height + 2.5

    def note(self, text: str) -> None:
        """A remark in small type under the last row's value."""
        lines = wrap(text, SANS, 7.5, CONTENT_WIDTH - LABEL_WIDTH)
        self.need(len(lines) * 9.5)
        self.lines(MARGIN + LABEL_WIDTH, lines, SANS, 7.5, MUTED)
        self.y -= len(lines) * 9.5 + 3

    def paragraph(self, text: str, *, size: float = SIZE, font: str = SANS) -> None:
        for line in wrap(text, font, size, CONTENT_WIDTH):
            self.need(size * LEADING / SIZE)
            self.lines(MARGIN, [line], font, size, INK)
            self.y -= size * LEADING / SIZE
        self.y -= 4

    def shade(self, height: float, amount: float = 0.8) -> None:
        """A band of the accent colour, lightened, behind the next `height` points."""
        self.pdf.setFillColor(tint(self.branding.accent, amount))
        self.pdf.rect(MARGIN - 2, self.y - height, CONTENT_WIDTH + 4, height, stroke=0, fill=1)


def clipped(lines: list[str], most: int, font: str, size: float, width: float) -> list[str]:
    """The first `most` lines, the last one ending in an ellipsis when some were left."""
    if len(lines) <= most:
        return lines
    last = lines[most - 1]
    while last and stringWidth(last + "\u2026", font, size) > width:
        last = last[:-1]
    return [*lines[: most - 1], last.rstrip() + "\u2026"]


def _logo(image: bytes | None) -> ImageReader | None:
    """The layout's logo, read once for every page; bytes that are not a PNG or JPEG
    image are refused (a certificate is not drawn with a broken logo)."""
    if image is None:
        return None
    try:
        reader = ImageReader(io.BytesIO(image))
        reader.getSize()
    except Exception as exc:  # reportlab and Pillow raise many kinds
        raise ValueError("the certificate layout's logo is not a PNG or JPEG image") from exc
    return reader
