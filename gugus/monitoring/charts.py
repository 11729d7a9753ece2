"""Small server-side SVG charts (no JavaScript, printable). Every chart has a data table beside
it in the page and a CSV download, so the numbers never live only in a picture."""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]  # sequential blues (ColorBrewer)
PALETTE_BAD = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"]
NO_DATA = "#e5e7eb"
INK = "#1f2937"
MUTED = "#6b7280"
ACCENT = "#2563eb"
FLAG = "#c2410c"


def fmt(value: float | None, decimals: int = 0) -> str:
    """Indonesian number formatting: 1.234,5."""
    if value is None:
        return "–"
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def auto_decimals(values, decimals: int) -> int:
    """More decimals for small numbers, so 0,03 per 100.000 does not show as 0,0."""
    present = [abs(v) for v in values if v]
    if not present:
        return decimals
    top = max(present)
    if top < 0.1:
        return max(decimals, 3)
    if top < 1:
        return max(decimals, 2)
    return decimals


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * exp:
            return m * exp
    return 10 * exp


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    t = escape(title)
    return mark_safe(  # noqa: S308 - every text node is escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" '
        f'class="chart" preserveAspectRatio="xMidYMid meet" font-family="system-ui, sans-serif" font-size="11">'
        f"<title>{t}</title>{''.join(body)}</svg>"
    )


def bar_chart(
    labels: list[str],
    values: list[float | None],
    *,
    title: str,
    flags: list[bool] | None = None,
    decimals: int = 0,
    width: int = 640,
    height: int = 220,
    band: tuple[list, list] | None = None,
) -> str:
    """Vertical bars (e.g. a monthly trend). `flags` marks bars (early warning); `band` draws the
    usual range (lower, upper) as a shaded step band."""
    left, right, top, bottom = 40, 10, 14, 34
    n = max(1, len(values))
    plot_w, plot_h = width - left - right, height - top - bottom
    vmax = _nice_max(max([v or 0 for v in values] + ([u or 0 for u in band[1]] if band else [0])))
    bw = plot_w / n
    body = []
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        body.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{escape(fmt(vmax * i / 4, decimals if vmax < 10 else 0))}</text>"
        )
    if band:
        lo, hi = band
        for i in range(n):
            if lo[i] is None or hi[i] is None:
                continue
            x = left + i * bw
            y1 = top + plot_h - plot_h * min(hi[i], vmax) / vmax
            y2 = top + plot_h - plot_h * max(lo[i], 0) / vmax
            body.append(
                f'<rect x="{x:.1f}" y="{y1:.1f}" width="{bw:.1f}" height="{max(0, y2 - y1):.1f}" '
                f'fill="#fde68a" opacity="0.5"/>'
            )
    step = max(1, math.ceil(n / 12))
    for i, (label, v) in enumerate(zip(labels, values, strict=False)):
        x = left + i * bw
        if v is not None and v > 0:
            h = plot_h * v / vmax
            color = FLAG if flags and flags[i] else ACCENT
            body.append(
                f'<rect x="{x + bw * 0.12:.1f}" y="{top + plot_h - h:.1f}" width="{bw * 0.76:.1f}" '
                f'height="{h:.1f}" fill="{color}"><title>{escape(label)}: {escape(fmt(v, decimals))}</title></rect>'
            )
        if i % step == 0:
            body.append(
                f'<text x="{x + bw / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" fill="{MUTED}">'
                f"{escape(label)}</text>"
            )
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{INK}"/>')
    return _svg(width, height, title, body)


def hbar_chart(
    items: list[tuple[str, float | None]], *, title: str, decimals: int = 0, width: int = 420, suffix: str = ""
) -> str:
    """Horizontal bars for a breakdown (sex, age, form of exploitation…)."""
    row_h, label_w, pad = 20, 150, 6
    height = max(1, len(items)) * row_h + 2 * pad
    vmax = max([v or 0 for _, v in items] + [0]) or 1
    bar_w = width - label_w - 70
    body = []
    for i, (label, v) in enumerate(items):
        y = pad + i * row_h
        short = label if len(label) <= 26 else label[:25] + "…"
        body.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" fill="{INK}">{escape(short)}'
            f"<title>{escape(label)}</title></text>"
        )
        w = bar_w * (v or 0) / vmax
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{ACCENT}"/>')
        body.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" fill="{INK}">{escape(fmt(v, decimals))}{suffix}</text>'
        )
    return _svg(width, height, title, body)


