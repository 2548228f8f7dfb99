#!/usr/bin/env bash
# Debian packages sdgnet needs beyond Python: Chromium for browser tests, Pango for PDFs.
# `--check` only reports what is missing.
set -euo pipefail
PACKAGES=(chromium chromium-driver libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "${1:-}" = "--check" ]; then
  echo "Missing Debian packages (scripts/install_system_packages.sh installs them): ${missing[*]}" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
