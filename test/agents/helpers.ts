import { setTracingDisabled } from "@openai/agents";
import { AgentContext } from "../../src/agents/index.js";
import { InMemoryStore, type Page, type PageOrder, type StoreItemType, type ThreadItem, type ThreadMetadata, type ThreadStreamEvent } from "../../src/index.js";

setTracingDisabled(true);

export interface Ctx {
  userId: string;
}
export const reqCtx: Ctx = { userId: "u1" };

export const thread: ThreadMetadata = {
  id: "thr_1",
  created_at: "2025-01-01T00:00:00.000Z",
  status: { type: "active" },
  metadata: {},
};

/**
 * The mock store of agents.md §5: `generateItemId(type)` gives `${type}_id`, `loadThreadItems`
 * gives `recent` (newest first) for the integration's desc/limit-2 query, and `addThreadItem` is
 * recorded.
 */
export class MockStore extends InMemoryStore<Ctx> {
  readonly added: Array<{ threadId: string; item: ThreadItem }> = [];
  recent: ThreadItem[] = [];
  constructor() {
    super();
    void this.saveThread(thread, reqCtx);
  }
  override generateItemId(type: StoreItemType): string {
    return `${type}_id`;
  }
  override loadThreadItems(threadId: string, after: string | undefined, limit: number, order: PageOrder, context: Ctx): Promise<Page<ThreadItem>> {
    if (order === "desc" && limit === 2 && after === undefined) return Promise.resolve({ data: this.recent.slice(0, 2), has_more: false });
    return super.loadThreadItems(threadId, after, limit, order, context);
  }
  override addThreadItem(threadId: string, item: ThreadItem, context: Ctx): Promise<void> {
    this.added.push({ threadId, item: structuredClone(item) });
    return super.addThreadItem(threadId, item, context);
  }
}

export function makeContext(store = new MockStore()) {
  const context = new AgentContext<Ctx>({ thread: structuredClone(thread), store, requestContext: reqCtx });
  return { context, store };
}

export { collect, collectUntilError, strip } from "../support/helpers.js";

export const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));
/** Lets every pending microtask run. */
export const flush = () => new Promise((resolve) => setImmediate(resolve));

// ---- expected ChatKit events ----

export const updated = (item_id: string, update: Record<string, unknown>) =>
  ({ type: "thread.item.updated", item_id, update }) as ThreadStreamEvent;

export const assistantItem = (id: string, content: Array<{ text: string; annotations?: unknown[] }>) => ({
  type: "assistant_message",
  id,
  thread_id: thread.id,
  content: content.map((part) => ({ type: "output_text", text: part.text, annotations: part.annotations ?? [] })),
});

export const thought = (content: string) => ({ type: "thought" as const, content, status_indicator: "none" as const });
export const urlAnnotation = (url: string, title: string, index: number) => ({
  type: "annotation",
  source: { type: "url", url, title },
  index,
});
export const fileAnnotation = (filename: string, index: number) => ({
  type: "annotation",
  source: { type: "file", filename, title: filename },
  index,
});
