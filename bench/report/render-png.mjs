import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../../test/utils/chromium.mjs';

/** Renders an SVG string to a PNG file with headless Chromium, at twice the SVG's size for sharpness. */
export async function renderSvgToPng(svg, pngFile) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_FLAGS,
    headless: true,
    deviceScaleFactor: 2,
    viewport: { width: 1400, height: 800 },
    timeout: 30_000,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    await page.locator('svg').first().screenshot({ path: pngFile, timeout: 30_000 });
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
