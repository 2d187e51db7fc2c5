// The approvals inbox: decide with a note; requests come and go live.
import { announce, api, onEvents } from "./console.js";

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("decide")) return;
  event.preventDefault();
  const verdict = event.submitter?.value === "reject" ? "reject" : "approve";
  const reason = form.elements.reason.value.trim();
  const error = form.querySelector(".error");
  try {
    await api(`/v1/approvals/${encodeURIComponent(form.dataset.id)}/${verdict}`, {
      method: "POST",
      body: reason ? { reason } : {},
    });
    announce(verdict === "approve" ? "Approved." : "Rejected.");
    form.closest("[data-approval]")?.remove();
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  }
});

// Cards already shown stay as they are, so a note being typed survives a new request
// arriving: new requests are added, decided ones leave.
const reload = async () => {
  const response = await fetch("/console/approvals?fragment=list", { credentials: "same-origin" });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.querySelector("#approvals");
  const current = document.querySelector("#approvals");
  if (!fresh || !current) return;
  const freshCards = [...fresh.querySelectorAll("[data-approval]")];
  const cards = current.querySelector(".cards");
  if (!cards || freshCards.length === 0) {
    // Nothing was shown, or nothing is left: the server's rendering as it is.
    if (cards || freshCards.length > 0) current.replaceWith(fresh);
    return;
  }
  const wanted = new Set(freshCards.map((card) => card.dataset.approval));
  for (const card of cards.querySelectorAll("[data-approval]")) {
    if (!wanted.has(card.dataset.approval)) card.remove();
  }
  const shown = new Set(
    [...cards.querySelectorAll("[data-approval]")].map((card) => card.dataset.approval),
  );
  for (const card of freshCards) {
    if (!shown.has(card.dataset.approval)) cards.append(document.importNode(card, true));
  }
};
onEvents({
  ledger: ({ records }) => {
    if (records.some((row) => row.decision === "approval_required" || row.kind === "approval"))
      void reload();
  },
});
