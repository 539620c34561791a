import type { Annotation } from "../protocol/content.js";

/** A Responses `file_citation` annotation. */
export interface FileCitation {
  type: "file_citation";
  file_id: string;
  filename: string;
  index: number;
}
/** A Responses `container_file_citation` annotation. */
export interface ContainerFileCitation {
  type: "container_file_citation";
  container_id: string;
  file_id: string;
  filename: string;
  start_index: number;
  end_index: number;
}
/** A Responses `url_citation` annotation. */
export interface UrlCitation {
  type: "url_citation";
  url: string;
  title: string;
  start_index: number;
  end_index: number;
}

/** Options of `new ResponseStreamConverter(...)`. */
export interface ResponseStreamConverterOptions {
  /** How many partial images the image tool sends; drives `generated_image.updated` progress. */
  partialImages?: number | null;
}

/**
 * Converts parts of the model's stream into ChatKit values: citations into annotations, generated
 * image bytes into URLs. Subclass it and override a method to enrich citations or to upload
 * images instead of storing base64 data URLs.
 */
export class ResponseStreamConverter {
  partialImages: number | null;

  constructor(options: ResponseStreamConverterOptions = {}) {
    this.partialImages = options.partialImages ?? null;
  }

  /**
   * The URL stored for a generated image. `imageId` is the image generation call id, the same
   * for the partial images and the final one. Default: a `data:image/png;base64,` URL.
   */
  base64ImageToUrl(_imageId: string, base64Image: string, _partialImageIndex?: number): Promise<string> {
    return Promise.resolve(`data:image/png;base64,${base64Image}`);
  }

  /** Progress (0..1) shown for partial image `partialImageIndex` (0-based). */
  partialImageIndexToProgress(partialImageIndex: number): number {
    if (!this.partialImages || this.partialImages <= 0) return 0;
    return Math.min(1, partialImageIndex / this.partialImages);
  }

  /** A file source at `index`; null (dropped) when the file has no name. */
  fileCitationToAnnotation(citation: FileCitation): Promise<Annotation | null> {
    if (!citation.filename) return Promise.resolve(null);
    return Promise.resolve({
      type: "annotation",
      source: { type: "file", filename: citation.filename, title: citation.filename },
      index: citation.index,
    });
  }

  /** A file source at `end_index`; null (dropped) when the file has no name. */
  containerFileCitationToAnnotation(citation: ContainerFileCitation): Promise<Annotation | null> {
    if (!citation.filename) return Promise.resolve(null);
    return Promise.resolve({
      type: "annotation",
      source: { type: "file", filename: citation.filename, title: citation.filename },
      index: citation.end_index,
    });
  }

  /** A URL source at `end_index`. */
  urlCitationToAnnotation(citation: UrlCitation): Promise<Annotation | null> {
    return Promise.resolve({
      type: "annotation",
      source: { type: "url", url: citation.url, title: citation.title },
      index: citation.end_index,
    });
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === "string" ? value : "");
const num = (value: unknown): number => (typeof value === "number" ? value : 0);

/**
 * @internal Any Responses annotation (typed or a plain object, extra keys allowed) through the
 * converter. Unknown types, `file_path` and `null` give null ([ts] Python fails on unknown types).
 */
export function convertAnnotation(converter: ResponseStreamConverter, raw: unknown): Promise<Annotation | null> {
  if (!isRecord(raw)) return Promise.resolve(null);
  switch (raw.type) {
    case "file_citation":
      return converter.fileCitationToAnnotation({
        type: "file_citation",
        file_id: str(raw.file_id),
        filename: str(raw.filename),
        index: num(raw.index),
      });
    case "container_file_citation":
      return converter.containerFileCitationToAnnotation({
        type: "container_file_citation",
        container_id: str(raw.container_id),
        file_id: str(raw.file_id),
        filename: str(raw.filename),
        start_index: num(raw.start_index),
        end_index: num(raw.end_index),
      });
    case "url_citation":
      return converter.urlCitationToAnnotation({
        type: "url_citation",
        url: str(raw.url),
        title: str(raw.title),
        start_index: num(raw.start_index),
        end_index: num(raw.end_index),
      });
    default:
      return Promise.resolve(null);
  }
}
