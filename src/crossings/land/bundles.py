"""The route arrays the land engines read by name: one declaration for the kernel, its numpy reference and the
mean-field (as sea/bundles.py for the sea process). Built by System.bundle() (land/system.py)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class LandRoutes(NamedTuple):
    """A built route system's per-route and per-group arrays (G groups, R routes, T days)."""

    p_out: np.ndarray  # (G, T) the outside option's share: a person choosing again gives up
    attempt: np.ndarray  # (R, T) chance a waiting person tries the leg's border today
    detect: np.ndarray  # (R, T) chance an attempt is detected
    pushback: np.ndarray  # (R, T) chance a detected attempt is pushed back
    retry: np.ndarray  # (R,) chance a pushed-back person stays to try again
    count_pushed: np.ndarray  # (R,) bool: pushed-back attempts count as detections (land borders)
    next_leg: np.ndarray  # (R,) int64: the chained leg after crossing (-1 none)
    onward: np.ndarray  # (R, T) chance a person who crossed continues on the chained leg
