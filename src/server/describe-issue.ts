import type { z } from "zod";

/** One validation problem as `path: message`, e.g. `params.input.content: Invalid input: expected array`. */
export function describeIssue(issue: z.ZodError["issues"][number]): string {
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
