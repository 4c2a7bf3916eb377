import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appConfig, type AppConfig } from '../config/app-config.js';

/** Where the browser client lives, the same from src/ (tests) and dist/ (production). */
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** The name the page imports the SDK by (`import ... from './switchboard-client.js'`). */
export const CLIENT_MODULE = 'switchboard-client.js';

/** The SDK's minified ESM bundle, which `npm run build:client` writes; served as CLIENT_MODULE. */
export const CLIENT_BUNDLE = fileURLToPath(
  new URL('../../packages/client/dist/index.min.js', import.meta.url),
);

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** `from './x.js'` and `import './x.js'` in the client's modules: renamed to the hashed name of x. */
const RELATIVE_IMPORT = /(\bfrom\s*|\bimport\s*\(?\s*)(['"])\.\/([\w.-]+\.js)\2/g;

/** One static asset, served under its content-hashed name. */
export interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/**
 * The web client's files, read once at boot: public/ and the SDK's bundle (as CLIENT_MODULE). Every asset
 * gets a content-hashed name (`app.3f9c2a1b.js`), the modules' relative imports and `index.html` are
 * rewritten to point at those names, the page's under ASSET_BASE_URL (a CDN) or `/assets/`.
 */
@Injectable()
export class AssetCatalog implements OnModuleInit {
  private readonly assets = new Map<string, Asset>();
  private page = '';

  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    const base = `${(this.config.ASSET_BASE_URL ?? '').replace(/\/$/, '')}/assets/`;
    let page = await readFile(join(PUBLIC_DIR, 'index.html'), 'utf8');
    const sources = new Map<string, Buffer>();
    for (const name of await readdir(PUBLIC_DIR)) {
      if (name === 'index.html' || !(extname(name) in CONTENT_TYPES)) continue;
      sources.set(name, await readFile(join(PUBLIC_DIR, name)));
    }
    sources.set(CLIENT_MODULE, await readClientBundle());
    const hashedNames = new Map<string, string>();
    const add = (name: string, importers: string[]): string => {
      const done = hashedNames.get(name);
      if (done) return done;
      if (importers.includes(name)) throw new Error(`public/${name} imports itself in a cycle`);
      let body = sources.get(name) as Buffer;
      // A module's hash covers the hashed names of what it imports, so a change anywhere renames its importers.
      if (extname(name) === '.js')
        body = Buffer.from(
          body
            .toString('utf8')
            .replace(RELATIVE_IMPORT, (match, prefix: string, quote: string, dependency: string) =>
              sources.has(dependency)
                ? `${prefix}${quote}./${add(dependency, [...importers, name])}${quote}`
                : match,
            ),
        );
      const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
      const hashed = `${name.slice(0, -extname(name).length)}.${hash}${extname(name)}`;
      this.assets.set(hashed, {
        body,
        contentType: CONTENT_TYPES[extname(name)],
        etag: `"${hash}"`,
      });
      hashedNames.set(name, hashed);
      return hashed;
    };
    for (const name of sources.keys())
      page = page.replaceAll(`/assets/${name}`, base + add(name, []));
    this.page = page;
  }

  /** The entry page, pointing at the hashed asset names. */
  get indexHtml(): string {
    return this.page;
  }

  /** An asset by its hashed name. */
  asset(name: string): Asset | undefined {
    return this.assets.get(name);
  }
}

/** The SDK's bundle; a boot without it fails saying how to build it, rather than serving a broken page. */
async function readClientBundle(): Promise<Buffer> {
  try {
    return await readFile(CLIENT_BUNDLE);
  } catch (error) {
    throw new Error(`${CLIENT_BUNDLE} is missing: build the SDK with \`npm run build:client\``, {
      cause: error,
    });
  }
}
