// Ledger integrity: verification streamed with its progress.
import { announce } from "./console.js";

const button = document.getElementById("verify");
const progress = document.getElementById("verify-progress");
const result = document.getElementById("verify-result");

button?.addEventListener("click", async () => {
  button.disabled = true;
  progress.hidden = false;
  progress.removeAttribute("value");
  result.textContent = "Verifying…";
  try {
    const response = await fetch("/v1/ledger/verify?progress=true", { credentials: "same-origin" });
    if (!response.ok) throw new Error((await response.json()).detail);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines.filter(Boolean)) {
        const message = JSON.parse(line);
        if (message.progress) {
          progress.max = Math.max(1, message.progress.total);
          progress.value = message.progress.rows;
        }
        if (message.result) {
          const { ok, rows, chains, checkpoints, problem } = message.result;
          result.textContent = ok
            ? `Intact: ${rows} rows in ${chains} chain${chains === 1 ? "" : "s"}, ${checkpoints} signed checkpoint${checkpoints === 1 ? "" : "s"}.`
            : `Broken: ${problem.message}`;
          result.className = ok ? "" : "error";
          progress.value = progress.max;
        }
      }
    }
  } catch (failure) {
    result.textContent = failure.message;
    result.className = "error";
  } finally {
    button.disabled = false;
    announce(result.textContent);
  }
});
