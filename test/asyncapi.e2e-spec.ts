import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { Ajv, type ValidateFunction } from 'ajv';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { IsString, MaxLength } from 'class-validator';
import { ChatPublisher } from '../src/domain/publisher/chat-publisher.js';
import { AsyncApiContractService } from '../src/asyncapi/asyncapi-contract.service.js';
import { AsyncApiEvent } from '../src/gateway/async-api-event.decorator.js';
import { ChatGateway } from '../src/gateway/chat.gateway.js';
import { ChatRequestDto } from '../src/gateway/dto/chat-request.dto.js';
import { ChatErrorCode } from '../src/protocol/chat-error-code.js';
import { ClientEvent } from '../src/protocol/chat.events.js';
import { CloseCode } from '../src/protocol/close-code.js';
import { createTestDatabase, type TestDatabase } from './utils/database.js';
import { startApp, type TestApp } from './utils/test-app.js';
import type { Frame, TestClient } from './utils/test-client.js';
import { connectUsers } from './utils/users.js';

interface Doc {
  channels: Record<string, { address: string; messages: Record<string, unknown> }>;
  operations: Record<
    string,
    { action: string; summary: string; messages: { $ref: string }[]; reply?: unknown }
  >;
  components: {
    messages: Record<
      string,
      {
        name: string;
        summary?: string;
        payload: { properties: { data: { properties?: object; oneOf?: object[] } } };
      }
    >;
  };
  'x-close-codes': { code: number }[];
}

/** The document's errors and warnings from `@asyncapi/parser` (hints left out), as readable lines. */
async function parserFindings(json: string): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(json);
  return diagnostics
    .filter((diagnostic) => diagnostic.severity <= DiagnosticSeverity.Warning)
    .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
}

/** Every client event the document says the server receives, with its description. */
function receivedEvents(doc: Doc): Record<string, string> {
  return Object.fromEntries(
    Object.values(doc.operations)
      .filter((operation) => operation.action === 'receive')
      .map((operation) => {
        const key = operation.messages[0].$ref.split('/').pop()!;
        return [doc.components.messages[key].name, operation.summary];
      }),
  );
}

class ShoutDto extends ChatRequestDto {
  @IsString() @MaxLength(10) word!: string;
}

/** A user's gateway with one event documented, one without a description, one without a DTO. */
class ExtendedGateway extends ChatGateway {
  @SubscribeMessage('shout')
  @AsyncApiEvent({ description: 'Shouts a word back.' })
  shout(@MessageBody() dto: ShoutDto): { event: string; data: object } {
    return { event: 'shout', data: { word: dto.word.toUpperCase() } };
  }

  @SubscribeMessage('whisper')
  whisper(@MessageBody() dto: ShoutDto): { event: string; data: object } {
    return { event: 'whisper', data: { word: dto.word.toLowerCase() } };
  }

  @SubscribeMessage('wave')
  @AsyncApiEvent({ description: 'Waves.' })
  wave(): { event: string; data: object } {
    return { event: 'wave', data: {} };
  }
}

