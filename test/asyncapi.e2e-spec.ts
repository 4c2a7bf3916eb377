import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { IsString, MaxLength } from 'class-validator';
import { AsyncApiContractService } from '../src/asyncapi/asyncapi-contract.service.js';
import { AsyncApiEvent } from '../src/gateway/async-api-event.decorator.js';
import { ChatGateway } from '../src/gateway/chat.gateway.js';
import { ChatRequestDto } from '../src/gateway/dto/chat-request.dto.js';
import { ChatErrorCode } from '../src/protocol/chat-error-code.js';
import { ClientEvent } from '../src/protocol/chat.events.js';
import { CloseCode } from '../src/protocol/close-code.js';
import { startApp, type TestApp } from './utils/test-app.js';

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
