"""Computations behind docs/validation.md (issue 3 "Must show"), from tidy result tables + observed data.

Tidy tables have columns date (or month "YYYY-MM"), route, measure, simulated, observed. Simulated values are
taken from them; observed values are read here from the bundled files (crossings.core.observed.load), so every
comparison names its source and does not depend on what a runner chose to attach.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossings.analysis.count_model import fit_poisson_gamma, poisson_gamma_forecast
from crossings.analysis.forecast import mae, mape, random_walk, seasonal_naive, skill
from crossings.core.observed import load

ITALY_ROUTES = ("libya_italy", "tunisia_italy")  # the two routes with departure-country figures
CHANNEL_ROUTE = "france_uk"
ROUTE_COUNTRY = {"libya_italy": "Libya", "tunisia_italy": "Tunisia"}
MMP_ROUTE = {"italy": "Central Mediterranean", "channel": "Mainland Europe to the UK"}


# ---------------------------------------------------------------- simulated series from tidy tables
def simulated(table: pd.DataFrame, routes: str | Iterable[str], measure: str) -> pd.Series:
    """Simulated values of one measure summed over the given routes, indexed by date or month string."""
    key = "date" if "date" in table.columns else "month"
    wanted = [routes] if isinstance(routes, str) else list(routes)
    sel = table[(table["measure"] == measure) & table["place"].isin(wanted)]
    if sel.empty:
        raise KeyError(f"no simulated {measure!r} for routes {wanted}")
    out = sel.groupby(sel[key].astype(str))["simulated"].sum().astype(float)
    out.index.name = key
    return out


def italy_total_routes(table: pd.DataFrame) -> list[str]:
    """Every sea route to Italy in a result (libya_italy, tunisia_italy and any other `*_italy` route), so
    their sum compares with all sea arrivals in Italy."""
    routes = sorted(r for r in table["place"].unique() if str(r).endswith("_italy"))
    return routes or list(ITALY_ROUTES)


def by_year(series: pd.Series) -> pd.Series:
    """Annual sums of a daily or monthly series indexed by date/month strings."""
    years = pd.Index(series.index.astype(str).str[:4].astype(int), name="year")
    return series.groupby(years).sum()


def by_month(series: pd.Series) -> pd.Series:
    months = pd.Index(series.index.astype(str).str[:7], name="month")
    return series.groupby(months).sum()


def window_total(daily: pd.Series, start: str, end: str) -> float:
    """Sum of a daily series (index "YYYY-MM-DD") from start to end inclusive."""
    idx = daily.index.astype(str)
    return float(daily[(idx >= start) & (idx <= end)].sum())


def pct_error(simulated_value: float, observed_value: float) -> float:
    return 100.0 * (simulated_value - observed_value) / observed_value


def compare(sim: pd.Series, obs: pd.Series, tolerance_pct: float) -> pd.DataFrame:
    """Side-by-side table over the common index: simulated, observed, % error and whether within tolerance."""
    both = pd.concat([sim.rename("simulated"), obs.rename("observed")], axis=1, join="inner").dropna()
    both["pct_error"] = 100.0 * (both["simulated"] - both["observed"]) / both["observed"]
    both["within"] = both["pct_error"].abs() <= tolerance_pct
    return both


# ---------------------------------------------------------------- daily shape (Channel)
def zero_day_share(daily: pd.Series) -> pd.Series:
    """Share of days in each month with no arrivals."""
    months = pd.Index(daily.index.astype(str).str[:7], name="month")
    return (daily <= 0).groupby(months).mean()


def p95_day(daily: pd.Series) -> pd.Series:
    """95th percentile of daily arrivals in each year."""
    years = pd.Index(daily.index.astype(str).str[:4].astype(int), name="year")
    return daily.groupby(years).quantile(0.95)


def ratio_by_year(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    num, den = by_year(numerator), by_year(denominator)
    return (num / den.replace(0, np.nan)).dropna()


# ---------------------------------------------------------------- observed series
def observed_channel_daily() -> pd.DataFrame:
    """HO daily small-boat arrivals: index date string, columns people, boats."""
    d = load("uk_small_boats_daily")
    return d.set_index("date")[["people_arrived", "boats_arrived"]].rename(
        columns={"people_arrived": "people", "boats_arrived": "boats"}).astype(float)


def observed_italy_monthly() -> pd.Series:
    """Official monthly sea arrivals in Italy (`preferred_value`, all departure countries)."""
    m = load("italy_sea_arrivals_monthly")
    return m.set_index("month")["preferred_value"].astype(float)


def observed_by_departure_country(year: int, country: str) -> float:
    """Full-year arrivals in Italy from one departure country (Viminale year-end figure where present)."""
    dep = load("italy_sea_arrivals_by_departure_country")
    rows = dep[(dep["period_label"] == str(year)) & (dep["departure_country"] == country) & dep["people"].notna()]
    if rows.empty:
        return float("nan")
    exact = rows[~rows["note"].fillna("").str.contains("rounded")]
    return float((exact if not exact.empty else rows)["people"].iloc[0])


def observed_italy_to_sep13() -> dict[int, float]:
    """Italy arrivals 1 Jan - ~13 Sep 2023 and 2024 (Telegraph citing the Interior Ministry)."""
    facts = load("policy_and_context_facts")
    facts = facts[facts["topic"] == "Context Sept 2024"]
    out: dict[int, float] = {}
    for year, pattern in ((2024, "Italy sea arrivals 2024 YTD"), (2023, "Italy sea arrivals same period 2023")):
        row = facts[facts["item"].str.startswith(pattern)]
        if len(row) != 1:
            raise KeyError(f"policy_and_context_facts: no single row {pattern!r}")
        out[year] = float(row["value"].iloc[0])
    return out


def observed_mmp_deaths(route_key: str) -> pd.Series:
    """IOM MMP dead + missing per year for 'italy' (Central Med) or 'channel' (route to the UK, incl. land)."""
    a = load("deaths_missing_by_route_annual_iom_mmp")
    a = a[a["route"] == MMP_ROUTE[route_key]]
    return a.set_index("year")["dead_and_missing"].astype(float)


def observed_channel_deaths_at_sea() -> pd.Series:
    """MMP route-to-UK dead + missing per year, only incidents flagged as at sea in the Channel."""
    inc = load("channel_route_incidents_iom_mmp")
    inc = inc[inc["at_sea_channel_crossing_flag"] == 1]
    return inc.groupby("year")["dead_and_missing"].sum().astype(float)


# ---------------------------------------------------------------- several seeds
@dataclass(frozen=True)
class SeedStat:
    """Mean and range over seeds of one simulated number."""

    mean: float
    lo: float
    hi: float

    def fmt(self, digits: int = 0, pct: bool = False) -> str:
        unit = "%" if pct else ""
        if digits == 0:
            return f"{self.mean:,.0f}{unit} ({self.lo:,.0f}-{self.hi:,.0f})"
        return f"{self.mean:,.{digits}f}{unit} ({self.lo:,.{digits}f}-{self.hi:,.{digits}f})"


def seed_stat(values: Sequence[float]) -> SeedStat:
    v = np.asarray(values, dtype=float)
    return SeedStat(float(v.mean()), float(v.min()), float(v.max()))


def stack_seeds(series: Sequence[pd.Series]) -> pd.DataFrame:
    """One column per seed, aligned on the index."""
    return pd.concat(list(series), axis=1, keys=range(len(series)))


def seed_stats_frame(series: Sequence[pd.Series]) -> pd.DataFrame:
    """Per index value: mean, lo, hi across seeds."""
    s = stack_seeds(series)
    return pd.DataFrame({"mean": s.mean(axis=1), "lo": s.min(axis=1), "hi": s.max(axis=1)})


# ---------------------------------------------------------------- counterfactual
def lever_attribution(on: Mapping[str, Mapping[int, float]], off: Mapping[str, Mapping[int, float]],
                      diverted_to: str = "libya_italy", lever_route: str = "tunisia_italy",
                      years: tuple[int, int] = (2023, 2024)) -> dict[str, float]:
    """How much of the simulated drop between two years a lever explains, and how much it diverted.

    `on`/`off` map route -> year -> simulated arrivals with the lever on (central run) and off (all else
    equal). Share explained = 1 - (drop without lever) / (drop with lever). Diversion = extra arrivals on the
    other route in the later year per arrival averted on the lever's route.
    """
    y0, y1 = years
    total_on = {y: sum(on[r][y] for r in on) for y in years}
    total_off = {y: sum(off[r][y] for r in off) for y in years}
    drop_on = total_on[y0] - total_on[y1]
    drop_off = total_off[y0] - total_off[y1]
    averted = off[lever_route][y1] - on[lever_route][y1]
    diverted = on[diverted_to][y1] - off[diverted_to][y1]
    return {
        "drop_with_lever": drop_on,
        "drop_without_lever": drop_off,
        "share_of_drop_explained": 1.0 - drop_off / drop_on if drop_on else float("nan"),
        "averted_on_lever_route": averted,
        "diverted_to_other_route": diverted,
        "diversion_share": diverted / averted if averted else float("nan"),
        "net_averted": total_off[y1] - total_on[y1],
    }


# ---------------------------------------------------------------- out of sample
def out_of_sample_scores(predicted: pd.Series, observed: pd.Series, targets: Sequence[str],
                         origin: str) -> dict[str, float]:
    """Score a monthly forecast for `targets` against seasonal naive and random walk from `origin`."""
    obs = observed.reindex(list(targets))
    pred = predicted.reindex(list(targets))
    sn = seasonal_naive(observed, targets)
    rw = random_walk(observed, targets, origin=origin)
    pg_fit = fit_poisson_gamma(observed, origin)
    pg = poisson_gamma_forecast(observed, targets, origin)
    out = {
        "mape_model": mape(obs, pred), "mape_seasonal_naive": mape(obs, sn), "mape_random_walk": mape(obs, rw),
        "mae_model": mae(obs, pred), "mae_seasonal_naive": mae(obs, sn), "mae_random_walk": mae(obs, rw),
        "mape_poisson_gamma": mape(obs, pg), "mae_poisson_gamma": mae(obs, pg),
        "poisson_gamma_discount": pg_fit.discount, "poisson_gamma_scale": pg_fit.scale,
    }
    out["skill_mape_vs_seasonal_naive"] = skill(out["mape_model"], out["mape_seasonal_naive"])
    out["skill_mae_vs_seasonal_naive"] = skill(out["mae_model"], out["mae_seasonal_naive"])
    out["skill_mape_vs_random_walk"] = skill(out["mape_model"], out["mape_random_walk"])
    out["skill_mape_vs_poisson_gamma"] = skill(out["mape_model"], out["mape_poisson_gamma"])
    return out


# ---------------------------------------------------------------- observed annual per (route, measure)
def _med_interceptions(column: str) -> pd.Series:
    med = load("med_arrivals_interceptions_monthly_iom")
    s = med.set_index("month")[column].dropna().astype(float)
    return by_year(s)


def _departure_country_years(country: str) -> pd.Series:
    years = [2022, 2023, 2024]
    return pd.Series({y: observed_by_departure_country(y, country) for y in years}, dtype=float).dropna()


def observed_annual(route: str, measure: str) -> pd.Series | None:
    """Observed annual value for a route (or destination 'italy') and measure; None where none exists.

    Italy per departure country exists only as full-year totals 2022-2024 (Viminale/Coast Guard); Libyan
    and Tunisian coastguard interceptions come from the IOM monthly file; deaths are IOM MMP dead+missing
    (Central Med covers both Italy routes together and is given for 'italy' only).
    """
    ch = observed_channel_daily
    table = {
        ("france_uk", "arrivals"): lambda: by_year(ch()["people"]),
        ("france_uk", "boats"): lambda: by_year(ch()["boats"]),
        ("france_uk", "deaths"): lambda: observed_mmp_deaths("channel"),
        ("uk", "arrivals"): lambda: by_year(ch()["people"]),
        ("libya_italy", "arrivals"): lambda: _departure_country_years("Libya"),
        ("tunisia_italy", "arrivals"): lambda: _departure_country_years("Tunisia"),
        ("libya_italy", "interceptions"): lambda: _med_interceptions("interceptions_by_libyan_coast_guard"),
        ("tunisia_italy", "interceptions"): lambda: _med_interceptions("interceptions_by_tunisian_coast_guard"),
        ("italy", "arrivals"): lambda: by_year(observed_italy_monthly()),
        ("italy", "deaths"): lambda: observed_mmp_deaths("italy"),
        ("italy", "interceptions"): lambda: (_med_interceptions("interceptions_by_libyan_coast_guard")
                                             + _med_interceptions("interceptions_by_tunisian_coast_guard")).dropna(),
    }
    get = table.get((route, measure))
    return None if get is None else get()


def calendar_month_table(monthly: pd.Series, years: Sequence[int]) -> pd.DataFrame:
    """A "YYYY-MM"-indexed series as a table: rows calendar month 1-12, one column per year."""
    idx = monthly.index.astype(str)
    frame = pd.DataFrame({"year": idx.str[:4].astype(int), "m": idx.str[5:7].astype(int),
                          "value": monthly.to_numpy(dtype=float)})
    frame = frame[frame["year"].isin(list(years))]
    return frame.pivot(index="m", columns="year", values="value").reindex(columns=list(years))


def within_range(values: pd.Series, lo: pd.Series, hi: pd.Series) -> pd.Series:
    """values[i] in [lo[i], hi[i]] (aligned on the index)."""
    return (values >= lo) & (values <= hi)
