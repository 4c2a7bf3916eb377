import * as ws from 'ws';

/** ws's frame decoder: exported by ws, missing from @types/ws. */
const { Receiver } = ws as unknown as { Receiver: unknown };
import { prepareFrame } from './prepared-frame.js';

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
