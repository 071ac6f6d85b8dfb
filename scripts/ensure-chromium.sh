#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser test (Playwright drives it;
# no browser is ever downloaded by Playwright). Installs the `chromium` package with apt-get when
# it is missing and we are root (or have password-less sudo); otherwise explains and carries on:
# the browser test then skips locally and fails on CI (CI=true), where this runs as root.
set -euo pipefail

CHROMIUM=${PREFLIGHT_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "ensure-chromium: $CHROMIUM is missing and apt-get needs root; install the 'chromium' package" >&2
  echo "ensure-chromium: (apt-get install chromium). The browser test is skipped until then." >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: no apt-get here; install Chromium at $CHROMIUM by hand" >&2
  exit 0
fi

echo "ensure-chromium: installing Debian's chromium package (once)…" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq chromium >/dev/null
test -x "$CHROMIUM" || { echo "ensure-chromium: installed, but $CHROMIUM is still missing" >&2; exit 1; }
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) ready" >&2
