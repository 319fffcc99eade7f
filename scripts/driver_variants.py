"""Variants of the sea forecasts' latent driver, scored quickly on the back-test's origins (docs/forecasting.md).

A proxy of the back-test that isolates the driver: at each origin of the sea back-test (2021-01 .. 2024-01 every
3 months, mechanism refitted every 12 months as `crossings backtest` does) the residual
r_t = log(obs_t + 10) - log(mechanism_t + 10) before the origin is computed as engine.setup computes it, and the
residual of the 12 months after it against the mechanism the draws run (the fitted inflow, the driver's level 0).
Each variant turns the residual before the origin into a Gaussian (or a mixture of Gaussians) for each of the 12
months after it; scored by the coverage of its central 50% / 90% intervals and its CRPS on the log scale. The
coverage is what the back-test's would be if the mechanism were linear in its inflow (the proxy of the session-5
driver gives Channel 0.615 / 0.936 against the back-test's 0.628 / 0.923, central_med 0.417 / 0.853 against 0.436 /
0.853); everything each variant estimates uses months before the origin only.

Usage: uv run --frozen python scripts/driver_variants.py [--routes channel central_med] [--out FILE.md]
(central_med's four refits take about 5 minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.optimize import minimize
from scipy.stats import norm

import crossings.forecasting.drivers as D
import crossings.forecasting.engine as E
from crossings.calibrate.problem import OFFSET
from crossings.forecasting.origin import fit_at_origin
from crossings.sea.kernel import ARR

ROOT = Path(__file__).resolve().parents[1]
H = 12
Pred = tuple[np.ndarray, np.ndarray, np.ndarray]  # (weights [K], means [K, H], sds [K, H])


def residuals(route: str) -> dict[dt.date, dict[str, np.ndarray]]:
    """Per origin: the residual before it (r, calendar month m) and after it (rf, calendar month mf)."""
    path = ROOT / "scenarios" / f"{route}.yaml"
    out: dict[dt.date, dict[str, np.ndarray]] = {}
    x = None
    for year in (2021, 2022, 2023, 2024):
        fit = fit_at_origin(path, dt.date(year, 1, 1), x0=x, known_levers_only=True)
        x = fit.x
        for month in (1, 4, 7, 10):
            o = dt.date(year, month, 1)
            if o > dt.date(2024, 1, 1):
                break
            end = E.month_add(o, H) - dt.timedelta(days=1)
            sc = E.scenario_at(path, fit.values, end)
            a = E.build(sc)
            labels = np.asarray(pd.date_range(sc.start, end, freq="D").strftime("%Y-%m"))
            months, mod = np.unique(labels, return_inverse=True)
            first = int(np.searchsorted(months, o.strftime("%Y-%m")))
            _, obs_m = E.observed_frames(sc, str(path), sc.start, end)
            arr = obs_m.dropna(subset=["observed"])
            arr = arr[arr["measure"] == "arrivals"]
            places = E._places(a)
            kinds = {p: k for p, k, _ in places}
            cands = [p for p in dict.fromkeys(arr["place"]) if p in kinds]
            main = next((p for p in cands if kinds[p] == "destination"), cands[0])
            rows = next(r for p, _, r in places if p == main)
            day0 = int(np.searchsorted(mod, first))
            held = E.monthly(E._run(a, E.held_inflow(sc, a, day0)), rows, ARR, mod, len(months))
            base = E.monthly(E._run(a, a.inflow), rows, ARR, mod, len(months))
            ob = arr[arr["place"] == main].set_index("month")["observed"].reindex(months).to_numpy(dtype=float)
            cal = np.array([int(m[5:7]) for m in months])
            out[o] = {"r": (np.log(ob + OFFSET) - np.log(held + OFFSET))[:first], "m": cal[:first],
                      "rf": (np.log(ob + OFFSET) - np.log(base + OFFSET))[first:], "mf": cal[first:]}
    return out


_WINDOW_CACHE: dict[bytes, int | None] = {}


def _window(x: np.ndarray) -> int | None:
    """drivers.choose_window, memoised (several variants share a residual series)."""
    k = np.asarray(x, dtype=float).tobytes()
    if k not in _WINDOW_CACHE:
        _WINDOW_CACHE[k] = D.choose_window(x)
    return _WINDOW_CACHE[k]


def _ml(x: np.ndarray, damped: bool = False) -> tuple[float, float, float]:
    D.DAMPED = damped
    try:
        return D._ml_variances(x)
    finally:
        D.DAMPED = False


def _gauss(lev: float, pv: float, ql: float, qo: float, phi: float, s_f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mom = [D.level_moments(lev, pv, ql, phi, h) for h in range(1, H + 1)]
    return np.array([m for m, _ in mom]) + s_f, np.sqrt(np.array([v for _, v in mom]) + qo)


def _one(mu: np.ndarray, sd: np.ndarray) -> Pred:
    return np.ones(1), mu[None, :], sd[None, :]


def _season(r: np.ndarray, m: np.ndarray, last: int | None = None) -> np.ndarray:
    return D.residual_season(r if last is None else r[-last:], m if last is None else m[-last:])


def v_ships(r: np.ndarray, m: np.ndarray, mf: np.ndarray, q_scale: float = 1.0, season_last: int | None = None,
            season: bool = True) -> Pred:
    s = _season(r, m, season_last) if season else np.zeros(12)
    x = r - s[m - 1]
    w = _window(x)
    xx = x if w is None else x[-w:]
    ql, qo, phi = _ml(xx)
    _, lev, pv = D._filter(xx, ql, qo, phi=phi)
    return _one(*_gauss(lev, pv, ql * q_scale, qo, phi, s[mf - 1]))


def _cv_points(x: np.ndarray, w: int | None, damped: bool = False) -> list[float]:
    """Predictive densities of the CV pseudo-origins (as drivers.choose_window) for window w."""
    n, out = len(x), []
    for o in range(max(n - D.CV_SPAN, 24), n, D.CV_STEP):
        hist = x[:o] if w is None else x[max(0, o - w):o]
        ql, qo, phi = _ml(hist, damped)
        _, lev, pv = D._filter(hist, ql, qo, phi=phi)
        for h in range(1, min(H, n - o) + 1):
            mu, var = D.level_moments(lev, pv, ql, phi, h)
            out.append(float(norm.pdf(float(x[o + h - 1]), mu, math.sqrt(var + qo))))
    return out


def _stack(dens: np.ndarray) -> np.ndarray:
    """Weights on the simplex maximising the CV points' log score of the mixture (stacking, Yao et al. 2018)."""
    def nll(t: np.ndarray) -> float:
        w = np.exp(t - t.max())
        return -float(np.sum(np.log(dens @ (w / w.sum()) + 1e-300)))

    sol = minimize(nll, np.zeros(dens.shape[1]), method="Nelder-Mead", options={"maxiter": 2000})
    w = np.exp(sol.x - sol.x.max())
    return np.asarray(w / w.sum())


