#!/usr/bin/env bash
# Fetch the pinned axe-core from the npm registry into tests/vendor/ (for the browser tests only; never served),
# checking its hash. Without npm or with a different file it fails: the accessibility test needs it.
set -euo pipefail
# The version and its hash are pinned once, in tests/kit/axe.py.
pin=tests/kit/axe.py
version=$(sed -n 's/^AXE_VERSION = "\(.*\)"$/\1/p' "$pin")
expected=$(sed -n 's/^AXE_SRI = "sha384-\(.*\)"$/\1/p' "$pin")
if [ -z "$version" ] || [ -z "$expected" ]; then
  echo "no AXE_VERSION and AXE_SRI in $pin" >&2
  exit 1
fi
target="tests/vendor/axe-${version}.min.js"
[ -f "$target" ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the accessibility test needs axe-core ${version} from the npm registry" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "axe-core@${version}" --silent >/dev/null && tar xzf "axe-core-${version}.tgz" package/axe.min.js)
actual=$(python3 -c "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha384(open(sys.argv[1],'rb').read()).digest()).decode())" "$work/package/axe.min.js")
if [ "$actual" != "$expected" ]; then
  echo "axe-core ${version} from npm does not match the pinned hash; refusing to use it" >&2
  exit 1
fi
mkdir -p "$(dirname "$target")"
cp "$work/package/axe.min.js" "$target"
echo "axe-core ${version} saved to ${target}"
