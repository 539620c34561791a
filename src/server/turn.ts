/** One run of `respond` or `action`. */
export interface Turn {
  /**
   * Aborted when the stream is cancelled — the client went away, the `signal` given to `process`
   * aborted, or the consumer stopped reading. Pass it to the model call so Stop stops inference.
   */
  readonly signal: AbortSignal;
}
