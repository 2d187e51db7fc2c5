// The approvals inbox: decide with a note; requests come and go live.
import { announce, api, onEvents, refresh } from "./console.js";

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

const reload = () => refresh("/console/approvals?fragment=list", "#approvals");
onEvents({
  ledger: ({ records }) => {
    if (records.some((row) => row.decision === "approval_required" || row.kind === "approval"))
      void reload();
  },
});
