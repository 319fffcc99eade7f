"""crossings scenarios | levers | explain: what a user can steer, read from the scenario files and the schema."""

from __future__ import annotations

from crossings.cli import main


def test_levers_lists_every_lever_with_its_dates(capsys):
    assert main(["levers", "scenarios/central_med.yaml"]) == 0
    out = capsys.readouterr().out
    assert "tunisia_mou  [partner_coastguard]  2023-07-16 to open  on" in out
    assert "libya_coastguard  [partner_coastguard]  2017-02-02 to open  on" in out
    assert "rescue_withdrawal  [rescue]  2019-01-01 to open  OFF" in out
    assert "switch: levers.tunisia_mou.enabled" in out
    assert "EU-Tunisia MoU (16 Jul 2023)" in out  # the scenario's own comment


def test_levers_of_an_asylum_scenario_by_name(capsys):
    assert main(["levers", "uk_rwanda"]) == 0
    out = capsys.readouterr().out
    assert "uk.third_country  [third_country]  2022-04-01 to 2024-07-05" in out
    assert "asylum.destinations.uk.levers.third_country.enabled" in out


def test_explain_prints_unit_bounds_and_source(capsys):
    assert main(["explain", "levers.tunisia_mou.prevention"]) == 0
    out = capsys.readouterr().out
    assert "unit:    probability or share (0 to 1)" in out
    assert "bounds:  >= 0, <= 1" in out
    assert "source:  fitted" in out and "(fitted: central_med.fitted.yaml)" in out
    assert "doc:     docs/levers/partner_coastguard.md" in out


def test_explain_finds_the_comment_of_the_right_block(capsys):
    # 'prevention' appears first under sea_links.libya_italy; the tunisia_italy line has its own comment
    assert main(["explain", "sea_links.libya_italy.prevention"]) == 0
    assert "source:  no land-side prevention recorded for Libya" in capsys.readouterr().out
    assert main(["explain", "asylum.destinations.uk.levers.third_country.capacity_per_year"]) == 0
    assert "NAO's costing case of 300" in capsys.readouterr().out


def test_explain_unknown_key_is_one_line_exit_2(capsys):
    assert main(["explain", "levers.no_such_lever.prevention"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such key" in err


def test_scenarios_lists_the_shipped_ones(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in ("central_med", "channel", "uk_asylum", "uk_rwanda"):
        assert f"\n{name} " in out
    assert "/work/" not in out
