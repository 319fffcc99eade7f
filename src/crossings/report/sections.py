"""Content of the demo report: per-year tables and figures built from scenario results + observed data."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from crossings.analysis import validation as v
from crossings.report.figures import annual_bars, compare_panels
from crossings.report.html import Section

MEASURES = ("arrivals", "interceptions", "deaths")


def year_table(monthly: pd.DataFrame, routes: Sequence[str], measures: Sequence[str] = MEASURES) -> pd.DataFrame:
    """Rows (route, year); per measure a simulated and an observed column (observed empty where none)."""
    frames = []
    for route in routes:
        cols: dict[str, pd.Series] = {}
        for m in measures:
            try:
                sim = v.by_year(v.simulated(monthly, route, m))
            except KeyError:
                continue
            cols[f"{m} sim"] = sim
            obs = v.observed_annual(route, m)
            cols[f"{m} obs"] = obs.reindex(sim.index) if obs is not None else pd.Series(float("nan"), sim.index)
        if cols:
            f = pd.DataFrame(cols)
            f.index = pd.MultiIndex.from_product([[route], f.index], names=["route", "year"])
            frames.append(f)
    return pd.concat(frames) if frames else pd.DataFrame()


def routes_of(monthly: pd.DataFrame) -> list[str]:
    """Sea routes and destination totals present in a result, sea routes first."""
    names = list(dict.fromkeys(monthly["place"]))
    return sorted(names, key=lambda r: ("_" not in r, r))


def arrivals_section(cm: pd.DataFrame, ch: pd.DataFrame) -> Section:
    ch_obs = v.by_month(v.observed_channel_daily()["people"])
    ita_obs = v.observed_italy_monthly()
    routes = v.italy_total_routes(cm)
    ita_sim = v.simulated(cm, routes, "arrivals")
    panels: dict[str, dict[str, pd.Series | None]] = {
        f"{r} (simulated)": {"simulated": v.simulated(cm, r, "arrivals"),
                             "observed: no monthly series by departure country": None} for r in routes}
    panels["Italy, all sea arrivals"] = {f"simulated ({' + '.join(routes)})": ita_sim,
                                         "observed (all departure countries)": ita_obs.reindex(ita_sim.index)}
    ch_sim = v.simulated(ch, v.CHANNEL_ROUTE, "arrivals")
    panels["France -> UK (Channel)"] = {"simulated": ch_sim, "observed (Home Office)": ch_obs.reindex(ch_sim.index)}
    return Section(
        "Monthly arrivals per route, observed vs simulated",
        paragraphs=["Observed arrivals by departure country exist only as annual and partial-year totals, "
                    "so the routes to Italy are compared monthly only through their sum."],
        figures=[("Monthly arrivals", compare_panels(panels, "people per month"))],
    )


def channel_daily_section(ch: pd.DataFrame, year: int = 2024) -> Section:
    sim = v.simulated(ch, v.CHANNEL_ROUTE, "arrivals")
    sim = sim[sim.index.str.startswith(str(year))]
    obs = v.observed_channel_daily()["people"]
    obs = obs[obs.index.str.startswith(str(year))]
    panels: dict[str, dict[str, pd.Series | None]] = {
        f"Simulated {year}": {"simulated": sim}, f"Observed {year} (Home Office daily)": {"observed": obs}}
    z_sim, z_obs = float((sim <= 0).mean()), float((obs <= 0).mean())
    return Section(
        f"Daily Channel arrivals, {year}",
        paragraphs=[f"Days without arrivals: simulated {z_sim:.0%}, observed {z_obs:.0%}. "
                    f"95th-percentile day: simulated {sim.quantile(0.95):,.0f}, observed {obs.quantile(0.95):,.0f}."],
        figures=[(f"Daily arrivals {year}", compare_panels(panels, "people per day", kind="bar", sharey=True))],
    )


def deaths_section(cm: pd.DataFrame, ch: pd.DataFrame) -> Section:
    ita = pd.DataFrame({"simulated": v.by_year(v.simulated(cm, v.italy_total_routes(cm), "deaths"))})
    ita["IOM MMP Central Med (dead+missing)"] = v.observed_mmp_deaths("italy").reindex(ita.index)
    chn = pd.DataFrame({"simulated": v.by_year(v.simulated(ch, v.CHANNEL_ROUTE, "deaths"))})
    chn["IOM MMP route to UK (incl. land)"] = v.observed_mmp_deaths("channel").reindex(chn.index)
    chn["MMP at sea only"] = v.observed_channel_deaths_at_sea().reindex(chn.index).fillna(0.0)
    return Section(
        "Deaths and missing per year",
        paragraphs=["IOM Missing Migrants counts are minimum estimates. The Central Med series also covers "
                    "departures to Malta and from countries not modelled; the route-to-UK series includes "
                    "deaths on land (lorries, roads, camps)."],
        figures=[("Central Mediterranean", annual_bars(ita, "people", "Central Med: deaths + missing")),
                 ("Channel", annual_bars(chn, "people", "Channel: deaths + missing"))],
    )


def lever_section(on: pd.DataFrame, off: pd.DataFrame, lever: str) -> Section:
    panels: dict[str, dict[str, pd.Series | None]] = {}
    for route, title in (("tunisia_italy", "Tunisia -> Italy"), ("libya_italy", "Libya -> Italy")):
        panels[title] = {"lever on (central)": v.simulated(on, route, "arrivals"),
                         f"lever off ({lever}.enabled=false)": v.simulated(off, route, "arrivals")}
    ann = pd.DataFrame({
        f"{r} {k}": v.by_year(v.simulated(t, r, "arrivals"))
        for r in v.italy_total_routes(on) for k, t in (("on", on), ("off", off))
    })
    return Section(
        "The Tunisia lever on vs off",
        paragraphs=[f"Same seed and parameters; only levers.{lever}.enabled differs. Fewer departures from "
                    "Tunisia with the lever, and some people choosing the Libyan coast instead."],
        tables=[("Annual arrivals by route, lever on vs off", ann)],
        figures=[("Monthly arrivals, lever on vs off", compare_panels(panels, "people per month"))],
    )