def v_stacked(r: np.ndarray, m: np.ndarray, mf: np.ndarray, damped: tuple[bool, ...] = (False,)) -> Pred:
    s = _season(r, m)
    x = r - s[m - 1]
    cands = [(w, d) for d in damped for w in D.WINDOWS]
    mus, sds = [], []
    for w, d in cands:
        xx = x if w is None else x[-w:]
        ql, qo, phi = _ml(xx, d)
        _, lev, pv = D._filter(xx, ql, qo, phi=phi)
        mu, sd = _gauss(lev, pv, ql, qo, phi, s[mf - 1])
        mus.append(mu)
        sds.append(sd)
    dens = np.array([_cv_points(x, w, d) for w, d in cands]).T
    wts = _stack(dens) if dens.size else np.array([float(w is None and not d) for w, d in cands])
    return wts, np.array(mus), np.array(sds)


def v_damped_cv(r: np.ndarray, m: np.ndarray, mf: np.ndarray) -> Pred:
    s = _season(r, m)
    x = r - s[m - 1]
    D.DAMPED = True
    try:
        w = _window(x)
    finally:
        D.DAMPED = False
    xx = x if w is None else x[-w:]
    ql, qo, phi = _ml(xx, True)
    _, lev, pv = D._filter(xx, ql, qo, phi=phi)
    return _one(*_gauss(lev, pv, ql, qo, phi, s[mf - 1]))


