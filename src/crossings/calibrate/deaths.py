"""Maximum-likelihood fit of the deaths process (crossings.sea.deaths) on data up to the fit's end only.

1. People lost per incident, K ~ zero-truncated discrete lognormal (mu, sigma):
   - Channel: every IOM Missing Migrants incident flagged at sea (`at_sea_channel_crossing_flag`) in the
     window: the likelihood of each incident's dead and missing.
   - Central Mediterranean: only monthly totals exist (incidents n and dead+missing D per month), so the
     likelihood of a month is P(K_1 + ... + K_n = D), the n-fold convolution of the pmf (months with n = 0
     carry no information about K).
2. Incident chance per boat by date, shape only (the level is fitted with the flows, calibrate/fit.py
   step 2): monthly incident counts ~ Poisson(boats x exp(A cos(2 pi (month - peak) / 12)) x
   (people per boat / reference)^gamma x level), boats observed (Channel: HO boats arrived; central Med:
   sea arrivals in Italy + Libyan and Tunisian interceptions, over the scenario's people per boat).
   Channel: one level, gamma free (people per boat moves year to year, 7 -> 53). Central Med: people per
   boat is one constant (gamma has no effect, held 0) and a level per calendar year (profiled out: the
   yearly death rate moved with rescue capacity, which the model does not carry; the season is read
   within years).
Land deaths on the route to the UK (lorries, roads, camps: incidents not flagged at sea) are not in the
Channel fit: the sea model does not produce them.

    uv run --frozen python -m crossings.calibrate.deaths scenarios/channel.yaml [--fit-end 2023-12-31]
prints the fitted values as `--set` key paths; calibrate/fit.py writes them into the fitted file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.core import observed as obs
from crossings.sea.deaths import loss_pmf

CHANNEL = "Mainland Europe to the UK"
CMR = "Central Mediterranean"
K_FIT = 3000  # pmf length used in the likelihood (the Med's monthly sums reach about 1,000)


def channel_incident_sizes(start: dt.date, end: dt.date) -> np.ndarray:
    d = obs.load("channel_route_incidents_iom_mmp")
    d = d[(d["at_sea_channel_crossing_flag"] == 1) & (pd.to_datetime(d["date"]).dt.date >= start)
          & (pd.to_datetime(d["date"]).dt.date <= end)]
    return d["dead_and_missing"].to_numpy(dtype=np.int64)


def monthly_incidents(route: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """month (Timestamp), incidents, dead_and_missing; for the Channel only incidents flagged at sea."""
    if route == CHANNEL:
        d = obs.load("channel_route_incidents_iom_mmp")
        d = d[d["at_sea_channel_crossing_flag"] == 1]
        m = pd.PeriodIndex(pd.to_datetime(d["date"]), freq="M").to_timestamp()
        g = d.groupby(m).agg(incidents=("dead_and_missing", "size"), dead_and_missing=("dead_and_missing", "sum"))
        idx = pd.date_range(pd.Timestamp(start).to_period("M").to_timestamp(), pd.Timestamp(end), freq="MS")
        g = g.reindex(idx, fill_value=0)
    else:
        d = obs.load("deaths_missing_monthly_cmr_channel_iom_mmp")
        d = d[d["route"] == route]
        g = d.assign(month=pd.to_datetime(d["month"])).set_index("month")[["incidents", "dead_and_missing"]]
        g = g[(g.index >= pd.Timestamp(start).to_period("M").to_timestamp()) & (g.index <= pd.Timestamp(end))]
    g.index.name = "month"
    return g.astype(float)


def _nll_sizes(theta: np.ndarray, k: np.ndarray) -> float:
    p = loss_pmf(float(theta[0]), float(np.exp(theta[1])), K_FIT)
    return -float(np.sum(np.log(np.maximum(p[k - 1], 1e-300))))


def _nll_sums(theta: np.ndarray, n: np.ndarray, dsum: np.ndarray) -> float:
    """-log P(sum of n iid K = D) per month, by repeated convolution (n is small, D at most a few thousand)."""
    p = np.r_[0.0, loss_pmf(float(theta[0]), float(np.exp(theta[1])), K_FIT)]  # p[k] = P(K = k)
    total = 0.0
    cache: dict[int, np.ndarray] = {0: np.r_[1.0]}
    for ni in sorted(set(n.tolist())):
        if ni <= 0:
            continue
        prev = max(j for j in cache if j < ni)
        conv = cache[prev]
        for _ in range(ni - prev):
            conv = np.convolve(conv, p)[: K_FIT + 1]
        cache[ni] = conv
    for ni, di in zip(n, dsum, strict=True):
        if ni <= 0:
            continue
        conv = cache[int(ni)]
        total -= np.log(max(conv[int(di)] if di < conv.size else 0.0, 1e-300))
    return total


def fit_loss(route: str, start: dt.date, end: dt.date) -> tuple[float, float, int]:
    """(mu, sigma, observations used) by maximum likelihood."""
    from scipy.optimize import minimize

    if route == CHANNEL:
        k = channel_incident_sizes(start, end)
        k = k[k >= 1]
        res = minimize(_nll_sizes, np.array([0.5, 0.0]), args=(k,), method="Nelder-Mead",
                       options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 2000})
        nobs = int(k.size)
    else:
        g = monthly_incidents(route, start, end)
        g = g[g["incidents"] > 0]
        n = g["incidents"].to_numpy(dtype=np.int64)
        dsum = g["dead_and_missing"].to_numpy(dtype=np.int64)
        res = minimize(_nll_sums, np.array([1.0, 0.3]), args=(n, dsum), method="Nelder-Mead",
                       options={"xatol": 1e-3, "fatol": 1e-4, "maxiter": 400})
        nobs = int(n.size)
    return float(res.x[0]), float(np.exp(res.x[1])), nobs


def _exposure(route: str, start: dt.date, end: dt.date, ppb_const: float | None) -> pd.DataFrame:
    """Observed boats and people per boat by month."""
    if route == CHANNEL:
        d = obs.load("uk_small_boats_daily")
        d = d.assign(month=pd.to_datetime(d["date"]).dt.to_period("M").dt.to_timestamp())
        g = d.groupby("month")[["people_arrived", "boats_arrived"]].sum()
        out = pd.DataFrame({"boats": g["boats_arrived"], "ppb": g["people_arrived"] / g["boats_arrived"]})
    else:
        a = obs.load("italy_sea_arrivals_monthly").set_index("month")["iom_viminale_monthly"]
        i = obs.load("med_arrivals_interceptions_monthly_iom").set_index("month")
        dep = a.add(i["interceptions_by_libyan_coast_guard"].fillna(0.0), fill_value=0.0)
        dep = dep.add(i["interceptions_by_tunisian_coast_guard"].fillna(0.0), fill_value=0.0)
        dep.index = pd.to_datetime(dep.index)
        assert ppb_const is not None
        out = pd.DataFrame({"boats": dep / ppb_const, "ppb": ppb_const})
    out = out[(out.index >= pd.Timestamp(start).to_period("M").to_timestamp()) & (out.index <= pd.Timestamp(end))]
    return out.fillna(0.0)


def fit_shape(route: str, start: dt.date, end: dt.date, ppb_const: float | None = None,
              reference: float = 1.0) -> dict[str, float]:
    """Season amplitude and peak, crowding exponent (Channel), by Poisson maximum likelihood."""
    from scipy.optimize import minimize

    g = monthly_incidents(route, start, end).join(_exposure(route, start, end, ppb_const), how="inner")
    g = g[g["boats"] > 0]
    y = g["incidents"].to_numpy()
    idx = pd.DatetimeIndex(g.index)
    m = idx.month.to_numpy() + 0.5  # mid-month
    year = idx.year.to_numpy()
    logb = np.log(g["boats"].to_numpy())
    lppb = np.log(np.maximum(g["ppb"].to_numpy(), 1.0) / reference)
    free_gamma = route == CHANNEL

    def nll(th: np.ndarray) -> float:
        a, b = th[0], th[1]  # a cos + b sin = A cos(2 pi (m - peak) / 12)
        gam = th[2] if free_gamma else 0.0
        eta = logb + a * np.cos(2 * np.pi * m / 12) + b * np.sin(2 * np.pi * m / 12) + gam * lppb
        lam = np.exp(eta)
        if free_gamma:  # one level, profiled out: level = sum y / sum lam
            scale = np.full(y.size, y.sum() / lam.sum())
        else:  # one level per calendar year, profiled out
            scale = np.ones(y.size)
            for yr in np.unique(year):
                s = year == yr
                scale[s] = max(y[s].sum(), 1e-12) / lam[s].sum()
        mu = lam * scale
        return float(np.sum(mu - y * np.log(np.maximum(mu, 1e-300))))

    x0 = np.zeros(3 if free_gamma else 2)
    res = minimize(nll, x0, method="Nelder-Mead", options={"xatol": 1e-5, "fatol": 1e-8, "maxiter": 4000})
    a, b = res.x[0], res.x[1]
    amp = float(np.hypot(a, b))
    peak = float((np.arctan2(b, a) * 12 / (2 * np.pi)) % 12)
    peak = peak if peak >= 1.0 else peak + 12.0
    return {"season_amplitude": amp, "season_peak_month": peak,
            "crowding_exponent": float(res.x[2]) if free_gamma else 0.0, "months": float(y.size),
            "incidents": float(y.sum())}


def deaths_values(raw: dict[str, Any], start: dt.date, end: dt.date) -> dict[str, Any]:
    """{key.path: value} of every route's `deaths` block in the scenario, fitted on [start, end]."""
    out: dict[str, Any] = {}
    for s in raw.get("sea_links", []):
        if not isinstance(s.get("deaths"), dict):
            continue
        route = CHANNEL if raw.get("name") == "channel" else CMR  # the MMP route observed for the scenario
        vals = s.get("people_per_boat", {}).get("values", {})
        ppb_const = float(next(iter(vals.values()))) if len(vals) == 1 else None
        ref = float(s["deaths"].get("crowding_reference", 1.0))
        mu, sigma, _ = fit_loss(route, start, end)
        shape = fit_shape(route, start, end, ppb_const, ref)
        key = f"sea_links.{s['name']}.deaths"
        out.update({f"{key}.loss_mu": round(mu, 4), f"{key}.loss_sigma": round(sigma, 4),
                    f"{key}.season_amplitude": round(shape["season_amplitude"], 4),
                    f"{key}.season_peak_month": round(shape["season_peak_month"], 3),
                    f"{key}.crowding_exponent": round(shape["crowding_exponent"], 4)})
    return out


def main(argv: list[str] | None = None) -> int:
    from crossings.scenario.load import load_raw

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario")
    p.add_argument("--fit-start")
    p.add_argument("--fit-end")
    a = p.parse_args(argv)
    raw = load_raw(Path(a.scenario), {"fitted_file": None})
    start = dt.date.fromisoformat(a.fit_start or str(raw["start"]))
    end = dt.date.fromisoformat(a.fit_end or str(raw["end"]))
    for k, v in deaths_values(raw, start, end).items():
        print(f"{k}={v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
