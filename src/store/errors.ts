/** A record that does not exist, or that the request context may not see. */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/**
 * A write that would reuse an id taken elsewhere: a new thread or attachment whose id exists (for
 * any owner), or an item whose id belongs to another thread. Nothing is written: a store never
 * merges records across owners or threads.
 */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
}

export const threadExists = (id: string) => new ConflictError(`Thread ${id} already exists`);
export const attachmentExists = (id: string) => new ConflictError(`Attachment ${id} already exists`);
export const itemIdTaken = (id: string) => new ConflictError(`Item id ${id} belongs to another thread`);
