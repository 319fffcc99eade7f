"""Report figures (matplotlib, Agg backend): plain Series in, base64 PNG out."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")  # no display: figures are only ever written to PNG

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def to_base64_png(fig: Figure, dpi: int = 90) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _time_index(s: pd.Series) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(s.index.astype(str)))


def compare_panels(panels: Mapping[str, Mapping[str, pd.Series | None]], ylabel: str,
                   kind: str = "line", sharey: bool = False) -> str:
    """One panel per title; each panel draws its named series (None = no data: only its legend entry)."""
    n = len(panels)
    fig, axes = plt.subplots(n, 1, figsize=(10, 2.8 * n), squeeze=False, sharey=sharey)
    for ax, (title, series) in zip(axes[:, 0], panels.items(), strict=True):
        missing = []
        for label, s in series.items():
            if s is None or len(s) == 0:  # no data: said in the panel, never a legend entry without a line
                missing.append(label)
                continue
            x = _time_index(s)
            if kind == "bar":
                ax.bar(x, s.to_numpy(), width=0.8, label=label, alpha=0.6)
            else:
                ax.plot(x, s.to_numpy(), label=label, lw=1.2)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        if missing:
            ax.text(0.99, 0.95, "; ".join(missing), transform=ax.transAxes, ha="right", va="top", fontsize=8,
                    color="#555")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return to_base64_png(fig)


def annual_bars(table: pd.DataFrame, ylabel: str, title: str) -> str:
    """Grouped bars: index = year, one column per series."""
    fig, ax = plt.subplots(figsize=(10, 3.5))
    table.plot.bar(ax=ax, rot=0)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return to_base64_png(fig)
