#!/usr/bin/env bash
# Copy the NHS.UK design system's built files into static/nhsuk/, so that
# serving the site needs no Node. Run again to change version:
#   scripts/vendor_nhsuk_frontend.sh [VERSION]
set -euo pipefail
version="${1:-10.6.1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/static/nhsuk"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "nhsuk-frontend@$version" >/dev/null && tar xzf "nhsuk-frontend-$version.tgz")
dist="$work/package/dist/nhsuk"
rm -rf "$target"
mkdir -p "$target"
# The CSS points at /assets/..., which 404s under /static/: make it relative.
sed 's#url(/assets/#url(assets/#g' "$dist/nhsuk-frontend.min.css" > "$target/nhsuk-frontend.min.css"
# WhiteNoise's manifest storage fails on a sourceMappingURL whose map is missing: keep the maps.
cp "$dist/nhsuk-frontend.min.css.map" "$dist/nhsuk-frontend.min.js" "$dist/nhsuk-frontend.min.js.map" "$target/"
cp -R "$dist/assets" "$target/assets"
licence="$(sed -n 's/^ *"license": *"\([^"]*\)".*/\1/p' "$work/package/package.json")"
printf 'nhsuk-frontend %s, from the npm registry. Licence: %s (see its package.json).\n' "$version" "$licence" > "$target/VERSION"
# The bundle is an ES module that does not start itself.
cat > "$target/init.mjs" <<'JS'
import { initAll } from "./nhsuk-frontend.min.js";

// The design system's components start only on a page marked as supporting them, which its own
// boilerplate does with an inline script that the site's content security policy forbids; a module
// script runs only where modules (and so the components) are supported.
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
JS
echo "Vendored nhsuk-frontend $version into static/nhsuk/"
