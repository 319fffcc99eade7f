"""Parameter uncertainty of a sea fit: a Laplace (Gauss-Newton) covariance at the shipped fitted values,
and counter-based draws from it for ensembles.

Compute (no refit): `python -m crossings.calibrate.uncertainty scenarios/X.yaml [--fitted F] [--output O]`.
At the fitted values x of the free parameters the scenario declares (`fit:`, calibrate/fitspec.py) (read back from the fitted file), the
step-2 residual vector r of `fit.Problem` (weighted log-residuals of the mean-field model, plus the
roughness penalty rows) and its Jacobian J (central finite differences, step FD_STEP x max(1, |x|),
one-sided next to a bound) give Cov = s^2 (J^T J)^-1 with s^2 = SSR / (n - p). The residuals carry the
fit's weights (annual sums x 12, deaths and interceptions x 0.5), so s^2 is a scale for the weighted
residuals, not a measurement variance; monthly residuals are autocorrelated (runs of months above or
below the data), so n overstates the independent information and Cov is an underestimate. Parameters
at or within BOUND_TOL of a bound are held at their value (not sampled); so are parameters that the
residuals do not identify (2 sd wider than their whole bound range: most normal draws would be clipped,
and a clipped coordinate of a strongly correlated draw no longer compensates the others); Cov is then
that of the others with those held (recomputed until no such parameter is left). The file written
(default: X.uncertainty.yaml next to the scenario for its own fitted file, <fitted stem>.uncertainty.yaml
for another one) holds x, the Cholesky factor L (Cov = L L^T) and the bounds.

Run time (no scipy, no fit): `draw(u, seed)` is x + L z, z standard normal from the counter-based stream
STREAM keyed by the member's seed (Box-Muller on uniforms 2j, 2j+1), clipped to the fit's bounds;
`member_values` writes the vector through the same `Free.write` functions the fit uses, so derived key
paths (a weather curve from three numbers, a lever = base + raise) come out as the fit writes them.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import math
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crossings.calibrate.fitspec import Free, has_fit
from crossings.calibrate.fitspec import frees_for as spec_frees
from crossings.core.errors import InputError
from crossings.core.rng import tick_key, uniform_np
from crossings.scenario.load import fitted_path, load_raw, read_yaml
from crossings.scenario.overrides import get_path

# Stream of parameter draws: ids 30-59 belong to the engine, sea and asylum processes; 60 is taken here.
STREAM = 60
BOUND_TOL = 1e-6  # a parameter this close to a bound is held (the Laplace approximation does not hold there)
FD_STEP = 1e-4  # relative finite-difference step (fitted values are stored to 5 significant digits)
METHOD = (
    "Laplace / Gauss-Newton covariance at the shipped fitted values (no refit): Cov = s^2 (J^T J)^-1 over the "
    "free parameters not at a bound, J = Jacobian of the step-2 residuals of crossings.calibrate.fit (mean-field "
    f"model) by central finite differences (step {FD_STEP} x max(1, |x|), one-sided next to a bound), "
    "s^2 = SSR / (n - p). The residuals are weighted log-residuals plus roughness-penalty rows, so s^2 "
    "absorbs the weights; monthly residuals are autocorrelated, so this underestimates the uncertainty. "
    "Parameters within 1e-6 of a bound are held fixed; so are parameters the residuals do not identify "
    "(2 sd wider than their whole bound range: a normal draw would mostly be clipped, breaking its correlations), "
    "listed under not_identified, the others' covariance recomputed given them until none is left. cholesky: lower-triangular L with Cov = L L^T, "
    "rows and columns in the order of `sampled`."
)


@dataclass
class Uncertainty:
    """A parameter-uncertainty file, read back."""

    path: Path
    scenario: str
    fitted_file: str
    fitted_created_utc: str
    fit_window: tuple[str, str]
    names: list[str]  # every free parameter of the fit, fitspec order
    x: np.ndarray  # their estimates
    lo: np.ndarray
    hi: np.ndarray
    sampled: np.ndarray  # indices (into names) of the sampled parameters, the order of chol
    chol: np.ndarray  # lower-triangular, Cov of the sampled parameters = chol @ chol.T

    @property
    def held(self) -> list[str]:
        keep = set(self.sampled.tolist())
        return [n for i, n in enumerate(self.names) if i not in keep]


# --- run time -------------------------------------------------------------------------------------------


def standard_normals(seed: int, n: int) -> np.ndarray:
    """n independent N(0, 1) draws from stream STREAM, tick 0, keyed by seed (Box-Muller)."""
    u = uniform_np(tick_key(seed, STREAM, 0), np.arange(2 * n, dtype=np.int64))
    u1, u2 = 1.0 - u[0::2], u[1::2]  # 1 - u is in (0, 1]: log is finite
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def draw(u: Uncertainty, seed: int) -> np.ndarray:
    """One parameter vector for the member with this seed: x + L z on the sampled ones, clipped to bounds."""
    theta = u.x.copy()
    theta[u.sampled] += u.chol @ standard_normals(seed, len(u.sampled))
    return np.clip(theta, u.lo, u.hi)


def default_file(scenario: Path, overrides: Mapping[str, Any] | None = None) -> Path:
    """X.uncertainty.yaml for X.yaml's own fitted file; <fitted stem>.uncertainty.yaml for another."""
    fp = fitted_for(scenario, overrides)
    if fp.name == read_yaml(scenario).get("fitted_file"):
        return scenario.with_name(f"{scenario.stem}.uncertainty.yaml")
    return fp.with_name(f"{fp.name.removesuffix('.yaml')}.uncertainty.yaml")


