/**
 * The attribute names of Writ's spans and metrics, in one place. Where the
 * OpenTelemetry GenAI conventions name the same thing (the tool, the call id,
 * the agent) their `gen_ai.*` name is used; the rest is `writ.*`. None of them
 * ever holds an argument value, a token, a proof or a key.
 */
export const WRIT_ATTRIBUTES = {
  tool: "gen_ai.tool.name",
  callId: "gen_ai.tool.call.id",
  agent: "gen_ai.agent.id",
  user: "writ.user",
  tenant: "writ.tenant",
  chain: "writ.agent.chain",
  action: "writ.action",
  adapter: "writ.adapter",
  effect: "writ.decision.effect",
  code: "writ.decision.code",
  hop: "writ.decision.hop",
  decidedBy: "writ.decision.decided_by",
  approvalId: "writ.approval.id",
  eventId: "writ.ledger.event_id",
  ledgerKind: "writ.ledger.kind",
  revocationKind: "writ.revocation.kind",
  audience: "writ.guard.audience",
  budget: "writ.budget",
  budgetScope: "writ.budget.scope",
  budgetResult: "writ.budget.result",
  errorType: "error.type",
  mcpMethod: "mcp.method.name",
  httpMethod: "http.request.method",
  httpRoute: "http.route",
  httpStatus: "http.response.status_code",
} as const;
