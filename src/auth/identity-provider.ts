import type { IncomingMessage } from 'node:http';
import type { Identity } from './identity.js';

/**
 * Turns a WebSocket upgrade request into the `Identity` of the user connecting, or refuses it by throwing
 * (or rejecting with) `HandshakeRejection` (401 or 403, its message the reason); anything else thrown is
 * answered 500 and logged. Answer synchronously when nothing needs waiting for: the upgrade then settles in
 * one turn. A host replaces it through `SwitchboardModule`'s `identityProvider` option.
 */
export abstract class IdentityProvider {
  /** The identity behind `request` (its URL, headers, cookies), or a refusal thrown as `HandshakeRejection`. */
  abstract identify(request: IncomingMessage): Identity | Promise<Identity>;
}
