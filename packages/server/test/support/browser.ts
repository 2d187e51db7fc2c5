/**
 * The part of playwright-core the browser tests use, typed here: its own
 * declarations pull in zod 3 types, which clash with the server's zod 4.
 */
export interface Locator {
  count(): Promise<number>;
  first(): Locator;
  nth(index: number): Locator;
  filter(options: { readonly hasText: string }): Locator;
  waitFor(options?: {
    readonly state?: "attached" | "detached" | "visible" | "hidden";
  }): Promise<void>;
  allTextContents(): Promise<string[]>;
  textContent(): Promise<string | null>;
  isDisabled(): Promise<boolean>;
  selectOption(value: string): Promise<unknown>;
  fill(value: string): Promise<void>;
  click(): Promise<void>;
  getAttribute(name: string): Promise<string | null>;
  getByRole(role: string, options?: { readonly name: string }): Locator;
  getByLabel(label: string): Locator;
  locator(selector: string): Locator;
}

export interface Page extends Pick<Locator, "getByRole" | "getByLabel" | "locator"> {
  goto(url: string): Promise<unknown>;
  url(): string;
  waitForURL(url: RegExp): Promise<void>;
  waitForEvent(event: "download"): Promise<{ saveAs(path: string): Promise<void> }>;
  /** Evaluates an expression in the page (a promise is awaited). */
  evaluate<R>(expression: string): Promise<R>;
  waitForTimeout(ms: number): Promise<void>;
  screenshot(options: { readonly path: string; readonly fullPage?: boolean }): Promise<unknown>;
  close(): Promise<void>;
}

export interface Browser {
  newPage(options?: { readonly viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

/** Debian's chromium, headless, as CI installs it (no browser download). */
export async function launchChromium(): Promise<Browser> {
  const name = "playwright-core";
  const { chromium } = (await import(name)) as {
    chromium: { launch(options: { executablePath: string; args: string[] }): Promise<Browser> };
  };
  return chromium.launch({
    executablePath: process.env.WRIT_TEST_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
    ],
  });
}
