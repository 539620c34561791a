import http from "node:http";
import { createBody } from "./server.js";

export interface StreamStats {
  /** performance.now() when the request was sent. */
  sentAt: number;
  /** ms from sending to the first body byte. */
  ttfb: number;
  /** ms from sending to the end of the body. */
  total: number;
  bytes: number;
  /** `data:` frames seen. */
  events: number;
  /** ms between consecutive frames (only when `gaps` is asked for). */
  gaps: number[];
}

export interface StreamRequest {
  url: string;
  agent: http.Agent;
  deltas: number;
  paceMs?: number;
  /** Record the delay between consecutive events. */
  gaps?: boolean;
  /** Called on each body chunk; return true to hang up (destroy the socket) right there. */
  onChunk?: (eventsSoFar: number) => boolean;
}

const NL = 0x0a;

/**
 * Counts the SSE frames a chunk completes: each ends with a blank line, `\n\n` (compact JSON has
 * no raw newline). `endedWithNewline` carries a terminator split across two chunks.
 */
function countFrames(chunk: Buffer, endedWithNewline: boolean): number {
  let count = endedWithNewline && chunk[0] === NL ? 1 : 0;
  for (let at = chunk.indexOf("\n\n"); at !== -1; at = chunk.indexOf("\n\n", at + 2)) count++;
  return count;
}

/** POSTs a `threads.create` and reads the SSE answer with node:http. Resolves when it ends. */
export function streamOnce(request: StreamRequest): Promise<StreamStats> {
  return new Promise((resolve, reject) => {
    const sentAt = performance.now();
    const stats: StreamStats = { sentAt, ttfb: -1, total: 0, bytes: 0, events: 0, gaps: [] };
    let lastFrameAt = 0;
    let endedWithNewline = false;
    const req = http.request(
      request.url,
      {
        method: "POST",
        agent: request.agent,
        headers: {
          "content-type": "application/json",
          "x-deltas": String(request.deltas),
          "x-pace-ms": String(request.paceMs ?? 0),
        },
      },
      (res) => {
        res.on("data", (chunk: Buffer) => {
          const at = performance.now();
          if (stats.ttfb < 0) stats.ttfb = at - sentAt;
          stats.bytes += chunk.length;
          const frames = countFrames(chunk, endedWithNewline);
          endedWithNewline = chunk[chunk.length - 1] === NL && chunk[chunk.length - 2] !== NL;
          if (frames > 0) {
            // Frames that arrive together are one gap, then zeros: what a UI would see.
            if (request.gaps && lastFrameAt > 0) {
              stats.gaps.push(at - lastFrameAt);
              for (let i = 1; i < frames; i++) stats.gaps.push(0);
            }
            lastFrameAt = at;
          }
          stats.events += frames;
          if (request.onChunk?.(stats.events)) {
            req.destroy();
            resolve(stats);
          }
        });
        res.on("end", () => {
          stats.total = performance.now() - sentAt;
          resolve(stats);
        });
        res.on("error", reject);
      },
    );
    req.on("error", (error) => (req.destroyed ? resolve(stats) : reject(error)));
    req.end(createBody);
  });
}
