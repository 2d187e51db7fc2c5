import type { Guard } from "../guard/guard.js";
import type { Writ } from "../writ/writ.js";

/**
 * Which actions a writ could ever be allowed, judged on the action alone
 * (`guard.canUse`): for offering a session only the tools it may use. No writ
 * may use nothing. Calls are guarded either way; this only spares a model
 * tools it would be refused. Answers are remembered per action.
 */
export function usableActions(
  guard: Guard,
  writ: Writ | string | undefined,
): (action: string) => boolean {
  const serialized = writ === undefined ? "" : writ.toString();
  const answers = new Map<string, boolean>();
  return (action) => {
    if (serialized === "") return false;
    let usable = answers.get(action);
    if (usable === undefined) {
      usable = guard.canUse(serialized, action);
      answers.set(action, usable);
    }
    return usable;
  };
}
