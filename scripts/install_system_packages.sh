#!/usr/bin/env bash
# Debian packages sdgnet needs beyond Python: Chromium for the browser tests (Playwright
# drives /usr/bin/chromium; it never downloads a browser of its own), Pango and fonts for
# PDFs (WeasyPrint loads Pango when the council report's PDF is made).
#   scripts/install_system_packages.sh           install what is missing (root, or sudo)
#   scripts/install_system_packages.sh --pdf     only what PDFs need (`make demo` runs this)
#   scripts/install_system_packages.sh --bench   also the load-benchmark tools (wrk)
#   scripts/install_system_packages.sh --check   only report what is missing (exit 1 if any)
# Idempotent and silent when everything is installed; apt's output goes to a log that is
# printed only when apt fails.
set -euo pipefail
PDF_PACKAGES=(fonts-dejavu-core fonts-liberation libpango-1.0-0 libpangoft2-1.0-0)
TEST_PACKAGES=(chromium chromium-driver)
BENCH_PACKAGES=(wrk)
mode=install
only_pdf=0
bench=0
for arg in "$@"; do
  case "$arg" in
    --check) mode=check ;;
    --pdf) only_pdf=1 ;;
    --bench) bench=1 ;;
    *) echo "usage: $0 [--check] [--pdf] [--bench]" >&2; exit 2 ;;
  esac
done
PACKAGES=("${PDF_PACKAGES[@]}")
if [ "$only_pdf" = 0 ]; then PACKAGES+=("${TEST_PACKAGES[@]}"); fi
if [ "$bench" = 1 ]; then PACKAGES+=("${BENCH_PACKAGES[@]}"); fi
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$' \
    || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$mode" = check ]; then
  echo "Missing Debian packages (scripts/install_system_packages.sh installs them): ${missing[*]}" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "Installing Debian packages: ${missing[*]}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get update -qq \
       && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "apt-get failed installing: ${missing[*]}" >&2
  exit 1
fi
