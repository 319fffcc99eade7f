"""The deaths fit (calibrate/deaths.py): maximum likelihood recovers known parameters; the window is respected."""

from __future__ import annotations

import datetime as dt

import numpy as np
from scipy.optimize import minimize

from crossings.calibrate import deaths as D
from crossings.sea.deaths import loss_pmf


def _draw(mu: float, sigma: float, n: int, seed: int) -> np.ndarray:
    p = loss_pmf(mu, sigma, D.K_FIT)
    return np.random.default_rng(seed).choice(np.arange(1, p.size + 1), size=n, p=p)


def test_sizes_likelihood_recovers_parameters() -> None:
    k = _draw(1.0, 0.8, 4000, 1)
    res = minimize(D._nll_sizes, np.array([0.5, 0.0]), args=(k,), method="Nelder-Mead")
    assert abs(res.x[0] - 1.0) < 0.1 and abs(np.exp(res.x[1]) - 0.8) < 0.1


def test_monthly_sums_likelihood_recovers_parameters() -> None:
    """Only sums of n incidents are seen (central Med months): the convolution likelihood still finds (mu, sigma)."""
    rng = np.random.default_rng(2)
    n = rng.poisson(6, 300)
    k = _draw(1.2, 0.9, int(n.sum()), 3)
    sums = np.array([s.sum() for s in np.split(k, np.cumsum(n)[:-1])])
    res = minimize(D._nll_sums, np.array([0.8, 0.0]), args=(n, sums), method="Nelder-Mead",
                   options={"xatol": 1e-3, "fatol": 1e-4})
    assert abs(res.x[0] - 1.2) < 0.25 and abs(np.exp(res.x[1]) - 0.9) < 0.25


def test_fit_to_2023_sees_no_2024_incident() -> None:
    k = D.channel_incident_sizes(dt.date(2018, 1, 1), dt.date(2023, 12, 31))
    assert k.sum() == 1 + 5 + 10 + 39 + 5 + 15  # MMP at-sea dead + missing 2018-2023 (channel_deaths_annual_comparison)
    g = D.monthly_incidents(D.CMR, dt.date(2019, 1, 1), dt.date(2023, 12, 31))
    assert g.index.max() < np.datetime64("2024-01-01") and len(g) == 60


def test_gamma_poisson_year_effect_recovers_the_driver_variance_and_the_season() -> None:
    """Monthly incidents drawn with a gamma year effect (phi = 0.3) and a known season: the marginal likelihood
    of shape_objective finds phi, the amplitude and the level back (80 years, so the year effect is seen)."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(5)
    years = np.repeat(np.arange(80), 12)
    m = np.tile(np.arange(1, 13), 80) + 0.5
    logb = np.log(rng.uniform(200, 2000, years.size))
    z = rng.gamma(1 / 0.3, 0.3, 80)[years]
    mu = np.exp(logb + np.log(0.02) + 0.5 * np.cos(2 * np.pi * (m - 2.0) / 12)) * z
    y = rng.poisson(mu).astype(float)
    args = (y, logb, m, np.zeros(y.size), years, 1, False)
    res = minimize(lambda th: D.shape_objective(th, *args)[0], np.r_[0.0, 0.0, np.log(0.01), np.log(0.25)],
                   method="L-BFGS-B")
    amp, peak = D._harmonic(res.x[0], res.x[1], 1)
    assert abs(amp - 0.5) < 0.05 and abs(peak - 2.0) < 0.3
    assert abs(np.exp(res.x[-1]) - 0.3) < 0.12 and abs(np.exp(res.x[-2]) / 0.02 - 1) < 0.2


def test_deaths_values_finite_and_valid_at_early_forecast_origins() -> None:
    """The back-test fits at origins from 2021 (a handful of Channel incidents, most of one dead): the priors
    keep every value finite and inside the schema's bounds (without them loss_mu ran to its -20 bound)."""
    from pathlib import Path

    from crossings.scenario.load import load_raw, validate
    from crossings.scenario.overrides import apply_overrides

    root = Path(__file__).resolve().parents[1]
    for name, end in (("channel", "2020-12-31"), ("channel", "2021-12-31"), ("central_med", "2019-12-31")):
        raw = load_raw(root / "scenarios" / f"{name}.yaml", {"fitted_file": None})
        vals = D.deaths_values(raw, dt.date.fromisoformat(str(raw["start"])), dt.date.fromisoformat(end))
        assert vals and all(np.isfinite(v) for v in vals.values())
        mu = [v for k, v in vals.items() if k.endswith("loss_mu")]
        assert min(mu) > -5.0, vals
        apply_overrides(raw, vals, file="test")
        validate(raw, name)  # inside the schema's bounds


def test_deaths_fit_needs_the_observed_route() -> None:
    import pytest

    from crossings.core.errors import InputError

    raw = {"name": "x", "sea_links": [{"name": "a", "deaths": {"loss_mu": 0.0, "loss_sigma": 1.0}}]}
    with pytest.raises(InputError, match="observed_route"):
        D.deaths_values(raw, dt.date(2019, 1, 1), dt.date(2020, 12, 31))


