#!/usr/bin/env bash
# Installs a clean clone of this checkout with `npm ci` on a PATH that has no C
# compiler, make or c++ (only node, npm, git and a few shell tools), then checks
# that pyhang runs there, parsing with WebAssembly, and reports byte for byte
# what this checkout reports on examples/. Used by .ci/run.
# usage: scripts/no-compiler-install.sh   (from the repository root, after npm ci)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir "$work/bin"
for tool in node npm npx sh bash env git cat sed grep mkdir rm cp mv ls uname dirname basename tar gzip; do
  found="$(command -v "$tool" || true)"
  [ -n "$found" ] && ln -s "$found" "$work/bin/$tool"
done
for compiler in cc gcc c++ g++ clang make; do
  if PATH="$work/bin" command -v "$compiler" >/dev/null 2>&1; then
    echo "no-compiler-install: $compiler is on the test PATH" >&2
    exit 1
  fi
done

git clone --quiet "$repo" "$work/repo"
# The working tree's changes too, when run before a commit (a clean CI checkout has none).
(cd "$repo" && git diff HEAD --binary) | (cd "$work/repo" && git apply --allow-empty)
cd "$work/repo"
env -i HOME="$HOME" PATH="$work/bin" npm ci --no-audit --no-fund >"$work/npm-ci.log" 2>&1 || {
  cat "$work/npm-ci.log" >&2
  echo "no-compiler-install: npm ci failed without a C compiler" >&2
  exit 1
}
if [ -e src/native/build/Release/pyhang_parse.node ]; then
  echo "no-compiler-install: a native parser was built without a compiler?" >&2
  exit 1
fi
status=0
env -i HOME="$HOME" PATH="$work/bin" npx pyhang check examples/ --format json --no-cache >"$work/wasm.json" || status=$?
if [ "$status" -ne 1 ]; then
  echo "no-compiler-install: pyhang check examples/ exited $status; expected 1" >&2
  exit 1
fi
(cd "$repo" && node bin/pyhang.js check examples/ --format json --no-cache || true) | sed "s#$repo/#$work/repo/#g" >"$work/here.json"
if ! cmp -s "$work/here.json" "$work/wasm.json"; then
  echo "no-compiler-install: the findings differ from this checkout's" >&2
  diff "$work/here.json" "$work/wasm.json" | head -20 >&2
  exit 1
fi
echo "no-compiler-install: npm ci without a compiler works; same findings on examples/"
