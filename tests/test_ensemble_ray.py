"""Ray backend: a two-node Ray cluster on 127.0.0.1 (two `ray start` processes, started and stopped here) gives
byte-identical ensemble tables to the local process pool, 50 members. Runs by default (CI too).

Why a node could fail to start on a loaded 2-core machine (read in the raylets' logs): a raylet registers with
the GCS only after its two Python agents (dashboard agent, runtime-env agent; ~1 s of CPU each, 6-8 s wall here)
have written their ports, and it gives them a fixed ~15 s (this Ray version: "Timed out waiting for file
.../metrics_agent_port_*", then the raylet exits); `ray start` itself waits a fixed 30 s for the registration
(ray/_private/node.py). Neither wait is configurable (RAY_raylet_start_wait_time_s did not change the first). So a
node whose start fails is started again (fresh ports, up to START_TRIES times), each try bounded by Ray's own
waits; Ray's GCS health-check and worker-registration timeouts are raised (RAY_* variables) so that a slow node
or worker is not declared dead later, and the test waits for `ray.nodes()` to show two alive nodes.

Skipped only where Ray is not installed or its head node cannot start at all, and never with CI=true (there that
is a failure). Every process the nodes started is stopped afterwards, also when the test fails."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAY = Path(sys.executable).parent / "ray"
TABLES = ("ensemble_monthly.csv", "ensemble_annual.csv", "ensemble_monthly.parquet", "ensemble_annual.parquet")
IN_CI = os.environ.get("CI") == "true"
START_WAIT_S = 300  # a `ray start` on a loaded 2-core machine: tens of seconds; this only bounds a hang
START_TRIES = 4
# Ray turns 127.0.0.1 into the machine's network address when it connects; with "clusters off" it keeps the
# loopback address (head and drivers). A worker node refuses to start that way, so its `ray start` runs with the
# setting on and Ray's localhost resolution replaced by the identity: nothing leaves 127.0.0.1.
ENV = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
       "RAY_AUTH_MODE": "token",  # `ray start` makes a token (~/.ray/auth_token); drivers must send it
       "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0",
       # Ray's documented config variables, raised for a loaded machine: the GCS declares a node dead after
       # `failure_threshold` missed health checks; a raylet kills a worker that has not registered in time
       "RAY_health_check_timeout_ms": "60000", "RAY_health_check_period_ms": "10000",
       "RAY_health_check_failure_threshold": "30", "RAY_worker_register_timeout_seconds": "600",
       "RAY_gcs_rpc_server_reconnect_timeout_s": "300",
       "RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S": "0"}  # SIGTERM stops a node at once (default: a 30 s drain)
NODE_ENV = {**ENV, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "1"}
# the `ray start` process also gets SIGTERM (and stops its node) if the test process dies (prctl PR_SET_PDEATHSIG)
LOOPBACK_START = ("import ctypes, signal, sys, ray._private.services as s\n"
                  "ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)\n"
                  "s.resolve_ip_for_localhost = lambda host: host\n"
                  "from ray.scripts.scripts import main\nsys.argv[0] = 'ray'\nsys.exit(main())\n")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(temp: Path, name: str, *args: str, env: dict[str, str] = ENV) -> subprocess.Popen[bytes]:
    # --block: the `ray start` process stays in front and stops the node's processes when it is terminated.
    # One CPU and a 100 MB object store a node (the members' payload is small); ports of its own for the
    # dashboard agent and metrics (their defaults are fixed numbers: two nodes on one machine would clash)
    with open(temp / f"{name}.log", "wb") as log:
        return subprocess.Popen([sys.executable, "-c", LOOPBACK_START, "start", "--block", "--node-ip-address",
                                 "127.0.0.1", "--num-cpus", "1", "--object-store-memory", str(100 * 1024 * 1024),
                                 "--temp-dir", str(temp), "--disable-usage-stats",
                                 "--dashboard-agent-listen-port", str(_port()), "--metrics-export-port", str(_port()),
                                 *args], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _start_node(nodes: list[subprocess.Popen[bytes]], temp: Path, name: str, *args: str,
                env: dict[str, str] = ENV) -> str | None:
    """Start a node, again after a failed start (see the docstring); None when it is up, else why not."""
    why = ""
    for attempt in range(1, START_TRIES + 1):
        tag = f"{name}{attempt}"
        p = _start(temp, tag, *args, env=env)
        nodes.append(p)
        if _started(p, temp, tag):
            if attempt > 1:  # shown in pytest's warnings summary: how often the machine was too slow
                warnings.warn(f"Ray {name} started on try {attempt}:\n{why}", stacklevel=2)
            return None
        why += f"try {attempt}: " + _logs(temp, tag) + "\n"
        _stop_all([p])
        nodes.remove(p)
    return why


def _started(p: subprocess.Popen[bytes], temp: Path, name: str) -> bool:
    """Wait until `ray start` says the node is up (True) or exits (False)."""
    t = time.monotonic()
    while time.monotonic() - t < START_WAIT_S:
        if b"Ray runtime started" in (temp / f"{name}.log").read_bytes():
            return True
        if p.poll() is not None:
            return False
        time.sleep(0.5)
    return False


def _descendants(roots: list[int]) -> dict[int, bytes]:
    """Every live process below `roots` (Linux /proc), with its start time to tell a reused pid apart."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_bytes().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    found: dict[int, bytes] = {}
    todo = list(roots)
    while todo:
        pid = todo.pop()
        for c in children.get(pid, []):
            if c not in found and (st := _start_time(c)) is not None:
                found[c] = st
                todo.append(c)
    return found


