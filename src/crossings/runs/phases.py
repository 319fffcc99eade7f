"""The run's phase plan with time per phase (`crossings run --profile`): each phase is timed where it runs, in
the fixed order the runner calls them, and printed as a table. Costs two clock reads per phase."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class PhaseTimer:
    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0
            self.calls[name] = self.calls.get(name, 0) + 1

    def lines(self) -> list[str]:
        total = sum(self.seconds.values()) or 1.0
        out = [f"{'phase':<28}{'calls':>6}{'seconds':>10}{'share':>8}"]
        for name, s in self.seconds.items():
            out.append(f"{name:<28}{self.calls[name]:>6}{s:>10.4f}{s / total:>8.1%}")
        out.append(f"{'total':<28}{'':>6}{sum(self.seconds.values()):>10.4f}")
        return out


@contextmanager
def maybe(timer: PhaseTimer | None, name: str) -> Iterator[None]:
    """Time the phase if a timer is given (the runner's default is none: no cost)."""
    if timer is None:
        yield
    else:
        with timer.phase(name):
            yield