describe('the AsyncAPI document at /asyncapi.json', () => {
  let sut: TestApp | undefined;

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
  });

  it('is a valid AsyncAPI 3.0 document by @asyncapi/parser, served as JSON', async () => {
    sut = await startApp();

    const response = await fetch(`${sut.httpUrl}/asyncapi.json`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const json = await response.text();
    expect(JSON.parse(json)).toMatchObject({ asyncapi: '3.0.0' });
    expect(await parserFindings(json)).toEqual([]);
  });

  it('declares the bearer header and the access_token query parameter in JWT mode, and stays valid', async () => {
    sut = await startApp({ JWT_SECRET: 'a secret of the spec, long enough for HS256' });

    const json = await (await fetch(`${sut.httpUrl}/asyncapi.json`)).text();

    expect(JSON.parse(json)).toMatchObject({
      servers: {
        switchboard: {
          security: [
            { $ref: '#/components/securitySchemes/bearer' },
            { $ref: '#/components/securitySchemes/accessToken' },
          ],
        },
      },
    });
    expect(await parserFindings(json)).toEqual([]);
  });

  it("covers every @SubscribeMessage event of ChatGateway with a description and its DTO's rules, and leaves no gap", async () => {
    sut = await startApp();
    const contract = sut.app.get(AsyncApiContractService);
    const doc = (await (await fetch(`${sut.httpUrl}/asyncapi.json`)).json()) as Doc;

    const handled = contract
      .gatewayEvents()
      .filter((event) => event.gateway === ChatGateway.name)
      .map((event) => event.event);
    expect(handled.sort()).toEqual(Object.values(ClientEvent).sort());
    const received = receivedEvents(doc);
    expect(Object.keys(received).sort()).toEqual(handled);
    for (const [event, description] of Object.entries(received)) {
      expect(description, event).toMatch(/\w{3,}/);
    }
    expect(contract.contract.gaps).toEqual([]);
    // The DTO's class-validator rules, inherited ones included.
    expect(doc.components.messages['client.message'].payload.properties.data).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['room', 'text']) as unknown,
      properties: {
        room: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
        text: { type: 'string', pattern: '\\S' },
        clientMsgId: { type: 'string', minLength: 1, maxLength: 64 },
        ref: { type: 'string', maxLength: 64 },
      },
    });
    expect(doc.components.messages['client.history'].payload.properties.data).toMatchObject({
      properties: { limit: { type: 'integer', minimum: 1, maximum: 100 } },
    });
  });

  it('lists every error code in the error message and every close code', async () => {
    sut = await startApp();
    const doc = (await (await fetch(`${sut.httpUrl}/asyncapi.json`)).json()) as Doc;

    const code = (
      doc.components.messages['server.error'].payload.properties.data.properties as {
        code: { oneOf: { const: string; description: string }[] };
      }
    ).code;
    expect(code.oneOf.map((entry) => entry.const).sort()).toEqual(
      Object.values(ChatErrorCode).sort(),
    );
    for (const entry of code.oneOf) expect(entry.description, entry.const).toMatch(/\w{3,}/);
    expect(doc['x-close-codes'].map((entry) => entry.code)).toEqual(
      Object.values(CloseCode).filter((value) => typeof value === 'number'),
    );
  });

  it("reports a user's gateway event without a description or a DTO as a gap, and documents the rest", async () => {
    sut = await startApp({}, (builder) =>
      builder.overrideProvider(ChatGateway).useClass(ExtendedGateway),
    );
    const contract = sut.app.get(AsyncApiContractService).contract;

    expect(contract.gaps).toEqual([
      "ExtendedGateway 'whisper' has no description: add @AsyncApiEvent({ description }) beside @SubscribeMessage",
      "ExtendedGateway 'wave' has no payload schema: type its @MessageBody() with a class-validator DTO",
    ]);
    const doc = contract.document as unknown as Doc;
    expect(receivedEvents(doc)).toMatchObject({
      shout: 'Shouts a word back.',
      join: expect.any(String) as unknown,
    });
    expect(doc.components.messages['client.shout'].payload.properties.data).toMatchObject({
      required: ['word'],
      properties: { word: { type: 'string', maxLength: 10 } },
    });
    expect(await parserFindings(JSON.stringify(doc))).toEqual([]);
  });
});

