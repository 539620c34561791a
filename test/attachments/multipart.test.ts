import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MultipartParser, multipartBoundary, type MultipartEvent, type MultipartPartHeaders } from "../../src/store/local/multipart.js";

interface Part {
  headers: MultipartPartHeaders;
  data: string;
}

/** Parses `body` fed in chunks of `size` bytes into parts. */
function parse(body: Buffer, boundary: string, size: number): Part[] {
  const parser = new MultipartParser(boundary);
  const parts: Part[] = [];
  const apply = (event: MultipartEvent) => {
    if (event.type === "part") parts.push({ headers: event.headers, data: "" });
    if (event.type === "data") parts.at(-1)!.data += Buffer.from(event.chunk).toString("latin1");
  };
  for (let i = 0; i < body.length; i += size) parser.push(body.subarray(i, i + size)).forEach(apply);
  parser.end();
  return parts;
}

const boundary = "----formdata-undici-0123456789";
const tricky = `line\r\n--${boundary.slice(0, 10)} not a boundary\r\n-\r\n--`;
const body = Buffer.from(
  `preamble ignored\r\n--${boundary}\r\n` +
    `Content-Disposition: form-data; name="note"\r\n\r\nhi\r\n--${boundary}\r\n` +
    `Content-Disposition: form-data; name="file"; filename="we \\"ird\\".txt"\r\nContent-Type: text/plain\r\n\r\n` +
    `${tricky}\r\n--${boundary}--\r\nepilogue ignored`,
  "latin1",
);

describe("MultipartParser", () => {
  test("parts are the same whatever the chunking", () => {
    const expected: Part[] = [
      { headers: { name: "note", filename: undefined, contentType: undefined }, data: "hi" },
      { headers: { name: "file", filename: 'we "ird".txt', contentType: "text/plain" }, data: tricky },
    ];
    for (const size of [1, 2, 3, 7, 16, 41, 64, body.length]) assert.deepEqual(parse(body, boundary, size), expected, `chunks of ${size}`);
  });

  test("a body starting with the delimiter, empty parts and filename*", () => {
    const raw = Buffer.from(
      `--b\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''%C3%A9t%C3%A9.png\r\n\r\n\r\n--b--`,
      "latin1",
    );
    assert.deepEqual(parse(raw, "b", 5), [{ headers: { name: "file", filename: "été.png", contentType: undefined }, data: "" }]);
  });

  test("truncated or malformed bodies throw", () => {
    assert.throws(() => parse(body.subarray(0, body.length - 30), boundary, 10), { name: "MultipartError", message: "Truncated multipart body" });
    assert.throws(() => parse(Buffer.from("--b\r\nno colon here\r\n\r\nx\r\n--b--"), "b", 4), { name: "MultipartError" });
    assert.throws(() => parse(Buffer.from("--bXX"), "b", 4), { name: "MultipartError", message: "Malformed multipart delimiter" });
    assert.throws(() => parse(Buffer.from(`--b\r\n${"x".repeat(20_000)}`), "b", 1000), { message: "Multipart part headers are too large" });
  });

  test("multipartBoundary", () => {
    assert.equal(multipartBoundary("multipart/form-data; boundary=abc"), "abc");
    assert.equal(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"'), "a b:c");
    assert.equal(multipartBoundary("text/plain"), undefined);
    assert.equal(multipartBoundary(undefined), undefined);
    assert.throws(() => multipartBoundary("multipart/form-data"), { name: "MultipartError" });
    assert.throws(() => multipartBoundary("multipart/form-data; boundary=" + "x".repeat(71)), { name: "MultipartError" });
  });
});
