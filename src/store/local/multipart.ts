/**
 * A small streaming multipart/form-data parser (RFC 7578). It is push-based and synchronous:
 * `push(chunk)` returns the events found so far, and the caller does the (async) I/O for them,
 * so a file part flows to disk chunk by chunk and never sits whole in memory.
 *
 * Written here rather than taken from a package to keep the core free of dependencies; it only
 * needs what browsers send for `FormData` (CRLF line ends, a `Content-Disposition` per part).
 */

/** The headers of one part, lower-cased names. */
export interface MultipartPartHeaders {
  /** The form field name (`name=` of `Content-Disposition`). */
  name: string | undefined;
  /** The file name (`filename=`), when the part is a file. */
  filename: string | undefined;
  /** The part's `Content-Type`, when given. */
  contentType: string | undefined;
}

export type MultipartEvent =
  | { type: "part"; headers: MultipartPartHeaders }
  | { type: "data"; chunk: Uint8Array }
  | { type: "part_end" }
  | { type: "done" };

/** The body is not well-formed multipart. */
export class MultipartError extends Error {
  override readonly name = "MultipartError";
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");
// RFC 2046: 1–70 characters from a restricted set.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/** The `boundary` parameter of a multipart/form-data Content-Type, or undefined if it is not one. */
export function multipartBoundary(contentType: string | null | undefined): string | undefined {
  if (!contentType) return undefined;
  const [type, ...params] = contentType.split(";");
  if (type!.trim().toLowerCase() !== "multipart/form-data") return undefined;
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "boundary") continue;
    let value = param.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!BOUNDARY.test(value)) throw new MultipartError("Invalid multipart boundary");
    return value;
  }
  throw new MultipartError("multipart/form-data without a boundary");
}

/** Parameters of a header value such as `form-data; name="file"; filename="a.png"`. */
function headerParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  // name=token or name="quoted \"string\""
  const pattern = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of value.matchAll(pattern)) {
    const quoted = match[2]?.replace(/\\(.)/g, "$1");
    params.set(match[1]!.toLowerCase(), quoted ?? match[3]!.trim());
  }
  return params;
}

function parseHeaders(block: string): MultipartPartHeaders {
  const headers: MultipartPartHeaders = { name: undefined, filename: undefined, contentType: undefined };
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MultipartError("Malformed part header");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-type") headers.contentType = value;
    if (name !== "content-disposition") continue;
    const params = headerParams(value);
    headers.name = params.get("name");
    const extended = params.get("filename*")?.match(/^utf-8''(.*)$/i)?.[1];
    headers.filename = extended !== undefined ? safeDecode(extended) : params.get("filename");
  }
  return headers;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

type State = "preamble" | "after_delimiter" | "headers" | "body" | "done";

/** Parses one multipart body pushed chunk by chunk. */
export class MultipartParser {
  readonly #delimiter: Buffer;
  #state: State = "preamble";
  // Bytes not yet consumed: a possible partial delimiter, or an unfinished header block. The body
  // is treated as if preceded by CRLF, so that every delimiter, the first included, is CRLF--boundary.
  #rest: Buffer = CRLF;

  constructor(boundary: string) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`, "latin1");
  }

  /** True once the closing delimiter was read. */
  get done(): boolean {
    return this.#state === "done";
  }

  /** Feeds the next chunk; returns the events it completes. */
  push(chunk: Uint8Array): MultipartEvent[] {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const buf = this.#rest.length > 0 ? Buffer.concat([this.#rest, input]) : input;
    const events: MultipartEvent[] = [];
    const keep = this.#delimiter.length - 1;
    let pos = 0;
    scan: for (;;) {
      switch (this.#state) {
        case "preamble": {
          const at = buf.indexOf(this.#delimiter, pos);
          if (at < 0) {
            pos = Math.max(pos, buf.length - keep);
            break scan;
          }
          pos = at + this.#delimiter.length;
          this.#state = "after_delimiter";
          continue;
        }
        case "after_delimiter": {
          if (buf.length - pos < 2) break scan;
          const next = buf.toString("latin1", pos, pos + 2);
          if (next === "--") {
            this.#state = "done";
            events.push({ type: "done" });
            continue;
          }
          if (next !== "\r\n") throw new MultipartError("Malformed multipart delimiter");
          pos += 2;
          this.#state = "headers";
          continue;
        }
        case "headers": {
          const at = buf.indexOf(HEADER_END, pos);
          if (at < 0) {
            if (buf.length - pos > MAX_HEADER_BYTES) throw new MultipartError("Multipart part headers are too large");
            break scan;
          }
          if (at - pos > MAX_HEADER_BYTES) throw new MultipartError("Multipart part headers are too large");
          events.push({ type: "part", headers: parseHeaders(buf.toString("utf8", pos, at)) });
          pos = at + HEADER_END.length;
          this.#state = "body";
          continue;
        }
        case "body": {
          const at = buf.indexOf(this.#delimiter, pos);
          if (at < 0) {
            // Everything but a tail that could be the start of the delimiter is part data.
            const safe = Math.max(pos, buf.length - keep);
            if (safe > pos) events.push({ type: "data", chunk: buf.subarray(pos, safe) });
            pos = safe;
            break scan;
          }
          if (at > pos) events.push({ type: "data", chunk: buf.subarray(pos, at) });
          events.push({ type: "part_end" });
          pos = at + this.#delimiter.length;
          this.#state = "after_delimiter";
          continue;
        }
        case "done":
          // The epilogue is ignored.
          pos = buf.length;
          break scan;
      }
    }
    // Copy the small tail so the big chunk it came from can be collected.
    this.#rest = Buffer.from(buf.subarray(pos));
    return events;
  }

  /** Call at the end of the body; throws if the closing delimiter never came. */
  end(): void {
    if (this.#state !== "done") throw new MultipartError("Truncated multipart body");
  }
}
