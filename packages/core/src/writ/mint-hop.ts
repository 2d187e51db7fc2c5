import type { RandomSource } from "../clock.js";
import { encodeBase64Url } from "../encoding/base64url.js";
import type { KeyPair } from "../keys/key-pair.js";
import { decodeHop, type Hop, type HopClaims, type HopHeader } from "./hop.js";
import { signCompactJws } from "./jws.js";

/** Signs a hop and decodes it back, so what Writ mints passes the same checks it verifies with. */
export function mintHop(header: HopHeader, claims: HopClaims, key: KeyPair, index: number): Hop {
  return decodeHop(signCompactJws(header, claims, key), index);
}

/** A fresh 128-bit hop or proof identifier. */
export function mintJti(random: RandomSource): string {
  return encodeBase64Url(random(16));
}
