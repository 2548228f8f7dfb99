#!/usr/bin/env bash
# The whole suite: lint, then three test runs at the same time: the tests on SQLite, the
# browser tests (tests/e2e, against a served copy of `make demo`), and the database tests
# again on PostgreSQL. Arguments are passed to each pytest run as options (-x, --durations=N).
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

if $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {error}", file=sys.stderr)
    sys.exit(1)
PY
then
  # The PostgreSQL pass runs beside the SQLite pass, in a data folder of its own (charts,
  # uploads, search index): each keeps about one core busy, so together they take little
  # more than the longer one. Its output follows the SQLite pass's.
  pg_log=test-artifacts/pytest-postgresql.log
  echo "== database tests on PostgreSQL ($PG_URL), in the background: $pg_log"
  SDGNET_DATA_DIR=$SDGNET_DATA_DIR-postgresql DATABASE_URL=$PG_URL $BIN/pytest -q -p no:cacheprovider \
    -m "not no_postgres" --ignore=tests/engine --ignore=tests/scripts --ignore=tests/e2e \
    "$@" >"$pg_log" 2>&1 &
  pg_pid=$!
  trap 'kill "$pg_pid" 2>/dev/null || true' EXIT
elif [ "${SDGNET_REQUIRE_POSTGRES:-0}" = 1 ]; then
  echo "PostgreSQL is required here (SDGNET_REQUIRE_POSTGRES=1) but not reachable." >&2
  exit 1
else
  pg_pid=
  echo "== PostgreSQL not reachable: skipping the PostgreSQL pass (CI requires it)."
fi

# The browser tests mostly wait for a server and a browser: beside the other runs they
# cost little wall time, after them (as before) 3-5 minutes.
e2e_log=test-artifacts/pytest-e2e.log
echo "== browser tests, in the background: $e2e_log"
env -u DATABASE_URL SDGNET_DATA_DIR=$SDGNET_DATA_DIR-e2e $BIN/pytest -q -p no:cacheprovider \
  tests/e2e "$@" >"$e2e_log" 2>&1 &
e2e_pid=$!
trap 'kill "$e2e_pid" ${pg_pid:+"$pg_pid"} 2>/dev/null || true' EXIT

echo "== tests on SQLite"
sqlite_status=0
env -u DATABASE_URL $BIN/pytest -q --ignore=tests/e2e "$@" || sqlite_status=$?

e2e_status=0
wait "$e2e_pid" || e2e_status=$?
echo "== browser tests"
cat "$e2e_log"

pg_status=0
if [ -n "$pg_pid" ]; then
  wait "$pg_pid" || pg_status=$?
  echo "== database tests on PostgreSQL ($PG_URL)"
  cat "$pg_log"
fi
trap - EXIT
[ "$sqlite_status" = 0 ] && [ "$e2e_status" = 0 ] && [ "$pg_status" = 0 ]
