import { InvalidConfigurationError, parseEnvironment, parseOptions } from './app-config.js';
import { serverApiKeysFromText, serverApiKeysProblems } from './server-api-keys.js';

const HASH = 'a'.repeat(64);
const key = (fields: Record<string, unknown> = {}) => ({
  id: 'deploys',
  sha256: HASH,
  scopes: ['publish'],
  rooms: ['ops'],
  ...fields,
});

describe('SERVER_API_KEYS', () => {
  it('reads a blank value as no key, and JSON as the array it holds', () => {
    expect(serverApiKeysFromText(' ')).toEqual([]);
    expect(serverApiKeysFromText(JSON.stringify([key()]))).toEqual([key()]);
  });

  it('accepts several keys with exact names, prefixes and * as room patterns', () => {
    const sut = serverApiKeysProblems([
      key(),
      key({ id: 'all', sha256: 'B'.repeat(64), rooms: ['*', 'team-*'] }),
      key({ id: 'dms', sha256: 'c'.repeat(64), scopes: ['dm', 'disconnect'], rooms: undefined }),
    ]);

    expect(sut).toEqual([]);
  });

  it('bounds room moderation by rooms, and the service ban and user reads by their scope alone', () => {
    const roomModerator = key({ scopes: ['ban', 'mute', 'roomModeration'], rooms: undefined });
    const serviceModerator = key({
      scopes: ['banFromService', 'unbanFromService', 'userModeration'],
      rooms: undefined,
    });

    expect(serverApiKeysProblems([serviceModerator])).toEqual([]);
    expect(serverApiKeysProblems([roomModerator])).toEqual([
      'key 0 (deploys): rooms is required with the room scopes ban, mute, roomModeration (["*"] for every room)',
    ]);
  });

  it('names an unknown scope and lists the known ones', () => {
    const [sut] = serverApiKeysProblems([key({ scopes: ['publish', 'admin'] })]);

    expect(sut).toMatch(/^key 0 \(deploys\): unknown scope "admin" \(known: publish, emitToRoom/);
  });

  it.each([
    ['a key in place of its hash', { sha256: 'my-secret' }, /sha256 must be the key's SHA-256/],
    ['no scopes', { scopes: [] }, /scopes must be a non-empty array/],
    [
      'a room scope without rooms',
      { rooms: undefined },
      /rooms is required with the room scopes publish/,
    ],
    ['a pattern with * inside', { rooms: ['te*am'] }, /room pattern "te\*am" is neither/],
    ['an unknown field', { secret: 'x' }, /unknown field secret/],
    ['a bad id', { id: 'has space' }, /key 0: id must be 1 to 53/],
    ['an id of 54 characters', { id: 'k'.repeat(54) }, /key 0: id must be 1 to 53/],
  ])('refuses %s', (_, fields, problem) => {
    expect(serverApiKeysProblems([key(fields)])).toEqual([expect.stringMatching(problem)]);
  });

  it('refuses two keys with one id or one hash', () => {
    const sut = serverApiKeysProblems([key(), key(), key({ id: 'other' })]);

    expect(sut).toEqual([
      'key 1 (deploys): id is used by an earlier key',
      'key 1 (deploys): sha256 is the hash of an earlier key',
      'key 2 (other): sha256 is the hash of an earlier key',
    ]);
  });

  it('refuses to boot on text that is not a JSON array, naming the key', () => {
    const boot = () => parseEnvironment({ SERVER_API_KEYS: '{not json' });

    expect(boot).toThrow(InvalidConfigurationError);
    expect(boot).toThrow(/SERVER_API_KEYS="\{not json": must be a JSON array/);
  });

  it('takes the keys typed as a module option, and refuses an unknown scope there too', () => {
    expect(parseOptions({ SERVER_API_KEYS: [key() as never] }).SERVER_API_KEYS).toEqual([key()]);
    expect(() => parseOptions({ SERVER_API_KEYS: [key({ scopes: ['root'] }) as never] })).toThrow(
      /SERVER_API_KEYS=.*unknown scope "root"/,
    );
  });
});