describe('the contract page at /asyncapi', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  it('shows every client event, server event, error code and close code, with no script and a same-origin stylesheet', async () => {
    const response = await fetch(`${sut.httpUrl}/asyncapi`);
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).not.toContain('<script');
    expect(html).not.toContain('style=');
    expect(html).toContain('<link rel="stylesheet" href="/asyncapi.css">');
    for (const event of Object.values(ClientEvent))
      expect(html).toContain(`<td><code>${event}</code></td>`);
    for (const event of ['joined', 'ack', 'presence', 'receipt', 'error']) {
      expect(html).toContain(`<td><code>${event}</code></td>`);
    }
    for (const code of Object.values(ChatErrorCode)) expect(html).toContain(`<code>${code}</code>`);
    expect(html).toContain('<td>4001</td>');
    const css = await fetch(`${sut.httpUrl}/asyncapi.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('table{');
  });
});

/** The schema with every object that lists its properties closed to others, so an undocumented field fails. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const copy = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, closed(value)]),
  ) as Record<string, unknown>;
  return copy.properties ? { ...copy, additionalProperties: false } : copy;
}

describe('every frame of a session, as the document describes it', () => {
  let database: TestDatabase;
  let sut: TestApp;
  let validators: Map<string, ValidateFunction>;

  beforeAll(async () => {
    // A database, for edit, delete, read, conversations and history {with}.
    database = await createTestDatabase('sqlite', 'asyncapi');
    sut = await startApp({ DATABASE_URL: database.url });
    const doc = (await (await fetch(`${sut.httpUrl}/asyncapi.json`)).json()) as Doc;
    const ajv = new Ajv({ strict: false, allErrors: true });
    validators = new Map(
      Object.entries(doc.components.messages).map(([key, message]) => [
        key,
        ajv.compile(closed(message.payload) as object),
      ]),
    );
  });

  afterAll(async () => {
    await sut.close();
    await database.drop();
  });

  it('validates every client request sent and every server frame received, and the session meets every server event', async () => {
    const received: Frame[] = [];
    const check = (direction: 'client' | 'server', frame: { event: string; data: unknown }) => {
      const validate = validators.get(`${direction}.${frame.event}`);
      expect(validate, `the document has ${direction} event ${frame.event}`).toBeDefined();
      expect(
        validate!(frame) ? [] : validate!.errors,
        `${direction} ${JSON.stringify(frame)}`,
      ).toEqual([]);
    };
    /** Sends a request the document allows (or, with `refused`, one it forbids) and keeps the reply. */
    const request = async (
      client: TestClient,
      event: string,
      data: Record<string, unknown>,
      refused = false,
    ) => {
      const frame = { event, data: { ...data, ref: 'r' } };
      if (refused)
        expect(validators.get(`client.${event}`)!(frame), JSON.stringify(frame)).toBe(false);
      else check('client', frame);
      const reply = await client.request(event, data);
      received.push(reply);
      return reply;
    };
    const next = async (client: TestClient, event: string) => {
      const frame = await client.next(event);
      received.push(frame);
      return frame;
    };
    const [alice, bob] = await connectUsers(sut, 'alice', 'bob');

    await request(alice, 'join', { room: 'design' });
    await request(bob, 'join', { room: 'design' });
    await next(alice, 'presence');
    const first = await request(alice, 'message', {
      room: 'design',
      text: 'one',
      clientMsgId: 'c1',
    });
    await next(bob, 'message');
    const second = await request(alice, 'message', { room: 'design', text: 'two' });
    await next(bob, 'message');
    check('client', { event: 'typing', data: { room: 'design' } });
    alice.send('typing', { room: 'design' });
    await next(bob, 'typing');
    await request(bob, 'members', { room: 'design' });
    await request(bob, 'history', { room: 'design', limit: 10 });
    await request(alice, 'edit', { room: 'design', id: first.data.id, text: 'one, edited' });
    await next(bob, 'edited');
    await request(alice, 'delete', { room: 'design', id: second.data.id });
    await next(bob, 'deleted');
    await request(bob, 'join', { room: 'design', since: first.data.id });
    await request(bob, 'read', { room: 'design', id: second.data.id });
    await next(alice, 'receipt');
    await request(alice, 'dm', { to: 'bob', text: 'psst' });
    await next(bob, 'dm');
    await request(bob, 'history', { with: 'alice' });
    await request(bob, 'conversations', { limit: 10 });
    await request(bob, 'ping', {});
    for (const [event, data] of [
      ['ban', { userId: 'bob', room: 'design', durationMs: 1000, reason: 'spam' }],
      ['unban', { userId: 'bob' }],
      ['mute', { userId: 'bob', room: 'design', durationMs: 60_000 }],
      ['unmute', { userId: 'bob', room: 'design' }],
      ['slowmode', { room: 'design', seconds: 10 }],
    ] as const)
      check('client', { event, data: { ...data, ref: 'r' } });
    // Dev-mode users have no moderator role: the app's server mutes, and the frames are the same.
    await sut.app.get(ChatPublisher).mute('bob', 'design', { durationMs: 60_000, reason: 'calm' });
    await next(bob, 'moderated');
    await next(alice, 'moderation');
    await request(bob, 'leave', { room: 'design' });
    await next(alice, 'presence');
    await request(bob, 'message', { room: 'design', text: 'not joined' });
    await request(alice, 'history', { room: 'design', limit: 1000 }, true);

    for (const frame of received) check('server', frame);
    const events = new Set(received.map((frame) => frame.event));
    expect([...events].sort()).toEqual(
      [...validators.keys()]
        .filter((key) => key.startsWith('server.'))
        .map((key) => key.slice('server.'.length))
        .sort(),
    );
    expect(
      received.filter((frame) => frame.event === 'error').map((frame) => frame.data.code),
    ).toEqual(['not_in_room', 'validation_failed']);
  });
});
