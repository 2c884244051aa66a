#!/usr/bin/env bash
# The browser tests drive Debian's Chromium at /usr/bin/chromium. Install it
# when missing and possible (root with apt-get, about 40 s); otherwise say so:
# the browser tests then skip, or fail when REQUIRE_BROWSER=True (CI).
# Never `playwright install`: it downloads its own browser, which these machines refuse.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium for the browser tests (apt-get install chromium)..."
  apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends chromium >/dev/null; }
else
  echo "Chromium is not installed at /usr/bin/chromium: the browser tests will be skipped." >&2
  echo "Install it with: sudo apt-get install -y chromium" >&2
fi
