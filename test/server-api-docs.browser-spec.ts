import type { Browser } from 'playwright-core';
import { apiKey, apiKeysEnv } from './utils/api-keys.js';
import { launchBrowser } from './utils/browser.js';
import { startApp, type TestApp } from './utils/test-app.js';

describe('the server HTTP API docs page in Chromium', () => {
  let browser: Browser;
  let sut: TestApp;

  beforeAll(async () => {
    browser = await launchBrowser();
    sut = await startApp(apiKeysEnv(apiKey('docs')));
  });

  afterAll(async () => {
    await sut.close();
    await browser.close();
  });

  it('renders every operation of the API, with no script error and no CSP violation', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`),
      );
    });
    try {
      await page.goto(`${sut.httpUrl}/api/docs`);
      const operations = page.locator('.opblock-summary-path');
      await operations.first().waitFor({ timeout: 10_000 });

      expect(await operations.count()).toBe(20);
      expect(await page.locator('.btn.authorize').isVisible()).toBe(true);
      expect(await page.locator('.info .title').innerText()).toContain('Switchboard server API');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
