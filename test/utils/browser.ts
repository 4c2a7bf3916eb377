import { existsSync } from 'node:fs';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './chromium.mjs';

/** Launches headless Chromium with a fresh temporary profile (Playwright makes and removes it). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: run "apt-get update && apt-get install -y chromium"`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
}

/** How to open a chat page. */
export interface OpenOptions {
  /** Query parameters of the page URL, such as `name` or `access_token`. */
  query?: Record<string, string>;
  /** Waits (default 10 s) name what they waited for when they time out. */
  timeoutMs?: number;
}

/**
 * One user's chat page in a browser context of its own (its own sessionStorage, so its own user),
 * seen as a user sees it; every wait has a timeout whose error names what it waited for.
 */
export class ChatPage {
  /** Uncaught errors thrown by the page's scripts. */
  readonly pageErrors: string[] = [];
  /** Dialogs the page opened (`alert` and friends), which an injected script would. */
  readonly dialogs: string[] = [];
  /** Content-Security-Policy violations the page reported (blocked loads, scripts, styles, sockets). */
  readonly cspViolations: string[] = [];

  private constructor(
    readonly label: string,
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly timeoutMs: number,
  ) {
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
        this.cspViolations.push(message.text());
    });
    page.on('dialog', (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }

  /** Opens the web client at `baseUrl` and waits until it is connected. */
  static async open(
    browser: Browser,
    baseUrl: string,
    options: OpenOptions = {},
  ): Promise<ChatPage> {
    const context = await browser.newContext({ viewport: { width: 1180, height: 720 } });
    const page = await context.newPage();
    // Chromium logs most violations itself; the event also catches those it reports only to the page.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        console.error(
          `Content Security Policy violation: ${event.violatedDirective} blocked ${event.blockedURI}`,
        ),
      );
    });
    // Records every socket the client opens, so a test can drop one as a network failure would.
    await page.addInitScript(() => {
      const Native = window.WebSocket;
      const sockets: WebSocket[] = [];
      Object.assign(window, { __sockets: sockets });
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          sockets.push(this);
        }
      };
    });
    const url = new URL('/', baseUrl);
    for (const [key, value] of Object.entries(options.query ?? {}))
      url.searchParams.set(key, value);
    const label = options.query?.name ?? 'page';
    const sut = new ChatPage(label, context, page, options.timeoutMs ?? 10_000);
    await page.goto(url.href);
    await sut.waitForStatus('online');
    return sut;
  }

  /** The message box. */
  get input(): Locator {
    return this.page.getByTestId('message-input');
  }

  /** The messages of the open conversation whose text is exactly `text`. */
  messages(text: string): Locator {
    return this.page
      .getByTestId('message-list')
      .getByTestId('message')
      .filter({ has: this.page.getByTestId('message-text').getByText(text, { exact: true }) });
  }

  /** Types `text` into the message box and presses Enter. */
  async send(text: string): Promise<void> {
    await this.input.fill(text);
    await this.input.press('Enter');
  }

  /** Waits until a message with exactly this text is shown; returns it. */
  async waitForMessage(text: string): Promise<Locator> {
    const message = this.messages(text).first();
    await this.wait(`message "${text}"`, message.waitFor({ timeout: this.timeoutMs }));
    return message;
  }

  /** Waits until the page's own message with this text has been acknowledged by the server. */
  async waitForSent(text: string): Promise<void> {
    const sent = this.messages(text).and(this.page.locator('.own:not(.pending):not(.failed)'));
    await this.wait(
      `own message "${text}" sent`,
      sent.first().waitFor({ timeout: this.timeoutMs }),
    );
  }

  /** Waits until the status line reports this connection state. */
  async waitForStatus(state: string, timeoutMs = this.timeoutMs): Promise<void> {
    const status = this.page.locator(`[data-testid="status"][data-state="${state}"]`);
    await this.wait(`status "${state}"`, status.waitFor({ timeout: timeoutMs }), timeoutMs);
  }

  /** Waits until `locator` shows a text containing `text`. */
  async waitForText(what: string, locator: Locator, text: string): Promise<void> {
    await this.wait(
      `${what} to contain "${text}"`,
      locator.filter({ hasText: text }).first().waitFor({ timeout: this.timeoutMs }),
    );
  }

  /** Waits until `locator` matches nothing on the page. */
  async waitForGone(what: string, locator: Locator): Promise<void> {
    await this.wait(
      `${what} to go`,
      locator.first().waitFor({ state: 'detached', timeout: this.timeoutMs }),
    );
  }

  /** Joins a room through the sidebar form and waits until the server confirms it. */
  async joinRoom(room: string): Promise<void> {
    await this.page.getByTestId('join-input').fill(room);
    await this.page.getByTestId('join-input').press('Enter');
    await this.waitForText('title', this.page.getByTestId('title'), `# ${room}`);
    await this.wait(
      `room "${room}" joined`,
      this.page
        .getByTestId(`nav-room:${room}`)
        .and(this.page.locator('[data-joined="true"]'))
        .waitFor({ timeout: this.timeoutMs }),
    );
  }

  /** Sockets the page has opened so far. */
  socketCount(): Promise<number> {
    return this.page.evaluate(() => (window as any).__sockets.length as number);
  }

  /** Closes the page's current socket from the client side with an application code, as a dropped link. */
  async dropConnection(): Promise<void> {
    await this.page.evaluate(() => (window as any).__sockets.at(-1).close(4000, 'dropped by test'));
  }

  /** Closes the browser context (and with it the page's socket). */
  async close(): Promise<void> {
    await this.context.close();
  }

  private async wait(what: string, pending: Promise<unknown>, ms = this.timeoutMs): Promise<void> {
    try {
      await pending;
    } catch (error) {
      throw new Error(`${this.label}: timed out after ${ms} ms waiting for ${what}`, {
        cause: error,
      });
    }
  }
}
