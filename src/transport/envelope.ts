import sjson from 'secure-json-parse';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { MAX_DATA_DEPTH } from '../protocol/limits.js';

/** An inbound frame that is a well-formed request. */
export interface Envelope {
  event: string;
  data: Record<string, unknown>;
}

/** Why an inbound frame is not one: always `bad_request`, with the message the client gets. */
export interface EnvelopeRefusal {
  refused: ChatErrorCode.BadRequest;
  message: string;
}

const OPEN_BRACE = 0x7b;

/**
 * Parses one text frame into an envelope, or says why it is not one. A frame that does not start with `{`
 * (after whitespace) is plain text for `message` in `defaultRoom` (refused when there is none). JSON is
 * parsed without `__proto__` and `constructor` keys; `data` must be an object nested at most
 * MAX_DATA_DEPTH deep. Pure: no socket, no side effect.
 */
export function parseEnvelope(raw: Buffer, defaultRoom: string): Envelope | EnvelopeRefusal {
  let start = 0;
  while (
    start < raw.length &&
    (raw[start] === 0x20 || raw[start] === 0x0a || raw[start] === 0x0d || raw[start] === 0x09)
  )
    start += 1;
  if (raw[start] !== OPEN_BRACE) {
    if (!defaultRoom) return refusal('plain text needs a default room, and none is configured');
    return { event: 'message', data: { room: defaultRoom, text: raw.toString('utf8') } };
  }
  let parsed: unknown;
  try {
    parsed = parseJson(raw.toString('utf8'));
  } catch {
    return refusal('frame is not valid JSON');
  }
  const envelope = parsed as { event?: unknown; data?: unknown };
  if (
    typeof envelope !== 'object' ||
    envelope === null ||
    Array.isArray(envelope) ||
    typeof envelope.event !== 'string'
  )
    return refusal('frame is not an envelope {"event": string, "data": object}');
  const data = envelope.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return refusal('"data" must be an object');
  if (nestsDeeperThan(data, MAX_DATA_DEPTH)) return refusal('"data" is nested too deeply');
  return { event: envelope.event, data: data as Record<string, unknown> };
}

/**
 * JSON without `__proto__` and `constructor` keys. A text with neither word and no backslash (so no
 * `\u` escape that could spell them) cannot hold such a key: `JSON.parse` alone, without
 * secure-json-parse's two regular expressions over the whole text.
 */
function parseJson(text: string): unknown {
  if (!text.includes('\\') && !text.includes('__proto__') && !text.includes('constructor'))
    return JSON.parse(text);
  return sjson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
}

/** Whether `parseEnvelope` refused the frame. */
export function isEnvelopeRefusal(result: Envelope | EnvelopeRefusal): result is EnvelopeRefusal {
  return 'refused' in result;
}

function refusal(message: string): EnvelopeRefusal {
  return { refused: ChatErrorCode.BadRequest, message };
}

/**
 * Whether any value lies more than `max` levels below `value` (an object at depth `max` with a value in
 * it); iterative, as the input is hostile, and allocating nothing for the objects' primitive values.
 */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const objects: object[] = [];
  const depths: number[] = [];
  if (typeof value === 'object' && value !== null) {
    objects.push(value);
    depths.push(0);
  }
  while (objects.length > 0) {
    const node = objects.pop()!;
    const depth = depths.pop()!;
    const children = Object.values(node);
    if (children.length > 0 && depth >= max) return true;
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        objects.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
