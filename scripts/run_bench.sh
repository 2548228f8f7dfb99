#!/usr/bin/env bash
# All benchmarks; results and the machine they ran on are recorded in bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python bench/imports/run.py "$@"
.venv/bin/python bench/engine/run.py S M L
