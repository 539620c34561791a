/**
 * `npm run runtimes`: fetches the pinned runtimes the runtime matrix test runs on (see
 * runtimes.ts). Run once after `npm ci`; CI does.
 */
import { binaryPath, install, platformSupported, RUNTIME_PLATFORM, RUNTIMES } from "./runtimes.js";

if (!platformSupported) {
  console.error(`The pinned runtimes are built for ${RUNTIME_PLATFORM}; this is ${process.platform}-${process.arch}.`);
  process.exit(1);
}
const started = performance.now();
for (const runtime of RUNTIMES) {
  await install(runtime);
  console.log(`${runtime.id}: ${runtime.package}@${runtime.version} → ${binaryPath(runtime)}`);
}
console.log(`runtimes ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
