"""Benchmark of a retirement certificate's PDF: `ReportlabCertificateRenderer.render_pdf`
on the specimen document (two A4 pages: the branded certificate with its QR code, the
provenance table and how to verify) against the least a PDF of the same facts costs.

- ours: the platform's renderer, with the default layout and one custom field.
- bare: one reportlab canvas page, no colour, no wrapping, no second page: the document's
  fields as `label: value` lines of Helvetica and the same QR code of its verification
  URL, drawn the same way (`app.adapters.pdf.drawing.draw_qr`, segno's matrix as one
  vector path). Both compress their pages, as reportlab does by default.

The two are timed in turns, `rounds` times each after a warm-up, in CPU time of this
process (drawing a PDF is CPU work alone; on a shared machine wall time mostly measures
the neighbours), and the median of each counts (it does not move with a stray slow run). The ratio
ours/bare is the price of the certificate's layout; the goal is at most 1.5. Encoding the
QR code (segno chooses the best of eight masks) is a large part of both.

Not a script of its own: `measure()` is called by the benchmark reports, or

    PYTHONPATH=bench .venv/bin/python -c "import _certificate_pdf as b; print(b.measure())"
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable, Mapping

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.adapters.pdf.certificate import ReportlabCertificateRenderer
from app.adapters.pdf.drawing import draw_qr
from app.adapters.pdf.specimen import specimen_document
from app.domain.shared.json import JSON
from app.ports.certificates import CertificateLayout

LAYOUT = CertificateLayout(custom_fields=(("Employee programme", "Green Commute 2024"),))


def bare_page(document: Mapping[str, JSON]) -> bytes:
    """One page: a title, each top-level field of `document` as a line, the QR code."""
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, invariant=True)
    width, height = A4
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(50, height - 60, "Carbon Credit Retirement Certificate")
    pdf.setFont("Helvetica", 8)
    y = height - 90
    for key, value in document.items():
        if key != "provenance":
            pdf.drawString(50, y, f"{key}: {value}"[:110])
            y -= 11
    draw_qr(pdf, str(document["verify_url"]), width - 170, height - 220, 120)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(rounds: int = 200) -> dict[str, float]:
    """Milliseconds per PDF, ours and bare (medians of `rounds` each), and their ratio."""
    document = specimen_document()
    renderer = ReportlabCertificateRenderer()
    sides: dict[str, Callable[[], bytes]] = {
        "ours": lambda: renderer.render_pdf(document, LAYOUT),
        "bare": lambda: bare_page(document),
    }
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for render in sides.values():  # warm-up: fonts loaded, code paths compiled
        for _ in range(3):
            render()
    for _ in range(rounds):
        for name, render in sides.items():
            started = time.process_time()
            render()
            samples[name].append(time.process_time() - started)
    ours, bare = _median_ms(samples["ours"]), _median_ms(samples["bare"])
    return {"ours_ms": ours, "bare_ms": bare, "ratio": ours / bare}
