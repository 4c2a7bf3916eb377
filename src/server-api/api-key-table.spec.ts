import { createHash } from 'node:crypto';
import { ApiKeyTable, grantAllows, roomMatches } from './api-key-table.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('ApiKeyTable', () => {
  const sut = new ApiKeyTable([
    { id: 'old', sha256: sha256('old-secret'), scopes: ['publish'], rooms: ['ops'] },
    { id: 'new', sha256: sha256('new-secret').toUpperCase(), scopes: ['dm'] },
  ]);

  it('finds each active key by the key itself, whatever the case of its configured hash', () => {
    expect(sut.find('old-secret')?.id).toBe('old');
    expect(sut.find('new-secret')?.id).toBe('new');
  });

  it('finds nothing for an unknown, empty, hash-as-key or oversized key', () => {
    expect(sut.find('nope')).toBeUndefined();
    expect(sut.find('')).toBeUndefined();
    expect(sut.find(sha256('old-secret'))).toBeUndefined();
    expect(sut.find('old-secret'.padEnd(600, 'x'))).toBeUndefined();
  });

  it('is off without keys', () => {
    expect(new ApiKeyTable([]).enabled).toBe(false);
    expect(sut.enabled).toBe(true);
  });
});

describe('grantAllows', () => {
  const grant = { id: 'k', scopes: new Set(['publish', 'dm'] as const), rooms: ['ops', 'team-*'] };

  it('allows a scope the key has in a room its patterns match', () => {
    expect(grantAllows(grant, 'publish', 'ops')).toBe(true);
    expect(grantAllows(grant, 'publish', 'team-blue')).toBe(true);
  });

  it('refuses a room outside the patterns, and a scope the key lacks', () => {
    expect(grantAllows(grant, 'publish', 'ops2')).toBe(false);
    expect(grantAllows(grant, 'publish', 'team')).toBe(false);
    expect(grantAllows(grant, 'members', 'ops')).toBe(false);
  });

  it('checks a user operation by its scope alone', () => {
    expect(grantAllows(grant, 'dm')).toBe(true);
    expect(grantAllows(grant, 'disconnect')).toBe(false);
  });
});

describe('roomMatches', () => {
  it.each([
    ['*', 'anything', true],
    ['ops', 'ops', true],
    ['ops', 'ops-2', false],
    ['ops*', 'ops-2', true],
    ['ops*', 'op', false],
  ])('%s against %s is %s', (pattern, room, expected) => {
    expect(roomMatches(pattern, room)).toBe(expected);
  });
});
