import {
  targetConstructorToSchema,
  validationMetadatasToSchemas,
} from 'class-validator-jsonschema';
import type { JsonSchema } from '../protocol/json-schema.js';
import type { ServerEvents } from '../protocol/chat.events.js';
import { CLOSE_CODE_MEANINGS } from '../protocol/code-meanings.js';
import { SERVER_EVENT_CONTRACTS } from '../protocol/server-event-schemas.js';
import { MAX_REF_LENGTH } from '../protocol/limits.js';
import type { AsyncApiEventDoc } from '../gateway/async-api-event.decorator.js';

/** One client event as a gateway handles it, found in the app's gateways. */
export interface GatewayEvent {
  /** The class name of its gateway. */
  gateway: string;
  /** The WebSocket path its gateway listens on. */
  path: string;
  /** The event name (`@SubscribeMessage`). */
  event: string;
  /** The declared type of its whole `@MessageBody()` argument, if any. */
  payloadType: unknown;
  /** Its `@AsyncApiEvent`, if any. */
  doc: AsyncApiEventDoc | undefined;
}

/** Where the server listens and how a client authenticates, as the configuration says. */
export interface ServerFacts {
  /** `host:port` clients connect to by default (a variable of the document's server). */
  defaultHost: string;
  /** Whether tokens are required (JWT mode) rather than dev-mode identities. */
  jwt: boolean;
}

/** An AsyncAPI 3.0 document, as a JSON value. */
export type AsyncApiDocument = Record<string, unknown>;

/** The document, and what the code left undocumented (empty when the contract is whole). */
export interface GeneratedContract {
  document: AsyncApiDocument;
  /** One sentence per gateway event without a description or a payload schema. */
  gaps: string[];
}

const SCHEMAS = '#/components/schemas/';

/**
 * The AsyncAPI 3.0 document of the wire contract, from the code: one channel per gateway path whose
 * client events are the gateways' handlers (their DTOs' class-validator rules as JSON Schema, their
 * `@AsyncApiEvent` descriptions and replies), and the protocol layer's server events, error codes and
 * close codes. Every message is the whole envelope, `{"event", "data"}`.
 */
