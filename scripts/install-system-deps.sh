#!/usr/bin/env bash
# Install the Debian packages Demine's real parts need (see docs: ARCHITECTURE "Real parts"), or those named.
# Idempotent and fast: dpkg-query decides what is missing, so a second run does nothing.
# As root it installs; as a normal user it only reports, so `make run` (Python only) still works.
set -euo pipefail

PACKAGES=(
  postgresql-15 postgresql-15-postgis-3   # throwaway test cluster and multi-user deployments
  chromium                                # browser tests (playwright with executable_path)
  poppler-utils                           # pdftoppm to look at rendered PDF pages
  fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0   # WeasyPrint PDF reports
  libgomp1                                # LightGBM's OpenMP runtime
  python3-venv                            # `python3 -m venv` on Debian, where ensurepip ships apart
)
# Named packages instead of the whole list: the Makefile asks for python3-venv alone before `make run` makes its venv.
if [[ $# -gt 0 ]]; then
  PACKAGES=("$@")
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  # "install ok installed" is the only status that means the package is usable.
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  # Not fatal: the SQLite default needs none of these; tests that do will skip (or fail under CI=true).
  echo "install-system-deps: missing Debian packages (run as root to install): ${missing[*]}" >&2
  exit 0
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Only refresh the index when we actually have to install something.
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