def test_shipped_fitted_files_hold_what_the_deaths_fit_gives() -> None:
    """The fitted files are the fit command's output (python -m crossings.calibrate.fit): their deaths values
    equal deaths_values on the file's own window (Channel, both shipped windows; the central Med's convolution
    fit is slower and is checked by the same code path)."""
    from pathlib import Path

    from crossings.scenario.load import load_raw, read_yaml

    root = Path(__file__).resolve().parents[1] / "scenarios"
    for fitted in ("channel.fitted.yaml", "channel.fit_to_2023.yaml"):
        f = read_yaml(root / fitted)
        win = f["fit_window"]
        raw = load_raw(root / "channel.yaml", {"fitted_file": None})
        want = D.deaths_values(raw, dt.date.fromisoformat(str(win["start"])), dt.date.fromisoformat(str(win["end"])))
        # the deaths fit's keys: every deaths.* value, plus the incident level where the scenario does not free it
        got = {k: v for k, v in f["values"].items() if ".deaths." in k or k in want}
        assert set(got) == set(want), fitted
        for k, v in want.items():
            assert abs(got[k] - v) <= 1e-4 * max(1.0, abs(v)), (fitted, k, got[k], v)


def test_capped_loss_is_min_of_k_and_the_people_aboard() -> None:
    """capped_pmf is the law of min(K, cap), the loss the engines draw on a boat of `cap` people."""
    k = _draw(0.7, 1.7, 200_000, 4)
    q = D.capped_pmf(0.7, 1.7, 32)
    assert abs(q.sum() - 1.0) < 1e-12 and q[32:].sum() == 0.0
    emp = np.bincount(np.minimum(k, 32), minlength=33)[1:] / k.size
    assert np.max(np.abs(emp - q[:32])) < 0.005
    assert np.array_equal(D.capped_pmf(0.7, 1.7, None), loss_pmf(0.7, 1.7, D.K_FIT))


def test_monthly_sums_of_capped_losses_recover_parameters_only_when_fitted_capped() -> None:
    """Months of incidents on boats of 32 (the central Med's one boat size): the capped likelihood finds (mu, sigma)
    and the mean loss; the uncapped one, fitted to the same sums, gives a mean loss that the cap then cuts."""
    from crossings.sea.deaths import expected_loss, loss_cdf

    rng = np.random.default_rng(5)
    n = rng.poisson(6, 300)
    k = np.minimum(_draw(0.8, 1.6, int(n.sum()), 6), 32)
    sums = np.array([s.sum() for s in np.split(k, np.cumsum(n)[:-1])])
    opts = {"xatol": 1e-3, "fatol": 1e-4}
    capped = minimize(D._nll_sums, np.array([1.0, 0.3]), args=(n, sums, 32), method="Nelder-Mead", options=opts)
    plain = minimize(D._nll_sums, np.array([1.0, 0.3]), args=(n, sums), method="Nelder-Mead", options=opts)
    mean_of = [float(expected_loss(loss_cdf(r.x[0], np.exp(r.x[1])), np.array([32]))[0]) for r in (capped, plain)]
    assert abs(mean_of[0] - k.mean()) < 0.03 * k.mean(), mean_of
    assert mean_of[1] < k.mean() - 2 * abs(mean_of[0] - k.mean()), mean_of  # uncapped, then capped: deaths lost


def test_traffic_elasticity_is_recovered_apart_from_the_year_effect() -> None:
    """Incidents drawn with incidents per boat x traffic^-0.5 (traffic = people sailing, moving with the boats
    from year to year and within the year) and a gamma year effect: shape_objective with the traffic regressor
    finds the elasticity, and the year driver's variance is not inflated by it."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(8)
    years = np.repeat(np.arange(40), 12)
    m = np.tile(np.arange(1, 13), 40) + 0.5
    logb = np.log(rng.uniform(50, 5000, 40)[years] * rng.uniform(0.5, 1.5, years.size))
    ltr = logb - logb.mean()  # one boat size: traffic moves with the boats
    z = rng.gamma(1 / 0.1, 0.1, 40)[years]
    y = rng.poisson(np.exp(logb + np.log(0.05) - 0.5 * ltr) * z).astype(float)
    args = (y, logb, m, np.zeros(y.size), years, 1, False, ltr)
    res = minimize(lambda th: D.shape_objective(th, *args)[0], np.r_[0.0, 0.0, 0.0, np.log(0.01), np.log(0.25)],
                   method="L-BFGS-B")
    assert abs(res.x[2] + 0.5) < 0.06, res.x
    assert np.exp(res.x[-1]) < 0.2, res.x
    off = minimize(lambda th: D.shape_objective(th, *args[:-1])[0], np.r_[0.0, 0.0, np.log(0.01), np.log(0.25)],
                   method="L-BFGS-B")
    assert np.exp(off.x[-1]) > 2 * np.exp(res.x[-1])  # without it, the year driver takes the traffic's effect


def test_level_written_only_where_the_fit_does_not_free_it() -> None:
    """A scenario whose `fit.free` does not free incident_per_boat gets the level of the incident fit (at-sea
    incidents for the Channel, which ships so); one that frees it (step 2 fits it: the central Med, or the
    Channel with the free line put back) gets no level from here."""
    from pathlib import Path

    from crossings.scenario.load import load_raw

    root = Path(__file__).resolve().parents[1] / "scenarios"
    raw = load_raw(root / "channel.yaml", {"fitted_file": None})
    start, end = dt.date(2018, 1, 1), dt.date(2024, 12, 31)
    freed = dict(raw, fit=dict(raw["fit"], free=[*raw["fit"]["free"],
                                                 {"kind": "shared", "field": "incident_per_boat", "lo": 1.0e-4, "hi": 0.5}]))
    assert "sea_links.france_uk.incident_per_boat" not in D.deaths_values(freed, start, end)
    assert not any(f.get("field") == "incident_per_boat" for f in raw["fit"]["free"])
    got = D.deaths_values(raw, start, end)["sea_links.france_uk.incident_per_boat"]
    assert got == round(D.fit_shape(D.CHANNEL, start, end, None, 40.0)["incident_level"], 6)
    assert 0.005 < got < 0.05