PHIS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.96, 0.98, 1.0)


def v_phi_mixture(r: np.ndarray, m: np.ndarray, mf: np.ndarray) -> Pred:
    """The damping integrated out: a mixture over a grid of phi weighted by the profile likelihood."""
    s = _season(r, m)
    x = r - s[m - 1]
    w = _window(x)
    xx = x if w is None else x[-w:]
    var = float(np.nanvar(xx)) or 1e-4
    lls, mus, sds = [], [], []
    for phi in PHIS:
        best = None
        for st in ((math.log(var / 4), math.log(var / 2)), (math.log(var / 20), math.log(var))):
            sol = minimize(lambda t, p=phi: -D._filter(xx, math.exp(t[0]), math.exp(t[1]), phi=p)[0],
                           np.array(st), method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 400})
            if best is None or sol.fun < best.fun:
                best = sol
        assert best is not None
        ql, qo = math.exp(best.x[0]), math.exp(best.x[1])
        _, lev, pv = D._filter(xx, ql, qo, phi=phi)
        mu, sd = _gauss(lev, pv, ql, qo, phi, s[mf - 1])
        lls.append(-best.fun)
        mus.append(mu)
        sds.append(sd)
    ll = np.array(lls)
    wts = np.exp(ll - ll.max())
    return wts / wts.sum(), np.array(mus), np.array(sds)


