#!/usr/bin/env bash
# The browser tests drive Debian's Chromium at /usr/bin/chromium. Install it
# when missing and possible (root with apt-get, about 40 s); otherwise say so:
# the browser tests then skip, or fail when REQUIRE_BROWSER=True (CI).
# Never `playwright install`: it downloads its own browser, which these machines refuse.
# Exits 0 even when Chromium stays missing: the tests decide whether that is fatal.
set -uo pipefail
chromium=/usr/bin/chromium
# The pages fall back from the NHS.UK webfont (not served here) to Arial; without a
# font of Arial's metrics (Liberation Sans) Chromium draws DejaVu Sans, wider, and the
# phone-width and print tests measure a font no phone uses.
arial_like() { fc-match Arial 2>/dev/null | grep -q -E 'Liberation Sans|Arial|Arimo'; }
if [ -x "$chromium" ] && arial_like; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium and Arial's metrics for the browser tests (apt-get install chromium fonts-liberation, about 40 s)..."
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  # Straight away first; the package lists may be missing or stale, so update once if that fails.
  if ! apt-get install -y -q --no-install-recommends chromium fonts-liberation >"$log" 2>&1; then
    apt-get update -q >>"$log" 2>&1
    apt-get install -y -q --no-install-recommends chromium fonts-liberation >>"$log" 2>&1
  fi
  if [ -x "$chromium" ]; then
    echo "Chromium installed: $("$chromium" --version 2>/dev/null || echo "$chromium")"
  else
    echo "Could not install Chromium; the last lines from apt-get:" >&2
    tail -n 15 "$log" >&2
    echo "The browser tests will be skipped (or fail, with REQUIRE_BROWSER=True)." >&2
  fi
else
  echo "Chromium (at $chromium) or a font of Arial's metrics is missing: the browser tests will be skipped" >&2
  echo "(or fail, with REQUIRE_BROWSER=True). Install them with: sudo apt-get install -y chromium fonts-liberation" >&2
fi
exit 0
