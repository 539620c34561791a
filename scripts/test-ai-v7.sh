#!/usr/bin/env bash
# Typechecks the AI SDK bridge (src/ai, test/ai) against AI SDK 7's types and runs its tests with
# AI SDK 7 on Node 22 and 24.
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
# The runtime dependencies of src, the test and type tools (same ranges as package.json), ai@7;
# and a tsconfig that checks the bridge and its tests with the project's compiler options.
node -e '
  const [root, project, ai] = process.argv.slice(1);
  const fs = require("fs");
  const pkg = require(root + "/package.json");
  const pick = (from, names) => Object.fromEntries(names.map((name) => [name, from[name]]));
  const tools = ["tsx", "typescript", "@types/node", "@types/busboy", "hono", "@hono/node-server"];
  const deps = { ...pkg.dependencies, ...pick(pkg.devDependencies, tools), ai };
  fs.writeFileSync(project + "/package.json", JSON.stringify({ private: true, type: "module", dependencies: deps }, null, 2));
  const { compilerOptions } = JSON.parse(fs.readFileSync(root + "/tsconfig.json", "utf8"));
  const files = ["src/ai/index.ts", ...fs.readdirSync(project + "/test/ai").filter((f) => f.endsWith(".ts")).map((f) => "test/ai/" + f)];
  fs.writeFileSync(project + "/tsconfig.json", JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true, declaration: false }, files }, null, 2));
' "$root" "$project" "$ai_version"
(cd "$project" && npm install --no-audit --no-fund --no-package-lock --loglevel=error)

echo "# Typecheck against AI SDK $ai_version"
(cd "$project" && node node_modules/typescript/bin/tsc -p tsconfig.json)

status=0
for major in "${node_majors[@]}"; do
  runtime="$work/node$major/package/bin/node"
  echo "# AI SDK $(node -p "require('$project/node_modules/ai/package.json').version") on Node $("$runtime" --version)"
  (cd "$project" && "$runtime" --import tsx --test --test-reporter=spec test/ai/*.test.ts) || status=1
done
exit "$status"
