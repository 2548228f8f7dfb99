"""Benchmark: rescore the default dataset as the platform does after an import.

Sets up a fresh SQLite data directory with the default data (`sdgnet setup`), then times
`do_rescore_all()` (engine for every year with data, peers, storing every result) five
times in one process, reporting wall and CPU seconds (CPU includes DuckDB's threads).
Run: `.venv/bin/python bench/scores/rescore.py`; with `--local-targets`, every
municipality first gets its own target for every scored indicator (so the score against
it is computed and stored for every indicator score).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
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
    from django.conf import settings

    from sdgnet.scores.actions import do_rescore_all

    # The rescore alone: charts pre-rendered after it in a thread would share the GIL.
    settings.PRERENDER_CHARTS = "off"
    if "--local-targets" in sys.argv:
        add_local_targets()
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


def add_local_targets() -> None:
    """A target 80 % of the way from worst to best, for every municipality and scored
    indicator of the default framework (a benchmark fixture, written directly)."""
    from sdgnet.catalog.models import FrameworkIndicator
    from sdgnet.network.models import LocalTarget
    from sdgnet.places.models import Place

    entries = FrameworkIndicator.objects.filter(
        framework__is_default=True, best__isnull=False, worst__isnull=False
    )
    places = Place.objects.filter(kind=Place.Kind.MUNICIPALITY).values_list("code", flat=True)
    LocalTarget.objects.bulk_create(
        LocalTarget(
            place_id=code,
            indicator_id=entry.indicator_id,
            value=entry.worst + 0.8 * (entry.best - entry.worst),
        )
        for code in places
        for entry in entries
    )
    print(f"{LocalTarget.objects.count()} local targets")


if __name__ == "__main__":
    main()
