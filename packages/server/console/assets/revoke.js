// Revoking from the console: a hop, agent, user or key, after saying why and seeing what stops working.
import { announce, api } from "./console.js";

const dialog = document.getElementById("revoke-dialog");
const form = document.getElementById("revoke-form");
let target;

document.addEventListener("click", (event) => {
  const button = event.target.closest?.("button.revoke");
  if (!button || !dialog) return;
  target = { kind: button.dataset.kind, id: button.dataset.id, button };
  document.getElementById("revoke-stops").textContent =
    button.dataset.kind === "hop"
      ? `${button.dataset.count} hop(s): ${button.dataset.stops}`
      : button.dataset.stops;
  form.querySelector(".error").hidden = true;
  form.reset();
  dialog.showModal();
});

document.getElementById("revoke-cancel")?.addEventListener("click", () => dialog.close());

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const reason = form.elements.reason.value.trim();
  try {
    await api("/v1/revocations", {
      method: "POST",
      body: { kind: target.kind, id: target.id, reason },
    });
    dialog.close();
    target.button.disabled = true;
    target.button.textContent = "Revoked";
    announce("Revoked.");
    document.dispatchEvent(
      new CustomEvent("writ:revoked", { detail: { kind: target.kind, id: target.id } }),
    );
  } catch (failure) {
    const error = form.querySelector(".error");
    error.textContent = failure.message;
    error.hidden = false;
  }
});
