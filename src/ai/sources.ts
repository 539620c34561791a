import type { StreamSource } from "./text-stream-mapper.js";
import type { Source } from "../index.js";

/**
 * The default conversion of an AI SDK source into the source of a ChatKit annotation: a URL
 * source stays a URL (titled with its URL when the provider gave no title), a document becomes a
 * file source named by its filename, or else its title.
 */
export function defaultConvertSource(source: StreamSource): Source | null {
  if (source.sourceType === "url") return { type: "url", url: source.url, title: source.title || source.url };
  if (source.sourceType === "document") {
    return { type: "file", filename: source.filename || source.title, title: source.title };
  }
  return null;
}

/** Two annotations of one message cite the same thing at the same place. */
export function sameCitation(a: { source: Source; index?: number }, b: { source: Source; index?: number }): boolean {
  if (a.index !== b.index || a.source.type !== b.source.type) return false;
  switch (a.source.type) {
    case "url":
      return a.source.url === (b.source as typeof a.source).url;
    case "file":
      return a.source.filename === (b.source as typeof a.source).filename && a.source.title === b.source.title;
    case "entity":
      return a.source.id === (b.source as typeof a.source).id;
  }
}
