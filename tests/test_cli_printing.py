"""Printed results read as numbers with units: no 7.847e+04, money with its currency, a unit column."""

from __future__ import annotations

import re

from crossings.cli import main
from crossings.runs.commands import plain


def test_plain_numbers():
    assert plain(78498.0) == "78,498"
    assert plain(0.028061) == "0.0281"
    assert plain(17_587_200_026.0, "GBP") == "GBP 17.59 billion"
    assert plain(-566_690_420.0, "EUR") == "-EUR 566.7 million"
    assert plain(901127.4, "GBP") == "GBP 901,127"


def test_asylum_run_prints_units_and_currency(tmp_path, capsys):
    assert main(["run", "scenarios/uk_rwanda.yaml", "--out", str(tmp_path / "r"), "--start", "2022-01-01"]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"\de[+-]\d\d", out)
    assert "unit" in out.splitlines()[1]
    cost = next(line for line in out.splitlines() if "cumulative_cost" in line)
    assert cost.count("GBP") >= 3 and cost.rstrip().endswith("GBP")
    assert "cost=GBP" in out  # the lever's own cost line carries the currency too
