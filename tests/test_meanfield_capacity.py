"""The mean-field's interception capacity over a varying boat count (sea.meanfield.capacity_share): the
expectation it claims, the old formula where the count is not overdispersed, and agents that match it where
boat sizes are heavy-tailed (the central Med with a boat-size law)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from crossings.scenario.load import load_scenario
from crossings.sea.kernel import INT
from crossings.sea.meanfield import capacity_share
from crossings.sea.model import build
from crossings.sea.simulate import run_arrays

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("mean", "cap", "ratio"), [(7.2, 10.6, 4.7), (30.0, 10.0, 7.3), (2.0, 1.0, 1.5),
                                                   (500.0, 20.0, 3.0)])
def test_capacity_share_is_the_negative_binomial_expectation(mean: float, cap: float, ratio: float) -> None:
    p = 1.0 / ratio
    r = mean * p / (1.0 - p)
    k = np.arange(1, 200_000)
    pmf = stats.nbinom.pmf(k, r, p)
    want = float(np.sum(pmf * np.minimum(1.0, cap / k)) / np.sum(pmf))
    assert capacity_share(mean, cap, ratio) == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize("ratio", [0.3, 1.0])
def test_capacity_share_without_overdispersion_is_the_expected_boats_formula(ratio: float) -> None:
    for mean, cap in ((7.2, 10.6), (30.0, 10.0), (1.0, 0.5)):
        assert capacity_share(mean, cap, ratio) == min(1.0, cap / mean)


def test_agents_match_the_mean_field_interceptions_with_heavy_tailed_boats() -> None:
    """central_med with every route's boats drawn from the size law (size_sigma 1.5, as fitted): Tunisian
    interceptions 2021-2022, agents (10 seeds) against the mean-field: measured -8.4% on the shipped fit (the
    expected-boats formula's mean-field: -12.3%; on the fit before it -6.1% vs -10.0%). What is left is the
    coast's queue behind a big boat, which the count's law does not carry."""
    sc = load_scenario(ROOT / "scenarios" / "central_med.yaml",
                       {f"sea_links.{i}.people_per_boat.size_sigma": 1.5 for i in range(3)})
    a = build(sc)
    c = a.routes.index("tunisia_italy")
    days = np.arange(a.n_days)
    year = (np.datetime64(a.start) + days.astype("timedelta64[D]")).astype("datetime64[Y]").astype(int) + 1970
    keep = (year == 2021) | (year == 2022)
    mf = run_arrays(a, 1, "meanfield")[INT, c, keep].sum()
    agents = np.mean([run_arrays(a, s, "numba")[INT, c, keep].sum() for s in range(1, 11)])
    assert abs(agents / mf - 1.0) < 0.10, (agents, mf)
