"""Bar charts drawn as inline SVG on the server: the geometry of each bar (one group per
period, one bar per series), for the templates to write as `<rect>` elements. No script
and no external asset: the pages work offline and under a strict CSP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 28


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # the class that colours its bars
    values: Sequence[Decimal]
    unit: str = ""


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: str
    label: str
    css: str


@dataclass(frozen=True)
class SvgChart:
    id: str
    title: str
    width: int
    height: int
    bars: list[Bar]
    legend: list[Series]
    top_label: str  # the value at the top of the scale
    first_label: str
    last_label: str
    baseline: float
    left: int = LEFT

    @property
    def has_data(self) -> bool:
        return any(b.height > 0 for b in self.bars)


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def bar_chart(id_: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> SvgChart:
    """Grouped bars of `series` over the periods `labels`, scaled to the largest value."""
    top = max((v for s in series for v in s.values), default=Decimal(0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar_w = max(slot * 0.8 / max(len(series), 1), 0.5)
    bars = []
    for i, label in enumerate(labels):
        for j, s in enumerate(series):
            value = s.values[i]
            h = float(value / top) * plot_h if top else 0.0
            bars.append(
                Bar(
                    x=round(LEFT + i * slot + slot * 0.1 + j * bar_w, 2),
                    y=round(TOP + plot_h - h, 2),
                    width=round(bar_w, 2),
                    height=round(h, 2),
                    value=_text(value),
                    label=f"{label}: {_text(value)}{s.unit} {s.name}",
                    css=s.css,
                )
            )
    return SvgChart(
        id=id_,
        title=title,
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        legend=list(series),
        top_label=_text(top),
        first_label=labels[0] if labels else "",
        last_label=labels[-1] if labels else "",
        baseline=TOP + plot_h,
    )
