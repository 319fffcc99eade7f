"""Per-origin checkpoints of a rolling back-test (issue 12: an interrupted back-test continues from its completed
origins; the final output is identical to an uninterrupted run's).

The back-test's origins run in order and carry one thing from an origin to the next: the mechanism's fit (refitted
every few origins, warm-started from the last one). After each origin its score rows, its note and the fit in
force are written to one file in a folder beside the output (`.NAME.origins-KEY`, KEY a hash of everything that
decides the results); a re-run with the same inputs reads the completed origins back instead of running them.
The caller removes the folder once the output is written (`discard`). A file is written under a temporary name
and renamed, so a kill mid-write leaves no half file that could be read back.
`crossings forecast` keeps its one origin's fit the same way (rows and note empty).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_MARK = "checkpoint.json"


@dataclass
class OriginResult:
    rows: list[dict[str, Any]]  # the origin's score rows, as backtest_rows builds them
    note: dict[str, Any]  # its per-origin note (fit and driver estimates)
    fit: Any  # the OriginFit in force after this origin (the next origin continues from it)


class OriginCheckpoints:
    """The completed origins of one back-test, kept beside its output folder `out`."""

    def __init__(self, out: Path, identity: Mapping[str, Any]) -> None:
        text = json.dumps(identity, sort_keys=True, default=str, indent=1)
        key = hashlib.sha256(text.encode()).hexdigest()[:16]
        self.folder = out.parent / f".{out.name}.origins-{key}"
        self.folder.mkdir(parents=True, exist_ok=True)
        mark = self.folder / _MARK
        if mark.exists() and mark.read_text() != text:  # a hash collision or a hand-made folder: start over
            shutil.rmtree(self.folder)
            self.folder.mkdir(parents=True)
        if not mark.exists():
            mark.write_text(text)
        self.resumed = 0  # origins read back, not run again

    def _path(self, origin: dt.date) -> Path:
        return self.folder / f"origin-{origin.isoformat()}.pkl"

    def load(self, origin: dt.date) -> OriginResult | None:
        p = self._path(origin)
        if not p.is_file():
            return None
        with p.open("rb") as f:
            res = pickle.load(f)  # noqa: S301 - our own file, in a folder this command made
        if not isinstance(res, OriginResult):
            return None
        self.resumed += 1
        return res

    def save(self, origin: dt.date, result: OriginResult) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".origin-", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._path(origin))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def discard(self) -> None:
        """Remove the folder (after the output is safely written)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def backtest_identity(path: Path, origins: list[dt.date], **options: Any) -> dict[str, Any]:
    """What decides a back-test's results: checkpoints are reused only when all of it is equal."""
    from crossings.core.output import git_commit, hash_files
    from crossings.core.version import __version__
    from crossings.scenario.load import scenario_files

    return {"scenario": str(Path(path).resolve()), "files": hash_files(scenario_files(path)),
            "origins": [o.isoformat() for o in origins], "options": {k: str(v) for k, v in options.items()},
            "version": __version__, "git_commit": git_commit()}
