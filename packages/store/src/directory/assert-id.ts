import { isPrincipalId } from "@writ/core/backend";

/** Throws a TypeError (caller misuse) unless `id` is a valid principal id; never echoes a long or odd value. */
export function assertId(id: unknown, kind: string): asserts id is string {
  if (!isPrincipalId(id)) {
    throw new TypeError(
      `Invalid ${kind} id: use 1–128 characters from letters, digits and . _ : @ / -, starting with a letter or digit.`,
    );
  }
}

export function assertOptionalId(id: unknown, kind: string): asserts id is string | undefined {
  if (id !== undefined) assertId(id, kind);
}
