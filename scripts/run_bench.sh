#!/usr/bin/env bash
# All benchmarks; results and the machine they ran on are recorded in bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python bench/imports/run.py "$@"
.venv/bin/python bench/engine/run.py S M L
# Pages under load (wrk from Debian): p50/p95/p99 of dashboard and goal pages, 20 clients.
scripts/install_system_packages.sh --bench
.venv/bin/python bench/load/run.py
.venv/bin/python bench/scores/rescore.py
.venv/bin/python bench/search/bench_search.py --projects 100000