def fitted_for(scenario: Path, overrides: Mapping[str, Any] | None = None) -> Path:
    """The fitted file a run of `scenario` with `overrides` reads (as crossings.scenario.load resolves it)."""
    raw = read_yaml(scenario)
    if overrides and "fitted_file" in overrides:
        raw["fitted_file"] = overrides["fitted_file"]
    fp = fitted_path(scenario, raw)
    if fp is None:
        raise InputError(str(scenario), "fitted_file", "parameter uncertainty needs a fitted scenario")
    return fp


def read(path: Path, scenario: Path, overrides: Mapping[str, Any] | None = None) -> Uncertainty:
    """Read an uncertainty file and check it belongs to the fit this run reads (same file, same fit time)."""
    d = read_yaml(path)
    try:
        names = [str(p["name"]) for p in d["parameters"]]
        u = Uncertainty(
            path=path, scenario=str(d["scenario"]), fitted_file=str(d["fitted_file"]),
            fitted_created_utc=str(d["fitted_created_utc"]),
            fit_window=(str(d["fit_window"]["start"]), str(d["fit_window"]["end"])), names=names,
            x=np.array([float(p["estimate"]) for p in d["parameters"]]),
            lo=np.array([float(p["lo"]) for p in d["parameters"]]),
            hi=np.array([float(p["hi"]) for p in d["parameters"]]),
            sampled=np.array([names.index(str(n)) for n in d["sampled"]], dtype=np.int64),
            chol=np.array(d["cholesky"], dtype=np.float64).reshape(len(d["sampled"]), len(d["sampled"])),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(str(path), "", f"not a parameter-uncertainty file ({type(err).__name__}: {err}); "
                         "write it with python -m crossings.calibrate.uncertainty") from None
    fp = fitted_for(scenario, overrides)
    fitted = read_yaml(fp) if fp.exists() else {}
    if u.fitted_file != fp.name or str(fitted.get("created_utc")) != u.fitted_created_utc:
        raise InputError(str(path), "fitted_file", f"computed for {u.fitted_file} of {u.fitted_created_utc}, but "
                         f"this run reads {fp.name} of {fitted.get('created_utc')}: use that fit's file, or write it with "
                         f"python -m crossings.calibrate.uncertainty {scenario} --fitted {fp}")
    return u


def frees_for(u: Uncertainty, scenario: Path, overrides: Mapping[str, Any] | None = None) -> list[Free]:
    """The fit's free parameters (with their write functions), built as the fit built them: over the fit
    window (knots after its end are written from the last one inside it)."""
    raw = load_raw(scenario, {"fitted_file": overrides["fitted_file"]} if overrides and "fitted_file" in overrides
                   else None)
    if not has_fit(raw):
        raise InputError(str(scenario), "fit.free", "the scenario declares no free parameters to fit")
    raw["start"], raw["end"] = dt.date.fromisoformat(u.fit_window[0]), dt.date.fromisoformat(u.fit_window[1])
    frees = spec_frees(raw)
    if [f.name for f in frees] != u.names:
        raise InputError(str(u.path), "parameters", "do not match the fit's free parameters (crossings.calibrate.fitspec): "
                         f"rerun python -m crossings.calibrate.uncertainty {scenario}")
    return frees


def member_values(frees: list[Free], theta: np.ndarray) -> dict[str, Any]:
    """{key.path: value} for one parameter vector, written in fitspec order (some writes share state)."""
    vals: dict[str, Any] = {}
    for f, v in zip(frees, theta, strict=True):
        f.write(float(v), vals)
    return vals


def member_overrides(scenario: Path, seeds: list[int], overrides: Mapping[str, Any] | None,
                     file: Path | None = None) -> tuple[list[dict[str, Any]], Uncertainty]:
    """Per seed: the drawn parameters' key paths, under the user's overrides (a --set wins over a draw)."""
    u = read(file or default_file(scenario, overrides), scenario, overrides)
    frees = frees_for(u, scenario, overrides)
    return [{**member_values(frees, draw(u, s)), **(overrides or {})} for s in seeds], u


# --- computing the file (needs the fit's Problem; numpy only) --------------------------------------------


def _get(raw: dict[str, Any], path: str) -> Any:
    return get_path(raw, path, "fit")


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def estimates(frees: list[Free], raw: dict[str, Any], sea_routes: list[str]) -> np.ndarray:
    """The fitted values of the free parameters. Most are read from the scenario (Free.x0, with the fitted file
    merged); two kinds are not stored as such: the seasonal weather curve's (a, b, peak), recovered by a
    linear least-squares fit of logit(by_month) on cos/sin of the month, and a lever's raise over its base
    (lever - base)."""
    x = np.array([f.x0 for f in frees])
    names = [f.name for f in frees]
    if "weather_a" in names:
        p = [_logit(float(v)) for v in _get(raw, f"sea_links.{sea_routes[0]}.weather.by_month")]
        ang = 2 * np.pi * np.arange(1, 13) / 12
        coef = np.linalg.lstsq(np.column_stack([np.ones(12), np.cos(ang), np.sin(ang)]), np.array(p), rcond=None)[0]
        b = float(np.hypot(coef[1], coef[2]))
        peak = float(np.arctan2(coef[2], coef[1]) * 12 / (2 * np.pi)) % 12
        x[names.index("weather_a")], x[names.index("weather_b")] = coef[0], b
        x[names.index("weather_peak_month")] = peak
    for i, n in enumerate(names):
        if n.startswith("raise of "):
            base = float(_get(raw, names[i - 1]))  # `raised` lists the base just before the raise
            x[i - 1], x[i] = base, float(_get(raw, n.removeprefix("raise of "))) - base
    lo, hi = np.array([f.lo for f in frees]), np.array([f.hi for f in frees])
    return np.clip(x, lo, hi)


def jacobian(fun: Any, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """d fun / d x[cols] by central differences; one-sided where a step would leave the bounds."""
    f0 = fun(x)
    jac = np.empty((f0.size, len(cols)))
    for j, i in enumerate(cols):
        h = FD_STEP * max(1.0, abs(x[i]))
        up, dn = min(x[i] + h, hi[i]), max(x[i] - h, lo[i])
        xu, xd = x.copy(), x.copy()
        xu[i], xd[i] = up, dn
        fu = fun(xu) if up > x[i] else f0
        fd = fun(xd) if dn < x[i] else f0
        jac[:, j] = (fu - fd) / (up - dn)
    return jac


def compute(scenario: Path, fitted: Path | None = None, verbose: bool = True) -> dict[str, Any]:
    from crossings.calibrate.problem import Problem

    fp = fitted if fitted is not None else fitted_for(scenario)
    if not fp.exists():
        raise InputError(str(fp), "", "no such fitted file")
    fd = read_yaml(fp)
    raw = load_raw(scenario, {"fitted_file": str(fp.resolve())})
    w = fd.get("fit_window") or {}
    try:
        start, end = dt.date.fromisoformat(str(w["start"])), dt.date.fromisoformat(str(w["end"]))
    except (KeyError, ValueError):
        raise InputError(str(fp), "fit_window", "missing or not two dates (start, end)") from None
    if not has_fit(raw):
        raise InputError(str(scenario), "fit.free", "the scenario declares no free parameters to fit")
    p = Problem(scenario, raw, start, end)
    lo, hi = np.array([f.lo for f in p.frees]), np.array([f.hi for f in p.frees])
    x = estimates(p.frees, p.raw, p.routes)
    r = p.residuals(x)
    # the parameter vector must reproduce the shipped scenario: compare with the residuals of the scenario as
    # loaded (no free written; the roughness rows are the last ones and depend on x only)
    shipped = copy.copy(p)
    shipped.frees, shipped.groups = [], []
    r_ship = shipped.residuals(np.empty(0))
    gap = float(np.max(np.abs(r[: r_ship.size] - r_ship)))
    held = (x - lo <= BOUND_TOL) | (hi - x <= BOUND_TOL)
    free = np.flatnonzero(~held)
    jac_all = jacobian(p.residuals, x, lo, hi, free)
    n, ssr = r.size, float(r @ r)
    unident = np.zeros(len(x), dtype=bool)
    while True:  # hold what the residuals do not identify, then recompute the others' covariance given it
        keep = ~unident[free]
        cols, jac = free[keep], jac_all[:, keep]
        k = len(cols)
        s2 = ssr / (n - k)
        jtj = jac.T @ jac
        cov = s2 * np.linalg.inv(jtj)
        wide = 2 * np.sqrt(np.diag(cov)) > hi[cols] - lo[cols]
        if not wide.any():
            break
        unident[cols[wide]] = True
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise InputError(str(fp), "", "J^T J is not positive definite at the fit: some parameters are not "
                         "identified by the residuals") from None
    sd = np.sqrt(np.diag(cov))
    if verbose:
        print(f"{scenario.name} with {fp.name}: n = {n} residuals, p = {k} sampled, {int(held.sum())} at a bound, {int(unident.sum())} not identified; "
              f"SSR = {ssr:.4f} (fit file cost x 2 = {2 * float(fd.get('cost', np.nan)):.4f}), s^2 = {s2:.4f}; "
              f"max |residual gap| vs the scenario as loaded {gap:.2e}; cond(J^T J) = {np.linalg.cond(jtj):.3g}")
        for j, i in enumerate(cols):
            print(f"  {p.frees[i].name:<58}{x[i]:>11.5g}  sd {sd[j]:.3g}")
        for i in np.flatnonzero(held):
            print(f"  {p.frees[i].name:<58}{x[i]:>11.5g}  held (at a bound)")
        for i in np.flatnonzero(unident):
            print(f"  {p.frees[i].name:<58}{x[i]:>11.5g}  held (not identified: 2 sd > bound range)")
    sd_all = np.full(len(x), np.nan)
    sd_all[cols] = sd
    held |= unident
    params = []
    for i, f in enumerate(p.frees):
        keys: dict[str, Any] = {}
        f.write(float(x[i]), keys)
        params.append({"name": f.name, "key_paths": sorted(keys), "estimate": float(x[i]), "lo": float(lo[i]),
                       "hi": float(hi[i]), "sd": None if held[i] else float(sd_all[i]), "held": bool(held[i])})
    return {
        "scenario": scenario.name,
        "fitted_file": fp.name,
        "fitted_created_utc": str(fd.get("created_utc")),
        "fit_window": {"start": start.isoformat(), "end": end.isoformat()},
        "method": METHOD,
        "n_residuals": n,
        "ssr": round(ssr, 6),
        "s2": round(s2, 6),
        "max_residual_gap": float(f"{gap:.3g}"),
        "stream": STREAM,
        "parameters": params,
        "held": [p.frees[i].name for i in np.flatnonzero(held & ~unident)],
        "not_identified": [p.frees[i].name for i in np.flatnonzero(unident)],
        "sampled": [p.frees[i].name for i in cols],
        "cholesky": [[float(v) for v in row[: j + 1]] + [0.0] * (k - j - 1) for j, row in enumerate(chol)],
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main(argv: list[str] | None = None) -> int:
    from crossings.core.output import write_generated_yaml

    ap = argparse.ArgumentParser(prog="python -m crossings.calibrate.uncertainty", description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--fitted", help="fitted-values file (default: the scenario's fitted_file)")
    ap.add_argument("--output", help="where to write (default: next to the scenario, see the module docstring)")
    a = ap.parse_args(argv)
    path = Path(a.scenario)
    try:
        fitted = Path(a.fitted) if a.fitted else None
        result = compute(path, fitted)
        over = {"fitted_file": str(fitted.resolve())} if fitted else None
        target = Path(a.output) if a.output else default_file(path, over)
    except InputError as err:
        print(f"crossings.calibrate.uncertainty: error: {err}", file=sys.stderr)
        return 2
    write_generated_yaml(target, "python -m crossings.calibrate.uncertainty", result, width=110)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
