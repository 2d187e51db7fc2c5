// model.ts: your chat model; in your app, new ChatOpenAI({ model: "gpt-4.1-mini" }) from
// @langchain/openai. This guide's test scripts one, offline: three requests, one refund each.
import { AIMessage, fakeModel } from "langchain";

const refund = (id: string, order: string, amount: number) => [
  { name: "approve_refund", args: { order, amount }, id },
];

export const model = fakeModel()
  .respondWithTools(refund("call-1", "42", 25))
  .respond(new AIMessage("Refunded 25 USD on order 42."))
  .respondWithTools(refund("call-2", "43", 400))
  .respond(new AIMessage("Refunded 400 USD on order 43, with approval."))
  .respondWithTools(refund("call-3", "44", 5000))
  .respond(new AIMessage("I can't refund 5000 USD: that is beyond what I may approve."));
