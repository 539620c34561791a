/**
 * `npm start`: the demo ChatKit server on http://localhost:8000.
 * Env: PORT (default 8000), DATA_DIR (default ./data), HOST (default 127.0.0.1), PUBLIC_URL
 * (default http://localhost:PORT), ANTHROPIC_API_KEY (optional: answers come from Claude through the
 * AI SDK) or OPENAI_API_KEY (optional: answers come from an agent) instead of the offline script.
 */
import path from "node:path";
import { startDemo } from "./demo-server.js";

const port = Number(process.env.PORT ?? 8000);
const dataDir = process.env.DATA_DIR ?? "./data";
// Attachment URLs must have the origin of the page (uploads are same-origin fetches): the printed
// `localhost` one, unless PUBLIC_URL says otherwise (a container, a proxy).
const publicUrl = process.env.PUBLIC_URL ?? (port ? `http://localhost:${port}` : undefined);
const demo = await startDemo({ port, dataDir, host: process.env.HOST ?? "127.0.0.1", ...(publicUrl ? { publicUrl } : {}) });

const base = (publicUrl ?? demo.url.replace("127.0.0.1", "localhost")).replace(/\/+$/, "");
const answers = process.env.ANTHROPIC_API_KEY ? "AI SDK answers" : process.env.OPENAI_API_KEY ? "agent answers" : "offline answers: no OPENAI_API_KEY";
console.log(`ChatKit demo server (${answers})`);
console.log(`  ChatKit UI:       ${base}/`);
console.log(`  Playground:       ${base}/playground`);
console.log(`  ChatKit endpoint: ${base}/chatkit  (POST)`);
console.log(`  Attachments:      ${base}/chatkit/attachments  (files in ${path.join(dataDir, "attachments")})`);
console.log(`  Data:             ${dataDir}`);

// Close the store cleanly so the SQLite WAL is checkpointed.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void demo.close().then(() => process.exit(0)));
}
