"""scripts/lever_intervals.py: the seed-paired effect and its 90% interval, the page blocks, and that a
lever's seed-paired difference is zero when the lever does nothing (common random numbers)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from script_loader import load_script

ROOT = Path(__file__).resolve().parents[1]


def _load() -> ModuleType:
    return load_script("lever_intervals")


def test_interval_quantiles_on_known_data() -> None:
    li = _load()
    e = li.effect_of(np.arange(101.0))  # 0..100: p05 = 5, p95 = 95 exactly
    assert (e.mean, e.p05, e.p95, e.n) == (50.0, 5.0, 95.0, 101)
    e = li.effect_of([0.0, 10.0])  # linear interpolation between the two
    assert e.p05 == pytest.approx(0.5) and e.p95 == pytest.approx(9.5) and e.width == pytest.approx(9.0)
    rng = np.random.default_rng(7)
    x = rng.normal(3.0, 2.0, 20_000)
    e = li.effect_of(x)
    assert e.p05 == pytest.approx(3.0 - 1.645 * 2.0, abs=0.1) and e.p95 == pytest.approx(3.0 + 1.645 * 2.0, abs=0.1)


def test_paired_effect_is_the_per_seed_difference() -> None:
    li = _load()
    on, off = np.array([10.0, 20.0, 30.0]), np.array([9.0, 21.0, 27.0])
    e = li.paired_effect(on, off)
    assert e.mean == pytest.approx(1.0)
    assert (e.p05, e.p95) == pytest.approx(tuple(np.quantile(on - off, [0.05, 0.95])))
    # pairing matters: the same values shuffled across seeds give another interval
    assert li.paired_effect(on, off[::-1]).p95 != pytest.approx(e.p95)
    z = li.paired_effect(on, on)
    assert (z.mean, z.p05, z.p95) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="pair"):
        li.paired_effect([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="at least 2"):
        li.effect_of([1.0])
    with pytest.raises(ValueError, match="finite"):
        li.effect_of([1.0, float("nan")])


def test_effect_text_and_blocks() -> None:
    li = _load()
    assert li.effect_text(li.Effect(-1234.4, -2000.0, -500.0, 40)) == "-1,234 [-2,000 to -500]"
    assert li.effect_text(li.Effect(0.5, 0.25, 0.75, 2), lambda x: f"{x:.2f}") == "0.50 [0.25 to 0.75]"
    page = "intro\n<!-- begin x -->\nold\nlines\n<!-- end x -->\nafter\n"
    new = li.replace_block(page, "x", "new text\n")
    assert new == "intro\n<!-- begin x -->\nnew text\n<!-- end x -->\nafter\n"
    assert li.replace_block(new, "x", "again") == "intro\n<!-- begin x -->\nagain\n<!-- end x -->\nafter\n"
    with pytest.raises(ValueError, match="exactly one"):
        li.replace_block("no markers", "x", "body")
    with pytest.raises(ValueError, match="exactly one"):
        li.replace_block(page + page, "x", "body")


def test_the_pages_have_their_blocks() -> None:
    """Every block the scripts write exists once in its page (a renamed marker would fail the doc run)."""
    li = _load()
    blocks = {"docs/levers/safe_routes.md": ["channel_safe_route", "uk_safe_route"],
              "docs/policies.md": ["safe_route_summary", "deterrence_table", "scenario_differences"],
              "docs/levers/third_country.md": ["rwanda_effect"],
              "docs/levers/returns_agreement.md": ["returns_effect"],
              "docs/levers/partner_coastguard.md": ["tunisia_mou"]}
    for page, names in blocks.items():
        text = (ROOT / page).read_text()
        for name in names:
            li.replace_block(text, name, "x")


@pytest.mark.skipif(not (ROOT / "scenarios" / "uk_rwanda.yaml").exists(), reason="no scenarios")
def test_seed_paired_difference_is_zero_when_the_lever_is_off() -> None:
    """Common random numbers: uk_rwanda with its levers switched off equals its baseline seed by seed, so a
    paired difference is the lever's alone; switched on, the same seeds differ."""
    from crossings.asylum.simulate import load_asylum_scenario, run_asylum, strip_levers

    li = _load()
    cfg, _ = load_asylum_scenario(ROOT / "scenarios" / "uk_rwanda.yaml")
    lev = cfg.destinations["uk"].levers
    assert lev.third_country is not None and lev.deterrence is not None
    off_levers = lev.model_copy(update={"third_country": lev.third_country.model_copy(update={"enabled": False}),
                                        "deterrence": lev.deterrence.model_copy(update={"enabled": False})})
    dest_off = cfg.destinations["uk"].model_copy(update={"levers": off_levers})
    switched_off = cfg.model_copy(update={"destinations": {**cfg.destinations, "uk": dest_off}})
    keys = ("cumulative_cost", "final_awaiting_decision", "final_in_hotels", "grants")
    seeds = (2, 3)
    runs = {name: [run_asylum(c, None, s).summary["destinations"]["uk"] for s in seeds]
            for name, c in (("on", cfg), ("off", switched_off), ("base", strip_levers(cfg)))}
    for k in keys:
        z = li.paired_effect([r[k] for r in runs["off"]], [r[k] for r in runs["base"]])
        assert (z.mean, z.p05, z.p95) == (0.0, 0.0, 0.0), k
    assert li.paired_effect([r["final_awaiting_decision"] for r in runs["on"]],
                            [r["final_awaiting_decision"] for r in runs["base"]]).mean < 0
    # the baseline's own draws differ between seeds, which is why each lever run is paired with its seed's
    assert runs["base"][0]["grants"] != runs["base"][1]["grants"]
