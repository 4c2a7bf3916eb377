import * as ws from 'ws';

/** ws's frame decoder: exported by ws, missing from @types/ws. */
const { Receiver } = ws as unknown as { Receiver: unknown };
import { frameText, prepareFrame } from './prepared-frame.js';

/** Decodes server frames with ws's own receiver, as a client would. */
function decode(wire: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const receiver = new (
      Receiver as unknown as new (options: object) => NodeJS.WritableStream & {
        on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
      }
    )({ isServer: false });
    receiver.on('message', (data) => resolve(data.toString()));
    receiver.on('error', reject);
    receiver.write(wire);
  });
}

describe('prepareFrame', () => {
  it.each([
    ['a short payload', 10],
    ['a payload with a 16-bit length', 300],
    ['a payload with a 64-bit length', 70_000],
  ])('frames %s as one unmasked text frame a client decodes', async (_, size) => {
    const payload = Buffer.from(
      JSON.stringify({ event: 'message', data: { text: 'x'.repeat(size) } }),
    );

    const sut = prepareFrame(payload);

    expect(sut.payload).toBe(payload);
    expect(await decode(sut.wire)).toBe(payload.toString());
  });
});

describe('frameText', () => {
  it.each([
    ['an empty text', ''],
    ['a text of 125 bytes, the longest 7-bit length', 'x'.repeat(125)],
    ['a text of 126 bytes, the shortest 16-bit length', 'x'.repeat(126)],
    ['a text of 65,535 bytes, the longest 16-bit length', 'x'.repeat(65_535)],
    ['a text of 65,536 bytes, the shortest 64-bit length', 'x'.repeat(65_536)],
    ['multi-byte characters, counted in bytes', 'é€😀'.repeat(30)],
  ])('frames %s as prepareFrame frames its UTF-8 bytes', async (_, text) => {
    const wire = frameText(text);

    expect(wire.equals(prepareFrame(Buffer.from(text)).wire)).toBe(true);
    expect(await decode(wire)).toBe(text);
  });
});
