"""Streaming ensembles: a killed `crossings ensemble --jobs 2` leaves no worker and no held pipe behind, and a
re-run with the same arguments runs only the missing members and writes byte-identical tables."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios" / "channel.yaml"
ARGS = ["--seeds", "1200", "--jobs", "2", "--set", "end=2019-06-30", "--quiet"]
TABLES = ("ensemble_monthly.csv", "ensemble_annual.csv", "ensemble_monthly.parquet", "ensemble_annual.parquet")


def _cli(out: Path) -> list[str]:
    return [sys.executable, "-m", "crossings.cli", "ensemble", str(SCEN), "--out", str(out), *ARGS]


def _children(pid: int) -> list[int]:
    kids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                stat = (p / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(p.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "ens"
    subprocess.run(_cli(out), check=True, capture_output=True, cwd=ROOT)
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_kill_then_resume_runs_only_missing_members_and_matches(reference: Path, tmp_path: Path, sig: int) -> None:
    out = tmp_path / "ens"
    proc = subprocess.Popen(_cli(out), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    chunks: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        chunks = list(tmp_path.glob(".ens.members-*/chunk-*.parquet"))
        if len(chunks) >= 2:
            break
        time.sleep(0.02)
    assert proc.poll() is None and len(chunks) >= 2, f"the run ended before it could be interrupted ({len(chunks)})"
    workers = _children(proc.pid)
    assert len(workers) >= 2, workers
    os.kill(proc.pid, sig)
    # the pipes close: no worker keeps the caller's stdout/stderr open
    proc.communicate(timeout=20)
    t0 = time.monotonic()
    while any(_alive(w) for w in workers) and time.monotonic() - t0 < 10:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "workers outlived their parent"
    assert not out.exists()
    done = len(list(tmp_path.glob(".ens.members-*/chunk-*.parquet")))
    assert 2 <= done <= 48, done  # 48 chunks of 25: a kill just before the tables were written leaves all 48
    subprocess.run(_cli(out), check=True, capture_output=True, cwd=ROOT)
    man = json.loads((out / "manifest.json").read_text())
    assert man["members_resumed"] == 25 * done
    assert man["started_utc"] <= man["finished_utc"]
    for name in TABLES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    assert not list(tmp_path.glob(".ens.members-*")), "the checkpoint folder is removed once written"