def classes(values: list[float | None], k: int = 5) -> list[float]:
    """Upper bounds of up to k classes (for a choropleth): zero is a class of its own, the
    positive values are split by quantiles; bounds are distinct and increasing."""
    present = [v for v in values if v is not None]
    if not present:
        return []
    positive = sorted(v for v in present if v > 0)
    out: list[float] = [0.0] if any(v <= 0 for v in present) else []
    slots = k - len(out)
    for i in range(1, slots + 1):
        if not positive:
            break
        idx = min(len(positive) - 1, max(0, math.ceil(i * len(positive) / slots) - 1))
        b = positive[idx]
        if not out or b > out[-1]:
            out.append(b)
    return out


def colour(value: float | None, bounds: list[float], palette: list[str] = PALETTE) -> str:
    if value is None or not bounds:
        return NO_DATA
    for i, b in enumerate(bounds):
        if value <= b:
            return palette[min(i, len(palette) - 1)]
    return palette[-1]


def tile_map(tiles: list[dict], *, title: str, decimals: int = 1, bad: bool = False, tile: int = 46) -> str:
    """A choropleth tile-grid map: one square per province at (col, row) from reference.Region.
    Each tile: {code, short, col, row, value, url}; a tile is a link to the drill-down."""
    palette = PALETTE_BAD if bad else PALETTE
    placed = [t for t in tiles if t.get("col") is not None and t.get("row") is not None]
    if not placed:
        return ""
    cols = max(t["col"] for t in placed) + 1
    rows = max(t["row"] for t in placed) + 1
    gap = 3
    width = cols * (tile + gap) + gap
    legend_h = 40
    height = rows * (tile + gap) + gap + legend_h
    bounds = classes([t.get("value") for t in placed])
    decimals = auto_decimals([t.get("value") for t in placed], decimals)
    body = []
    for t in placed:
        x = gap + t["col"] * (tile + gap)
        y = gap + t["row"] * (tile + gap)
        fill = colour(t.get("value"), bounds, palette)
        dark = fill in (palette[3], palette[4])
        text_fill = "#fff" if dark else INK
        short = t.get("short") or t["code"]
        label = escape(short if len(short) <= 9 else short[:8] + "…")
        val = escape(fmt(t.get("value"), decimals))
        inner = (
            f'<rect x="{x}" y="{y}" width="{tile}" height="{tile}" rx="4" fill="{fill}" stroke="#9ca3af">'
            f"<title>{escape(t.get('name', t['code']))}: {val}</title></rect>"
            f'<text x="{x + tile / 2}" y="{y + 18}" text-anchor="middle" font-size="8" fill="{text_fill}">{label}</text>'
            f'<text x="{x + tile / 2}" y="{y + 33}" text-anchor="middle" font-size="10" font-weight="700" '
            f'fill="{text_fill}">{val}</text>'
        )
        if t.get("url"):
            body.append(f'<a href="{escape(t["url"])}">{inner}</a>')
        else:
            body.append(inner)
    y0 = rows * (tile + gap) + gap + 8
    lo = 0.0
    for i, b in enumerate(bounds):
        x = gap + i * 92
        body.append(
            f'<rect x="{x}" y="{y0}" width="16" height="12" fill="{palette[min(i, len(palette) - 1)]}" '
            f'stroke="#9ca3af"/><text x="{x + 20}" y="{y0 + 10}" fill="{INK}">'
            f"{escape(fmt(lo, decimals))}–{escape(fmt(b, decimals))}</text>"
        )
        lo = b
    x = gap + len(bounds) * 92
    body.append(
        f'<rect x="{x}" y="{y0}" width="16" height="12" fill="{NO_DATA}" stroke="#9ca3af"/>'
        f'<text x="{x + 20}" y="{y0 + 10}" fill="{INK}">tidak ada data</text>'
    )
    return _svg(width, max(height, y0 + 20), title, body)
