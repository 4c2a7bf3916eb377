import { existsSync } from 'node:fs';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './chromium.mjs';
import { startApp, type TestApp, type TestEnv } from './test-app.js';

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
  /** The window size (default 1180×720, a laptop's). */
  viewport?: { width: number; height: number };
  /** Whether `open` waits until the page is connected (default true; false for a page that asks a name first). */
  waitOnline?: boolean;
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
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1180, height: 720 },
      hasTouch: options.viewport !== undefined && options.viewport.width < 640,
    });
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
    if (options.waitOnline !== false) await sut.waitForStatus('online');
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
    await this.waitForText('title', this.page.getByTestId('title'), `# ${room.replace(/^#/, '')}`);
    await this.waitForJoined(room.replace(/^#/, ''));
  }

  /** Waits until the sidebar lists `room` as joined (the server confirmed it). */
  async waitForJoined(room: string): Promise<void> {
    await this.wait(
      `room "${room}" joined`,
      this.page
        .getByTestId(`nav-room:${room}`)
        .and(this.page.locator('[data-joined="true"]'))
        .waitFor({ timeout: this.timeoutMs }),
    );
  }

  /** Types and sends each text as fast as the page takes them (one task, no pause between). */
  async sendBurst(texts: string[]): Promise<void> {
    await this.input.evaluate((input: HTMLTextAreaElement, all) => {
      for (const text of all) {
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      }
    }, texts);
  }

  /** The texts of the messages of the open conversation, top to bottom. */
  messageTexts(): Promise<string[]> {
    return this.page.getByTestId('message-list').getByTestId('message-text').allTextContents();
  }

  /** Waits until the member list shows exactly these names (in any order). */
  async waitForMembers(names: string[]): Promise<void> {
    const expected = [...names].sort();
    await this.wait(
      `the member list to be ${expected.join(', ')}`,
      this.page.waitForFunction(
        (want) =>
          JSON.stringify(
            [...document.querySelectorAll('[data-testid="member"] .member-name')]
              .map((element) => element.textContent)
              .sort(),
          ) === want,
        JSON.stringify(expected),
        { timeout: this.timeoutMs },
      ),
    );
  }

  /** Waits until the tab's title is exactly `title`. */
  async waitForTitle(title: string): Promise<void> {
    await this.wait(
      `the tab title "${title}"`,
      this.page.waitForFunction((want) => document.title === want, title, {
        timeout: this.timeoutMs,
      }),
    );
  }

  /**
   * Scrolls the open conversation to its top, page after page (at most `pages`), until the message with
   * exactly `text` is shown; each scroll waits for more messages to be shown.
   */
  async scrollBackTo(text: string, pages = 10): Promise<void> {
    const pane = this.page.getByTestId('message-list');
    for (let page = 0; page < pages && (await this.messages(text).count()) === 0; page += 1) {
      const shown = await this.page.getByTestId('message').count();
      await pane.evaluate((element) => (element.scrollTop = 0));
      await this.wait(
        `older messages than the ${shown} shown`,
        this.page.waitForFunction(
          (before) => document.querySelectorAll('[data-testid="message"]').length > before,
          shown,
          { timeout: this.timeoutMs },
        ),
      );
    }
    await this.waitForMessage(text);
  }

  /** Reloads the page and waits until it is connected again. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitForStatus('online');
  }

  /**
   * Starts counting the `error` frames with this code that the page's current socket receives; the
   * returned function reads the count so far.
   */
  async countErrors(code: string): Promise<() => Promise<number>> {
    const key = `__errors_${code}`;
    await this.page.evaluate(
      ([name, wanted]) => {
        const counts = window as unknown as Record<string, number>;
        counts[name] = 0;
        (window as any).__sockets.at(-1).addEventListener('message', (event: MessageEvent) => {
          const frame = JSON.parse(String(event.data));
          if (frame.event === 'error' && frame.data?.code === wanted) counts[name] += 1;
        });
      },
      [key, code],
    );
    return () => this.page.evaluate((name) => (window as any)[name] as number, key);
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

/** The pages and app of one browser test, as `browserPerTest` hands them out. */
export interface BrowserTest {
  /** Boots the app for this test (closed after it). */
  boot: (env?: TestEnv) => Promise<TestApp>;
  /** Opens a page on the booted app, or on `options.baseUrl`; it is checked for page errors and CSP violations, then closed, after the test. */
  open: (
    query: Record<string, string>,
    options?: Omit<OpenOptions, 'query'> & { baseUrl?: string },
  ) => Promise<ChatPage>;
  /** Closes the app now (before the test drops its database, say); its pages stay open until the test ends. */
  closeApp: () => Promise<void>;
}

/**
 * One Chromium for the suite, and per test an app and the pages opened on it: after each test every page
 * must have had no uncaught error and no CSP violation, and pages and app are closed.
 */
export function browserPerTest(): BrowserTest {
  let browser: Browser;
  let sut: TestApp | undefined;
  let pages: ChatPage[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterEach(async () => {
    const opened = pages;
    pages = [];
    try {
      for (const page of opened) {
        expect(page.pageErrors, `${page.label}'s page errors`).toEqual([]);
        expect(page.cspViolations, `${page.label}'s CSP violations`).toEqual([]);
      }
    } finally {
      await Promise.all(opened.map((page) => page.close()));
      await sut?.close();
      sut = undefined;
    }
  });

  afterAll(async () => {
    await browser?.close();
  });

  return {
    boot: async (env = {}) => {
      sut = await startApp(env);
      return sut;
    },
    open: async (query, { baseUrl, ...options } = {}) => {
      const url = baseUrl ?? sut?.httpUrl;
      if (!url) throw new Error('boot() the app first, or give a baseUrl');
      const page = await ChatPage.open(browser, url, { ...options, query });
      pages.push(page);
      return page;
    },
    closeApp: async () => {
      await sut?.close();
      sut = undefined;
    },
  };
}
