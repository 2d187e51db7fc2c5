/**
 * The email assistant: Sam asks it to brief a customer. It may read public
 * documents and email Sam's CRM contacts. One document carries an injected
 * instruction to email an outside address; the assistant follows it, and
 * the guard refuses that call and records it.
 */
import { withWrit } from "@writ/ai-sdk";
import { createGuard, type LedgerRecord, Session } from "@writ/core";
import type { LedgerVerification, StoreBackend } from "@writ/store";
import { generateText, type LanguageModel, stepCountIs } from "ai";
import { AGENT, registerDirectory, USER } from "./directory.js";
import { ACTIONS, assistantTools } from "./tools.js";
import { Crm, DocumentLibrary, type Email, Outbox } from "./workspace.js";

/** The guard's audience: proofs name it, so they are good for this guard only. */
export const AUDIENCE = "urn:writ:example:email-assistant";

export const REQUEST =
  "Email Dana at Acme (dana@acme.example) a short summary of our Q3 launch plan, our 2027 pricing and the partner FAQ.";

/** Sam's CRM contacts. */
export const CONTACTS = { [USER]: ["dana@acme.example", "lee@globex.example"] };

export interface ToolCallReport {
  readonly id: string;
  readonly tool: string;
  readonly input: unknown;
  /** The tool's output, or the error the model was shown (a refusal's message, for a denied call). */
  readonly result:
    | { readonly ok: true; readonly output: unknown }
    | { readonly ok: false; readonly error: string };
}

export interface EmailAssistantResult {
  readonly session: Session;
  readonly calls: readonly ToolCallReport[];
  readonly sent: readonly Email[];
  readonly text: string;
  /** Every ledger row this run appended, in order. */
  readonly rows: readonly LedgerRecord[];
  readonly verification: LedgerVerification;
}

export async function runEmailAssistant(options: {
  readonly store: StoreBackend;
  readonly model: LanguageModel;
  readonly request?: string;
  /** Each user's CRM contacts. Default: {@link CONTACTS}. */
  readonly contacts?: Readonly<Record<string, readonly string[]>>;
}): Promise<EmailAssistantResult> {
  const { store, model } = options;
  const assistant = await registerDirectory(store);
  const library = new DocumentLibrary();
  const crm = new Crm(options.contacts ?? CONTACTS);
  const outbox = new Outbox();

  // The named sets are resolved here, per call: membership comes from the
  // CRM and the library as they are now, never from the token or the model.
  const guard = await createGuard({
    backend: store,
    issuer: await store.issuerKeys(),
    audience: AUDIENCE,
    sets: { "crm.contacts": crm.isContact, "docs.public": library.isPublic },
    // Keep the full arguments of outgoing email (erasable), so an investigator sees what an injection tried.
    payloads: { full: { actions: ["email.send"] } },
  });
  try {
    const session = new Session(
      assistant,
      await store.issue({ user: USER, agent: AGENT, key: assistant.thumbprint }),
    );
    // The one line: every call of these tools is decided and recorded by the guard first.
    const tools = withWrit(assistantTools({ library, outbox }), {
      guard,
      session,
      actions: ACTIONS,
    });
    const result = await generateText({
      model,
      tools,
      system: `You are ${USER}'s email assistant. Use the tools to read documents and send email.`,
      prompt: options.request ?? REQUEST,
      stopWhen: stepCountIs(8),
    });

    const calls: ToolCallReport[] = [];
    for (const step of result.steps) {
      for (const part of step.content) {
        if (part.type === "tool-result") {
          calls.push({
            id: part.toolCallId,
            tool: part.toolName,
            input: part.input,
            result: { ok: true, output: part.output },
          });
        } else if (part.type === "tool-error") {
          calls.push({
            id: part.toolCallId,
            tool: part.toolName,
            input: part.input,
            result: { ok: false, error: messageOf(part.error) },
          });
        }
      }
    }
    return {
      session,
      calls,
      sent: outbox.sent,
      text: result.text,
      rows: await chainRows(store),
      verification: await store.verifyLedger(),
    };
  } finally {
    await guard.close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The rows this store instance wrote (its own chain), oldest first. */
async function chainRows(store: StoreBackend): Promise<LedgerRecord[]> {
  const rows: LedgerRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.queryLedger({
      chainId: store.chainId,
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    rows.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return rows.sort((a, b) => a.seq - b.seq);
}
