"""Benchmark: dashboard and goal pages under load, served the way `make demo` serves them.

`sdgnet setup` into bench/out/load/data (idempotent), then `sdgnet serve` (gunicorn with
its default workers, WhiteNoise) on a free port. Every page of the mix is fetched once
first (charts are rendered once per data version and cached, as in production), then
wrk (Debian package, installed by `scripts/install_system_packages.sh --bench`) drives
the mix with 20 connections for 30 s per scenario:

  dashboards  /places/<n>/ for 8 municipalities
  goals       /places/<n>/goals/<g>/ for the same 8 municipalities × 6 goals
  mixed       both together

Prints p50/p95/p99 latency and requests per second per scenario, with the machine and
its load average, and writes them to bench/out/load/results.json.
Run: `.venv/bin/python bench/load/run.py [--duration 30] [--connections 20] [--priority]`.
Besides latency, it records the CPU time the server and wrk spend per request, which does
not depend on what else the machine runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out" / "load"
SDGNET = str(ROOT / ".venv" / "bin" / "sdgnet")
LUA = Path(__file__).with_name("mix.lua")
# Bærum, Oslo, Bergen, Trondheim, Stavanger, Asker, Tromsø, a small one (Utsira)
MUNICIPALITIES = ["3201", "0301", "4601", "5001", "1103", "3203", "5501", "1151"]
GOALS = [1, 3, 4, 7, 11, 13]
SCENARIOS = {
    "dashboards": [f"/places/{code}/" for code in MUNICIPALITIES],
    "goals": [f"/places/{code}/goals/{goal}/" for code in MUNICIPALITIES for goal in GOALS],
}
SCENARIOS["mixed"] = SCENARIOS["dashboards"] + SCENARIOS["goals"]


def machine() -> dict[str, object]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": model,
        "python": platform.python_version(),
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
        .stdout.splitlines()[0]
        .strip(),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(url: str) -> tuple[int, int]:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.status, len(response.read())


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by every live process of a process group."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def run_wrk(
    base: str, paths: list[str], duration: int, connections: int, server_pgid: int
) -> dict[str, float]:
    env = {**os.environ, "SDGNET_PATHS": "\n".join(paths)}
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-H",
        "Accept-Encoding: gzip, br",
        "-s",
        str(LUA),
        base,
    ]
    print("   ", " ".join(command), flush=True)
    server_before = group_cpu_seconds(server_pgid)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    wrk_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = group_cpu_seconds(server_pgid) - server_before
    wrk_cpu = (wrk_usage.ru_utime + wrk_usage.ru_stime) - (children.ru_utime + children.ru_stime)
    print(result.stdout, flush=True)
    line = next(x for x in result.stdout.splitlines() if x.startswith("SDGNET "))
    figures: dict[str, float] = json.loads(line.removeprefix("SDGNET "))
    # CPU per request does not depend on what else the machine runs: with it, what an
    # otherwise idle machine could serve (all cores shared by server and wrk).
    requests = max(1, int(figures["requests"]))
    figures["server_cpu_ms_per_request"] = round(server_cpu / requests * 1000, 2)
    figures["wrk_cpu_ms_per_request"] = round(wrk_cpu / requests * 1000, 2)
    cores = os.cpu_count() or 1
    figures["cpu_bound_rps_if_idle"] = round(
        cores * 1000 / (figures["server_cpu_ms_per_request"] + figures["wrk_cpu_ms_per_request"]),
        1,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), action="append")
    parser.add_argument(
        "--priority",
        action="store_true",
        help="on a machine shared with other jobs: run server and wrk at a higher scheduling "
        "priority than other sessions (Linux autogroup nice -15 and nice -15; needs root)",
    )
    args = parser.parse_args()
    autogroup = Path("/proc/self/autogroup")
    autogroup_nice = autogroup.read_text().split()[-1] if autogroup.exists() else None
    if args.priority:
        # With autogroups, plain nice only ranks processes within one session; the
        # server is started in this session (process_group=0), so both apply to it.
        autogroup.write_text("-15")
        os.nice(-15)
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: run scripts/install_system_packages.sh --bench")

    data_dir = OUT / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SDGNET_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    env.pop("SDGNET_DEBUG", None)
    print("== sdgnet setup", flush=True)
    subprocess.run([SDGNET, "setup"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (OUT / "serve.log").open("w")
    server = subprocess.Popen(
        [SDGNET, "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,  # its own group (killed as one), in this session (and autogroup)
    )
    results: dict[str, object] = {
        "machine": machine(),
        "priority": args.priority,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "scenarios": {},
    }
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(base + "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("server did not start; see bench/out/load/serve.log")
                time.sleep(0.2)
        workers = (os.cpu_count() or 1) * 2 + 1
        results["server"] = f"sdgnet serve (gunicorn, {workers} sync workers, WhiteNoise)"
        print(f"== warm-up: every page of the mix once ({len(SCENARIOS['mixed'])} pages)")
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            for path, (status, size) in zip(
                SCENARIOS["mixed"],
                pool.map(lambda p: fetch(base + p), SCENARIOS["mixed"]),
                strict=True,
            ):
                assert status == 200, (path, status)
                assert size > 1000, (path, size)
        print(f"    {time.monotonic() - started:.1f} s")
        for name in args.scenario or ["dashboards", "goals", "mixed"]:
            load_before = os.getloadavg()[0]
            print(f"== {name}: {len(SCENARIOS[name])} pages, load average {load_before:.2f}")
            figures = run_wrk(base, SCENARIOS[name], args.duration, args.connections, server.pid)
            figures["load_average_before"] = round(load_before, 2)
            results["scenarios"][name] = figures  # type: ignore[index]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        if args.priority and autogroup_nice is not None:
            autogroup.write_text(autogroup_nice)  # the session outlives this process
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"{'scenario':<12}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}"
        f"{'srv CPU ms/req':>15}{'wrk CPU ms/req':>15}{'load avg':>9}"
    )
    for name, figures in results["scenarios"].items():  # type: ignore[attr-defined]
        print(
            f"{name:<12}{figures['rps']:>8.1f}{figures['p50_ms']:>8.1f}"
            f"{figures['p95_ms']:>8.1f}{figures['p99_ms']:>8.1f}{figures['errors']:>7}"
            f"{figures['server_cpu_ms_per_request']:>15.2f}{figures['wrk_cpu_ms_per_request']:>15.2f}"
            f"{figures['load_average_before']:>9.2f}"
        )


if __name__ == "__main__":
    main()
