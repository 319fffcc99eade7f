"""Atomic result writing and the run manifest.

All files of a run are written into a staging folder beside the target, then renamed into place one by
one, manifest last; a failure before that leaves the target untouched (no half-written output).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from crossings.core.errors import InputError
from crossings.core.version import __version__


def git_commit() -> str:
    """Commit of the source tree the package was imported from, or 'unknown' (e.g. installed wheel)."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if out.returncode != 0:
        return "unknown"
    commit = out.stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True, text=True, timeout=5,
    )
    return commit + ("-dirty" if dirty.returncode == 0 and dirty.stdout.strip() else "")


def hash_files(paths: Iterable[Path]) -> str:
    """sha256 over the (relative name, content) of the given files, in sorted order."""
    h = hashlib.sha256()
    for p in sorted(Path(x) for x in paths):
        h.update(p.name.encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_manifest(
    *,
    scenario: str,
    scenario_hash: str,
    seed: int,
    wall_s: float,
    data_versions: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    m: dict[str, Any] = {
        "package": "crossings",
        "version": __version__,
        "git_commit": git_commit(),
        "scenario": scenario,
        "scenario_hash": scenario_hash,
        "seed": int(seed),
        "wall_s": round(float(wall_s), 4),
        "data_versions": dict(data_versions or {}),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if extra:
        m.update(extra)
    return m


def check_target(out: Path) -> None:
    """Refuse a target that is a file, or a folder with other things in it (never clobber a user's folder)."""
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "--out", "exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").exists():
        raise InputError(str(out), "--out", "folder is not empty and holds no earlier Crossings result "
                         "(no manifest.json): choose a new or empty folder")


def write_outputs(
    out_dir: str | Path,
    tables: Mapping[str, pd.DataFrame],
    manifest: Mapping[str, Any],
    *,
    parquet: bool = True,
    extra_files: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write each table as NAME.csv (and NAME.parquet), extra text files and manifest.json, atomically.

    Everything is written into a staging folder beside the target, which then takes the target's place by
    rename: readers see the old result or the new one, never a mix. An earlier result in the same folder is
    replaced whole (no stale files from a run with other options).
    """
    out = Path(out_dir)
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    names: list[str] = []
    try:
        for name, df in tables.items():
            df.to_csv(stage / f"{name}.csv", index=False)
            names.append(f"{name}.csv")
            if parquet:
                df.to_parquet(stage / f"{name}.parquet", index=False)
                names.append(f"{name}.parquet")
        for name, text in (extra_files or {}).items():
            (stage / name).write_text(text)
            names.append(name)
        (stage / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
        os.chmod(stage, 0o755)  # mkdtemp makes it 0700
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / "previous")
            os.replace(stage, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [out / n for n in [*names, "manifest.json"]]


def write_text_atomic(path: str | Path, text: str) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a report is meant to be read by others
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_generated_yaml(path: str | Path, tool: str, data: Mapping[str, Any], width: int = 100) -> None:
    """A YAML file written by a command (`tool`), with a header saying not to edit it by hand; atomic."""
    import yaml

    header = f"# Written by {tool}; do not edit by hand (rerun it instead).\n"
    write_text_atomic(path, header + yaml.safe_dump(dict(data), sort_keys=False, default_flow_style=None, width=width))
