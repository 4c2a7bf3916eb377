import { moderates } from './moderator-role.js';

describe('moderates', () => {
  it('makes the plain role a moderator of every room and of the service', () => {
    expect(moderates(['moderator'], 'moderator', 'ops')).toBe(true);
    expect(moderates(['moderator'], 'moderator')).toBe(true);
  });

  it('makes a scoped role a moderator of the rooms it names, exactly or by a trailing *', () => {
    const roles = ['moderator:ops', 'moderator:support-*'];

    expect(moderates(roles, 'moderator', 'ops')).toBe(true);
    expect(moderates(roles, 'moderator', 'support-eu')).toBe(true);
    expect(moderates(roles, 'moderator', 'ops-2')).toBe(false);
    expect(moderates(roles, 'moderator')).toBe(false);
  });

  it('recognises no one without the configured role', () => {
    expect(moderates(undefined, 'moderator', 'ops')).toBe(false);
    expect(moderates(['admin', 'moderators'], 'moderator', 'ops')).toBe(false);
    expect(moderates(['mod'], 'mod', 'ops')).toBe(true);
  });
});
