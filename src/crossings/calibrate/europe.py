"""Fit of the route system (scenarios/europe.yaml) to Frontex monthly detections by route and nationality.

Least squares on log(1 + monthly detections), as calibrate/fit.py does for the sea routes, with the
mean-field (crossings.land.meanfield): one residual per route and month (route totals, the published series)
and one per origin group, route and year for every route in the group's choice set (who takes which route;
monthly counts per group are too often zero for a log residual), and one per route and year (annual totals:
a log fit to months alone is a geometric mean, low in a surge). Detections of unspecified nationality (Frontex code OOO: 659,000 of the Western Balkans'
2014-2024 detections, most in 2015) are spread over the groups in proportion to the same route-month's
specified detections (the route's whole-period shares where a month has none).
Everything is estimated from the months in [start, end] only, so a fit ending before a forecast origin uses
no later data. Route-year shocks carry a normal prior (sd fit.shock_sd); seasons, levers and intercepts weak
priors (sd 1, 2 and 2) that only keep the problem well posed.

`uv run --frozen python -m crossings.calibrate.europe scenarios/europe.yaml` writes europe.fitted.yaml.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from crossings.core.errors import guarded
from crossings.core.observed import load
from crossings.core.output import write_text_atomic
from crossings.land.kernel import DET
from crossings.land.meanfield import mean_field
from crossings.land.system import Calendar, build, calendar
from crossings.scenario.routes import EuropeScenario, fitted_path, load_europe

BURN_IN_DAYS = 61  # the stocks at the borders start empty; the first fitted month starts after this
UNSPECIFIED = "OOO"  # Frontex: nationality not specified
ANNUAL_WEIGHT = 1.0  # weight of a group-route-year residual against a route-month one (a fit setting)
ROUTE_YEAR_WEIGHT = 8.0  # weight of a route-year total residual (a fit setting)

# Evidence priors on a lever's utility (R-numbers of ../shared/design/EVIDENCE_EUROPE.md). Each source reports
# the fall of the route's flow across the lever's date; that fall also holds any change of demand (the
# Aegean decline began before the statement, R22), so it BOUNDS the lever's own effect: the utility shift
# lies between log(1 - largest published fall) and 0 (no effect). The prior is a normal whose central 90%
# spans that range (mean at its middle, sd = half-width / 1.645). Levers without a published figure keep the
# weak prior (sd 2) that only keeps the problem well posed.
LEVER_EVIDENCE: dict[str, tuple[float, str]] = {
    # IOM: island arrivals April vs March 2016 -88% (R21); Commission: arrivals "97% lower" (R18, R19)
    "eu_turkey_statement": (0.97, "R18, R19, R21"),
    # UNHCR: Aug 2017 crossings >80% below Aug 2016 (R31); Frontex: departures from Libya -87% in 2018 (R30)
    "italy_libya_mou": (0.87, "R30, R31"),
    # CEAR/AFP: Morocco's 2019 crackdown, mainland arrivals -50% (R47, R42)
    "morocco_cooperation": (0.50, "R42, R47"),
}


def lever_prior(name: str) -> tuple[float, float]:
    """(mean, sd) of a lever's utility prior: the evidence bound where a source gives one, else (0, 2)."""
    if name not in LEVER_EVIDENCE:
        return 0.0, 2.0
    lo = float(np.log(1.0 - LEVER_EVIDENCE[name][0]))
    return lo / 2.0, -lo / 2.0 / 1.645


@dataclass
class Observed:
    months: np.ndarray  # datetime64[M]
    by_route_group: np.ndarray  # (R, G, M) detections
    routes: list[str]
    groups: list[str]


