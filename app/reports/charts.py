"""SVG charts for the portfolio report, built as text from plain numbers.

Every label is escaped here (the SVG is inserted into the template as markup). Each chart starts with
a ``<title>``, which WeasyPrint turns into the figure's ``/Alt``; each is followed in the report by a
table with the same numbers. Fills differ in lightness and carry outlines, so bars stay apart in
black-and-white print; the text uses the report's bundled font.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "font-family=\"'Livskraft Sans', 'Livskraft Symbols', 'Livskraft CJK'\""
WIDTH = 680.0
LABEL_W = 210.0


@dataclass(frozen=True)
class Series:
    name: str
    fill: str
    dashed: bool = False


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _open(title: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(WIDTH)} {_num(height)}" '
        f'width="{_num(WIDTH)}" height="{_num(height)}" {FONT} font-size="10" role="img">',
        f"<title>{escape(title)}</title>",
    ]


def _rect(x: float, y: float, w: float, h: float, s: Series) -> str:
    dash = ' stroke-dasharray="3 2"' if s.dashed else ""
    return (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" height="{_num(h)}" '
        f'fill="{s.fill}" stroke="#222" stroke-width="0.6"{dash}/>'
    )


def _text(x: float, y: float, text: str, anchor: str = "start", size: float = 10, weight: str = "400") -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" font-size="{_num(size)}" '
        f'font-weight="{weight}">{escape(text)}</text>'
    )


def _legend(series: Sequence[Series], y: float) -> list[str]:
    parts, x = [], LABEL_W
    for s in series:
        parts.append(_rect(x, y - 8, 10, 10, s))
        parts.append(_text(x + 14, y, s.name, size=9))
        x += 24 + 5.6 * len(s.name)
    return parts


def _text_width(text: str, size: float) -> float:
    """A generous estimate of the width of ``text`` in the bundled font (DejaVu Sans: at most 0.65 em a
    character for digits, letters and spaces)."""
    return len(text) * size * 0.65


def _short(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def stacked_groups(
    title: str,
    categories: Sequence[str],
    groups: Sequence[str],
    series: Sequence[Series],
    values: Sequence[Sequence[Sequence[float]]],
    totals: bool = True,
) -> Markup:
    """Horizontal bars: per category one bar per group, each stacked by series (``values[c][g][s]``).
    With several groups, the category is written above its bars and each bar is labelled by its group."""
    bar = 10.0
    header = 13.0 if len(groups) > 1 else 0.0
    row_h = header + len(groups) * bar + 6
    left = 130.0 if len(groups) > 1 else LABEL_W
    top = 22.0
    height = top + len(categories) * row_h + 4
    biggest = max((sum(v) for cat in values for v in cat), default=0) or 1
    scale = (WIDTH - left - 30) / biggest
    out = _open(title, height)
    out += _legend(series, 12)
    for ci, category in enumerate(categories):
        y0 = top + ci * row_h
        if header:
            out.append(_text(0, y0 + 9, category, size=9, weight="700"))
        else:
            out.append(_text(0, y0 + bar - 2, _short(category), size=9))
        for gi, group in enumerate(groups):
            y, x = y0 + header + gi * bar, left
            if group:
                out.append(_text(left - 4, y + bar - 2.5, group, anchor="end", size=8))
            for si, s in enumerate(series):
                w = values[ci][gi][si] * scale
                if w > 0:
                    out.append(_rect(x, y, w, bar - 1.5, s))
                x += w
            if totals:
                out.append(_text(x + 3, y + bar - 2.5, _num(sum(values[ci][gi])), size=8))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every label above went through escape()


def _signed(v: float) -> str:
    return ("+" if v > 0 else "−" if v < 0 else "") + _num(abs(v))


def diverging(
    title: str, labels: Sequence[str], values: Sequence[float | None], fmt: Callable[[float], str] = _signed
) -> Markup:
    """Horizontal bars left (negative) or right (positive) of a zero line, with the value written."""
    bar, gap, top = 16.0, 8.0, 10.0
    height = top + len(labels) * (bar + gap) + 6
    biggest = max((abs(v) for v in values if v is not None), default=0) or 1
    mid = LABEL_W + (WIDTH - LABEL_W) / 2
    scale = (WIDTH - LABEL_W) / 2 / biggest * 0.8
    out = _open(title, height)
    out.append(f'<line x1="{_num(mid)}" y1="2" x2="{_num(mid)}" y2="{_num(height - 2)}" stroke="#222"/>')
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar + gap)
        out.append(_text(0, y + bar - 4, _short(label), size=9.5))
        if v is None:
            out.append(_text(mid + 4, y + bar - 4, "–", size=9))
            continue
        w = abs(v) * scale
        s = Series("", "#4d9221" if v >= 0 else "#8c2d04")
        out.append(_rect(mid if v >= 0 else mid - w, y, w, bar, s))
        out.append(_text(mid + w + 4 if v >= 0 else mid - w - 4, y + bar - 4, fmt(v), "start" if v >= 0 else "end", 9))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every label above went through escape()


def columns(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    values: Sequence[Sequence[float | None]],
    fmt: Callable[[float], str] = _signed,
) -> Markup:
    """Vertical grouped columns around a zero line (``values[category][series]``), e.g. per quarter."""
    plot_top, plot_h, left = 24.0, 150.0, 30.0
    height = plot_top + plot_h + 34
    known = [abs(v) for row in values for v in row if v is not None]
    biggest = max(known, default=0) or 1
    zero = plot_top + plot_h / 2
    scale = plot_h / 2 / biggest * 0.9
    slot = (WIDTH - left) / max(len(categories), 1)
    bar = min(14.0, slot * 0.8 / max(len(series), 1))
    # Labels that would run into each other are thinned to every step-th one (the table names each).
    widest = max((_text_width(c, 8) for c in categories), default=0)
    step = max(1, math.ceil((widest + 6) / slot))
    out = _open(title, height)
    out += _legend(series, 12)
    out.append(f'<line x1="{_num(left)}" y1="{_num(zero)}" x2="{_num(WIDTH)}" y2="{_num(zero)}" stroke="#222"/>')
    out.append(_text(left - 4, plot_top + 6, fmt(biggest), "end", 8))
    out.append(_text(left - 4, zero + 3, "0", "end", 8))
    out.append(_text(left - 4, plot_top + plot_h, fmt(-biggest), "end", 8))
    for ci, category in enumerate(categories):
        x0 = left + ci * slot + (slot - bar * len(series)) / 2
        for si, s in enumerate(series):
            v = values[ci][si]
            if v is None:
                continue
            h = abs(v) * scale
            out.append(_rect(x0 + si * bar, zero - h if v >= 0 else zero, bar - 1, max(h, 0.8), s))
        if ci % step == 0:
            out.append(_text(left + ci * slot + slot / 2, plot_top + plot_h + 14, category, "middle", 8))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every label above went through escape()
