"""The browser app's server side, through HTTP (FastAPI's TestClient): scenarios and levers offered, settings
validated by the same schema and override path as `--set`, jobs run in the background with progress, and two
jobs at once give exactly what each gives alone."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from crossings.app.catalog import levers_of, shipped_scenarios
from crossings.app.charts import fan_svg
from crossings.app.jobs import MAX_SEEDS, JobSpec, run_members
from crossings.app.server import create_app, serve
from crossings.cli import main
from crossings.core.errors import InputError
from crossings.runs.runner import prepare
from crossings.scenario.overrides import parse_set

ROOT = Path(__file__).resolve().parents[1]
CHANNEL = ROOT / "scenarios" / "channel.yaml"
SHORT = {"start": "2023-01-01", "end": "2023-06-30"}  # short windows keep the tests quick


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with TestClient(create_app(tmp_path_factory.mktemp("jobs"), workers=2)) as c:
        yield c


def _wait(client: TestClient, job_id: str, timeout: float = 300.0) -> dict[str, Any]:
    seen = []
    t_end = time.monotonic() + timeout
    while time.monotonic() < t_end:
        s = client.get(f"/api/jobs/{job_id}").json()
        seen.append(s["done"])
        if s["state"] in ("done", "failed"):
            s["progress_seen"] = seen
            return s
        time.sleep(0.05)
    raise TimeoutError(job_id)


def test_shipped_scenarios_are_offered_without_fitted_files(client: TestClient) -> None:
    names = [s["name"] for s in client.get("/api/scenarios").json()]
    assert {"central_med", "channel", "uk_asylum", "uk_rwanda"} <= set(names)
    assert not [n for n in names if "fitted" in n or "uncertainty" in n or "fit_to" in n]
    assert set(names) == set(shipped_scenarios())


def test_every_shipped_scenario_opens_with_its_levers(client: TestClient) -> None:
    for name in shipped_scenarios():
        r = client.get(f"/api/scenarios/{name}")
        assert r.status_code == 200, (name, r.text)
        body = r.json()
        assert body["start"] < body["end"] and all(lv["key"] for lv in body["levers"])


def test_levers_carry_their_set_key_paths(client: TestClient) -> None:
    body = client.get("/api/scenarios/central_med").json()
    levers = {lv["key"]: lv for lv in body["levers"]}
    assert {"levers.tunisia_mou", "levers.libya_coastguard"} <= set(levers)
    fields = {f["name"]: f for f in levers["levers.tunisia_mou"]["fields"]}
    assert fields["start"]["value"] == "2023-07-16" and fields["start"]["kind"] == "date"
    assert fields["prevention"]["key"] == "levers.tunisia_mou.prevention"
    # every field's key path and value, sent back unchanged, validates as a --set item would
    items = [f"{f['key']}={f['value']}" for lv in body["levers"] for f in lv["fields"]]
    prepare(ROOT / "scenarios" / "central_med.yaml", overrides=parse_set(items))
    # asylum levers, switched by their own `enabled`
    rw = {lv.key for lv in levers_of(ROOT / "scenarios" / "uk_rwanda.yaml")}
    assert "asylum.destinations.uk.levers.third_country" in rw
    assert client.get("/api/scenarios/nope").status_code == 400


@pytest.mark.parametrize("item", ["levers.tunisia_mou.prevention=1.5", "levers.tunisia_mou.nonsense=1",
                                  "levers.nowhere.enabled=false", "start=2023-13-45", "no_equals_sign"])
def test_bad_settings_are_refused_with_the_cli_line(client: TestClient, item: str) -> None:
    r = client.post("/api/jobs", json={"scenario": "central_med", "sets": [item], "seeds": 1})
    assert r.status_code == 400
    with pytest.raises(InputError) as err:
        prepare(ROOT / "scenarios" / "central_med.yaml", overrides=parse_set([item]))
    assert r.json()["error"] == str(err.value)  # the same one line the CLI prints after "crossings: error: "
    assert client.post("/api/check", json={"scenario": "central_med", "sets": [item]}).json() == {
        "error": str(err.value)}


def test_seed_count_is_capped(client: TestClient) -> None:
    r = client.post("/api/jobs", json={"scenario": "channel", "seeds": MAX_SEEDS + 1})
    assert r.status_code == 400 and "seeds" in r.json()["error"]
    r = client.post("/api/jobs", json={"scenario": "channel", "seeds": 2, "start": "2024-01-01", "end": "2023-01-01"})
    assert r.status_code == 400 and "end is before start" in r.json()["error"]


def test_a_job_runs_with_progress_charts_and_downloads(client: TestClient) -> None:
    sets = ["levers.uk_france_deal.prevention=0.8"]
    job = client.post("/api/jobs", json={"scenario": "channel", "sets": sets, "seeds": 3, **SHORT})
    assert job.status_code == 202
    s = _wait(client, job.json()["id"])
    assert s["state"] == "done", s["error"]
    assert s["done"] == s["total"] == 3 and s["progress_seen"] == sorted(s["progress_seen"])
    assert {"place": "france_uk", "measure": "arrivals"} in s["charts"]
    # the deal set stronger than its baseline (off) prevents more: a positive effect on `prevented`
    prevented = next(r for r in s["effect_window"] if r["place"] == "france_uk" and r["measure"] == "prevented")
    assert prevented["p05"] > 0
    assert any("prevented" in h for h in s["headlines"])
    svg = client.get(f"/api/jobs/{s['id']}/chart.svg", params={"place": "france_uk", "measure": "arrivals"})
    assert svg.status_code == 200 and svg.text.startswith("<svg") and "<polygon" in svg.text
    bands = pd.read_csv(io.StringIO(client.get(f"/api/jobs/{s['id']}/files/bands.csv").text))
    assert {"month", "place", "place_kind", "is_total", "measure", "unit", "run", "p05", "p50", "p95"} <= set(bands)
    assert sorted(bands["month"].unique()) == [f"2023-0{m}" for m in range(1, 7)]
    xlsx = client.get(f"/api/jobs/{s['id']}/files/results.xlsx")
    sheets = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None)
    assert {"about", "effect_window", "bands", "effect"} <= set(sheets) and len(sheets["bands"]) == len(bands)
    report = client.get(f"/api/jobs/{s['id']}/files/report.html")
    assert report.headers["content-type"].startswith("text/html")
    assert report.text.count("<svg") >= 2 and "levers.uk_france_deal.prevention=0.8" in report.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", report.text)  # nothing fetched when opened
    assert "Data and sources" in report.text and "uk_small_boats_daily" in report.text and "Caveats" in report.text
    assert client.get(f"/api/jobs/{s['id']}/files/../../etc/passwd").status_code == 404
    assert client.get("/api/jobs/nope").status_code == 404


def test_effect_is_the_seed_by_seed_difference() -> None:
    s = run_members(JobSpec(path=CHANNEL, sets=("levers.uk_france_deal.prevention=0.8",), seeds=1, **SHORT))
    b = s.bands.set_index(["month", "place", "measure", "run"])["p50"]
    e = s.effect.set_index(["month", "place", "measure"])["p50"]
    diff = b.xs("scenario", level="run") - b.xs("baseline", level="run")
    pd.testing.assert_series_equal(diff.sort_index(), e.sort_index(), check_names=False)
    assert (e.xs("prevented", level="measure") > 0).any()


def test_two_jobs_at_once_match_each_alone(client: TestClient) -> None:
    specs = [{"scenario": "channel", "sets": ["levers.uk_france_deal.prevention=0.9"], "seeds": 2, **SHORT},
             {"scenario": "central_med", "sets": ["levers.tunisia_mou.enabled=false"], "seeds": 2, **SHORT}]
    ids = [client.post("/api/jobs", json=sp).json()["id"] for sp in specs]  # both submitted before either ends
    assert len(set(ids)) == 2
    finished = [_wait(client, i) for i in ids]
    assert [f["state"] for f in finished] == ["done", "done"]
    folders = {client.app.state.jobs.get(i).folder for i in ids}  # type: ignore[attr-defined]
    assert len(folders) == 2
    for sp, job_id in zip(specs, ids, strict=True):
        together = client.app.state.jobs.get(job_id).summary  # type: ignore[attr-defined]
        alone = run_members(JobSpec(path=ROOT / "scenarios" / f"{sp['scenario']}.yaml", sets=tuple(sp["sets"]),
                                    seeds=2, **SHORT))
        pd.testing.assert_frame_equal(together.bands, alone.bands)
        pd.testing.assert_frame_equal(together.effect, alone.effect)
        on_disk = pd.read_csv(client.app.state.jobs.get(job_id).folder / "results" / "bands.csv")  # type: ignore[attr-defined]
        assert len(on_disk) == len(alone.bands)


def test_fan_chart_changes_with_the_numbers() -> None:
    bands = pd.DataFrame({"month": ["2023-01", "2023-02"] * 2, "place": "r", "place_kind": "route",
                          "is_total": False, "measure": "arrivals", "unit": "people",
                          "run": ["scenario"] * 2 + ["baseline"] * 2, "observed": [5.0, None, 5.0, None],
                          "mean": 1.0, "p05": 0.0, "p50": [1.0, 2.0, 3.0, 4.0], "p95": 6.0, "seeds": 2})
    one = fan_svg(bands, "r", "arrivals")
    assert one == fan_svg(bands.copy(), "r", "arrivals")
    bands.loc[0, "p50"] = 2.5
    assert fan_svg(bands, "r", "arrivals") != one
    assert one.count("<circle") == 2  # the observed month, and the legend's mark
    unobserved = fan_svg(bands.assign(observed=None), "r", "arrivals")
    assert "<circle" not in unobserved and ">observed<" not in unobserved  # no legend entry without its marks


def test_serve_listens_on_this_machine_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError, match="127.0.0.1 only"):
        serve("0.0.0.0", 8050)
    assert main(["serve", "--host", "192.168.1.5"]) == 2
    assert "127.0.0.1 only" in capsys.readouterr().err
    assert main(["serve", "--port", "70000"]) == 2


def test_a_place_only_the_levers_create_is_compared_with_zero() -> None:
    """Rwanda exists only with the removal lever on, and the UK's cost is a total over more parts with it: the
    effect keeps those rows (the baseline holds 0 there) instead of dropping them in the match."""
    s = run_members(JobSpec(path=ROOT / "scenarios" / "uk_rwanda.yaml", seeds=1, start="2023-01-01",
                            end="2023-12-31"))
    w = s.effect_window.set_index(["place", "measure"])
    assert w.loc[("rwanda", "transfers"), "p50"] > 0
    assert w.loc[("rwanda", "cost"), "unit"] == "GBP" and w.loc[("rwanda", "cost"), "p50"] > 0
    assert ("uk", "cost") in w.index
    scen = s.bands[(s.bands["run"] == "scenario") & (s.bands["place"] == "rwanda") & (s.bands["measure"] == "transfers")]
    assert w.loc[("rwanda", "transfers"), "p50"] == scen["p50"].sum()