def observed(sc: EuropeScenario, start: dt.date, end: dt.date) -> Observed:
    """Frontex monthly detections by the scenario's routes and origin groups, months in [start, end]."""
    df = load("frontex_detections_monthly_by_route_nationality")
    routes, groups = list(sc.routes), list(sc.groups)
    by_frontex = {sc.routes[r].frontex: i for i, r in enumerate(routes)}
    months = np.arange(np.datetime64(start, "M"), np.datetime64(end, "M") + 1)
    out = np.zeros((len(routes), len(groups), len(months)))
    df = df[df.route.isin(by_frontex)]
    m = df.month.to_numpy().astype("datetime64[M]")
    keep = (m >= months[0]) & (m <= months[-1])
    df, m = df[keep], m[keep]
    gmap = {c: groups.index(sc.group_of(c) or groups[-1]) for c in df.nationality_iso3.unique()}
    ri = df.route.map(by_frontex).to_numpy()
    gi = df.nationality_iso3.map(gmap).to_numpy()
    mi = (m - months[0]).astype(int)
    spec = (df.nationality_iso3 != UNSPECIFIED).to_numpy()
    val = df.detections.to_numpy()
    np.add.at(out, (ri[spec], gi[spec], mi[spec]), val[spec])
    # unspecified nationality: spread over the groups like the route-month's specified detections
    unspec = np.zeros((len(routes), len(months)))
    np.add.at(unspec, (ri[~spec], mi[~spec]), val[~spec])
    whole = out.sum(axis=2, keepdims=True)
    share = np.where(out.sum(axis=1, keepdims=True) > 0, out / np.maximum(out.sum(axis=1, keepdims=True), 1e-300),
                     whole / np.maximum(whole.sum(axis=1, keepdims=True), 1e-300))
    out += share * unspec[:, None, :]
    return Observed(months, out, routes, groups)


def choice_sets(sc: EuropeScenario, obs: Observed) -> dict[str, list[str]]:
    """Routes holding at least fit.min_share of a group's detections in the fitted months."""
    tot = obs.by_route_group.sum(axis=2)  # (R, G)
    share = tot / np.maximum(tot.sum(axis=0, keepdims=True), 1.0)
    return {g: [r for ri, r in enumerate(obs.routes) if share[ri, gi] >= sc.fit.min_share]
            for gi, g in enumerate(obs.groups)}


