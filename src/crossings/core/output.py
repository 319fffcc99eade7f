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


WRITTEN_BY = "crossings"  # the manifest key that says a folder is a Crossings result (and may be replaced)
_STAGE_MARK = ".crossings-stage"  # inside a staging or old-result folder: the pid of the run that made it


def _own_files(out: Path) -> set[str] | None:
    """The file names a Crossings run wrote into `out` (from its manifest), or None if Crossings did not
    write it (no manifest, unreadable, or a manifest without `written_by: crossings` and its file list)."""
    try:
        man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(man, dict) or man.get("written_by") != WRITTEN_BY or not isinstance(man.get("files"), list):
        return None
    return {str(f) for f in man["files"]} | {"manifest.json"}


def check_target(out: Path) -> None:
    """Refuse a target that is a file, or a folder holding anything Crossings did not write there.

    A folder is replaced only when its manifest says Crossings wrote it (`written_by`) and every entry in
    it is one of the files that manifest lists: a user's file kept in an old result folder is never deleted.
    """
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "--out", "exists and is not a folder")
    if not out.is_dir():
        return
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return
    own = _own_files(out)
    if own is None:
        raise InputError(str(out), "--out", "folder is not empty and holds no earlier Crossings result "
                         "(no manifest.json written by crossings): choose a new or empty folder")
    foreign = [n for n in entries if n not in own or (out / n).is_symlink() or not (out / n).is_file()]
    if foreign:
        raise InputError(str(out), "--out", f"folder is not empty: {foreign[0]!r} was not written by crossings "
                         f"({len(foreign)} such entr{'y' if len(foreign) == 1 else 'ies'}); move it away or "
                         "choose a new folder")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


def _is_ours(p: Path) -> bool:
    """A staging or old-result folder made by crossings: our marker file, or (a staging folder renamed
    ready, marker removed) nothing in it but the files its crossings manifest lists."""
    if (p / _STAGE_MARK).is_file():
        return True
    own = _own_files(p)
    return own is not None and all(c.name in own and c.is_file() and not c.is_symlink() for c in p.iterdir())


def clean_stale_staging(out: Path) -> list[Path]:
    """Remove staging and old-result folders of `out` left by a run that was killed mid-way.

    Only folders named like ours (`.NAME.staging-PID-*`, `.NAME.old-PID-*`) whose process PID no longer
    runs and whose content is ours (_is_ours) are removed; anything else is left alone. Returns them.
    """
    removed: list[Path] = []
    if not out.parent.is_dir():
        return removed
    for p in out.parent.iterdir():
        for kind in ("staging", "old"):
            head = f".{out.name}.{kind}-"
            if not p.name.startswith(head):
                continue
            pid_text = p.name[len(head):].partition("-")[0]
            if not pid_text.isdigit() or not p.is_dir() or p.is_symlink():
                continue
            pid = int(pid_text)
            if pid != os.getpid() and not _pid_alive(pid) and _is_ours(p):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def _mkstage(out: Path, kind: str) -> Path:
    d = Path(tempfile.mkdtemp(prefix=f".{out.name}.{kind}-{os.getpid()}-", dir=out.parent))
    (d / _STAGE_MARK).write_text(str(os.getpid()))
    return d


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
    rename: readers see the old result or the new one, never a mix. An earlier Crossings result in the same
    folder is replaced whole (no stale files from a run with other options); a folder holding anything
    Crossings did not write is refused (check_target). The manifest records `written_by` and the files.
    """
    out = Path(out_dir)
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_staging(out)
    stage = _mkstage(out, "staging")
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
        full = {**manifest, "written_by": WRITTEN_BY, "files": sorted(names)}
        (stage / "manifest.json").write_text(json.dumps(full, indent=2, sort_keys=True, default=str))
        (stage / _STAGE_MARK).unlink()
        os.chmod(stage, 0o755)  # mkdtemp makes it 0700
        if out.exists():
            check_target(out)  # again, just before the swap: a file may have been added meanwhile
            old = _mkstage(out, "old")
            os.replace(out, old / "previous")
            os.replace(stage, out)  # a kill between these two renames leaves both folders: clean_stale_staging
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
