/** The media type of a MIME type: before any `;`, trimmed, lower-cased (`Image/PNG; x=y` → `image/png`). */
export function mediaTypeOf(mimeType: string | null | undefined): string {
  return (mimeType ?? "").split(";", 1)[0]!.trim().toLowerCase();
}

/** Default allow-list: images a browser previews safely, and documents models read. */
export const DEFAULT_ALLOWED_MIME_TYPES: readonly string[] = Object.freeze([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "application/pdf",
  "text/plain",
  "text/markdown",
  "text/csv",
  "application/json",
]);

// Browsers send an empty type (or application/octet-stream) for extensions they do not know,
// which for Markdown is most of them.
const BY_EXTENSION: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  markdown: "text/markdown",
  csv: "text/csv",
  json: "application/json",
};

/** Whether the type says nothing about the content. */
export function isUnspecified(mediaType: string): boolean {
  return mediaType === "" || mediaType === "application/octet-stream";
}

/** The media type of an upload: the declared one, or a guess from the file name when it is unspecified. */
export function resolveMediaType(mimeType: string | null | undefined, fileName: string | undefined): string {
  const declared = mediaTypeOf(mimeType);
  if (!isUnspecified(declared) || !fileName) return declared;
  const dot = fileName.lastIndexOf(".");
  return (dot >= 0 && BY_EXTENSION[fileName.slice(dot + 1).toLowerCase()]) || declared;
}

/** Whether `mediaType` is allowed by a list of media types or `type/*` wildcards. */
export function isAllowedMediaType(mediaType: string, allowed: readonly string[]): boolean {
  const wildcard = `${mediaType.split("/", 1)[0]}/*`;
  return allowed.some((entry) => {
    const normalized = entry.toLowerCase();
    return normalized === mediaType || normalized === wildcard || normalized === "*/*";
  });
}
