import type { Page } from "../protocol/thread.js";
import { NotFoundError } from "./errors.js";
import type { PageOrder } from "./store.js";

/** A record in a list kept in page order: by time, then by insertion sequence. */
export interface Ordered<T> {
  readonly id: string;
  /** `created_at` in milliseconds. */
  readonly time: number;
  /** Insertion sequence, breaking ties between equal times. */
  readonly seq: number;
  value: T;
}

export const timeOf = (createdAt: string): number => {
  const ms = Date.parse(createdAt);
  return Number.isNaN(ms) ? 0 : ms;
};

const before = (a: Ordered<unknown>, b: Ordered<unknown>) =>
  a.time < b.time || (a.time === b.time && a.seq < b.seq);

/** Index of the first entry not before `entry` (binary search in an ascending list). */
export function lowerBound<T>(list: readonly Ordered<T>[], entry: Ordered<unknown>): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid]!, entry)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts in order; appending in time order (the common case) costs O(1). */
export function insertOrdered<T>(list: Ordered<T>[], entry: Ordered<T>): void {
  const last = list[list.length - 1];
  if (!last || before(last, entry)) list.push(entry);
  else list.splice(lowerBound(list, entry), 0, entry);
}

/**
 * One page of an ascending list, as protocol.md §7.3 defines it. `cursor` is the entry of the
 * `after` id (callers throw `NotFoundError` for unknown ids before calling).
 */
/**
 * The number of entries a page holds for `limit`: a whole number, at least 0 and at most
 * `MAX_PAGE_SIZE` (so SQL stores can always bind `limit + 1`).
 */
export function pageSize(limit: number): number {
  if (Number.isNaN(limit)) return 0;
  return Math.min(MAX_PAGE_SIZE, Math.max(0, Math.floor(limit)));
}

/** Largest page a store returns: far beyond any real page, small enough for SQL `LIMIT`. */
export const MAX_PAGE_SIZE = 2 ** 31 - 2;

export function pageOf<T, R>(
  list: readonly Ordered<T>[],
  cursor: Ordered<unknown> | undefined,
  limit: number,
  order: PageOrder,
  map: (value: T) => R,
): Page<R> {
  const data: R[] = [];
  const size = pageSize(limit);
  let hasMore = false;
  let lastId: string | undefined;
  if (order === "asc") {
    // The cursor entry itself is skipped: it is not before itself, so it sits at lowerBound.
    let i = cursor ? lowerBound(list, cursor) + 1 : 0;
    for (; i < list.length; i++) {
      if (data.length === size) {
        hasMore = true;
        break;
      }
      data.push(map(list[i]!.value));
      lastId = list[i]!.id;
    }
  } else {
    let i = cursor ? lowerBound(list, cursor) - 1 : list.length - 1;
    for (; i >= 0; i--) {
      if (data.length === size) {
        hasMore = true;
        break;
      }
      data.push(map(list[i]!.value));
      lastId = list[i]!.id;
    }
  }
  const page: Page<R> = { data, has_more: hasMore };
  if (hasMore && lastId !== undefined) page.after = lastId;
  return page;
}

export function notFound(kind: string, id: string): NotFoundError {
  return new NotFoundError(`${kind} ${id} not found`);
}
