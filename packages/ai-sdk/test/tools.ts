import { tool } from "ai";
import { z } from "zod";

/** A refund tool that counts how often it really ran. */
export function refundTools() {
  const ran: number[] = [];
  const tools = {
    approve_refund: tool({
      description: "Approve a refund for the customer's order.",
      inputSchema: z.object({ amount: z.number() }),
      execute: async ({ amount }) => {
        ran.push(amount);
        return `refunded ${amount}`;
      },
    }),
  };
  return { tools, ran };
}

export const actions = { approve_refund: "refunds.approve" } as const;
