#!/usr/bin/env bash
# Fetch the pinned htmx from the npm registry into gtm/static/vendor/, checking its SRI hash.
# Pages use this local copy when it is present, and the pinned CDN file otherwise.
set -euo pipefail
# The version and its hash are pinned once, in gtm/web/assets.py.
pin=gtm/web/assets.py
version=$(sed -n 's/^HTMX_VERSION = "\(.*\)"$/\1/p' "$pin")
expected=$(sed -n 's/^HTMX_SRI = "sha384-\(.*\)"$/\1/p' "$pin")
if [ -z "$version" ] || [ -z "$expected" ]; then
  echo "no HTMX_VERSION and HTMX_SRI in $pin" >&2
  exit 1
fi
target="gtm/static/vendor/htmx-${version}.min.js"
[ -f "$target" ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: pages will load htmx ${version} from the CDN instead" >&2
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "htmx.org@${version}" --silent >/dev/null && tar xzf "htmx.org-${version}.tgz" package/dist/htmx.min.js)
actual=$(python3 -c "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha384(open(sys.argv[1],'rb').read()).digest()).decode())" "$work/package/dist/htmx.min.js")
if [ "$actual" != "$expected" ]; then
  echo "htmx ${version} from npm does not match the pinned hash; refusing to use it" >&2
  exit 1
fi
mkdir -p "$(dirname "$target")"
cp "$work/package/dist/htmx.min.js" "$target"
echo "htmx ${version} saved to ${target}"
