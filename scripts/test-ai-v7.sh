#!/usr/bin/env bash
# Runs the AI SDK bridge's tests (test/ai) against AI SDK 7 on Node 22 and 24.
#
# The project develops and tests on Node 20 with AI SDK 6; AI SDK 7 needs Node >= 22. This script
# takes Node runtimes from npm (the node-linux-<arch> packages ship the binary), installs a copy of
# the sources and the bridge's tests with ai@7 in place of ai@6, and runs them on each runtime.
#
#   npm run test:ai-v7                      # AI_V7_VERSION=7.x.y to try another 7.x
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ai_version="${AI_V7_VERSION:-7.0.173}"
node_majors=(22 24)
work="$root/node_modules/.cache/ai-v7"
arch="$(node -p process.arch)"
mkdir -p "$work"

for major in "${node_majors[@]}"; do
  if [ ! -x "$work/node$major/package/bin/node" ]; then
    (
      cd "$work"
      tarball="$(npm pack --silent "node-linux-$arch@$major")"
      mkdir -p "node$major"
      tar xzf "$tarball" -C "node$major" package/bin/node
      rm "$tarball"
    )
  fi
done

project="$work/project"
rm -rf "$project/src" "$project/test"
mkdir -p "$project/test"
cp -R "$root/src" "$project/src"
cp -R "$root/test/ai" "$root/test/support" "$project/test/"
# The runtime dependencies of src, the test tools (same ranges as package.json) and ai@7.
node -e '
  const [root, project, ai] = process.argv.slice(1);
  const pkg = require(root + "/package.json");
  const pick = (from, names) => Object.fromEntries(names.map((name) => [name, from[name]]));
  const deps = { ...pkg.dependencies, ...pick(pkg.devDependencies, ["tsx", "hono", "@hono/node-server"]), ai };
  require("fs").writeFileSync(project + "/package.json", JSON.stringify({ private: true, type: "module", dependencies: deps }, null, 2));
' "$root" "$project" "$ai_version"
(cd "$project" && npm install --no-audit --no-fund --no-package-lock --loglevel=error)

status=0
for major in "${node_majors[@]}"; do
  runtime="$work/node$major/package/bin/node"
  echo "# AI SDK $(node -p "require('$project/node_modules/ai/package.json').version") on Node $("$runtime" --version)"
  (cd "$project" && "$runtime" --import tsx --test --test-reporter=spec test/ai/*.test.ts) || status=1
done
exit "$status"
