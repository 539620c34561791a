/**
 * A converter hook that the app must implement before it uses the feature (attachments, tags,
 * non-string hidden context), as in the Python SDK.
 */
export class NotImplementedError extends Error {
  override readonly name: string = "NotImplementedError";
}
