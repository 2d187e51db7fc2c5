// Shared by every console page: API calls with the session's CSRF token, the live event stream, announcements.

const csrf = document.querySelector('meta[name="writ-csrf"]')?.getAttribute("content") ?? "";

/** Calls the API as the signed-in person; resolves to the JSON answer, throws with the problem's detail. */
export async function api(path, { method = "GET", body } = {}) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(method === "GET" ? {} : { "x-writ-csrf": csrf }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = response.headers.get("content-type")?.includes("json")
    ? await response.json()
    : undefined;
  if (!response.ok) {
    const error = new Error(answer?.detail ?? `The server answered ${response.status}.`);
    error.status = response.status;
    error.code = answer?.code;
    throw error;
  }
  return answer;
}

/** Tells screen readers what changed without moving focus. */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (region) region.textContent = text;
}

/** Listens to the server's events (`ledger`, `revocation`) on this origin; reconnects by itself. */
export function onEvents(handlers) {
  const source = new EventSource("/v1/events");
  for (const [name, handler] of Object.entries(handlers)) {
    source.addEventListener(name, (event) => handler(JSON.parse(event.data)));
  }
  return source;
}

/** Replaces an element with the same element of a freshly rendered fragment. */
export async function refresh(url, selector) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) return;
  const fragment = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = fragment.querySelector(selector);
  const current = document.querySelector(selector);
  if (fresh && current) current.replaceWith(fresh);
}