def monthly(det: np.ndarray, dates: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Daily (..., T) -> monthly (..., M) sums for the given months."""
    dm = dates.astype("datetime64[M]")
    starts = np.searchsorted(dm, months)
    return np.add.reduceat(det, starts, axis=-1)


@dataclass
class Problem:
    sc: EuropeScenario
    obs: Observed
    names: list[str]
    x0: np.ndarray
    prior_sd: np.ndarray  # inf where no prior
    prior_mean: np.ndarray
    start: dt.date
    end: dt.date
    mask: np.ndarray  # (R, G) residual per route-group
    fixed: dict[str, float]
    cal: Calendar
    sets: np.ndarray  # (G, R) the groups' choice sets

    def params(self, x: np.ndarray) -> dict[str, float]:
        return {**self.fixed, **dict(zip(self.names, x.tolist(), strict=True))}

    def simulate_monthly(self, x: np.ndarray) -> np.ndarray:
        sys = build(self.sc, self.params(x), self.start - dt.timedelta(days=BURN_IN_DAYS), self.end, self.cal)
        out = mean_field(sys.move, sys.prob, sys.bundle())
        det = out[DET].transpose(1, 0, 2)  # (R, G, T)
        return monthly(det, sys.dates, self.obs.months)

    def residuals(self, x: np.ndarray) -> np.ndarray:
        sim = self.simulate_monthly(x)
        obs = self.obs.by_route_group
        # monthly route totals (the series Frontex publishes) ...
        res_m = np.log1p(sim.sum(axis=1)) - np.log1p(obs.sum(axis=1))  # (R, M)
        # ... and each group's annual detections on each route of its choice set (who takes which route)
        ys, yi = self.year_of_month()
        sim_y = np.stack([sim[:, :, yi == k].sum(axis=2) for k in range(len(ys))], axis=2)  # (R, G, Y)
        obs_y = np.stack([obs[:, :, yi == k].sum(axis=2) for k in range(len(ys))], axis=2)
        res_y = ANNUAL_WEIGHT * (np.log1p(sim_y) - np.log1p(obs_y))[self.mask]  # (n_pairs, Y)
        # ... and each route's annual total (a log fit to months alone is a geometric mean: low in surges)
        res_a = ROUTE_YEAR_WEIGHT * (np.log1p(sim_y.sum(axis=1)) - np.log1p(obs_y.sum(axis=1)))  # (R, Y)
        fin = np.isfinite(self.prior_sd)
        prior = (x[fin] - self.prior_mean[fin]) / self.prior_sd[fin]
        return np.concatenate([res_m.ravel(), res_y.ravel(), res_a.ravel(), prior])

    def year_of_month(self) -> tuple[np.ndarray, np.ndarray]:
        year = self.obs.months.astype("datetime64[Y]").astype(int) + 1970
        ys = np.unique(year)
        return ys, np.searchsorted(ys, year)

    def sparsity(self) -> np.ndarray:
        """Which residuals each parameter can move (a bool matrix for scipy's grouped finite differences).

        Demand and shocks of year y reach months of years y and y + 1, a season its month and the next two
        (people wait days to weeks at a border; the effects left out further on are below 5% of the largest:
        tests/test_europe.py); a route's shock or season moves every group that has the route in its choice set (the
        logit's competition); an intercept moves its group only."""
        pairs = np.argwhere(self.mask)  # (n_pairs, 2): route, group
        R, M = len(self.obs.routes), len(self.obs.months)
        year = self.obs.months.astype("datetime64[Y]").astype(int) + 1970
        ys, _ = self.year_of_month()
        month0 = self.obs.months.astype(int) % 12
        groups_with = {r: set(np.flatnonzero(self.sets[:, ri]).tolist()) for ri, r in enumerate(self.obs.routes)}
        routes_of = [set(np.flatnonzero(self.sets[g]).tolist()) for g in range(len(self.obs.groups))]
        names = self.obs.routes
        onward = [names.index(t) if (t := self.sc.routes[r].onward_to) else -1 for r in names]
        n_m, n_y, n_a = R * M, len(pairs) * len(ys), R * len(ys)
        fin = np.flatnonzero(np.isfinite(self.prior_sd))
        S = np.zeros((n_m + n_y + n_a + len(fin), len(self.names)), dtype=bool)
        prior_row = {int(j): n_m + n_y + n_a + i for i, j in enumerate(fin)}
        for j, name in enumerate(self.names):
            kind, *rest = name.split(".")
            gs: set[int] = set(range(len(self.obs.groups)))
            months = np.ones(M, dtype=bool)
            years = np.ones(len(ys), dtype=bool)
            if kind in ("demand", "intercept"):
                gs = {self.obs.groups.index(rest[0])}
            elif kind in ("shock", "season"):
                gs = groups_with[rest[0]]
            if kind in ("demand", "shock"):
                months = (year == int(rest[1])) | (year == int(rest[1]) + 1)
                years = (ys == int(rest[1])) | (ys == int(rest[1]) + 1)
            elif kind == "season":
                m0 = int(rest[1]) - 1  # the month itself and the next two (people still waiting)
                months = (month0 == m0) | (month0 == (m0 + 1) % 12) | (month0 == (m0 + 2) % 12)
            routes = set().union(*(routes_of[g] for g in gs)) if gs else set()
            routes |= {onward[r] for r in routes if onward[r] >= 0}  # crossers go on to the chained route
            for r in routes:
                S[r * M:(r + 1) * M, j] = months
                S[n_m + n_y + r * len(ys):n_m + n_y + (r + 1) * len(ys), j] = years if kind != "season" else True
            for p, (_, g) in enumerate(pairs):
                if g in gs:
                    S[n_m + p * len(ys):n_m + (p + 1) * len(ys), j] = years
            if j in prior_row:
                S[prior_row[j], j] = True
        return S


def problem(sc: EuropeScenario, start: dt.date, end: dt.date, warm: dict[str, float] | None = None,
            fixed: dict[str, float] | None = None) -> Problem:
    """The parameters a fit on [start, end] can estimate, their starting values and priors.

    fixed: parameters held at a value instead of estimated (a profile likelihood: e.g. the outside option)."""
    fixed = dict(fixed or {})
    obs = observed(sc, start, end)
    sets = choice_sets(sc, obs)
    years = list(range(start.year, end.year + 1))
    tot = obs.by_route_group.sum(axis=2)
    names: list[str] = []
    x0: list[float] = []
    init: list[float] = []
    sd: list[float] = []
    means: list[float] = []
    warm = warm or {}

    def add(name: str, value: float, prior: float = np.inf, mean: float | None = None) -> None:
        if name in fixed:
            return
        names.append(name)
        init.append(value)
        x0.append(warm.get(name, value))
        sd.append(prior)
        # priors centre shocks, seasons, levers, onward and outside at 0 and intercepts at their start values
        means.append(value if mean is None and name.startswith("intercept.") else (mean or 0.0))

    for gi, g in enumerate(obs.groups):
        ymask = obs.months.astype("datetime64[Y]").astype(int) + 1970
        for y in years:
            n = obs.by_route_group[:, gi, ymask == y].sum() / 365.0
            add(f"demand.{g}.{y}", float(np.log(max(n, 0.1))) + 0.7)
        gtot = max(tot[:, gi].sum(), 1.0)
        for r in sets[g]:
            add(f"intercept.{g}.{r}", float(np.log(max(tot[obs.routes.index(r), gi], 1.0) / gtot)), 2.0)
    for r in obs.routes:
        for m in range(2, 13):
            add(f"season.{r}.{m}", 0.0, 1.0)
        for y in years:
            add(f"shock.{r}.{y}", 0.0, sc.fit.shock_sd)
    for lname, lv in sc.levers.items():
        # a lever starting after the fitted months cannot be estimated: it stays at 0 (off) in this fit
        if not lv.enabled or lv.start > end - dt.timedelta(days=60):
            continue
        if lv.utility == "fit":
            pm, ps = lever_prior(lname)
            add(f"lever.{lname}.utility", pm, ps, pm)
        if lv.onward == "fit":
            add(f"lever.{lname}.onward", 0.0, 2.0)
    for r, spec in sc.routes.items():
        if spec.onward_to is not None:
            add(f"onward.{r}", 0.0, 2.0)
    add("outside", 0.0, 2.0)
    mask = np.zeros((len(obs.routes), len(obs.groups)), dtype=bool)
    for gi, g in enumerate(obs.groups):
        for r in sets[g]:
            mask[obs.routes.index(r), gi] = True
    cal = calendar(sc, start - dt.timedelta(days=BURN_IN_DAYS), end, years)
    return Problem(sc, obs, names, np.array(x0), np.array(sd), np.array(means), start, end, mask, fixed,
                   cal, mask.T.copy())


# The route-side parameters (seasons, route-year shocks, levers, onward shares) are pinned by the monthly
# route series. The group-side ones (demand, intercepts, outside) are identified only jointly: demand times the
# inside share is, and along that direction the logit is far from linear, so Gaussian draws of it give
# forecasts of 10^10 (found in the back-test's early origins). Forecast draws take the route side given the rest.
ROUTE_SIDE = ("season", "shock", "lever", "onward")


@dataclass
class FitResult:
    params: dict[str, float]
    names: list[str]
    x: np.ndarray
    cov: np.ndarray  # Gauss-Newton covariance of x (residual variance times (J'J)^-1)
    cost: float
    nfev: int
    problem: Problem
    hess: np.ndarray | None = None  # the curvature the covariance inverts (for conditional draws)

    def conditional_root(self, kinds: tuple[str, ...] = ROUTE_SIDE) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the parameters of the given kinds and a square root of their Laplace covariance given
        all the others (the inverse of the curvature's sub-block): draws that leave the rest at the fit."""
        idx = np.array([i for i, n in enumerate(self.names) if n.split(".")[0] in kinds], dtype=np.int64)
        H = self.hess if self.hess is not None else np.linalg.pinv(self.cov)
        w, V = np.linalg.eigh(0.5 * (H[np.ix_(idx, idx)] + H[np.ix_(idx, idx)].T))
        return idx, V / np.sqrt(np.clip(w, 1e-12, None))


def fit(sc: EuropeScenario, start: dt.date, end: dt.date, warm: dict[str, float] | None = None,
        max_nfev: int = 60, verbose: bool = False, fixed: dict[str, float] | None = None) -> FitResult:
    from scipy.optimize import least_squares

    p = problem(sc, start, end, warm, fixed)
    sol = least_squares(p.residuals, p.x0, method="trf", x_scale=1.0, max_nfev=max_nfev,
                        jac_sparsity=p.sparsity(), tr_solver="lsmr", verbose=2 if verbose else 0)
    J = sol.jac.toarray() if hasattr(sol.jac, "toarray") else sol.jac
    H = _curvature(p, sol.fun, J)
    return FitResult(p.params(sol.x), p.names, sol.x, np.linalg.pinv(H), float(sol.cost), int(sol.nfev), p, H)


def _curvature(p: Problem, fun: np.ndarray, J: np.ndarray) -> np.ndarray:
    """Gauss-Newton curvature of the penalised log likelihood: the data rows scaled by their residual variance,
    the prior rows (already in sd units) not. Its inverse is the Laplace posterior covariance."""
    n_prior = int(np.isfinite(p.prior_sd).sum())
    n_data = len(fun) - n_prior
    s2 = float(np.sum(fun[:n_data] ** 2) / max(n_data - len(p.names), 1))
    return J[:n_data].T @ J[:n_data] / s2 + J[n_data:].T @ J[n_data:]


def laplace(sc: EuropeScenario, start: dt.date | None = None, end: dt.date | None = None) -> FitResult:
    """The fitted values of sc (its fitted file) with their full Laplace covariance (one Jacobian, ~2 s):
    for parameter draws that keep the correlations (a lever against the same year's demand)."""
    from scipy.optimize._numdiff import approx_derivative

    p = problem(sc, start or sc.fit.start, end or sc.fit.end, warm=dict(sc.fitted))
    fun = p.residuals(p.x0)
    J = approx_derivative(p.residuals, p.x0, f0=fun, sparsity=p.sparsity())
    J = J.toarray() if hasattr(J, "toarray") else np.asarray(J)
    H = _curvature(p, fun, J)
    return FitResult(p.params(p.x0), p.names, p.x0, np.linalg.pinv(H), float(0.5 * np.sum(fun ** 2)), 1, p, H)


def profile_outside(sc: EuropeScenario, values: list[float], max_nfev: int = 20) -> list[FitResult]:
    """Refit with the outside option's utility held at each value (warm from the fitted file): the penalised
    cost against the value is the profile likelihood, which says how far the data pin the outside option."""
    return [fit(sc, sc.fit.start, sc.fit.end, warm=dict(sc.fitted), max_nfev=max_nfev, fixed={"outside": v})
            for v in values]


def write_fitted(path: Path, res: FitResult, note: str) -> None:
    body: dict[str, Any] = {
        "note": note,
        "fitted_on": f"{res.problem.start} .. {res.problem.end}",
        "cost": round(res.cost, 3),
        "values": {k: round(float(v), 6) for k, v in res.params.items()},
        "sd": {n: round(float(np.sqrt(max(res.cov[i, i], 0.0))), 6) for i, n in enumerate(res.names)},
    }
    write_text_atomic(fitted_path(path), yaml.safe_dump(body, sort_keys=False))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", type=Path)
    ap.add_argument("--max-nfev", type=int, default=60)
    ap.add_argument("--warm", action="store_true", help="start from the values in the fitted file")
    a = ap.parse_args(argv)

    def command() -> int:
        sc = load_europe(a.scenario, fitted=a.warm)
        res = fit(sc, sc.fit.start, sc.fit.end, warm=dict(sc.fitted) if a.warm else None, max_nfev=a.max_nfev,
                  verbose=True)
        write_fitted(a.scenario, res, "calibrate/europe.py: least squares on log monthly detections, mean-field")
        print(f"cost {res.cost:.2f}, {res.nfev} evaluations, {len(res.names)} parameters")
        return 0

    return guarded("crossings.calibrate.europe", command)


if __name__ == "__main__":
    raise SystemExit(main())
