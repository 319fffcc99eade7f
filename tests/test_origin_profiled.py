"""At a back-test origin the launch share and window quality (the fit's agent-model profile) come from the newest
`<stem>.fit_to_<year>.yaml` whose window ends before the origin (forecasting.origin.profiled_before)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crossings.forecasting.origin import profiled_before


def _fit_to(folder: Path, year: int, launch: float, scenario: str = "route.yaml", name: str | None = None) -> None:
    text = (f"scenario: {scenario}\nfit_window: {{start: '2018-01-01', end: '{year}-12-31'}}\n"
            f"values: {{sea_links.a.launch_share: {launch}, sea_links.a.weather.quality_shape: 1.0, "
            f"inflows.0.knots.2019-07-01: 3.0}}\n")
    (folder / (name or f"route.fit_to_{year}.yaml")).write_text(text)


def test_the_newest_fit_ending_before_the_origin(tmp_path: Path) -> None:
    path = tmp_path / "route.yaml"
    path.write_text("name: route\n")
    for year, launch in ((2020, 0.2), (2021, 0.35), (2023, 0.7)):
        _fit_to(tmp_path, year, launch)
    _fit_to(tmp_path, 2022, 0.99, scenario="other.yaml")  # another scenario's file with a clashing name
    _fit_to(tmp_path, 2022, 0.98, name="route.fit_to_2022.uncertainty.yaml")
    assert profiled_before(path, dt.date(2021, 1, 1)) == (
        {"sea_links.a.launch_share": 0.2, "sea_links.a.weather.quality_shape": 1.0}, "route.fit_to_2020.yaml")
    assert profiled_before(path, dt.date(2023, 7, 1))[0]["sea_links.a.launch_share"] == 0.35
    assert profiled_before(path, dt.date(2024, 1, 1))[0]["sea_links.a.launch_share"] == 0.7
    # a window ending on the day before the origin counts; one ending on the origin's day does not
    assert profiled_before(path, dt.date(2021, 12, 31))[1] == "route.fit_to_2020.yaml"
    assert profiled_before(path, dt.date(2020, 12, 31)) == ({}, None)


def test_the_shipped_channel_origins(tmp_path: Path) -> None:
    path = Path("scenarios/channel.yaml")
    assert profiled_before(path, dt.date(2021, 1, 1))[1] == "channel.fit_to_2020.yaml"
    assert profiled_before(path, dt.date(2024, 1, 1))[1] == "channel.fit_to_2023.yaml"
