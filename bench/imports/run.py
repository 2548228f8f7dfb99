"""Benchmark: import 1,000,000 observations from one CSV file, on SQLite and PostgreSQL.

Generates a long CSV (357 municipalities × N synthetic count indicators × years, values
uniform in [0, 10 000) with one decimal, 2 % missing), registers the synthetic indicators in
a fresh data directory, and times `sdgnet import` as a whole process (read, validate, write
in one transaction). Run: `.venv/bin/python bench/imports/run.py [--rows 1000000]`.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out" / "imports"
SDGNET = str(ROOT / ".venv" / "bin" / "sdgnet")
PG_URL = os.environ.get(
    "SDGNET_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/sdgnet_bench"
)


def municipalities() -> list[str]:
    path = ROOT / "src" / "sdgnet" / "defaultdata" / "municipalities.csv"
    with path.open(encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def generate(rows: int) -> tuple[Path, Path, int]:
    places = municipalities()
    years = list(range(2000, 2025))
    indicators = -(-rows // (len(places) * len(years)))
    data = OUT / f"observations_{rows}.csv"
    framework = OUT / "bench-framework.csv"
    OUT.mkdir(parents=True, exist_ok=True)
    with framework.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["indicator", "name_nb", "name_en", "unit", "measure", "direction", "goal", "index"]
        )
        for number in range(indicators):
            writer.writerow(
                [
                    f"bench-{number:03d}",
                    f"Test {number}",
                    f"Test {number}",
                    "count",
                    "count",
                    "context",
                    11,
                    "no",
                ]
            )
    if not data.exists():
        rng = random.Random(2030)
        with data.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["place", "indicator", "year", "value"])
            written = 0
            for number in range(indicators):
                for place in places:
                    for year in years:
                        if written == rows:
                            break
                        value = "" if rng.random() < 0.02 else f"{rng.uniform(0, 10000):.1f}"
                        writer.writerow([place, f"bench-{number:03d}", year, value])
                        written += 1
    return data, framework, indicators


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one command.

    CPU seconds are reported beside wall time because a shared machine stretches wall
    time; the import is single-threaded, so on an idle machine the two agree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_mb = after.ru_maxrss / 1024
    return (
        seconds,
        cpu,
        peak_mb,
        done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "",
    )


def prepare(env: dict[str, str], framework: Path) -> None:
    subprocess.run([SDGNET, "setup", "--no-default-data"], env=env, check=True, capture_output=True)
    code = (
        "from pathlib import Path; import json, tempfile;"
        "from sdgnet.catalog.actions import do_load_catalog, do_load_framework;"
        "from sdgnet.places.actions import do_load_places;"
        "from sdgnet.defaultdata import DEFAULT_DATA_DIR as D;"
        "do_load_catalog(D); do_load_places(D);"
        "m = Path(tempfile.mkdtemp()) / 'bench-framework.json';"
        "m.write_text(json.dumps({'slug': 'bench', 'name_nb': 'Bench', 'name_en': 'Bench', 'version': '1'}));"
        f"do_load_framework(Path({str(framework)!r}), m)"
    )
    subprocess.run([SDGNET, "shell", "-c", code], env=env, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    data, framework, indicators = generate(args.rows)
    print(f"{args.rows} rows, {indicators} indicators, file {data.stat().st_size / 1e6:.1f} MB")
    backends: list[tuple[str, dict[str, str]]] = []
    sqlite_dir = OUT / "sqlite"
    shutil.rmtree(sqlite_dir, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    backends.append(("SQLite", {**env, "SDGNET_DATA_DIR": str(sqlite_dir)}))
    if not args.skip_postgres:
        admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
        name = PG_URL.rsplit("/", 1)[1]
        subprocess.run(
            ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True
        )
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        backends.append(
            ("PostgreSQL", {**env, "SDGNET_DATA_DIR": str(OUT / "pg"), "DATABASE_URL": PG_URL})
        )
    for label, backend_env in backends:
        prepare(backend_env, framework)
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        seconds, cpu, peak, summary = run(
            [SDGNET, "import", str(data), "--source", "bench"], backend_env
        )
        print(
            f"{label}: first import {seconds:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak:.0f} MB: {summary}"
        )
        seconds, cpu, peak, summary = run(
            [SDGNET, "import", str(data), "--source", "bench"], backend_env
        )
        print(f"{label}: same file again {seconds:.1f} s wall, {cpu:.1f} s CPU: {summary}")


if __name__ == "__main__":
    main()
