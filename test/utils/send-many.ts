import type { Frame, TestClient } from './test-client.js';

/**
 * Sends `count` room messages `<prefix>0`, `<prefix>1`, … (each padded with `pad` x's) pipelined, and
 * resolves with their acks in order; fails the test when any reply is not an `ack`.
 */
export async function sendMany(
  client: TestClient,
  room: string,
  count: number,
  prefix = 'm',
  pad = 0,
): Promise<Frame[]> {
  const texts = Array.from({ length: count }, (_, i) => `${prefix}${i}${'x'.repeat(pad)}`);
  texts.forEach((text, i) => client.send('message', { room, text, ref: `${room}/${i}` }));
  const acks: Frame[] = [];
  for (let i = 0; i < count; i += 1) {
    acks.push(await client.next((f) => f.data.ref === `${room}/${i}`, `the ack of ${texts[i]}`));
  }
  expect(acks.filter((ack) => ack.event !== 'ack')).toEqual([]);
  return acks;
}