def _start_time(pid: int) -> bytes | None:
    try:
        return (Path("/proc") / str(pid) / "stat").read_bytes().rsplit(b")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _stop_all(nodes: list[subprocess.Popen[bytes]]) -> list[int]:
    """Stop the nodes (SIGTERM to each `ray start` group, then SIGKILL) and every process they started, also those
    in groups of their own (Ray's workers); returns the pids that were still alive after all that (none)."""
    tree = _descendants([p.pid for p in nodes])
    for p in nodes:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in nodes:
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    def alive() -> list[int]:  # a zombie has ended (this container's init may be slow to reap it)
        return [pid for pid, st in tree.items() if _start_time(pid) == st and not _zombie(pid)]

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and alive():
        time.sleep(0.5)
    for pid in alive():
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    return alive()


def _zombie(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_bytes().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return True


def _logs(temp: Path, tag: str = "") -> str:
    """The tail of a `ray start` output (all without a tag) and the raylets' errors: why a node did not come up."""
    parts = []
    for f in sorted(temp.glob(f"{tag}*.log" if tag else "*.log")) + sorted(temp.glob("session_*/logs/raylet*.err")):
        parts.append(f"--- {f.name}\n" + f.read_text(errors="replace")[-1200:])
    return "\n".join(parts)


def _ensemble(out: Path, *extra: str) -> None:
    r = subprocess.run([sys.executable, "-m", "crossings.cli", "ensemble", str(ROOT / "scenarios" / "channel.yaml"),
                        "--seeds", "50", "--set", "end=2018-12-31", "--quiet", "--out", str(out), *extra],
                       capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=900)
    assert r.returncode == 0, f"crossings ensemble {' '.join(extra)} failed:\n{r.stdout[-2000:]}{r.stderr[-4000:]}"


def _unavailable(why: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {why}")
    pytest.skip(why)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process clean-up reads /proc (Linux)")
def test_two_node_ray_cluster_equals_local_pool(tmp_path: Path) -> None:
    if not RAY.exists():
        _unavailable("ray is not installed")
    # Ray's unix sockets live under --temp-dir: a short path (a socket path may not exceed 107 bytes)
    temp = Path(tempfile.mkdtemp(prefix="crt", dir="/tmp"))
    port = _port()
    address = f"127.0.0.1:{port}"
    nodes: list[subprocess.Popen[bytes]] = []
    try:
        if why := _start_node(nodes, temp, "head", "--head", "--port", str(port), "--include-dashboard", "false"):
            _unavailable("the Ray head node did not start:\n" + why)
        why = _start_node(nodes, temp, "node", "--address", address, env=NODE_ENV)
        assert why is None, "the second Ray node did not start:\n" + why
        probe = (f"import ray, time\nray.init(address='{address}', logging_level='ERROR', log_to_driver=False)\n"
                 f"t = time.time()\nwhile len([n for n in ray.nodes() if n['Alive']]) < 2 and time.time() - t < {START_WAIT_S}:\n"
                 "    time.sleep(0.5)\nprint(len([n for n in ray.nodes() if n['Alive']]))\n")
        alive = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=ENV, timeout=600)
        assert alive.stdout.strip().endswith("2"), alive.stdout + alive.stderr[-2000:] + _logs(temp)
        _ensemble(tmp_path / "ray", "--backend", "ray", "--address", address)
    finally:
        left = _stop_all(nodes)
        shutil.rmtree(temp, ignore_errors=True)
    assert not left, f"Ray processes left behind: {left}"
    _ensemble(tmp_path / "local", "--jobs", "2")
    for name in TABLES:
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
