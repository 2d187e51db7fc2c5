/** One page of a list, in a stable order. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Present when more may follow: pass it as `cursor` for the next page. */
  readonly nextCursor?: string;
}

/** Where a page starts and how long it is. */
export interface PageQuery {
  /** Items per page, 1–1000. Default 100. */
  readonly limit?: number;
  /** `nextCursor` of the previous page, unchanged. */
  readonly cursor?: string;
}

/** The longest page a list returns. */
export const MAX_PAGE_SIZE = 1000;
