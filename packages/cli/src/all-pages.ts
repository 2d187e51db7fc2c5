import type { Page, PageQuery } from "@writ/store";

/** Every item of a list, read a page at a time (the store and server never send it all at once). */
export async function allPages<T>(list: (page: PageQuery) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return items;
}
