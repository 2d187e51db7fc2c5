// Live activity: new decisions matching the page's filters appear at the top, rendered by the server.
import { announce, onEvents } from "./console.js";

const table = document.getElementById("activity");
const MAX_ROWS = 200;

if (table?.dataset.live === "true") {
  const filters = new URLSearchParams(location.search);
  let pending = false;
  const load = async () => {
    pending = false;
    const query = new URLSearchParams(filters);
    query.set("fragment", "rows");
    const response = await fetch(`/console?${query}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(
      `<table><tbody>${await response.text()}</tbody></table>`,
      "text/html",
    );
    const body = table.tBodies[0];
    const known = new Set([...body.rows].map((row) => row.dataset.id));
    const fresh = [...doc.querySelectorAll("tr[data-id]")].filter(
      (row) => !known.has(row.dataset.id),
    );
    if (fresh.length === 0) return;
    body.querySelector("tr.empty")?.remove();
    for (const row of fresh.reverse()) {
      row.classList.add("fresh");
      body.prepend(document.importNode(row, true));
    }
    // Only the newest rows stay on the live page; older ones are a page away.
    while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
    announce(`${fresh.length} new decision${fresh.length === 1 ? "" : "s"}.`);
  };
  onEvents({
    ledger: ({ records }) => {
      if (!records.some((row) => row.kind === "decision") || pending) return;
      pending = true;
      setTimeout(load, 100);
    },
  });
}
