import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { SERVER_API_SCOPES } from '../config/server-api-keys.js';
import { serverApiJsonBody } from './json-body.middleware.js';
import { API_KEY_SCHEME, SERVER_API_PREFIX } from './server-api.controller.decorator.js';
import { ServerApiModule } from './server-api.module.js';

/** Where the API's readable documentation (Swagger UI) is served. */
export const SERVER_API_DOCS_PATH = 'api/docs';

/** Where the API's OpenAPI document is served, as JSON. */
export const SERVER_API_DOCUMENT_PATH = `${SERVER_API_PREFIX}/openapi.json`;

/**
 * Swagger UI's page carries inline `<style>` blocks and icons as `data:` images; its scripts are files of
 * this origin. The page gets this policy instead of the app's, which allows no inline style at all.
 */
const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Mounts what the API needs outside Nest's router, on the app's HTTP server: its bounded JSON body
 * reader (before the app's own parser), and, when a key is configured, the OpenAPI document and the
 * Swagger UI page. Without keys the API's routes and its docs answer 404.
 */
export function setUpServerApi(app: INestApplication, config: AppConfig): void {
  const enabled = config.SERVER_API_KEYS.length > 0;
  app.use(`/${SERVER_API_PREFIX}`, serverApiJsonBody(config.SERVER_API_MAX_BODY_BYTES, enabled));
  if (!enabled) return;
  app.use(`/${SERVER_API_DOCS_PATH}`, (_: Request, response: Response, next: NextFunction) => {
    response.setHeader('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    next();
  });
  SwaggerModule.setup(SERVER_API_DOCS_PATH, app, () => serverApiDocument(app), {
    jsonDocumentUrl: SERVER_API_DOCUMENT_PATH,
    raw: ['json'],
    customSiteTitle: 'Switchboard server API',
  });
}

/** The OpenAPI 3 document of the API's routes (the API module's controllers only, not the host's). */
export function serverApiDocument(app: INestApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('Switchboard server API')
    .setVersion('1')
    .setDescription(
      'Publish, DM, send events, move and disconnect users, read presence and history, and moderate ' +
        '(ban, mute, slow mode, delete), from any backend. ' +
        'Every call carries Authorization: Bearer <key>; each key has scopes (' +
        SERVER_API_SCOPES.join(', ') +
        ') and room patterns. Refusals are RFC 9457 problem details (application/problem+json).',
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'an API key of SERVER_API_KEYS' },
      API_KEY_SCHEME,
    )
    .build();
  return SwaggerModule.createDocument(app, info, { include: [ServerApiModule] });
}
