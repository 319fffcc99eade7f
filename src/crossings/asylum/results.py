"""Tidy results of the asylum model (the table contract of crossings.runs.results) and summary.

Places: the destination (mainland system, place_kind "destination"), its offshore centre ("centre"), its third
country ("third_country"). A destination's `cost` includes its centre's and third country's (is_total True
when it has either). Periods aggregate as crossings.core.measures declares.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numba as nb
import numpy as np
import numpy.typing as npt
import pandas as pd

from crossings.asylum import process as pr
from crossings.asylum.records import DestinationRecord
from crossings.core import observed
from crossings.core.calendar import date_index
from crossings.core.errors import InputError
from crossings.core.measures import names_by_rule, unit_of
from crossings.core.tables import MONTHLY_COLS, to_monthly

if TYPE_CHECKING:
    from crossings.scenario.asylum import AsylumConfig

S_AWAIT, S_APPEAL, S_REMOVABLE, S_OFFSHORE, S_THIRD_WAIT, S_SUPPORT, S_HOTELS, S_MOVE_ON, S_OUTSIDE = range(9)
N_STOCKS = 9


AWAIT, APPEAL, REMOVABLE, OFFSHORE, OFF_RETURN, THIRD_WAIT = (
    pr.AWAIT, pr.APPEAL, pr.REMOVABLE, pr.OFFSHORE, pr.OFF_RETURN, pr.THIRD_WAIT)
SUPPORTED = np.array(pr.SUPPORTED_QUEUES, dtype=np.int64)


@nb.njit(cache=True)
def stock_row(qh: npt.NDArray[np.int64], qt: npt.NDArray[np.int64], qsupp: npt.NDArray[np.int64],
              row: npt.NDArray[np.float64]) -> None:
    """Queue stocks at the end of a day; S_SUPPORT holds the supported people waiting in queues only
    (simulate.py adds move-on and the outside stock after the run). Numba: also called inside
    asylum/plain_loop.py's loop."""
    row[S_AWAIT] = qt[AWAIT] - qh[AWAIT]
    row[S_APPEAL] = qt[APPEAL] - qh[APPEAL]
    row[S_REMOVABLE] = qt[REMOVABLE] - qh[REMOVABLE]
    row[S_OFFSHORE] = (qt[OFFSHORE] - qh[OFFSHORE]) + (qt[OFF_RETURN] - qh[OFF_RETURN])
    row[S_THIRD_WAIT] = qt[THIRD_WAIT] - qh[THIRD_WAIT]
    s = 0
    for q in SUPPORTED:
        s += qsupp[q]
    row[S_SUPPORT] = s


def record_stocks(qs: pr.Queues, row: npt.NDArray[np.float64]) -> None:
    """stock_row of a day's queues."""
    stock_row(qs.qh, qs.qt, qs.qsupp, row)


