import type { Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { exportSPKI, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import type { IncomingMessage } from 'node:http';
import { secondsFromNow, signToken } from '../../test/utils/jwt.js';
import { appConfig, parseEnvironment } from '../config/app-config.js';
import { DefaultIdentityProvider } from './default-identity-provider.js';
import { HandshakeAuthenticator, InvalidIdentityError } from './handshake-authenticator.js';
import type { Identity } from './identity.js';
import { IdentityProvider } from './identity-provider.js';
import { HandshakeRejection } from './handshake-rejection.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';

/** The authenticator with `provider` behind it (today's JWT/dev-mode identity unless told). */
async function createAuthenticator(
  env: Record<string, string> = {},
  provider: Type<IdentityProvider> = DefaultIdentityProvider,
): Promise<HandshakeAuthenticator> {
  const moduleRef = await Test.createTestingModule({
    providers: [
      HandshakeAuthenticator,
      { provide: IdentityProvider, useClass: provider },
      { provide: appConfig.KEY, useValue: parseEnvironment(env) },
    ],
  }).compile();
  return moduleRef.get(HandshakeAuthenticator);
}

/** Today's identity provider alone. */
function createDefaultProvider(env: Record<string, string> = {}): DefaultIdentityProvider {
  return new DefaultIdentityProvider(parseEnvironment(env));
}

/** An upgrade request as the adapter hands it over. */
function upgrade(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers } as unknown as IncomingMessage;
}

function bearer(token: string): IncomingMessage {
  return upgrade('/', { authorization: `Bearer ${token}` });
}

/** An HS256 token signed with `secret` (the configured one unless told). */
function hs256(payload: JWTPayload, secret = SECRET, exp?: number | string): Promise<string> {
  return signToken(payload, secret, 'HS256', exp);
}

/** Expects the handshake to be refused with this status, and returns the rejection. */
async function rejectionOf(attempt: () => unknown, status: number): Promise<HandshakeRejection> {
  let error: unknown;
  try {
    await attempt();
  } catch (reason) {
    error = reason;
  }
  expect(error).toBeInstanceOf(HandshakeRejection);
  expect((error as HandshakeRejection).status).toBe(status);
  return error as HandshakeRejection;
}

describe('HandshakeAuthenticator', () => {
  describe('in dev mode (no JWT key configured)', () => {
    let sut: HandshakeAuthenticator;

    beforeEach(async () => {
      sut = await createAuthenticator();
    });

    it('does not require tokens', () => {
      expect(createDefaultProvider().jwtMode).toBe(false);
    });

    it('answers in the same turn, not with a promise', () => {
      expect(sut.authenticate(upgrade('/?uid=u-alice'))).not.toBeInstanceOf(Promise);
    });

    it('gives no roles', async () => {
      expect((await sut.authenticate(upgrade('/?uid=u-alice'))).roles).toBeUndefined();
    });

    it('takes the display name from ?name=, trimmed', async () => {
      const identity = await sut.authenticate(upgrade('/?name=%20alice%20'));

      expect(identity.user.name).toBe('alice');
    });

    it('accepts a 32-character name', async () => {
      const name = 'n'.repeat(32);

      expect((await sut.authenticate(upgrade(`/?name=${name}`))).user.name).toBe(name);
    });

    it.each([
      ['absent', '/'],
      ['empty', '/?name='],
      ['longer than 32 characters', `/?name=${'n'.repeat(33)}`],
      ['holding a control character', '/?name=al%07ice'],
    ])('generates a guest-xxxx name when ?name= is %s', async (_, url) => {
      expect((await sut.authenticate(upgrade(url))).user.name).toMatch(/^guest-[0-9a-f]{4}$/);
    });

    it('takes the user id from ?uid=', async () => {
      expect((await sut.authenticate(upgrade('/?uid=user-42'))).user.id).toBe('user-42');
    });

    it('generates a different user id per connection without ?uid=', async () => {
      const first = await sut.authenticate(upgrade('/?name=alice'));
      const second = await sut.authenticate(upgrade('/?name=alice'));

      expect(first.user.id).not.toBe(second.user.id);
    });

    it('ignores a ?uid= with characters a user id may not hold', async () => {
      const identity = await sut.authenticate(upgrade('/?uid=a%20b'));

      expect(identity.user.id).not.toBe('a b');
      expect(identity.user.id).toMatch(/^u-[0-9a-f]+$/);
    });

    it('gives no room claims and no expiry', async () => {
      const identity = await sut.authenticate(upgrade('/?name=alice'));

      expect(identity.roomClaims).toEqual([]);
      expect(identity.expiresAt).toBeUndefined();
    });

    it('ignores an access token', async () => {
      const token = await hs256({ sub: 'u-1', name: 'mallory' });

      const identity = await sut.authenticate(upgrade(`/?access_token=${token}`));

      expect(identity.user.id).not.toBe('u-1');
    });
  });

  describe('with JWT_SECRET (HS256)', () => {
    let sut: HandshakeAuthenticator;

    beforeEach(async () => {
      sut = await createAuthenticator({ JWT_SECRET: SECRET });
    });

    it('requires tokens', () => {
      expect(createDefaultProvider({ JWT_SECRET: SECRET }).jwtMode).toBe(true);
    });

    it('takes the user from the token in the Authorization header', async () => {
      const token = await hs256({ sub: 'u-alice', name: 'Alice' });

      expect((await sut.authenticate(bearer(token))).user).toEqual({
        id: 'u-alice',
        name: 'Alice',
      });
    });

    it('reads the Authorization scheme case-insensitively', async () => {
      const token = await hs256({ sub: 'u-alice', name: 'Alice' });

      const identity = await sut.authenticate(upgrade('/', { authorization: `bearer  ${token}` }));

      expect(identity.user.id).toBe('u-alice');
    });

    it('takes the user from the token in ?access_token=', async () => {
      const token = await hs256({ sub: 'u-alice', name: 'Alice' });

      const identity = await sut.authenticate(upgrade(`/?access_token=${token}`));

      expect(identity.user).toEqual({ id: 'u-alice', name: 'Alice' });
    });

    it('uses sub as the display name when the token has no usable name', async () => {
      const token = await hs256({ sub: 'u-alice', name: 'x'.repeat(40) });

      expect((await sut.authenticate(bearer(token))).user.name).toBe('u-alice');
    });

    it('ignores ?name= and ?uid=', async () => {
      const token = await hs256({ sub: 'u-alice', name: 'Alice' });

      const identity = await sut.authenticate(
        upgrade(`/?access_token=${token}&name=Mallory&uid=u-mallory`),
      );

      expect(identity.user).toEqual({ id: 'u-alice', name: 'Alice' });
    });

    it('carries the rooms claim into the identity, keeping only strings', async () => {
      const token = await hs256({ sub: 'u-alice', rooms: ['private:x', 'private:team-*', 7] });

      const identity = await sut.authenticate(bearer(token));

      expect(identity.roomClaims).toEqual(['private:x', 'private:team-*']);
    });

    it('carries the roles claim into the identity, keeping only strings', async () => {
      const token = await hs256({ sub: 'u-alice', roles: ['moderator', 3, 'staff'] });

      expect((await sut.authenticate(bearer(token))).roles).toEqual(['moderator', 'staff']);
    });

    it('gives no roles for a token without a roles claim', async () => {
      const token = await hs256({ sub: 'u-alice' });

      expect((await sut.authenticate(bearer(token))).roles).toBeUndefined();
    });

    it('carries exp into the identity in milliseconds', async () => {
      const exp = secondsFromNow(600);
      const token = await hs256({ sub: 'u-alice' }, SECRET, exp);

      expect((await sut.authenticate(bearer(token))).expiresAt).toBe(exp * 1000);
    });

    it('refuses an upgrade without a token with 401', async () => {
      await rejectionOf(() => sut.authenticate(upgrade('/?name=alice')), 401);
    });

    it('refuses a token that is not a JWT with 401', async () => {
      await rejectionOf(() => sut.authenticate(bearer('not-a-jwt')), 401);
    });

    it('refuses a token signed with another secret with 401', async () => {
      const token = await hs256({ sub: 'u-alice' }, 'another-secret-of-at-least-32-bytes!');

      await rejectionOf(() => sut.authenticate(bearer(token)), 401);
    });

    it('refuses an expired token with 401, saying so', async () => {
      const token = await hs256({ sub: 'u-alice' }, SECRET, secondsFromNow(-60));

      const rejection = await rejectionOf(() => sut.authenticate(bearer(token)), 401);

      expect(rejection.message).toBe('token expired');
    });

    it('refuses a token without sub with 401', async () => {
      const token = await hs256({ name: 'Alice' });

      await rejectionOf(() => sut.authenticate(bearer(token)), 401);
    });

    it('refuses an unsigned token (alg none) with 401', async () => {
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const token = `${encode({ alg: 'none' })}.${encode({ sub: 'u-alice' })}.`;

      await rejectionOf(() => sut.authenticate(bearer(token)), 401);
    });
  });

  describe('with JWT_ISSUER and JWT_AUDIENCE', () => {
    let sut: HandshakeAuthenticator;

    beforeEach(async () => {
      sut = await createAuthenticator({
        JWT_SECRET: SECRET,
        JWT_ISSUER: 'https://issuer.example',
        JWT_AUDIENCE: 'switchboard',
      });
    });

    it('accepts a token with the expected issuer and audience', async () => {
      const token = await hs256({
        sub: 'u-alice',
        iss: 'https://issuer.example',
        aud: 'switchboard',
      });

      expect((await sut.authenticate(bearer(token))).user.id).toBe('u-alice');
    });

    it('refuses a token from another issuer with 401', async () => {
      const token = await hs256({
        sub: 'u-alice',
        iss: 'https://evil.example',
        aud: 'switchboard',
      });

      await rejectionOf(() => sut.authenticate(bearer(token)), 401);
    });

    it('refuses a token for another audience with 401', async () => {
      const token = await hs256({ sub: 'u-alice', iss: 'https://issuer.example', aud: 'other' });

      await rejectionOf(() => sut.authenticate(bearer(token)), 401);
    });
  });

  describe.each(['RS256', 'ES256'])('with JWT_PUBLIC_KEY (%s)', (alg) => {
    let privateKey: CryptoKey;
    let publicKeyPem: string;
    let sut: HandshakeAuthenticator;

    beforeAll(async () => {
      const pair = await generateKeyPair(alg);
      privateKey = pair.privateKey;
      publicKeyPem = await exportSPKI(pair.publicKey);
    });

    beforeEach(async () => {
      sut = await createAuthenticator({ JWT_PUBLIC_KEY: publicKeyPem });
    });

    it('takes the user from a token in the Authorization header', async () => {
      const token = await signToken({ sub: 'u-alice', name: 'Alice' }, privateKey, alg);

      expect((await sut.authenticate(bearer(token))).user).toEqual({
        id: 'u-alice',
        name: 'Alice',
      });
    });

    it('takes the user from a token in ?access_token=', async () => {
      const token = await signToken({ sub: 'u-alice', name: 'Alice' }, privateKey, alg);

      const identity = await sut.authenticate(upgrade(`/?access_token=${token}`));

      expect(identity.user.id).toBe('u-alice');
    });

    it('accepts the key with its newlines escaped as \\n, as env files carry it', async () => {
      const escaped = await createAuthenticator({
        JWT_PUBLIC_KEY: publicKeyPem.replace(/\n/g, '\\n'),
      });
      const token = await signToken({ sub: 'u-alice' }, privateKey, alg);

      expect((await escaped.authenticate(bearer(token))).user.id).toBe('u-alice');
    });

    it('refuses a token signed by another key with 401', async () => {
      const other = await generateKeyPair(alg);
      const token = await signToken({ sub: 'u-alice' }, other.privateKey, alg);

      await rejectionOf(() => sut.authenticate(bearer(token)), 401);
    });

    it('refuses an HS256 token keyed with the public key text with 401', async () => {
      const token = await signToken({ sub: 'u-alice' }, publicKeyPem, 'HS256');

      await rejectionOf(() => sut.authenticate(bearer(token)), 401);
    });

    it('refuses an expired token with 401', async () => {
      const token = await signToken({ sub: 'u-alice' }, privateKey, alg, secondsFromNow(-60));

      await rejectionOf(() => sut.authenticate(bearer(token)), 401);
    });

    it('refuses an upgrade without a token with 401', async () => {
      await rejectionOf(() => sut.authenticate(upgrade('/')), 401);
    });
  });

  describe('with ALLOWED_ORIGINS', () => {
    let sut: HandshakeAuthenticator;

    beforeEach(async () => {
      sut = await createAuthenticator({
        ALLOWED_ORIGINS: 'https://chat.example.com, https://admin.example.com',
      });
    });

    it('admits every listed Origin', async () => {
      for (const origin of ['https://chat.example.com', 'https://admin.example.com'])
        expect((await sut.authenticate(upgrade('/', { origin }))).user).toBeDefined();
    });

    it('refuses another Origin with 403', async () => {
      await rejectionOf(
        () => sut.authenticate(upgrade('/', { origin: 'https://evil.example' })),
        403,
      );
    });

    it('refuses an upgrade without an Origin with 403', async () => {
      await rejectionOf(() => sut.authenticate(upgrade('/')), 403);
    });

    it('checks the Origin before the token, so a stolen token does not help another site', async () => {
      const withToken = await createAuthenticator({
        JWT_SECRET: SECRET,
        ALLOWED_ORIGINS: 'https://chat.example.com',
      });
      const token = await hs256({ sub: 'u-alice' });

      await rejectionOf(
        () =>
          withToken.authenticate(
            upgrade('/', { origin: 'https://evil.example', authorization: `Bearer ${token}` }),
          ),
        403,
      );
    });
  });
});

describe('HandshakeAuthenticator with a host identity provider', () => {
  /** A host provider answering `answer` for every request, synchronously or (`async`) a turn later. */
  function answering(answer: () => unknown, async = false): Type<IdentityProvider> {
    return class extends IdentityProvider {
      identify(): Identity | Promise<Identity> {
        return (async ? Promise.resolve().then(answer) : answer()) as Identity;
      }
    };
  }

  const alice = { user: { id: 'u-alice', name: 'Alice' }, roles: ['moderator'] };

  it("returns the provider's identity as it is, roles and all", async () => {
    const sut = await createAuthenticator(
      {},
      answering(() => alice),
    );

    expect(sut.authenticate(upgrade('/'))).toBe(alice);
  });

  it('resolves to the identity of a provider that answers with a promise', async () => {
    const sut = await createAuthenticator(
      {},
      answering(() => alice, true),
    );

    await expect(sut.authenticate(upgrade('/'))).resolves.toBe(alice);
  });

  it('passes on the refusal of a provider that throws HandshakeRejection', async () => {
    const sut = await createAuthenticator(
      {},
      answering(() => {
        throw new HandshakeRejection(403, 'account suspended');
      }, true),
    );

    const rejection = await rejectionOf(() => sut.authenticate(upgrade('/')), 403);

    expect(rejection.message).toBe('account suspended');
  });

  it('checks ALLOWED_ORIGINS before asking the provider', async () => {
    let asked = false;
    const sut = await createAuthenticator(
      { ALLOWED_ORIGINS: 'https://chat.example.com' },
      answering(() => {
        asked = true;
        return alice;
      }),
    );

    await rejectionOf(
      () => sut.authenticate(upgrade('/', { origin: 'https://evil.example' })),
      403,
    );
    expect(asked).toBe(false);
  });

  it('uses the user id as the display name when the name is unusable', async () => {
    const sut = await createAuthenticator(
      {},
      answering(() => ({ user: { id: 'u-bob', name: 'b'.repeat(33) } })),
    );

    expect(((await sut.authenticate(upgrade('/'))) as Identity).user).toEqual({
      id: 'u-bob',
      name: 'u-bob',
    });
  });

  it.each([
    ['nothing', undefined],
    ['no user', { roles: [] }],
    ['an empty user id', { user: { id: '', name: 'x' } }],
    ['a user id of 65 characters', { user: { id: 'i'.repeat(65), name: 'x' } }],
    ['roles that are not strings', { user: { id: 'u', name: 'x' }, roles: [1] }],
    ['room claims that are not a list', { user: { id: 'u', name: 'x' }, roomClaims: 'private:*' }],
  ])('refuses as a fault (not a 401) an answer with %s', async (_, answer) => {
    const sut = await createAuthenticator(
      {},
      answering(() => answer, true),
    );

    await expect(sut.authenticate(upgrade('/'))).rejects.toBeInstanceOf(InvalidIdentityError);
  });
});
