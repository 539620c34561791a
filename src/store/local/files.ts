import { createHash, randomUUID } from "node:crypto";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

/**
 * Attachment ids the local store accepts: what `generateAttachmentId` makes (`atc_1a2b3c4d`) and
 * any similar token. Ids never become paths by themselves (see `fileKey`); the pattern just keeps
 * junk out early.
 */
const ATTACHMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function isValidAttachmentId(id: string): boolean {
  return ATTACHMENT_ID.test(id);
}

/**
 * The file name stem for an attachment id: a hash, so that no id, however crafted, can name a
 * path outside the directory or collide with another id's files.
 */
export function fileKey(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}

/**
 * A file being written under a temporary name in the store's directory (same filesystem, so the
 * final `rename` is atomic): readers never see a half-written attachment.
 */
export class TempFile {
  #size = 0;
  #closed = false;

  private constructor(
    readonly path: string,
    readonly handle: FileHandle,
  ) {}

  /** Creates an empty temporary file in `directory`. */
  static async create(directory: string): Promise<TempFile> {
    const path = join(directory, `tmp-${randomUUID()}.part`);
    return new TempFile(path, await open(path, "wx", 0o600));
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#size;
  }

  async write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await this.handle.write(chunk, offset, chunk.byteLength - offset);
      offset += bytesWritten;
    }
    this.#size += chunk.byteLength;
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.handle.close();
  }

  /** Flushes and moves the file to `path`, replacing what is there. */
  async commit(path: string): Promise<void> {
    try {
      await this.handle.sync();
      await this.#close();
      await rename(this.path, path);
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  /** Closes and removes the file; never throws. */
  async discard(): Promise<void> {
    await this.#close().catch(() => {});
    await rm(this.path, { force: true }).catch(() => {});
  }
}