def place_series(name: str, cfg: Any, run: DestinationRecord) -> dict[tuple[str, str], npt.NDArray[np.float64]]:
    f, s = run.flows, run.stocks
    total_cost = np.sum(list(run.cost.values()), axis=0)
    out = {
        (name, "sea_arrivals"): run.arrivals,
        (name, "claims"): f[:, pr.F_CLAIMS],
        (name, "safe_route_claims"): run.safe_claims if run.safe_claims is not None else np.zeros(len(f)),
        (name, "awaiting_decision"): s[:, S_AWAIT],
        (name, "appeals_waiting"): s[:, S_APPEAL],
        (name, "removable"): s[:, S_REMOVABLE],
        (name, "in_support"): s[:, S_SUPPORT],
        (name, "in_hotels"): s[:, S_HOTELS],
        # parts of in_support: move-on after a decision, the stock outside the modelled queues
        (name, "in_support_move_on"): s[:, S_MOVE_ON],
        (name, "in_support_outside_queues"): s[:, S_OUTSIDE],
        (name, "decisions"): f[:, pr.F_DECISIONS],
        (name, "grants"): f[:, pr.F_GRANTS],
        (name, "refusals"): f[:, pr.F_REFUSALS],
        (name, "withdrawals"): f[:, pr.F_WITHDRAWALS],
        (name, "appeals_lodged"): f[:, pr.F_APPEALS_LODGED],
        (name, "appeal_decisions"): f[:, pr.F_APPEAL_DECISIONS],
        (name, "appeal_grants"): f[:, pr.F_APPEAL_GRANTS],
        (name, "removals"): f[:, pr.F_REMOVALS],
        (name, "absconded"): f[:, pr.F_ABSCONDED],
        (name, "q"): run.q,
        (name, "departure_multiplier"): run.mult,
        (name, "cost"): total_cost,
        (name, "cost_support"): run.cost["support"],
    }
    if cfg.levers.offshore is not None:
        c = cfg.levers.offshore.centre
        out.update({
            (c, "transfers"): f[:, pr.F_TRANSFERS],
            (c, "screened_out"): f[:, pr.F_SCREENED_OUT],
            (c, "offshore_occupancy"): s[:, S_OFFSHORE],
            # ship mode: people picked up and held on the ship until its trip day (not yet claimants)
            (c, "aboard"): run.aboard,
            (c, "decisions"): f[:, pr.F_OFF_DECISIONS],
            (c, "grants"): f[:, pr.F_OFF_GRANTS],
            (c, "refusals"): f[:, pr.F_OFF_REFUSALS],
            (c, "returns"): f[:, pr.F_RETURNS],
            (c, "released"): f[:, pr.F_OFF_RELEASED],
            (c, "cost"): run.cost["offshore"],
        })
    if cfg.levers.third_country is not None:
        c = cfg.levers.third_country.country
        out.update({
            (c, "transfers"): f[:, pr.F_THIRD_REMOVED],
            (c, "awaiting_removal"): s[:, S_THIRD_WAIT],
            (c, "returned_to_queue"): f[:, pr.F_THIRD_BACK],
            (c, "cost"): run.cost["third_country"],
        })
    for lv in run.levers:  # levers with an arrivals hook report their own place (crossings.scenario.levers)
        out.update({(lv.place, m): v for m, v in lv.series.items()})
        out[(lv.place, "cost")] = lv.cost
    return out


def _observed(name: str, cfg: Any, days: pd.DatetimeIndex) -> dict[tuple[str, str], npt.NDArray[np.float64]]:
    """Observed values on the days they refer to (NaN elsewhere)."""
    out: dict[tuple[str, str], npt.NDArray[np.float64]] = {}
    src = cfg.inflows.observed_arrivals
    if src is not None:
        df = observed.load(src)
        col = "people_arrived" if "people_arrived" in df.columns else "people_disembarked"
        s = pd.Series(df[col].to_numpy(dtype=float), index=pd.to_datetime(df["date"]))
        # UNHCR's file omits days without arrivals: those are zero inside its coverage
        s = s.reindex(days).fillna(0.0).where((days >= s.index.min()) & (days <= s.index.max()))
        out[(name, "sea_arrivals")] = s.to_numpy(dtype=float)
    for ob in cfg.observed:  # declared in the scenario (asylum.destinations.X.observed)
        try:
            df = observed.load(ob.file)
            s = pd.Series(df[ob.column].to_numpy(dtype=float), index=pd.to_datetime(df[ob.date_column]))
        except KeyError as err:
            raise InputError("<asylum>", f"destinations.{name}.observed.{ob.measure}", str(err).strip('"')) from None
        out[(name, ob.measure)] = s.reindex(days).to_numpy(dtype=float)
    return out


def daily_table(config: AsylumConfig, runs: dict[str, DestinationRecord], start: dt.date, n_days: int) -> pd.DataFrame:
    days = date_index(start, n_days)
    dates = days.strftime("%Y-%m-%d")  # once: every place and measure has the same days
    frames = []
    for name, run in runs.items():
        cfg = config.destinations[name]
        obs = _observed(name, cfg, days)
        kinds = {name: "destination"}
        if cfg.levers.offshore is not None:
            kinds[cfg.levers.offshore.centre] = "centre"
        if cfg.levers.third_country is not None:
            kinds[cfg.levers.third_country.country] = "third_country"
        kinds.update({lv.place: lv.place_kind for lv in run.levers})
        for (place, measure), sim in place_series(name, cfg, run).items():
            frames.append(pd.DataFrame({
                "date": dates, "place": place, "place_kind": kinds[place],
                "is_total": place == name and measure == "cost" and len(kinds) > 1,
                "measure": measure, "unit": unit_of(measure, cfg.currency), "simulated": sim,
                "observed": obs.get((place, measure), np.full(n_days, np.nan)),
            }))
    return pd.concat(frames, ignore_index=True)


