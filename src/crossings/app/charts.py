"""Fan charts as inline SVG, built on the server from an ensemble's monthly bands: the scenario's 5-95% band
and median, the baseline's median (levers off) and the observed months. Plain text out: the same bands give
the same bytes, so a test can tell that a changed lever changed the chart."""

from __future__ import annotations

import html
import math

import pandas as pd

W, H = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 30, 40


def _nice_max(v: float) -> float:
    if v <= 0 or not math.isfinite(v):
        return 1.0
    step = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if m * step >= v:
            return m * step
    return 10 * step


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 or v == 0 else f"{v:,.2g}"


def fan_svg(bands: pd.DataFrame, place: str, measure: str) -> str:
    """SVG of one place and measure; `bands` as crossings.app.jobs.Summary.bands."""
    sel = bands[(bands["place"] == place) & (bands["measure"] == measure)]
    sc = sel[sel["run"] == "scenario"].sort_values("month")
    base = sel[sel["run"] == "baseline"].sort_values("month")
    unit = str(sc["unit"].iloc[0]) if len(sc) else ""
    title = f"{place}: {measure} ({unit}) per month"
    months = list(sc["month"])
    n = len(months)
    top = max([0.0, *sc["p95"].fillna(0), *base["p50"].fillna(0), *sc["observed"].dropna()])
    ymax = _nice_max(float(top))
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: float) -> float:
        return TOP + ph * (1 - v / ymax)

    def path(values: list[float]) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
           f'role="img" aria-label="{html.escape(title)}" class="fan" data-place="{html.escape(place)}" '
           f'data-measure="{html.escape(measure)}">',
           f'<text x="{LEFT}" y="18" class="title">{html.escape(title)}</text>']
    for k in range(5):  # horizontal grid with labels
        v = ymax * k / 4
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>'
                   f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" class="tick">{_fmt(v)}</text>')
    for i, m in enumerate(months):  # a label each January (or the first month)
        if m.endswith("-01") or i == 0:
            out.append(f'<text x="{x(i):.1f}" y="{H - BOTTOM + 16}" text-anchor="middle" class="tick">{m[:4] if m.endswith("-01") else m}</text>')
    if n:
        lo, hi = list(sc["p05"]), list(sc["p95"])
        pts = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(hi)] + \
              [f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(lo)))]
        out.append(f'<polygon points="{" ".join(pts)}" class="band"><title>5-95% of seeds</title></polygon>')
        out.append(f'<path d="{path(list(sc["p50"]))}" class="median"/>')
    if len(base) == n and n:
        out.append(f'<path d="{path(list(base["p50"]))}" class="baseline"/>')
    for i, v in enumerate(sc["observed"]):
        if pd.notna(v):
            out.append(f'<circle cx="{x(i):.1f}" cy="{y(float(v)):.1f}" r="2.5" class="observed"/>')
    legend = [("band", "5-95% of seeds"), ("median", "median, as set")]
    legend += [("baseline", "median, levers off")] if len(base) == n and n else []
    legend += [("observed", "observed")] if sc["observed"].notna().any() else []  # no entry without its marks
    lx = LEFT
    for cls, label in legend:
        mark = (f'<circle cx="{lx + 6}" cy="{H - 10}" r="3" class="observed"/>' if cls == "observed" else
                f'<rect x="{lx}" y="{H - 15}" width="14" height="10" class="{cls}"/>' if cls == "band" else
                f'<line x1="{lx}" x2="{lx + 14}" y1="{H - 10}" y2="{H - 10}" class="{cls}"/>')
        out.append(f'{mark}<text x="{lx + 18}" y="{H - 6}" class="tick">{label}</text>')
        lx += 24 + 7 * len(label)
    out.append("<style>.title{font:600 13px sans-serif}.tick{font:11px sans-serif;fill:#444}"
               ".grid{stroke:#ddd}.band{fill:#4a7fb5;fill-opacity:.3;stroke:none}"
               ".median{fill:none;stroke:#1f4e8c;stroke-width:2}"
               ".baseline{fill:none;stroke:#c0504d;stroke-width:1.5;stroke-dasharray:5 3}"
               ".observed{fill:#222}</style></svg>")
    return "\n".join(out)
