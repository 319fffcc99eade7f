"""The comparison on common random numbers: per-lever contrasts, signs, intervals, words and the report."""

from __future__ import annotations

import pytest

from crossings.runs.compare import Variant, compare, money, round_people

WINDOW = {"start": "2023-01-01", "end": "2024-12-31"}


@pytest.fixture(scope="module")
def comp():
    return compare(Variant("central_med", "scenarios/central_med.yaml", WINDOW), seeds=[1, 2, 3])


def test_contrasts_are_all_levers_then_each_enabled_lever(comp):
    assert [c.label for c in comp.contrasts] == ["all levers", "libya_coastguard", "tunisia_mou"]
    assert [v.label for v in comp.variants] == ["central_med", "all levers off", "without libya_coastguard",
                                                 "without tunisia_mou"]


def test_difference_is_the_seed_by_seed_difference(comp):
    # the mean difference equals the difference of the means (same seeds, same rows)
    m = comp.annual.set_index(["variant", "year", "place", "measure"])["mean"]
    e = comp.effects_annual.set_index(["contrast", "year", "place", "measure"])["mean"]
    for place in ("tunisia_italy", "italy"):
        d = m[("central_med", "2024", place, "arrivals")] - m[("without tunisia_mou", "2024", place, "arrivals")]
        assert e[("tunisia_mou", "2024", place, "arrivals")] == pytest.approx(d)


def test_the_deal_averts_tunisian_arrivals_and_diverts_to_libya(comp):
    e = comp.effects_annual.set_index(["contrast", "year", "place", "measure"])
    tun, lib = e.loc[("tunisia_mou", "2024", "tunisia_italy", "arrivals")], e.loc[
        ("tunisia_mou", "2024", "libya_italy", "arrivals")]
    assert tun["p95"] < 0 < lib["p05"]
    assert tun["p05"] <= tun["p50"] <= tun["p95"]


def test_headline_names_the_lever_and_its_interval(comp):
    line = next(h for h in comp.headlines if "tunisia_mou" in h and h.startswith("In 2024"))
    assert "averted" in line and "via tunisia_italy" in line and "90% interval" in line
    assert "more came via libya_italy" in line


def test_units_on_every_row(comp):
    for df in (comp.monthly, comp.annual, comp.effects_monthly, comp.effects_annual):
        assert "unit" in df.columns and (df["unit"] != "").all()


def test_stocks_take_the_year_end_not_the_sum(comp):
    m = comp.monthly[(comp.monthly["variant"] == "central_med") & (comp.monthly["measure"] == "waiting")
                     & (comp.monthly["place"] == "libya")]
    a = comp.annual[(comp.annual["variant"] == "central_med") & (comp.annual["measure"] == "waiting")]
    if len(m) and len(a):  # waiting is per route in some versions of the tables
        assert a[a["year"] == "2024"]["mean"].iloc[0] == pytest.approx(m[m["month"] == "2024-12"]["mean"].iloc[0])


def test_numbers_in_words():
    assert round_people(37123.4) == "37,100"
    assert round_people(-845.6) == "846"
    assert money(1.234e9, "GBP") == "GBP 1.23 billion"
    assert money(45.6e6, "EUR") == "EUR 45.6 million"


def test_report_is_self_contained_and_has_the_headline(comp):
    from crossings.report.compare_html import build_compare_html

    page = build_compare_html(comp)
    assert "averted" in page and "90% interval" in page
    assert page.count("data:image/png;base64,") >= 3
    assert "src=\"http" not in page and "<script" not in page  # nothing fetched
    for needed in ("Caveats", "Glossary", "Data and sources", "other_italy", "tunisia_mou"):
        assert needed in page
    import re
    from pathlib import Path

    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", page)
    assert str(Path.cwd()) not in text  # no absolute local paths
    assert not re.search(r"\de[+-]\d\d", text)  # no 7.847e+04 numbers


def test_a_against_b_is_b_minus_a():
    a = Variant("central_med", "scenarios/central_med.yaml", {"start": "2024-01-01", "end": "2024-12-31"})
    b = Variant("no deal", "scenarios/central_med.yaml", {**a.overrides, "levers.tunisia_mou.enabled": False})
    c = compare(a, b, seeds=[1, 2])
    assert [x.label for x in c.contrasts] == ["no deal compared with central_med"]
    e = c.effects_annual.set_index(["contrast", "year", "place", "measure"])
    row = e.loc[("no deal compared with central_med", "2024", "tunisia_italy", "arrivals")]
    assert row["p05"] > 0  # without the deal, more arrive from Tunisia in every seed
    assert c.headlines and c.headlines[0].startswith("In 2024, no deal changed this:")
