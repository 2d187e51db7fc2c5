/**
 * What the agents work with, in memory: a search index, a notebook and a
 * report channel. In your application these are your own services.
 */

export interface SearchResult {
  readonly title: string;
  readonly url: string;
  readonly snippet: string;
}

const INDEX: readonly SearchResult[] = [
  {
    title: "AI agents and delegated authority: a field guide",
    url: "https://research.example/agents/delegation",
    snippet:
      "Agents acting for users should carry authority that narrows at every hand-off and can be revoked at once.",
  },
  {
    title: "Audit trails for autonomous tools",
    url: "https://research.example/agents/audit",
    snippet: "Tamper-evident logs of every tool call are becoming a procurement requirement.",
  },
];

export class SearchIndex {
  search(query: string): readonly SearchResult[] {
    const words = query.toLowerCase().split(/\W+/).filter(Boolean);
    const hits = INDEX.filter((result) =>
      words.some((word) => `${result.title} ${result.snippet}`.toLowerCase().includes(word)),
    );
    return hits.length > 0 ? hits : INDEX;
  }
}

export interface Note {
  readonly text: string;
  readonly source: string;
  readonly by: string;
}

export class Notebook {
  readonly notes: Note[] = [];
}

export interface Report {
  readonly title: string;
  readonly body: string;
  readonly channel: string;
  readonly by: string;
}

export class ReportChannel {
  readonly published: Report[] = [];
}
