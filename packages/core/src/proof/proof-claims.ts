/** Claims of an invocation proof (DESIGN §2), modelled on DPoP (RFC 9449). */
export interface ProofClaims {
  readonly jti: string;
  readonly iat: number;
  /** The guard or resource the proof is meant for. */
  readonly aud: string;
  /** The action the call performs. */
  readonly act: string;
  readonly tool: string;
  /** Hash of the canonical arguments. */
  readonly ahs: string;
  /** Hash of the leaf hop the call is made under. */
  readonly wth: string;
  /** HTTP carriage (RFC 9449): method, target URI without query or fragment, access-token hash. */
  readonly htm?: string;
  readonly htu?: string;
  readonly ath?: string;
}

/** What a call needs a proof for. */
export interface ProofSubject {
  readonly audience: string;
  readonly action: string;
  readonly tool: string;
  readonly args: unknown;
  /** For HTTP carriage: binds the proof to the request as DPoP does. */
  readonly http?: { readonly method: string; readonly url: string };
}
