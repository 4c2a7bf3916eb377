import { parseEnvelope } from './envelope.js';

const parse = (text: string, defaultRoom = 'lobby') =>
  parseEnvelope(Buffer.from(text), defaultRoom);
const badRequest = (message: string) => ({ refused: 'bad_request', message });

describe('parseEnvelope', () => {
  it('reads an envelope, leading whitespace allowed', () => {
    expect(parse(' \n\t{"event":"join","data":{"room":"a"}}')).toEqual({
      event: 'join',
      data: { room: 'a' },
    });
  });

  it('takes plain text as a message to the default room', () => {
    expect(parse('hello')).toEqual({ event: 'message', data: { room: 'lobby', text: 'hello' } });
  });

  it('refuses plain text when no default room is configured', () => {
    expect(parse('hello', '')).toEqual(
      badRequest('plain text needs a default room, and none is configured'),
    );
  });

  it('refuses a frame that is not JSON', () => {
    expect(parse('{"event":')).toEqual(badRequest('frame is not valid JSON'));
  });

  it('refuses JSON that is not an envelope', () => {
    const refused = badRequest('frame is not an envelope {"event": string, "data": object}');
    expect(parse('{"event":1,"data":{}}')).toEqual(refused);
    expect(parse('{"data":{}}')).toEqual(refused);
  });

  it('refuses data that is not an object', () => {
    const refused = badRequest('"data" must be an object');
    expect(parse('{"event":"join","data":[1]}')).toEqual(refused);
    expect(parse('{"event":"join","data":null}')).toEqual(refused);
    expect(parse('{"event":"join"}')).toEqual(refused);
  });

  it('drops __proto__ keys and constructor.prototype keys', () => {
    const envelope = parse(
      '{"event":"x","data":{"__proto__":{"a":1},"constructor":{"prototype":{}},"b":3}}',
    );
    expect(envelope).toEqual({ event: 'x', data: { b: 3 } });
    expect(Object.hasOwn((envelope as { data: object }).data, '__proto__')).toBe(false);
  });

  it('drops __proto__ and constructor keys spelled with escapes', () => {
    const envelope = parse(
      '{"event":"x","data":{"\\u005f_proto__":{"a":1},"\\u0063onstructor":{"prototype":{}},"b":"\\n"}}',
    );

    expect(envelope).toEqual({ event: 'x', data: { b: '\n' } });
  });

  it('keeps the words __proto__ and constructor in values', () => {
    expect(parse('{"event":"x","data":{"text":"__proto__ constructor"}}')).toEqual({
      event: 'x',
      data: { text: '__proto__ constructor' },
    });
  });

  it('counts arrays and empty objects as levels of nesting', () => {
    const nested = (depth: number, inner: string) =>
      '[{"a":'.repeat(depth / 2) + inner + '}]'.repeat(depth / 2);
    expect(parse(`{"event":"x","data":{"a":${nested(30, '{}')},"b":2}}`)).toMatchObject({
      event: 'x',
    });
    expect(parse(`{"event":"x","data":{"a":1,"b":${nested(32, '{}')}}}`)).toEqual(
      badRequest('"data" is nested too deeply'),
    );
    expect(parse(`{"event":"x","data":{"a":${nested(30, '[]')}}}`)).toMatchObject({ event: 'x' });
  });

  it('takes data nested MAX_DATA_DEPTH deep and refuses one level more', () => {
    const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    expect(parse(`{"event":"x","data":${nested(32)}}`)).toMatchObject({ event: 'x' });
    expect(parse(`{"event":"x","data":${nested(33)}}`)).toEqual(
      badRequest('"data" is nested too deeply'),
    );
  });
});
