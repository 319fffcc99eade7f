"""Where inside the compiled Flee kernel the time goes, by instruction address: sampling with `perf` (the
software cpu-clock event, which works without hardware counters, e.g. in a VM) on one ssudan2013 seed, the samples
mapped onto a disassembly of the numba kernel's machine code (dumped from memory by the run itself, since numba's
JIT code has no symbols for perf). Prints the share of the kernel's samples per 512-byte region and the hottest
instructions; read them against `objdump` output in OUT/kernel.asm (a sample lands on or just after the
instruction that held up retirement, e.g. the one after a mispredicted branch or a slow load).

    perf record -e cpu-clock -F 4000 -o /tmp/flee.perf -- \\
        uv run --frozen python benchmarks/flee_perf_regions.py run --out /tmp/flee_perf [--case ssudan2013] [--seed 2]
    perf script -i /tmp/flee.perf -F ip > /tmp/flee_perf/ips.txt
    uv run --frozen python benchmarks/flee_perf_regions.py report --out /tmp/flee_perf

Needs perf and objdump (binutils). The machine code is the mapping that holds engine_numba.run_days (its library
also holds agent_pass and the helpers it calls).
"""

from __future__ import annotations

import argparse
import ctypes
import re
import subprocess
import time
from collections import Counter
from pathlib import Path

CASES = Path(__file__).resolve().parents[1] / "src" / "crossings" / "data" / "flee_cases"


def run(out: Path, case: str, seed: int) -> None:
    from crossings.flee import engine_numba as K
    from crossings.flee.api import prepare
    from crossings.flee.model import simulate

    model, _ = prepare(CASES / case, CASES / "rulesets" / "simsetting.yml")
    c0 = time.process_time()
    simulate(model, seed)
    print(f"{case} seed {seed}: {time.process_time() - c0:.2f} s CPU (first call: includes loading the numba cache)")
    res = K.run_days.overloads[K.run_days.signatures[0]]
    addr = res.library.get_pointer_to_function(res.fndesc.llvm_func_name)
    for line in Path("/proc/self/maps").read_text().splitlines():
        a0, a1 = (int(x, 16) for x in line.split()[0].split("-"))
        if a0 <= addr < a1:
            out.mkdir(parents=True, exist_ok=True)
            (out / "kernel.bin").write_bytes(ctypes.string_at(a0, a1 - a0))
            (out / "kernel.addr").write_text(hex(a0))
            print(f"kernel code {hex(a0)}-{hex(a1)} written to {out}")
            return
    raise SystemExit("run_days's code not found in /proc/self/maps")


def report(out: Path, top: int) -> None:
    base = (out / "kernel.addr").read_text().strip()
    asm = subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386:x86-64", f"--adjust-vma={base}",
                          str(out / "kernel.bin")], check=True, capture_output=True, text=True).stdout
    (out / "kernel.asm").write_text(asm)
    ips = Counter(int(x, 16) for x in (out / "ips.txt").read_text().split())
    lines = {}
    for line in asm.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s", line)
        if m:
            lines[int(m.group(1), 16)] = line.strip()
    inside = {a: c for a, c in ips.items() if a in lines}
    total, kernel = sum(ips.values()), sum(inside.values())
    print(f"{kernel} of {total} samples ({100 * kernel / max(total, 1):.1f}%) in the kernel's code")
    regions: Counter[int] = Counter()
    for a, c in inside.items():
        regions[a // 512 * 512] += c
    for r, c in sorted(regions.items()):
        if c >= 0.01 * kernel:
            print(f"  region {r:#x}: {100 * c / kernel:5.1f}% of the kernel's samples")
    print("hottest instructions (share of the kernel's samples):")
    for a, c in sorted(inside.items(), key=lambda x: -x[1])[:top]:
        print(f"  {100 * c / kernel:5.1f}%  {lines[a]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["run", "report"])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--case", default="ssudan2013")
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    if a.what == "run":
        run(a.out, a.case, a.seed)
    else:
        report(a.out, a.top)


if __name__ == "__main__":
    main()
