import { IsString, MaxLength } from 'class-validator';
import { ChatRequestDto } from '../gateway/dto/chat-request.dto.js';
import { generateContract, type GatewayEvent } from './asyncapi-document.js';
import { renderContractPage } from './asyncapi-page.js';

class PingDto extends ChatRequestDto {
  @IsString() @MaxLength(8) word!: string;
}

const SERVER = { defaultHost: 'localhost:8080', jwt: false };

function event(overrides: Partial<GatewayEvent>): GatewayEvent {
  return {
    gateway: 'PingGateway',
    path: '/',
    event: 'ping',
    payloadType: PingDto,
    doc: { description: 'Pings.', reply: 'ack' },
    ...overrides,
  };
}

describe('generateContract', () => {
  it("documents an event from its DTO's rules, inherited ones included, with its description and reply", () => {
    const sut = generateContract([event({})], SERVER);

    expect(sut.gaps).toEqual([]);
    expect(sut.document.operations).toMatchObject({
      'receive.ping': {
        action: 'receive',
        summary: 'Pings.',
        messages: [{ $ref: '#/channels/chat/messages/client.ping' }],
        reply: {
          messages: [
            { $ref: '#/channels/chat/messages/server.ack' },
            { $ref: '#/channels/chat/messages/server.error' },
          ],
        },
      },
    });
    expect(sut.document.components).toMatchObject({
      messages: {
        'client.ping': {
          payload: {
            required: ['event', 'data'],
            properties: {
              event: { const: 'ping' },
              data: {
                required: ['word'],
                properties: {
                  word: { type: 'string', maxLength: 8 },
                  ref: { type: 'string', maxLength: 64 },
                },
              },
            },
          },
        },
      },
    });
  });

  it('names an event without a description and one without a DTO as gaps', () => {
    const sut = generateContract(
      [event({ event: 'mute', doc: undefined }), event({ event: 'bare', payloadType: Object })],
      SERVER,
    );

    expect(sut.gaps).toEqual([
      "PingGateway 'mute' has no description: add @AsyncApiEvent({ description }) beside @SubscribeMessage",
      "PingGateway 'bare' has no payload schema: type its @MessageBody() with a class-validator DTO",
    ]);
  });

  it('gives the gateways of two paths a channel each, every server event on both', () => {
    const sut = generateContract([event({}), event({ path: '/admin', event: 'kick' })], SERVER);

    const channels = sut.document.channels as Record<string, { address: string; messages: object }>;
    expect(Object.values(channels).map((channel) => channel.address)).toEqual(['/', '/admin']);
    for (const channel of Object.values(channels)) {
      expect(channel.messages).toHaveProperty(['server.joined']);
    }
    expect(Object.keys(sut.document.operations as object)).toEqual(
      expect.arrayContaining(['chat_.receive.ping', 'chat_admin.receive.kick']) as unknown,
    );
  });

  it('declares the bearer header and the access_token query parameter in JWT mode only', () => {
    const dev = generateContract([event({})], SERVER).document;
    const jwt = generateContract([event({})], { ...SERVER, jwt: true }).document;

    expect(dev.components).not.toHaveProperty('securitySchemes');
    expect(jwt.components).toMatchObject({
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        accessToken: { type: 'httpApiKey', in: 'query', name: 'access_token' },
      },
    });
  });
});

describe('renderContractPage', () => {
  it('escapes markup in every text it shows', () => {
    const sut = renderContractPage(
      generateContract(
        [
          event({
            event: '<img src=x>',
            doc: { description: '<script>alert(1)</script> & `co<de>`' },
          }),
        ],
        SERVER,
      ).document,
    );

    expect(sut).not.toContain('<script>');
    expect(sut).not.toContain('<img');
    expect(sut).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; <code>co&lt;de&gt;</code>');
    expect(sut).toContain('<code>&lt;img src=x&gt;</code>');
  });
});
