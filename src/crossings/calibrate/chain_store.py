"""A sampler run's checkpoint: every step's walker positions and log densities so far, the accepted counts and
the random state after the last step, so that a run stopped (time limit, a killed process, the end of a working
session) continues where it stopped and gives the chain an uninterrupted run gives (calibrate/bayes.py
--checkpoint). One .npz file, written atomically (a temporary file beside it, then renamed); `key` names what the
chain belongs to (parameters, walkers, fitted file), and a checkpoint with another key is refused."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crossings.core.errors import InputError


@dataclass
class Checkpoint:
    key: str
    chain: np.ndarray  # (steps, walkers, dim)
    log_prob: np.ndarray  # (steps, walkers)
    accepted: np.ndarray  # (walkers,) accepted proposals over all the steps
    random_state: tuple[Any, ...]  # numpy RandomState.get_state() after the last step

    @property
    def steps(self) -> int:
        return int(self.chain.shape[0])


def save(path: Path, cp: Checkpoint) -> None:
    name, keys, pos, has_gauss, cached = cp.random_state
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, key=np.array(cp.key), chain=cp.chain, log_prob=cp.log_prob, accepted=cp.accepted,
             rs_name=np.array(str(name)), rs_keys=np.asarray(keys, dtype=np.uint32),
             rs_rest=np.array([pos, has_gauss], dtype=np.int64), rs_cached=np.array(cached, dtype=np.float64))
    os.replace(tmp, path)


def load(path: Path, key: str) -> Checkpoint:
    try:
        with np.load(path, allow_pickle=False) as z:
            found = str(z["key"])
            rs = (str(z["rs_name"]), z["rs_keys"].copy(), int(z["rs_rest"][0]), int(z["rs_rest"][1]),
                  float(z["rs_cached"]))
            cp = Checkpoint(found, z["chain"].copy(), z["log_prob"].copy(), z["accepted"].copy(), rs)
    except (OSError, KeyError, ValueError) as err:
        raise InputError(str(path), "", f"not a sampler checkpoint ({type(err).__name__}: {err})") from None
    if found != key:
        raise InputError(str(path), "key", "the checkpoint belongs to another run (parameters, walkers or fitted "
                         f"file differ): it has {found!r}, this run is {key!r}")
    return cp
