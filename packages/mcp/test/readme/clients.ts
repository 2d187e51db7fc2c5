/** The README's clients that reach a gateway without connectWithWrit: what each needs to carry a writ. */
import { MultiServerMCPClient } from "@langchain/mcp-adapters";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Session } from "@writ/core";
import { WRIT_META, withWrit, writFetch } from "@writ/mcp";

/** Any client whose transport takes a fetch: writFetch signs each request, over one MCP session. */
export async function clientWithWritFetch(url: string, session: Session): Promise<Client> {
  const client = new Client({ name: "reports-bot", version: "1.0.0" });
  const fetch = writFetch({ session }); // the writ on every request, a proof on every call
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch }));
  return client;
}

/** LangChain's MultiServerMCPClient: the writ in its headers, a fresh proof per call in `_meta`. */
export async function gatewayTools(
  url: string,
  session: Session,
): Promise<{
  mcp: MultiServerMCPClient;
  tools: Awaited<ReturnType<MultiServerMCPClient["getTools"]>>;
}> {
  const mcp = new MultiServerMCPClient({
    mcpServers: {
      gateway: { url, headers: { authorization: `DPoP ${session.writ.toString()}` } },
    },
  });
  const client = await mcp.getClient("gateway"); // connects it
  if (client === undefined) throw new Error("The gateway is not configured.");
  withWrit(client, { session, audience: url }); // each tools/call: a fresh proof in _meta
  const tools = await mcp.getTools(); // one MCP session serves every call these tools make
  return { mcp, tools };
}

/** A plain SDK client: the writ in a static header, each call's proof in its `_meta`. */
export async function echoWithProofInMeta(url: string, session: Session, message: string) {
  const client = new Client({ name: "script", version: "1.0.0" });
  const headers = { authorization: `DPoP ${session.writ.toString()}` };
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  const args = { message };
  const proof = session.prove({ audience: url, action: "everything.echo", tool: "echo", args });
  const result = await client.callTool({
    name: "echo",
    arguments: args,
    _meta: { [WRIT_META.proof]: proof },
  });
  await client.close();
  return result;
}
