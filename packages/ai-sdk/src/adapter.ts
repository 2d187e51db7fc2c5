/** The adapter name the guard records with every call (`Call.adapter`, the ledger's `adapter`). */
export const ADAPTER = "ai-sdk";
