"""Members' vectors on disk: one Parquet partition per finished chunk of members, in a checkpoint folder.

The parent writes a chunk's partition (atomically: a temporary name, then rename) as soon as its members are
back, so memory does not grow with the number of members, and a killed ensemble re-run with the same
arguments finds the finished chunks and runs only the others. The folder sits beside the output folder,
named by a hash of everything that decides the members' values (scenario files, seeds, overrides, options,
code version), so a different ensemble never reuses it; it is removed once the output is written.

Summaries (mean, sd, quantiles over members) are exact: for a block of table rows at a time, every
partition's values for those rows are read (in member order), so memory is members x block, the block
chosen to stay under BLOCK_BYTES whatever the number of members.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

BLOCK_BYTES = 64 * 2**20  # values held at once while summarising (members x rows x 8 bytes)
_MARK = "checkpoint.json"


def checkpoint_dir(out: Path, identity: Mapping[str, Any]) -> Path:
    key = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return out.parent / f".{out.name}.members-{key}"


class MemberStore:
    def __init__(self, folder: Path, identity: Mapping[str, Any]) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        mark = folder / _MARK
        text = json.dumps(identity, sort_keys=True, default=str, indent=1)
        if mark.exists() and mark.read_text() != text:  # a hash collision or a hand-made folder: start over
            shutil.rmtree(folder)
            folder.mkdir(parents=True)
        if not mark.exists():
            mark.write_text(text)

    def _path(self, chunk: int) -> Path:
        return self.folder / f"chunk-{chunk:06d}.parquet"

    def done(self) -> set[int]:
        """Chunks already written (a partial file of a killed run has a temporary name and is ignored)."""
        return {int(p.stem.split("-")[1]) for p in self.folder.glob("chunk-*.parquet")}

    def write(self, chunk: int, columns: Mapping[str, np.ndarray]) -> None:
        arrays, names = [], []
        for name, a in columns.items():
            a = np.ascontiguousarray(a)
            if a.ndim == 1:
                arrays.append(pa.array(a))
            else:
                arrays.append(pa.FixedSizeListArray.from_arrays(pa.array(a.reshape(-1)), a.shape[1]))
            names.append(name)
        tmp = self.folder / f".tmp-{chunk:06d}-{os.getpid()}.parquet"
        pq.write_table(pa.Table.from_arrays(arrays, names=names), tmp, compression="zstd")
        os.replace(tmp, self._path(chunk))

    def chunks(self) -> list[int]:
        return sorted(self.done())

    def read(self, chunk: int, column: str) -> np.ndarray:
        col = pq.read_table(self._path(chunk), columns=[column]).column(0).combine_chunks()
        if isinstance(col.type, pa.FixedSizeListType):
            return col.flatten().to_numpy().reshape(len(col), col.type.list_size)
        return col.to_numpy()

    def blocks(self, column: str, n_cols: int) -> Iterator[tuple[slice, np.ndarray]]:
        """(rows of the table, members x rows values), members in chunk order, rows in blocks."""
        chunks = self.chunks()
        n_members = sum(len(self.read(c, "member")) for c in chunks)
        width = max(1, min(n_cols, BLOCK_BYTES // (8 * max(1, n_members))))
        for c0 in range(0, n_cols, width):
            sl = slice(c0, min(n_cols, c0 + width))
            yield sl, np.concatenate([self.read(c, column)[:, sl] for c in chunks], axis=0)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
