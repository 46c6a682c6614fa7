#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (driven by Playwright via executable_path).
# Installs only when missing; needs root (CI runs as root). Playwright's own browser download
# is never used: there is no network here but the package registries.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing: run as root, or apt-get install chromium" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