def monthly_table(daily: pd.DataFrame) -> pd.DataFrame:
    """Months by each measure's period rule; a stock observed only at quarter ends keeps its month-end value
    (NaN in other months), not the month's last observed one."""
    out = to_monthly(daily, ("simulated", "observed"))
    d = daily.assign(month=daily["date"].str[:7])
    last_obs = d.drop_duplicates(["month", "place", "measure"], keep="last").set_index(
        ["month", "place", "measure"])["observed"]  # the month's last day, NaN if not observed that day
    stock = out["measure"].isin(list(names_by_rule("last")))
    key = pd.MultiIndex.from_frame(out.loc[stock, ["month", "place", "measure"]])
    out.loc[stock, "observed"] = last_obs.reindex(key).to_numpy()
    return out[MONTHLY_COLS]


def summary(config: AsylumConfig, runs: dict[str, DestinationRecord], start: dt.date, n_days: int) -> dict[str, Any]:
    out: dict[str, Any] = {"start": str(start), "n_days": n_days, "destinations": {}}
    for name, run in runs.items():
        cfg = config.destinations[name]
        f = run.flows.sum(axis=0)
        d: dict[str, Any] = {
            "currency": cfg.currency,
            "cumulative_cost": float(sum(c.sum() for c in run.cost.values())),
            "cost_by_component": {k: float(v.sum()) for k, v in run.cost.items()},
            "sea_arrivals": float(run.arrivals.sum()),
            "claims": float(f[pr.F_CLAIMS]),
            "safe_route_claims": float(run.safe_claims.sum()) if run.safe_claims is not None else 0.0,
            "decisions": float(f[pr.F_DECISIONS]),
            "grants": float(f[pr.F_GRANTS] + f[pr.F_APPEAL_GRANTS] + f[pr.F_OFF_GRANTS]),
            "removals": float(f[pr.F_REMOVALS]),
            "final_awaiting_decision": float(run.stocks[-1, S_AWAIT]),
            "final_in_support": float(run.stocks[-1, S_SUPPORT]),
            "final_in_hotels": float(run.stocks[-1, S_HOTELS]),
        }
        for out_ in run.levers:
            d[out_.tag] = {**out_.summary, "cost": float(out_.cost.sum())}
        lv = cfg.levers
        if lv.offshore is not None:
            n = float(f[pr.F_TRANSFERS])
            d["offshore"] = {
                "transfers": n, "returns": float(f[pr.F_RETURNS]), "released": float(f[pr.F_OFF_RELEASED]),
                "grants": float(f[pr.F_OFF_GRANTS]), "refusals": float(f[pr.F_OFF_REFUSALS]),
                "cost": float(run.cost["offshore"].sum()),
                "cost_per_person_transferred": float(run.cost["offshore"].sum() / n) if n else None,
            }
        if lv.third_country is not None:
            n = float(f[pr.F_THIRD_REMOVED])
            d["third_country"] = {
                "removed": n, "returned_to_queue": float(f[pr.F_THIRD_BACK]),
                "cost": float(run.cost["third_country"].sum()),
                "cost_per_person_removed": float(run.cost["third_country"].sum() / n) if n else None,
            }
        if lv.deterrence is not None:
            from crossings.asylum.inputs import window_mask

            on = window_mask(start, n_days, lv.deterrence.start, lv.deterrence.end)
            d["deterrence"] = {
                "mean_q": float(run.q[on].mean()) if on.any() else 0.0,
                "max_q": float(run.q[on].max()) if on.any() else 0.0,
                "mean_departure_multiplier": float(run.mult[on].mean()) if on.any() else 1.0,
            }
        out["destinations"][name] = d
    return out


def baseline_lines(summary_: dict[str, Any], base: dict[str, Any]) -> list[str]:
    """Printable differences of an asylum summary against its baseline's (for `crossings run`)."""
    lines = ["asylum, with levers vs baseline (whole run):"]
    keys = ("sea_arrivals", "claims", "final_awaiting_decision", "final_in_hotels", "removals", "cumulative_cost")
    for dest, d in summary_["destinations"].items():
        b = base["destinations"].get(dest, {})
        for k in keys:
            if k in d and k in b:
                lines.append(f"  {dest:<8}{k:<26}{d[k]:>18,.0f} vs {b[k]:>18,.0f} ({d[k] - b[k]:+,.0f})")
        for lever in ("offshore", "third_country", "deterrence"):
            if lever in d:
                vals = ", ".join(f"{k}={v:,.4g}" for k, v in d[lever].items() if isinstance(v, float))
                lines.append(f"  {dest:<8}{lever}: {vals}")
    return lines