export function generateContract(events: GatewayEvent[], server: ServerFacts): GeneratedContract {
  const gaps: string[] = [];
  const schemas: Record<string, JsonSchema> = {};
  const messages: Record<string, object> = {};
  const channels: Record<string, { address: string; messages: Record<string, object> }> = {};
  const operations: Record<string, object> = {};

  for (const [event, contract] of Object.entries(SERVER_EVENT_CONTRACTS)) {
    messages[`server.${event}`] = message(
      event,
      contract.description,
      contract.data,
      carriesRef(contract.data),
    );
  }

  const paths = [...new Set(events.map((event) => event.path))];
  const channelKey = (path: string) =>
    paths.length === 1 ? 'chat' : `chat${path.replace(/[^A-Za-z0-9]+/g, '_')}`;
  const opKey = (path: string, action: string, event: string) =>
    paths.length === 1 ? `${action}.${event}` : `${channelKey(path)}.${action}.${event}`;

  for (const path of paths) {
    const key = channelKey(path);
    const channelMessages: Record<string, object> = {};
    for (const event of Object.keys(SERVER_EVENT_CONTRACTS)) {
      channelMessages[`server.${event}`] = { $ref: `#/components/messages/server.${event}` };
      operations[opKey(path, 'send', event)] = {
        action: 'send',
        channel: { $ref: `#/channels/${key}` },
        summary: SERVER_EVENT_CONTRACTS[event as keyof ServerEvents].description,
        messages: [{ $ref: `#/channels/${key}/messages/server.${event}` }],
      };
    }
    for (const found of events.filter((candidate) => candidate.path === path)) {
      const { event, doc } = found;
      const where = `${found.gateway} '${event}'`;
      const data = payloadSchema(found.payloadType, schemas);
      if (!data) {
        gaps.push(
          `${where} has no payload schema: type its @MessageBody() with a class-validator DTO`,
        );
      }
      if (!doc?.description) {
        gaps.push(
          `${where} has no description: add @AsyncApiEvent({ description }) beside @SubscribeMessage`,
        );
      }
      const messageKey = `client.${event}`;
      messages[messageKey] = message(
        event,
        doc?.description ?? '',
        data ?? { type: 'object' },
        true,
      );
      channelMessages[messageKey] = { $ref: `#/components/messages/${messageKey}` };
      const replies = [...(doc?.reply ? [doc.reply] : []), 'error'].map((reply) => ({
        $ref: `#/channels/${key}/messages/server.${reply}`,
      }));
      operations[opKey(path, 'receive', event)] = {
        action: 'receive',
        channel: { $ref: `#/channels/${key}` },
        summary: doc?.description ?? '',
        messages: [{ $ref: `#/channels/${key}/messages/${messageKey}` }],
        reply: { channel: { $ref: `#/channels/${key}` }, messages: replies },
      };
    }
    channels[key] = {
      address: path,
      messages: channelMessages,
    };
  }

  const document: AsyncApiDocument = {
    asyncapi: '3.0.0',
    info: {
      title: 'Switchboard',
      version: '1',
      description:
        'The wire contract of Switchboard, generated from its code. Every WebSocket text frame is one JSON envelope `{"event": "<name>", "data": {...}}`; `data.ref` (at most ' +
        `${MAX_REF_LENGTH} characters) is echoed on every reply to a request. A frame that does not start with \`{\` is plain text sent to the default room. ` +
        'Each client event is an operation the server receives, with its reply; each server event one it sends. Error codes are in the `error` message, close codes in `x-close-codes`. The prose contract is docs/PROTOCOL.md.',
    },
    defaultContentType: 'application/json',
    servers: {
      switchboard: {
        host: '{host}',
        protocol: 'ws',
        description: server.jwt
          ? 'A JWT is required, in `Authorization: Bearer` or `?access_token=`; otherwise the upgrade gets HTTP 401.'
          : 'Dev mode: no token; `?name=` is the display name and `?uid=` the user id.',
        variables: {
          host: { default: server.defaultHost, description: 'where Switchboard listens' },
        },
        ...(server.jwt
          ? {
              security: [
                { $ref: '#/components/securitySchemes/bearer' },
                { $ref: '#/components/securitySchemes/accessToken' },
              ],
            }
          : {}),
      },
    },
    channels,
    operations,
    components: {
      messages,
      schemas,
      correlationIds: {
        ref: {
          description: 'A request and every reply to it carry the same `data.ref`.',
          location: '$message.payload#/data/ref',
        },
      },
      ...(server.jwt
        ? {
            securitySchemes: {
              bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
              accessToken: { type: 'httpApiKey', name: 'access_token', in: 'query' },
            },
          }
        : {}),
    },
    'x-close-codes': Object.entries(CLOSE_CODE_MEANINGS).map(([code, meaning]) => ({
      code: Number(code),
      meaning,
    })),
  };
  return { document, gaps };
}

function message(event: string, description: string, data: JsonSchema, correlated: boolean) {
  return {
    name: event,
    title: event,
    ...(description ? { summary: description } : {}),
    ...(correlated ? { correlationId: { $ref: '#/components/correlationIds/ref' } } : {}),
    payload: {
      type: 'object',
      required: ['event', 'data'],
      properties: { event: { const: event }, data },
    },
  };
}

/** Whether a `data` schema has a `ref` property (in every branch of a `oneOf`): a reply to a request. */
function carriesRef(schema: JsonSchema): boolean {
  return schema.oneOf ? schema.oneOf.every(carriesRef) : schema.properties?.ref !== undefined;
}

/**
 * A DTO class's JSON Schema from its class-validator rules, or undefined when the type has none (no DTO,
 * `object`, a primitive). The schemas of nested DTOs it refers to are added to `schemas`.
 */
function payloadSchema(type: unknown, schemas: Record<string, JsonSchema>): JsonSchema | undefined {
  if (typeof type !== 'function') return undefined;
  const options = { refPointerPrefix: SCHEMAS };
  const schema = targetConstructorToSchema(type, options) as JsonSchema;
  if (!schema.properties || Object.keys(schema.properties).length === 0) return undefined;
  const referenced = refsIn(schema);
  if (referenced.size > 0) {
    const all = validationMetadatasToSchemas(options) as Record<string, JsonSchema>;
    for (let pending = [...referenced]; pending.length > 0;) {
      const name = pending.pop()!;
      if (schemas[name] || !all[name]) continue;
      schemas[name] = all[name];
      pending.push(...refsIn(all[name]));
    }
  }
  return schema;
}

function refsIn(schema: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) refsIn(item, found);
  } else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMAS)) {
        found.add(value.slice(SCHEMAS.length));
      } else {
        refsIn(value, found);
      }
    }
  }
  return found;
}
