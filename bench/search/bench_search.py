"""Library search benchmark: p95 query latency over N synthetic projects, and how soon an
edited project is found.

    .venv/bin/python bench/search/bench_search.py [--projects 100000] [--queries 200]
        [--out bench/out/search] [--rebuild] [--profile]

Runs in its own data directory (bench/out/search unless --out names another); an existing
synthetic library of the same size is reused, and `--rebuild` times `rebuild_index` on it
again. `--profile` prints the cProfile of the timed queries (the 20 costliest calls). The synthetic projects are written
with bulk inserts (the import action validates every record and would take the bench
hours at this size) and indexed by the library's own `index_projects`. Their embeddings
come from 400 real template texts embedded by the model; each project carries its
template's vector, so the vector side searches a 100,000 × 384 matrix as in production.
Query latency includes embedding the query with the real model.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out" / "search"

WORDS_NB = (
    "matsvinn",
    "klima",
    "sykkel",
    "skole",
    "folkehelse",
    "innbyggere",
    "energi",
    "bolig",
    "natur",
    "vann",
    "avfall",
    "kollektivtransport",
    "barnehage",
    "eldre",
    "frivillighet",
    "næringsliv",
    "innovasjon",
    "medvirkning",
    "utslipp",
    "gjenbruk",
    "turstier",
    "idrett",
    "kultur",
    "digitalisering",
    "inkludering",
)
WORDS_EN = (
    "food",
    "waste",
    "climate",
    "cycling",
    "school",
    "public",
    "health",
    "citizens",
    "energy",
    "housing",
    "nature",
    "water",
    "recycling",
    "transport",
    "kindergarten",
    "elderly",
    "volunteers",
    "business",
    "innovation",
    "participation",
    "emissions",
    "reuse",
    "trails",
    "sport",
    "culture",
    "digital",
    "inclusion",
)
QUERIES = ["matsvinn på sykehjem", "food waste", "sykkelvei til skolen", "citizen participation",
           "klimatilpasning", "renewable energy in schools", "folkehelse", "inclusion of young people",
           "gjenbruk av møbler", "public transport"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["SDGNET_DATA_DIR"] = str(args.out.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdgnet.web.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    import numpy as np
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command

    from sdgnet.catalog.actions import do_load_catalog
    from sdgnet.defaultdata import DEFAULT_DATA_DIR
    from sdgnet.places.actions import do_load_places
    from sdgnet.places.models import Place
    from sdgnet.projects import embeddings
    from sdgnet.projects.actions import do_save_project
    from sdgnet.projects.models import Project, ProjectVector
    from sdgnet.projects.search import rebuild_index, search_projects

    call_command("migrate", verbosity=0)
    if not Place.objects.exists():
        do_load_catalog(DEFAULT_DATA_DIR)
        do_load_places(DEFAULT_DATA_DIR)
    codes = list(Place.objects.filter(kind=Place.Kind.MUNICIPALITY).values_list("code", flat=True))
    rng = random.Random(2030)
    existing = Project.objects.filter(key__startswith="syn-").count()
    if existing != args.projects:
        Project.objects.filter(key__startswith="syn-").delete()
        templates = []
        for number in range(400):
            words = WORDS_NB if number % 2 else WORDS_EN
            templates.append(" ".join(rng.sample(words, 6)))
        started = time.perf_counter()
        template_vectors = embeddings.embed_passages(templates)
        print(f"embedded 400 templates in {time.perf_counter() - started:.1f} s")
        rows = []
        for number in range(args.projects):
            template = number % 400
            words = WORDS_NB if template % 2 else WORDS_EN
            rows.append(
                Project(
                    key=f"syn-{number:06d}",
                    title=f"{templates[template][:60]} {number}",
                    summary=templates[template] + " " + " ".join(rng.sample(words, 4)),
                    municipality_id=rng.choice(codes),
                    published=True,
                    language="nb" if template % 2 else "en",
                    status=rng.choice(["ongoing", "completed", "planned"]),
                )
            )
        started = time.perf_counter()
        Project.objects.bulk_create(rows, batch_size=5000)
        print(f"inserted {args.projects} projects in {time.perf_counter() - started:.1f} s")
        os.environ["SDGNET_EMBEDDINGS"] = "0"  # keyword index now; template vectors below
        started = time.perf_counter()
        rebuild_index()
        print(f"keyword index of {args.projects} projects in {time.perf_counter() - started:.1f} s")
        del os.environ["SDGNET_EMBEDDINGS"]
        assert template_vectors is not None
        by_key = dict(Project.objects.filter(key__startswith="syn-").values_list("key", "pk"))
        vectors = [
            ProjectVector(
                project_id=by_key[f"syn-{n:06d}"],
                model=embeddings.MODEL_NAME,
                vector=template_vectors[n % 400].tobytes(),
                active=True,
            )
            for n in range(args.projects)
        ]
        ProjectVector.objects.filter(project_id__in=by_key.values()).delete()
        ProjectVector.objects.bulk_create(vectors, batch_size=5000)
    elif args.rebuild:
        # Rebuilding replaces each row's vector with none (no model here) and reinstates
        # the template vectors after, as above.
        saved = list(
            ProjectVector.objects.filter(project__key__startswith="syn-").values_list(
                "project_id", "vector"
            )
        )
        os.environ["SDGNET_EMBEDDINGS"] = "0"
        started = time.perf_counter()
        rebuild_index()
        print(f"keyword index of {args.projects} projects in {time.perf_counter() - started:.1f} s")
        del os.environ["SDGNET_EMBEDDINGS"]
        ProjectVector.objects.filter(project_id__in=[row[0] for row in saved]).delete()
        ProjectVector.objects.bulk_create(
            [ProjectVector(project_id=pk, model=embeddings.MODEL_NAME, vector=vector,
                           active=True) for pk, vector in saved],
            batch_size=5000,
        )  # fmt: skip
        del saved
    anonymous = AnonymousUser()
    from sdgnet.projects.search import index_dir

    started = time.perf_counter()
    embeddings.embed_query("warm up")
    print(f"embedding model loaded in {time.perf_counter() - started:.1f} s")
    snapshot = (index_dir() / "store.json").exists()
    started = time.perf_counter()
    search_projects(anonymous, "warm up")  # loads vectors and facets into memory once
    print(
        f"first search (loads {args.projects} vectors from the "
        f"{'snapshot' if snapshot else 'database'}) {time.perf_counter() - started:.1f} s"
    )
    # What a new process does once a store snapshot sits beside the index: load the file,
    # then read only the rows changed since it was written.
    from sdgnet.projects.search import _store

    _store.reset()
    started = time.perf_counter()
    search_projects(anonymous, "warm up again")
    print(f"first search in a fresh store, from the snapshot {time.perf_counter() - started:.1f} s")
    timings: list[float] = []
    cpu: list[float] = []  # this process's CPU time: what the query costs on an idle core
    unmatched = 0  # a query lists only its matches, and may have none
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    for number in range(args.queries):
        query = QUERIES[number % len(QUERIES)] + ("" if number < len(QUERIES) else f" {number}")
        started = time.perf_counter()
        cpu_started = time.process_time()
        result = search_projects(anonymous, query, limit=20)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert result.semantic
        unmatched += not result.hits
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(
        f"search over {args.projects} projects: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"p99 {p99:.1f} ms, max {timings[-1]:.1f} ms; {unmatched} of {args.queries} queries "
        "matched nothing"
    )
    cpu.sort()
    print(
        f"CPU time per search: p50 {statistics.median(cpu):.1f} ms, "
        f"p95 {cpu[int(len(cpu) * 0.95) - 1]:.1f} ms, p99 {cpu[int(len(cpu) * 0.99) - 1]:.1f} ms"
    )
    record = {"key": "syn-fresh", "title": "Bikuber på rådhustaket", "summary": "Bier i byen.",
              "language": "nb", "municipality": codes[0], "published": True, "visibility": "public"}  # fmt: skip
    from django.db import transaction

    started = time.perf_counter()
    with transaction.atomic():
        do_save_project(None, record)
    print(f"the save, with its indexing on commit, took {time.perf_counter() - started:.2f} s")
    searches = 0
    while True:
        searches += 1
        search_started = time.perf_counter()
        hits = search_projects(anonymous, "bikuber rådhustaket").hits
        last_search = time.perf_counter() - search_started
        if "syn-fresh" in [h.key for h in hits]:
            break
        time.sleep(0.02)
    print(f"found by search number {searches} after the save; that search took {last_search:.2f} s")
    print(f"an edit is found after {time.perf_counter() - started:.2f} s")
    Project.objects.filter(key="syn-fresh").delete()
    np.random.seed(0)


if __name__ == "__main__":
    main()
