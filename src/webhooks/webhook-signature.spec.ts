import { createHmac } from 'node:crypto';
import { signature, signatureHeader, verifySignature } from './webhook-signature.js';

const SECRET = 'whsec-0123456789abcdef';
const BODY = '{"events":[{"id":"e1","type":"room.occupied","ts":1,"room":"ops"}]}';

describe('webhook signatures', () => {
  it('are the hex HMAC-SHA256 of "<timestamp>.<body>" under the secret', () => {
    const sut = signature(SECRET, '1700000000000', BODY);

    expect(sut).toBe(createHmac('sha256', SECRET).update(`1700000000000.${BODY}`).digest('hex'));
  });

  it('carry one v1= entry per secret during a rotation', () => {
    const sut = signatureHeader([SECRET, 'older-secret-0123456789'], '1', BODY);

    expect(sut.split(',')).toEqual([
      `v1=${signature(SECRET, '1', BODY)}`,
      `v1=${signature('older-secret-0123456789', '1', BODY)}`,
    ]);
  });

  it('verify for either secret of a rotation', () => {
    const timestamp = String(Date.now());
    const header = signatureHeader([SECRET, 'older-secret-0123456789'], timestamp, BODY);

    expect(verifySignature({ body: BODY, timestamp, signatureHeader: header }, SECRET)).toBe(true);
    expect(
      verifySignature(
        { body: BODY, timestamp, signatureHeader: header },
        'older-secret-0123456789',
      ),
    ).toBe(true);
  });

  it('fail for a changed body, another secret, a changed timestamp or a missing header', () => {
    const timestamp = String(Date.now());
    const header = signatureHeader([SECRET], timestamp, BODY);

    expect(verifySignature({ body: `${BODY} `, timestamp, signatureHeader: header }, SECRET)).toBe(
      false,
    );
    expect(
      verifySignature({ body: BODY, timestamp, signatureHeader: header }, 'x'.repeat(20)),
    ).toBe(false);
    expect(
      verifySignature(
        { body: BODY, timestamp: String(Number(timestamp) + 1), signatureHeader: header },
        SECRET,
      ),
    ).toBe(false);
    expect(verifySignature({ body: BODY, timestamp, signatureHeader: undefined }, SECRET)).toBe(
      false,
    );
  });

  it('fail for a request signed longer ago than the tolerance (a replay)', () => {
    const timestamp = '1700000000000';
    const header = signatureHeader([SECRET], timestamp, BODY);

    const sut = (now: number) =>
      verifySignature({ body: BODY, timestamp, signatureHeader: header }, SECRET, 300_000, now);

    expect(sut(1700000000000 + 299_000)).toBe(true);
    expect(sut(1700000000000 + 301_000)).toBe(false);
  });
});
