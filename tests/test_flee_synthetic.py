"""Synthetic feature cases (crossings.flee.synthetic_cases): every one reads and runs, and the inputs flee 3.1
accepts that Crossings used to reject (found by benchmarks/flee_synthetic_diff.py) are read as flee reads them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crossings.core.errors import InputError
from crossings.flee.api import prepare, run_case
from crossings.flee.csvio import parse_date
from crossings.flee.model import simulate
from crossings.flee.reader import read_case
from crossings.flee.rules import rules_from_dict
from crossings.flee.synthetic_cases import FEATURES, write_feature_case


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("features")


def _case(root: Path, feature: str) -> Path:
    path = root / feature
    return path if path.exists() else write_feature_case(path, feature)


@pytest.mark.parametrize("feature", list(FEATURES))
def test_every_feature_case_runs_and_conserves_agents(cases: Path, feature: str) -> None:
    model, _ = prepare(_case(cases, feature))
    raw = simulate(model, 1)
    assert raw.n_agents > 0
    np.testing.assert_array_equal(raw.loc_counts.sum(axis=1) + raw.transit, raw.agents)


def test_unpadded_dates_read_like_flee(cases: Path) -> None:
    assert parse_date("2020-3-5") == parse_date("2020-03-05")  # flee: datetime.strptime(text, "%Y-%m-%d")
    with pytest.raises(ValueError):
        parse_date("20200305")
    a, _ = prepare(_case(cases, "unpadded_dates"))
    b, _ = prepare(_case(cases, "base"))
    assert a.case.start == b.case.start
    for name, s in b.case.series.items():
        np.testing.assert_array_equal(a.case.series[name].days, s.days)
        np.testing.assert_array_equal(a.case.series[name].values, s.values)
    np.testing.assert_array_equal(simulate(a, 3).loc_counts, simulate(b, 3).loc_counts)


def test_unknown_location_type_is_a_move_chance_one_place(cases: Path) -> None:
    model, _ = prepare(_case(cases, "other_location_type"))
    i = model.case.loc_names.index("Hubro")
    assert model.case.loc_kind[i] == "forward"  # in flee 3.1 a forwarding hub is exactly that
    assert any("'city'" in w for w in model.case.warnings)
    tl = model.tl
    assert (tl.movechance[:, i] == 1.0).all() and not tl.town[:, i].any() and not tl.camp[:, i].any()
    assert i not in tl.camps


def test_unknown_closures_and_rule_keys_are_ignored_with_warnings(cases: Path) -> None:
    model, _ = prepare(_case(cases, "closure_and_key_oddities"))
    assert [c[:2] for c in model.case.closures] == [("camp", "Kampb")]  # only the valid row is kept
    text = "\n".join(model.case.warnings)
    for part in ("'Nowhere'", "'border'", "new_section", "move_rules.some_future_key"):
        assert part in text
    k = model.case.loc_names.index("Kampb")
    assert model.tl.camp[39, k] == 1 and model.tl.camp[40, k] == 0  # the camp closure still acts on day 40


def test_rule_values_of_the_wrong_type_still_fail() -> None:
    with pytest.raises(InputError, match="expected a float"):
        rules_from_dict({"move_rules": {"softening": "soft"}}, "x.yml")
    with pytest.raises(InputError):
        rules_from_dict({"optimisations": {"hasten": "fast"}}, "x.yml")


def test_bad_closure_dates_still_fail(tmp_path: Path) -> None:
    case = write_feature_case(tmp_path / "c", "base")
    (case / "input_csv" / "closures.csv").write_text("#h\nborder,Aland,Bland,soon,5\n")
    with pytest.raises(InputError) as err:
        run_case(case)
    assert err.value.where == "line 2, column 4"


def test_conflict_date_is_read_only_for_conflict_types(tmp_path: Path) -> None:
    case = write_feature_case(tmp_path / "c", "base")
    loc = case / "input_csv" / "locations.csv"
    text = loc.read_text()
    loc.write_text(text.replace("Dumo,North,Aland,10.2,19.4,town,0,", "Dumo,North,Aland,10.2,19.4,town,n/a,"))
    assert read_case(case).loc_names[3] == "Dumo"  # flee 3.1 never parses a town's conflict_date
    loc.write_text(text.replace("Celo,East,Aland,10.9,21.3,conflict_zone,40,", "Celo,East,Aland,10.9,21.3,conflict_zone,soon,"))
    with pytest.raises(InputError) as err:
        read_case(case)
    assert err.value.where == "line 4, column 7"


@pytest.mark.parametrize("feature", ["close_short_windows", "markers_awareness2", "conflict_changes",
                                     "other_location_type", "link_attributes"])
def test_numba_equals_numpy_on_feature_cases(tmp_path: Path, feature: str) -> None:
    model, _ = prepare(write_feature_case(tmp_path / feature, feature, hasten=10))
    a, b = simulate(model, 5, "numba"), simulate(model, 5, "numpy")
    assert a.n_agents == b.n_agents > 0
    np.testing.assert_array_equal(a.loc_counts, b.loc_counts)
    for k in a.state:
        np.testing.assert_array_equal(a.state[k], b.state[k], err_msg=k)


def test_one_cell_data_layout_row_is_skipped_like_flee(tmp_path: Path) -> None:
    case = write_feature_case(tmp_path / "c", "base")
    layout = case / "source_data" / "data_layout.csv"
    layout.write_text(layout.read_text() + "stray\n")
    c = read_case(case)
    assert "stray" not in c.series and any("one cell" in w for w in c.warnings)
    layout.write_text(layout.read_text() + "Kampz,\n")  # a name without a file is still an error
    with pytest.raises(InputError):
        read_case(case)
