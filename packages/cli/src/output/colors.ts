import picocolors from "picocolors";

export type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * Colour only for a terminal, and never when NO_COLOR is set or --no-color
 * is passed; FORCE_COLOR forces it (for tests of the coloured output).
 */
export function colorsFor(
  stream: { readonly isTTY?: boolean },
  env: NodeJS.ProcessEnv,
  disabled: boolean,
): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0";
  // NO_COLOR counts when set to anything but the empty string (no-color.org).
  const enabled = !disabled && !env.NO_COLOR && (forced || stream.isTTY === true);
  return picocolors.createColors(enabled);
}