def v_uc_ar1(r: np.ndarray, m: np.ndarray, mf: np.ndarray) -> Pred:
    """Local level plus an AR(1) transient (statsmodels UnobservedComponents), on the CV window."""
    s = _season(r, m)
    x = r - s[m - 1]
    w = _window(x)
    xx = x if w is None else x[-w:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.tsa.UnobservedComponents(xx, level="llevel", autoregressive=1).fit(disp=False, method="powell",
                                                                                    maxiter=3000)
    fc = res.get_forecast(H)
    return _one(np.asarray(fc.predicted_mean) + s[mf - 1], np.sqrt(np.asarray(fc.var_pred_mean)))


def v_variogram(r: np.ndarray, m: np.ndarray, mf: np.ndarray) -> Pred:
    """Level variance from the slope of the 1-12-month variogram E(r_t+k - r_t)^2 = k q + 2 s_obs^2, CV window."""
    s = _season(r, m)
    x = r - s[m - 1]
    w = _window(x)
    xx = x if w is None else x[-w:]
    ks = np.arange(1, H + 1)
    v = np.array([np.nanmean((xx[k:] - xx[:-k]) ** 2) for k in ks])
    (q, c), *_ = np.linalg.lstsq(np.c_[ks, np.ones_like(ks)], v, rcond=None)
    q, qo = max(float(q), 0.0), max(float(c), 1e-4) / 2
    _, lev, pv = D._filter(xx, q, qo)
    return _one(*_gauss(lev, pv, q, qo, 1.0, s[mf - 1]))


def v_integrated(r: np.ndarray, m: np.ndarray, mf: np.ndarray) -> Pred:
    """Both sds integrated out on a 40 x 40 grid in (0, 1] (flat prior), CV window."""
    s = _season(r, m)
    x = r - s[m - 1]
    w = _window(x)
    xx = x if w is None else x[-w:]
    g = np.linspace(0.0, 1.0, 41)[1:]
    sl, so = (a.ravel() for a in np.meshgrid(g, g, indexing="ij"))
    out = [(ll, lev, pv) for ll, lev, pv in (D._filter(xx, a * a, b * b) for a, b in zip(sl, so, strict=True))]
    ll = np.array([o[0] for o in out])
    wts = np.exp(ll - ll.max())
    keep = wts > 1e-6 * wts.max()
    h = np.arange(1, H + 1)
    mus = np.array([o[1] for o in out])[:, None] + s[mf - 1][None, :]
    sds = np.sqrt(np.array([o[2] for o in out])[:, None] + h[None, :] * sl[:, None] ** 2 + so[:, None] ** 2)
    return wts[keep] / wts[keep].sum(), mus[keep], sds[keep]


VARIANTS: dict[str, Callable[..., Pred]] = {
    "session 5 driver: season from every month, window by CV": v_ships,
    "diagnostic only: level variance x 0.5": lambda r, m, mf: v_ships(r, m, mf, q_scale=0.5),
    "no residual season factor": lambda r, m, mf: v_ships(r, m, mf, season=False),
    "season factor from the last 48 months (ships, session 6)": lambda r, m, mf: v_ships(r, m, mf, season_last=48),
    "windows stacked (log-score weights on the CV points)": v_stacked,
    "windows x {random walk, damped} stacked": lambda r, m, mf: v_stacked(r, m, mf, (False, True)),
    "damped level, window by CV": v_damped_cv,
    "damping integrated out (phi grid, profile likelihood)": v_phi_mixture,
    "local level + AR(1) transient (statsmodels UC)": v_uc_ar1,
    "level variance from the 1-12-month variogram": v_variogram,
    "both variances integrated out (flat prior on the sds)": v_integrated,
}


def score(res: dict[dt.date, dict[str, np.ndarray]], fn: Callable[..., Pred]) -> dict[str, float]:
    rng = np.random.default_rng(0)
    c50, c90, crps, late = [], [], [], []
    for d in res.values():
        wts, mus, sds = fn(d["r"], d["m"], d["mf"])
        y = d["rf"]
        p = (wts[:, None] * norm.cdf((y - mus) / sds)).sum(axis=0)
        k = rng.choice(len(wts), size=4000, p=wts)
        smp = mus[k] + sds[k] * rng.standard_normal((4000, 1))
        for h in range(H):
            if np.isfinite(y[h]):
                c50.append(abs(p[h] - 0.5) <= 0.25)
                c90.append(abs(p[h] - 0.5) <= 0.45)
                crps.append(float(np.mean(np.abs(smp[:, h] - y[h])) - 0.5 * np.mean(np.abs(smp[:2000, h] - smp[2000:, h]))))
                if h >= 6:
                    late.append(abs(p[h] - 0.5) <= 0.25)
    return {"c50": float(np.mean(c50)), "c90": float(np.mean(c90)), "crps": float(np.mean(crps)),
            "c50_late": float(np.mean(late))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--routes", nargs="+", default=["channel", "central_med"])
    ap.add_argument("--out", default=None, help="markdown file for the table (default: print)")
    args = ap.parse_args()
    lines = ["| driver variant | route | coverage 50% | coverage 90% | CRPS (log scale) | coverage 50%, h 7-12 |",
             "|---|---|---:|---:|---:|---:|"]
    for route in args.routes:
        t0 = time.perf_counter()
        res = residuals(route)
        print(f"{route}: residuals at {len(res)} origins in {time.perf_counter() - t0:.0f} s", flush=True)
        for name, fn in VARIANTS.items():
            s = score(res, fn)
            lines.append(f"| {name} | {route} | {s['c50']:.3f} | {s['c90']:.3f} | {s['crps']:.4f} | {s['c50_late']:.2f} |")
            print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    if args.out:
        Path(args.out).write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
