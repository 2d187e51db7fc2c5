import { writMiddleware } from "@writ/langchain";
import { createAgent } from "langchain";
import { guard, model, session, tools } from "./setup.js";

const writ = writMiddleware({ guard, actions: { approve_refund: "refunds.approve" } });
const agent = createAgent({ model, tools, middleware: [writ] });
export const result = await agent.invoke(
  { messages: [{ role: "user", content: "Refund order 42: 25 USD." }] },
  { context: { writSession: session } },
);
