/** A record that does not exist, or that the request context may not see. */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}
