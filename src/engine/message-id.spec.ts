import { formatMessageId, isMessageIdAfter, parseMessageId } from './message-id.js';

describe('message ids', () => {
  it('formats a sequence zero-padded to twelve digits after the epoch', () => {
    expect(formatMessageId('a1b2', 42)).toBe('a1b2-000000000042');
  });

  it('parses what it formats', () => {
    expect(parseMessageId(formatMessageId('ep0ch', 1234567))).toEqual({
      epoch: 'ep0ch',
      sequence: 1234567,
    });
  });

  it('sorts the ids of one epoch as strings in sequence order', () => {
    const ids = [9, 10, 99, 100, 1000].map((sequence) => formatMessageId('e', sequence));

    expect([...ids].sort()).toEqual(ids);
  });

  it.each(['', 'garbage', '-000000000001', 'e-', 'e-12a', 'e-1.5', 'e--1', 'e-99999999999999999'])(
    'refuses %j',
    (id) => {
      expect(parseMessageId(id)).toBeUndefined();
    },
  );

  it('orders ids of one epoch by sequence', () => {
    expect(isMessageIdAfter(formatMessageId('e', 2), formatMessageId('e', 1))).toBe(true);
    expect(isMessageIdAfter(formatMessageId('e', 1), formatMessageId('e', 2))).toBe(false);
    expect(isMessageIdAfter(formatMessageId('e', 1), formatMessageId('e', 1))).toBe(false);
  });

  it('counts an id of another epoch, or a malformed one, as after', () => {
    expect(isMessageIdAfter(formatMessageId('x', 1), formatMessageId('e', 9))).toBe(true);
    expect(isMessageIdAfter('garbage', formatMessageId('e', 9))).toBe(true);
  });
});
