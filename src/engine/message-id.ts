/** A message id taken apart: the epoch of the log that issued it and its sequence number there. */
export interface MessageId {
  epoch: string;
  sequence: number;
}

/** The id `<epoch>-<sequence>` of the memory and database engines (the epoch holds no dash). */
export function formatMessageId(epoch: string, sequence: number): string {
  // Zero-padded so that ids of one log also sort as strings.
  return `${epoch}-${sequence.toString().padStart(12, '0')}`;
}

/** Splits `<epoch>-<sequence>`; undefined for anything else. */
export function parseMessageId(id: string): MessageId | undefined {
  const dash = id.indexOf('-');
  if (dash <= 0) return undefined;
  const digits = id.slice(dash + 1);
  if (!/^\d{1,16}$/.test(digits)) return undefined;
  const sequence = Number(digits);
  return Number.isSafeInteger(sequence) ? { epoch: id.slice(0, dash), sequence } : undefined;
}

/** Whether id `a` comes after id `b`; ids of different epochs cannot be ordered, and count as after. */
export function isMessageIdAfter(a: string, b: string): boolean {
  const [pa, pb] = [parseMessageId(a), parseMessageId(b)];
  // Deliver rather than drop what cannot be ordered.
  return !pa || !pb || pa.epoch !== pb.epoch || pa.sequence > pb.sequence;
}
