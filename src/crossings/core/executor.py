"""Where independent runs (ensemble members, sensitivity samples, Flee seeds) go: this process, a local process
pool (default) or a Ray cluster. In core, so that every process package (flee's validate too) can use it.

Every backend gets one payload (sent once: inherited by forked workers, one Ray object) and a list of tasks,
and yields (task number, result) as tasks finish, in any order; the caller puts results in task order, so
nothing depends on the backend, the number of workers or the completion order.

Local workers die with their parent: on Linux each worker asks the kernel for SIGKILL when the parent dies
(prctl PR_SET_PDEATHSIG), and every worker also watches its parent pid from a thread (any POSIX system), so
`kill -9` of `crossings ensemble` leaves no worker behind. Workers point their stdin/stdout/stderr at
/dev/null: a pipe from the caller (`crossings ensemble ... | tee log`) closes when the parent dies.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Any, Protocol

Task = Callable[[Any, Any], Any]  # fn(payload, task) -> result

PR_SET_PDEATHSIG = 1
_STATE: dict[str, Any] = {}  # the worker's payload and function (set once per worker process)


class Executor(Protocol):
    def run(self, fn: Task, payload: Any, tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]: ...


def _die_with_parent(parent: int) -> None:
    """Make this process end when `parent` ends (prctl on Linux; a watcher thread everywhere)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: the thread below still works
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _release_stdio() -> None:
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _init_worker(parent: int, fn: Task, payload: Any) -> None:
    _die_with_parent(parent)
    _release_stdio()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which stops the pool
    _STATE["fn"], _STATE["payload"] = fn, payload


def _call(task: Any) -> Any:
    return _STATE["fn"](_STATE["payload"], task)


def _pool(workers: int, fn: Task, payload: Any) -> ProcessPoolExecutor:
    """`workers` forked processes (spawned where fork is not available), each holding fn and payload."""
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context(method), initializer=_init_worker,
                               initargs=(os.getpid(), fn, payload))


class SerialExecutor:
    """In this process, one task after another (jobs = 1; also the reference the others must equal)."""

    def run(self, fn: Task, payload: Any, tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        for i, t in enumerate(tasks):
            yield i, fn(payload, t)


class LocalExecutor:
    """A process pool of `jobs` forked workers (spawned where fork is not available)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    def run(self, fn: Task, payload: Any, tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        if self.jobs <= 1 or len(tasks) <= 1:
            yield from SerialExecutor().run(fn, payload, tasks)
            return
        pool = _pool(min(self.jobs, len(tasks)), fn, payload)
        try:
            pending: dict[Future[Any], int] = {}
            todo = iter(enumerate(tasks))
            window = 4 * self.jobs  # a few tasks ahead of the workers: results come back in bounded memory
            for i, t in todo:
                pending[pool.submit(_call, t)] = i
                if len(pending) >= window:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    i = pending.pop(f)
                    yield i, f.result()
                    nxt = next(todo, None)
                    if nxt is not None:
                        pending[pool.submit(_call, nxt[1])] = nxt[0]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class LocalPool:
    """A pool of `jobs` forked workers kept for many small rounds (a sampler evaluates its walkers in one round
    per step: a fresh pool per round would fork thousands of times). Same workers as LocalExecutor's (payload
    set once, die with the parent); `map` returns the results in task order."""

    def __init__(self, jobs: int, fn: Task, payload: Any) -> None:
        self.jobs, self.fn, self.payload = jobs, fn, payload
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalPool:
        if self.jobs > 1:
            self.pool = _pool(self.jobs, self.fn, self.payload)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def map(self, tasks: Sequence[Any]) -> list[Any]:
        if self.pool is None:
            return [self.fn(self.payload, t) for t in tasks]
        return list(self.pool.map(_call, tasks))


def _ray_call(fn: Task, payload: Any, task: Any) -> Any:
    return fn(payload, task)


class RayExecutor:
    """Ray: a cluster at `address` (e.g. 127.0.0.1:6379), or a local one of `jobs` CPUs started here.

    The payload goes into the object store once; each task is a small Ray task that reads it there."""

    def __init__(self, jobs: int, address: str | None = None) -> None:
        self.jobs, self.address = jobs, address

    def run(self, fn: Task, payload: Any, tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        # workers start with this interpreter, not through `uv run` (Ray's uv hook would re-resolve the
        # environment in every worker: minutes on a busy machine); no usage statistics are sent anywhere
        os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        import ray

        started = not ray.is_initialized()
        if started:
            kw: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR",
                                  "configure_logging": True}
            if self.address:
                ray.init(address=self.address, **kw)
            else:  # a private local cluster on the loopback address only
                ray.init(num_cpus=self.jobs, _node_ip_address="127.0.0.1", **kw)
        try:
            remote = ray.remote(num_cpus=1, max_retries=0)(_ray_call)
            fn_ref, payload_ref = ray.put(fn), ray.put(payload)
            refs = {remote.remote(fn_ref, payload_ref, t): i for i, t in enumerate(tasks)}
            while refs:
                done, _ = ray.wait(list(refs), num_returns=1)
                for r in done:
                    yield refs.pop(r), ray.get(r)
        finally:
            if started:
                ray.shutdown()


def make_executor(backend: str, jobs: int, address: str | None = None) -> Executor:
    if backend == "ray":
        return RayExecutor(jobs, address)
    if backend == "local":
        return LocalExecutor(jobs)
    raise ValueError(f"unknown backend {backend!r} (local, ray)")
