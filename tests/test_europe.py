"""The route-system scenario, its data and its fit's structure (scenarios/europe.yaml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from crossings.calibrate.europe import observed, problem
from crossings.core.errors import InputError
from crossings.core.observed import load
from crossings.land.kernel import DET
from crossings.land.meanfield import mean_field
from crossings.land.system import build
from crossings.scenario.routes import load_europe

SCEN = Path(__file__).resolve().parents[1] / "scenarios" / "europe.yaml"


def test_scenario_loads_with_every_frontex_route() -> None:
    sc = load_europe(SCEN, fitted=False)
    assert set(sc.routes) == {"eastern_mediterranean", "western_balkans", "circular_albania_greece",
                              "central_mediterranean", "western_mediterranean", "western_african", "eastern_borders"}
    frontex = set(load("frontex_detections_monthly_by_route").route)
    assert {r.frontex for r in sc.routes.values()} <= frontex
    assert all(lv.source for lv in sc.levers.values())


@pytest.mark.parametrize("key,value,problem_part", [
    ("levers.eu_turkey_statement.route", "nowhere", "unknown route"),
    ("groups.rest", ["*", "SYR"], "already in group"),
    ("levers.italy_libya_mou.pushback", 1.5, "less than or equal to 1"),
])
def test_bad_input_is_named(key: str, value: object, problem_part: str) -> None:
    with pytest.raises(InputError) as err:
        load_europe(SCEN, overrides={key: value}, fitted=False)
    assert problem_part in str(err.value)


def test_unspecified_nationalities_are_spread_not_lost() -> None:
    sc = load_europe(SCEN, fitted=False)
    obs = observed(sc, dt.date(2015, 1, 1), dt.date(2016, 12, 31))
    raw = load("frontex_detections_monthly_by_route")
    raw = raw[(raw.month >= "2015-01") & (raw.month <= "2016-12")]
    for r, name in enumerate(obs.routes):
        total = raw[raw.route == sc.routes[name].frontex].detections.sum()
        np.testing.assert_allclose(obs.by_route_group[r].sum(), total, rtol=1e-9)


def _params(sc, start, end):
    p = problem(sc, start, end)
    return p, p.params(p.x0)


def test_closing_a_route_diverts_a_share_to_the_others() -> None:
    sc = load_europe(SCEN, fitted=False)
    start, end = dt.date(2017, 1, 1), dt.date(2017, 12, 31)
    _, params = _params(sc, start, end)
    params["lever.eu_turkey_statement.utility"] = -3.0
    on = build(sc, params, start, end)
    sc_off = sc.model_copy(deep=True)
    sc_off.levers["eu_turkey_statement"].enabled = False
    off = build(sc_off, params, start, end)
    emed, cmed = on.routes.index("eastern_mediterranean"), on.routes.index("central_mediterranean")
    g = on.groups.index("middle_east")
    flow_on, flow_off = on.move[g] * on.prob[:, g, emed], off.move[g] * off.prob[:, g, emed]
    assert (flow_on < flow_off).all()  # fewer people choose the closed route ...
    assert (on.move[g] * on.prob[:, g, cmed] > off.move[g] * off.prob[:, g, cmed]).all()  # ... some divert ...
    assert (on.p_out[g] > off.p_out[g]).all()  # ... and some stay (the outside option)


def test_pushback_lever_lowers_sea_detections_and_counts_land_attempts() -> None:
    sc = load_europe(SCEN, fitted=False)
    start, end = dt.date(2018, 1, 1), dt.date(2018, 12, 31)
    _, params = _params(sc, start, end)
    sys_ = build(sc, params, start, end)
    base = np.asarray(mean_field(sys_.move, sys_.prob, sys_.bundle()))[DET].sum(axis=(0, 2))
    sc_off = sc.model_copy(deep=True)
    sc_off.levers["italy_libya_mou"].enabled = False
    s2 = build(sc_off, params, start, end)
    off = np.asarray(mean_field(s2.move, s2.prob, s2.bundle()))[DET].sum(axis=(0, 2))
    cmed = sys_.routes.index("central_mediterranean")
    assert base[cmed] < off[cmed]


def test_sparsity_covers_every_residual_a_parameter_moves() -> None:
    sc = load_europe(SCEN, fitted=False)
    p = problem(sc, dt.date(2019, 1, 1), dt.date(2021, 12, 31))
    S = p.sparsity()
    r0 = p.residuals(p.x0)
    rng = np.random.default_rng(3)
    for j in rng.choice(len(p.names), 12, replace=False):
        x = p.x0.copy()
        x[j] += 0.5
        change = np.abs(p.residuals(x) - r0)
        # outside the declared pattern only the tail of people still waiting months later: small
        assert change[~S[:, j]].max(initial=0.0) <= 0.05 * change[S[:, j]].max(), p.names[j]
        assert change[S[:, j]].max() > 1e-3, p.names[j]


def test_monthly_table_follows_the_result_table_contract() -> None:
    from crossings.land.simulate import monthly_table, run_daily

    sc = load_europe(SCEN)
    start, end = dt.date(2023, 1, 1), dt.date(2023, 3, 31)
    sys_, out, _ = run_daily(sc, start, end, agents=False)
    tab = monthly_table(sc, sys_, out, start)
    assert list(tab.columns) == ["month", "place", "place_kind", "is_total", "measure", "unit", "simulated", "observed"]
    assert set(tab.place) == set(sc.routes) and set(tab.month) == {"2023-01", "2023-02", "2023-03"}
    assert set(tab.measure) == {"detections", "persons", "pushbacks"}
    det = tab[tab.measure == "detections"]
    assert (det.unit == "detections").all() and det.observed.notna().all()
    per = tab[tab.measure == "persons"]
    # the Western Balkans' persons exclude the people counted there a second time after the Eastern Med
    wb_det = det[det.place == "western_balkans"].simulated.sum()
    assert per[per.place == "western_balkans"].simulated.sum() < wb_det
