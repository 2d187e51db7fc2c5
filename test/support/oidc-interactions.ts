/**
 * Walks an authorization request through oidc-provider's development login
 * and consent pages as a browser would (cookies, redirects, form posts), until
 * the provider redirects to `redirectUri`, and returns that URL. For tests
 * that need a real code flow against a real provider without a browser.
 */
export async function followAuthorization(options: {
  readonly issuer: string;
  readonly authorizationUrl: string;
  readonly account: string;
  readonly redirectUri: string;
}): Promise<URL> {
  const { issuer, account, redirectUri } = options;
  const jar = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(new URL(url, issuer), {
      ...init,
      redirect: "manual",
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; "),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const [name, ...value] = (pair as string).split("=");
      jar.set(name as string, value.join("="));
    }
    return response;
  };
  let response = await go(options.authorizationUrl);
  for (let step = 0; step < 10; step++) {
    const location = response.headers.get("location");
    if (!location)
      throw new Error(`The provider stopped at ${response.status}: ${await response.text()}`);
    const target = new URL(location, issuer);
    if (target.href.startsWith(redirectUri)) return target;
    if (target.pathname.startsWith("/interaction/")) {
      const page = await (await go(target.href)).text();
      const form = page.includes('value="login"')
        ? new URLSearchParams({ prompt: "login", login: account, password: "any" })
        : new URLSearchParams({ prompt: "consent" });
      response = await go(target.href, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
      });
    } else {
      response = await go(target.href);
    }
  }
  throw new Error("The authorization did not reach the redirect URI.");
}
