"""Benchmark: rescore the default dataset as the platform does after an import.

Sets up a fresh SQLite data directory with the default data (`sdgnet setup`), then times
`do_rescore_all()` (engine for every year with data, peers, storing every result) five
times in one process, reporting wall and CPU seconds (CPU includes DuckDB's threads).
Run: `.venv/bin/python bench/scores/rescore.py`.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / "out" / "rescore"


def main() -> None:
    shutil.rmtree(DATA, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SDGNET_DATA_DIR"] = str(DATA)
    subprocess.run(
        [str(ROOT / ".venv/bin/sdgnet"), "setup"], env=env, check=True, capture_output=True
    )
    os.environ.update(
        {"SDGNET_DATA_DIR": str(DATA), "DJANGO_SETTINGS_MODULE": "sdgnet.web.settings"}
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from sdgnet.scores.actions import do_rescore_all

    walls, cpus = [], []
    for _ in range(5):
        wall, cpu = time.perf_counter(), time.process_time()
        do_rescore_all()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"rescore wall median {statistics.median(walls):.2f} s (min {min(walls):.2f}), "
        f"CPU median {statistics.median(cpus):.2f} s (min {min(cpus):.2f})"
    )


if __name__ == "__main__":
    main()
