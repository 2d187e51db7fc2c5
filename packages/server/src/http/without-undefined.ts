/** `T` with `undefined` taken out of every member: what validated input becomes before it reaches the store. */
export type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

/**
 * Drops members whose value is undefined. Zod's optional members may hold
 * undefined, which the store's option types (exactOptionalPropertyTypes)
 * rightly refuse to confuse with "absent".
 */
export function withoutUndefined<T extends object>(value: T): Defined<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, member]) => member !== undefined),
  ) as Defined<T>;
}
