"""The stochastic rule's two variants (asylum/after_rules.py): stochastic_paths (a block bootstrap of the
input's own quarterly changes) and stochastic_recalibrated (the local level's band rescaled by its past
errors): deterministic by driver path, widening with the horizon (that they see nothing after the cut is
checked with every rule in test_asylum_after_rules)."""

from __future__ import annotations

import numpy as np
import pytest

from crossings.asylum import after_rules

VARIANTS = ("stochastic_paths", "stochastic_recalibrated")


def _history(n: int = 60, seed: int = 4) -> np.ndarray:
    """A positive quarterly flow: a random walk on the log with observation noise (numpy's generator: a
    test fixture, not model randomness)."""
    g = np.random.default_rng(seed)
    return np.asarray(1000.0 * np.exp(np.cumsum(0.15 * g.standard_normal(n)) + 0.1 * g.standard_normal(n)))


def test_a_path_is_a_stretch_of_the_inputs_own_past_changes() -> None:
    x = _history()
    z = np.log(x)
    past = {tuple(np.round(z[j + 1:j + 5] - z[j], 12)) for j in range(len(z) - after_rules.BLOCK)}
    for p in range(30):
        f = after_rules.stochastic_paths(x, "flow", 4, "decision_capacity", p)
        assert tuple(np.round(np.log(f) - z[-1], 12)) in past  # re-based on the last quarter, a whole block


def test_the_bootstrap_never_reads_past_the_history_it_is_given() -> None:
    """The last block starts at the last change that has BLOCK changes after it: a history whose last 4
    changes are huge shows them only as one block, never beyond; shortening the history drops them."""
    x = _history()
    x_jump = np.concatenate([x, x[-1] * np.exp([2.0, 4.0, 6.0, 8.0])])
    ends = np.array([after_rules.stochastic_paths(x_jump, "flow", 4, "d", p)[-1] / x_jump[-1] for p in range(400)])
    assert np.isclose(ends.max(), np.exp(8.0)) and np.isfinite(ends).all()
    short = np.array([after_rules.stochastic_paths(x, "flow", 4, "d", p)[-1] / x[-1] for p in range(400)])
    assert short.max() < np.exp(2.0)


def test_deterministic_by_path_and_different_across_paths() -> None:
    x = _history()
    for fn in (after_rules.stochastic_paths, after_rules.stochastic_recalibrated):
        a, b = fn(x, "flow", 6, "grant_rate", 7), fn(x, "flow", 6, "grant_rate", 7)
        assert np.array_equal(a, b)
        assert not np.allclose(a, fn(x, "flow", 6, "grant_rate", 8))
        assert not np.allclose(a, fn(x, "flow", 6, "withdrawal_share", 7))  # a stream per input


@pytest.mark.parametrize("rule", VARIANTS)
def test_bands_widen_with_the_horizon(rule: str) -> None:
    x = _history(200)  # long enough that the windows' spread is the law's, not one stretch's
    fn = getattr(after_rules, rule)
    z = np.log(np.array([fn(x, "flow", 4, "decision_capacity", p) for p in range(400)]))
    width = np.quantile(z, 0.95, axis=0) - np.quantile(z, 0.05, axis=0)
    assert width[3] > width[0] * 1.2  # about 1.6 for this law (level sd 0.15, noise 0.1 a quarter)
    s = np.array([fn(np.linspace(0.3, 0.6, 40), "share", 4, "grant_rate", p) for p in range(50)])
    assert np.all((s > 0) & (s < 1))


def test_short_histories_fall_back_to_the_local_level() -> None:
    x = _history(after_rules.MIN_CHANGES)  # MIN_CHANGES - 1 changes: too few blocks
    assert np.array_equal(after_rules.stochastic_paths(x, "flow", 4, "d", 3),
                          after_rules.stochastic(x, "flow", 4, "d", 3))
    short = tuple(np.log(_history(after_rules.FIRST_PAST + 5)))  # fewer than MIN_PAST past errors
    assert after_rules.widening(short, 4) == (1.0, 1.0, 1.0, 1.0)
    assert np.array_equal(after_rules.stochastic_recalibrated(np.exp(short), "flow", 4, "d", 3),
                          after_rules.stochastic(np.exp(short), "flow", 4, "d", 3))


def test_widening_is_the_90pct_quantile_of_past_standardised_errors() -> None:
    """Against statsmodels' own h-step forecasts from each past origin (independent of after_rules'
    arithmetic): only origins whose outcome lies inside the history count; on a history drawn from a local
    level (the model's own law) the factor is near 1."""
    import warnings

    from scipy.stats import norm
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    z = np.log(_history(32, seed=11))
    c = after_rules.widening(tuple(float(v) for v in z), 2)
    for h in (1, 2):
        u = []
        for k in range(after_rules.FIRST_PAST - 1, len(z) - h):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fc = UnobservedComponents(z[:k + 1], level="llevel").fit(disp=False).get_forecast(h)
            u.append((z[k + h] - float(fc.predicted_mean[-1])) / float(np.sqrt(fc.var_pred_mean[-1])))
        assert len(u) >= after_rules.MIN_PAST
        assert c[h - 1] == pytest.approx(np.quantile(np.abs(u), 0.9) / norm.ppf(0.95), rel=1e-3)
    assert np.all((np.array(c) > 0.6) & (np.array(c) < 1.5))
