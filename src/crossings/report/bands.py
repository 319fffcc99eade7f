"""Figures with uncertainty bands (matplotlib, Agg): a line for the mean, a shaded 5-95% band, observed dots.

Only drawn things get a legend entry: a series without data is skipped and named in a note under the panel,
never shown as a legend entry without a line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from crossings.report.figures import to_base64_png  # noqa: E402


@dataclass
class Band:
    """One series over months: mean with a 5-95% band (lo/hi may be None: a plain line)."""

    label: str
    months: Sequence[str]  # "YYYY-MM"
    mean: Sequence[float]
    lo: Sequence[float] | None = None
    hi: Sequence[float] | None = None
    observed: bool = False  # drawn as dots, no band


def plain_number(x: float, _pos: object = None) -> str:
    """Axis ticks as 12,000 or 1.2M, never 1.2e+04."""
    ax = abs(x)
    if ax >= 1e9:
        return f"{x / 1e9:,.1f}bn"
    if ax >= 1e6:
        return f"{x / 1e6:,.1f}M"
    return f"{x:,.0f}"


def band_panels(panels: Mapping[str, Sequence[Band]], ylabels: Mapping[str, str] | str,
                zero_line: bool = False) -> str:
    """One panel per title (stacked); returns a base64 PNG."""
    n = len(panels)
    fig, axes = plt.subplots(n, 1, figsize=(10, 2.9 * n), squeeze=False)
    for ax, (title, bands) in zip(axes[:, 0], panels.items(), strict=True):
        drawn = 0
        for i, b in enumerate(bands):
            if len(b.months) == 0 or np.all(pd.isna(np.asarray(b.mean, dtype=float))):
                continue
            x = pd.to_datetime(pd.Series(list(b.months)) + "-15")
            y = np.asarray(b.mean, dtype=float)
            if b.observed:
                ax.plot(x, y, "o", ms=3, color="black", label=b.label)
            else:
                line, = ax.plot(x, y, lw=1.4, label=b.label, color=f"C{i}")
                if b.lo is not None and b.hi is not None:
                    ax.fill_between(x, np.asarray(b.lo, float), np.asarray(b.hi, float), alpha=0.25,
                                    color=line.get_color(), lw=0, label=f"{b.label}: 5-95% over seeds")
            drawn += 1
        if zero_line:
            ax.axhline(0, color="grey", lw=0.8)
        ax.set_title(title)
        ax.set_ylabel(ylabels if isinstance(ylabels, str) else ylabels.get(title, ""))
        ax.yaxis.set_major_formatter(FuncFormatter(plain_number))
        if drawn:
            ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return to_base64_png(fig)
