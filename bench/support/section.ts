/** What one benchmark reports: a titled table plus notes, rendered as Markdown by `run.ts`. */
export interface Section {
  title: string;
  /** Column headers; every row has the same number of cells. */
  columns: string[];
  rows: string[][];
  /** Method, caveats and how far each figure is from its target. */
  notes: string[];
}

export interface RunOptions {
  /** Fewer iterations, so `npm run bench -- --quick` finishes in under a minute. */
  quick: boolean;
}

/** A section as a Markdown table with its notes. */
export function renderSection(section: Section): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    `## ${section.title}`,
    "",
    line(section.columns),
    line(section.columns.map(() => "---")),
    ...section.rows.map(line),
    "",
    ...section.notes.map((note) => `- ${note}`),
    "",
  ].join("\n");
}

/** Whether the module at `url` is the program being run (`tsx bench/http.ts`). */
export function isEntryPoint(url: string): boolean {
  return process.argv[1] !== undefined && url.endsWith(process.argv[1].replace(/\\/g, "/"));
}

/** Runs a benchmark module alone when it is the entry point (`tsx bench/http.ts [--quick]`). */
export async function runAlone(url: string, run: (options: RunOptions) => Promise<Section>): Promise<void> {
  if (!isEntryPoint(url)) return;
  const section = await run({ quick: process.argv.includes("--quick") });
  console.log(renderSection(section));
}
