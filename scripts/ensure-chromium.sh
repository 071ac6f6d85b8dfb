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

# Another apt-get or dpkg (unattended upgrades, a colleague's install) may hold the package
# manager's locks: wait for them, bounded, saying so, instead of failing on "Could not get lock".
# apt-get waits for dpkg's lock itself (DPkg::Lock::Timeout) but not for the package lists' lock
# that `apt-get update` takes, hence the loop.
LOCK_WAIT=${PREFLIGHT_APT_LOCK_WAIT:-300}
DEADLINE=$((SECONDS + LOCK_WAIT))
apt_get() {
  local output said=""
  while true; do
    if output=$("${SUDO[@]}" apt-get -o "DPkg::Lock::Timeout=$((DEADLINE > SECONDS ? DEADLINE - SECONDS : 0))" "$@" 2>&1); then
      return 0
    fi
    if grep -qE "Could not get lock|Unable to lock|Unable to acquire" <<<"$output" && [ "$SECONDS" -lt "$DEADLINE" ]; then
      if [ -z "$said" ]; then
        echo "ensure-chromium: the package manager is busy; waiting up to $((DEADLINE - SECONDS)) s for its lock:" >&2
        grep -m1 -E "Could not get lock|Unable to lock|Unable to acquire" <<<"$output" | sed 's/^E: /  /' >&2
        said=1
      fi
      sleep 3
      continue
    fi
    printf '%s\n' "$output" >&2
    if grep -qE "Could not get lock|Unable to lock|Unable to acquire" <<<"$output"; then
      echo "ensure-chromium: gave up after ${LOCK_WAIT} s waiting for the package manager's lock (PREFLIGHT_APT_LOCK_WAIT)" >&2
    fi
    return 1
  done
}

echo "ensure-chromium: installing Debian's chromium package (once)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt_get update -qq
apt_get install -y -qq chromium
test -x "$CHROMIUM" || { echo "ensure-chromium: installed, but $CHROMIUM is still missing" >&2; exit 1; }
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) ready" >&2
