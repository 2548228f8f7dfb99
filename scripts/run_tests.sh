#!/usr/bin/env bash
# The whole suite: lint, then tests on SQLite, then the database tests again on PostgreSQL.
# PostgreSQL is used when reachable (SDGNET_TEST_POSTGRES_URL, default the CI server);
# with SDGNET_REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable server fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${SDGNET_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
export SDGNET_DATA_DIR=${SDGNET_TEST_DATA_DIR:-$PWD/var/test}
mkdir -p "$SDGNET_DATA_DIR" test-artifacts

# Chromium for the browser tests (tests/e2e); silent when already installed.
scripts/install_system_packages.sh

echo "== lint"
$BIN/ruff check src tests scripts bench
$BIN/ruff format --check src tests scripts bench
$BIN/mypy

echo "== tests on SQLite"
env -u DATABASE_URL $BIN/pytest -q "$@"

if $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {error}", file=sys.stderr)
    sys.exit(1)
PY
then
  echo "== database tests on PostgreSQL ($PG_URL)"
  DATABASE_URL=$PG_URL $BIN/pytest -q -m "not no_postgres" --ignore=tests/engine --ignore=tests/scripts --ignore=tests/e2e "$@"
elif [ "${SDGNET_REQUIRE_POSTGRES:-0}" = 1 ]; then
  echo "PostgreSQL is required here (SDGNET_REQUIRE_POSTGRES=1) but not reachable." >&2
  exit 1
else
  echo "== PostgreSQL not reachable: skipped the PostgreSQL pass (CI requires it)."
fi
