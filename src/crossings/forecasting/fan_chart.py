"""Fan charts for forecast folders: the sea, Europe and asylum forecasts draw them the same way."""

from __future__ import annotations

import io

import pandas as pd


def fan_chart_svg(table: pd.DataFrame, observed: pd.DataFrame, place: str, measure: str, title: str,
                  ylabel: str | None = None) -> str:
    """One place's fan chart (5-95% and 25-75% bands, median) over its observed series, as SVG text (a result
    folder holds text files). `ylabel` defaults to "<measure> per month" (flows); stocks name their own."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = table[(table["place"] == place) & (table["measure"] == measure)]
    x = pd.PeriodIndex(t["month"], freq="M").to_timestamp()
    ob = observed[(observed["place"] == place) & (observed["measure"] == measure)]
    first = pd.Period(t["month"].iloc[0], freq="M") - 24
    ob = ob[pd.PeriodIndex(ob["month"], freq="M") >= first]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.fill_between(x, t["p05"], t["p95"], color="tab:blue", alpha=0.2, label="5-95%")
    ax.fill_between(x, t["p25"], t["p75"], color="tab:blue", alpha=0.4, label="25-75%")
    ax.plot(x, t["p50"], color="tab:blue", label="median")
    if len(ob):
        ax.plot(pd.PeriodIndex(ob["month"], freq="M").to_timestamp(), ob["observed"], "k.-", label="observed")
    ax.set_title(title)
    ax.set_ylabel(ylabel or f"{measure} per month")
    ax.legend(loc="upper left")
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
