import type { NextFunction, Request, Response } from 'express';
import sjson from 'secure-json-parse';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { sendProblem } from './problem-details.filter.js';
import { problemOf } from './problem-details.js';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads the body of a server HTTP API request itself, before the app's own body parser (which then
 * skips it): a declared `Content-Length` of at most `maxBytes` (411 without one, 413 above it, refused
 * before a byte is read), JSON (415 otherwise), an object parsed with `__proto__` and `constructor` keys
 * dropped (400 otherwise); no body is `{}`. Refusals are problem details like the routes'. With `enabled`
 * false (no key) it passes everything on untouched.
 */
export function serverApiJsonBody(maxBytes: number, enabled: boolean) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!enabled) return next();
    const length = request.headers['content-length'];
    if (length === undefined && request.headers['transfer-encoding'] === undefined) {
      request.body = {};
      return next();
    }
    if (length === undefined)
      return refuse(response, 'length_required', 'a body needs a Content-Length');
    if (Number(length) > maxBytes)
      return refuse(response, 'payload_too_large', `the body must be at most ${maxBytes} bytes`);
    if (Number(length) === 0) {
      request.body = {};
      return next();
    }
    if (!JSON_MEDIA_TYPE.test(request.headers['content-type'] ?? ''))
      return refuse(response, 'unsupported_media_type', 'the body must be application/json');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', next);
    request.on('end', () => {
      const body = parseObject(Buffer.concat(chunks).toString('utf8'));
      if (body === undefined)
        return refuse(response, ChatErrorCode.BadRequest, 'the body must be a JSON object');
      request.body = body;
      next();
    });
  };
}

function parseObject(text: string): object | undefined {
  try {
    const value: unknown = sjson.parse(text, undefined, {
      protoAction: 'remove',
      constructorAction: 'remove',
    });
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function refuse(response: Response, code: Parameters<typeof problemOf>[0], detail: string): void {
  // The body is left unread: the connection is not reused for another request.
  response.setHeader('Connection', 'close');
  sendProblem(response, problemOf(code, detail));
}
