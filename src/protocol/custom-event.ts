import { ClientEvent } from './chat.events.js';
import { SERVER_EVENT_CONTRACTS } from './server-event-schemas.js';

/** Names a host may give its own server events (`ChatPublisher.emitToRoom`, `emitToUser`). */
export const CUSTOM_EVENT_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/** The protocol's own event names, server's and client's: a custom event may take none of them. */
export const RESERVED_EVENT_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(SERVER_EVENT_CONTRACTS),
  ...Object.values(ClientEvent),
]);

/** Why a custom event name is refused, or undefined when it is usable. */
export function customEventNameProblem(name: string): string | undefined {
  if (!CUSTOM_EVENT_NAME.test(name)) return `event must match ${CUSTOM_EVENT_NAME.source}`;
  if (RESERVED_EVENT_NAMES.has(name)) return `event "${name}" is one of the protocol's own events`;
  return undefined;
}
