#!/usr/bin/env bash
# Copy axe-core's axe.min.js (MPL-2.0) into tests/browser/vendor/ for the
# accessibility tests, so running them needs no Node. Run again to change version:
#   scripts/vendor_axe.sh [VERSION]
set -euo pipefail
version="${1:-4.14.1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/tests/browser/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null && tar xzf "axe-core-$version.tgz")
mkdir -p "$target"
cp "$work/package/axe.min.js" "$target/axe.min.js"
printf 'axe-core %s, from the npm registry. Licence: MPL-2.0 (its header is kept in axe.min.js).\n' "$version" > "$target/VERSION"
echo "Vendored axe-core $version into tests/browser/vendor/"
