import { parseEnvironment, InvalidConfigurationError } from './app-config.js';
import { databaseTarget, DEFAULT_SQLITE_PATH } from './database-target.js';

describe('databaseTarget', () => {
  it('keeps history in the default SQLite file when neither DATABASE_URL nor REDIS_URL is set', () => {
    expect(databaseTarget(parseEnvironment({}))).toEqual({
      kind: 'sqlite',
      path: DEFAULT_SQLITE_PATH,
    });
  });

  it('keeps no database beside REDIS_URL when DATABASE_URL is unset', () => {
    expect(databaseTarget(parseEnvironment({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toEqual({
      kind: 'memory',
    });
  });

  it.each(['postgres://db.internal:5432/chat', 'postgresql://user@127.0.0.1/chat?sslmode=disable'])(
    'reads %s as PostgreSQL',
    (url) => {
      expect(databaseTarget(parseEnvironment({ DATABASE_URL: url }))).toEqual({
        kind: 'postgres',
        url,
      });
    },
  );

  it('reads sqlite:<path> as that file, relative or absolute', () => {
    expect(
      databaseTarget(parseEnvironment({ DATABASE_URL: 'sqlite:/var/lib/sb/chat.db' })),
    ).toEqual({ kind: 'sqlite', path: '/var/lib/sb/chat.db' });
    expect(databaseTarget(parseEnvironment({ DATABASE_URL: 'sqlite:chat.db' }))).toEqual({
      kind: 'sqlite',
      path: 'chat.db',
    });
  });

  it('reads memory as no database, with or without REDIS_URL', () => {
    expect(databaseTarget(parseEnvironment({ DATABASE_URL: 'memory' }))).toEqual({
      kind: 'memory',
    });
    expect(
      databaseTarget(
        parseEnvironment({ DATABASE_URL: 'memory', REDIS_URL: 'redis://127.0.0.1:6379' }),
      ),
    ).toEqual({ kind: 'memory' });
  });

  it('takes PostgreSQL beside REDIS_URL', () => {
    expect(
      databaseTarget(
        parseEnvironment({ DATABASE_URL: 'postgres://db/chat', REDIS_URL: 'redis://cache:6379' }),
      ),
    ).toEqual({ kind: 'postgres', url: 'postgres://db/chat' });
  });
});

describe('DATABASE_URL validation', () => {
  it.each(['mysql://db/chat', 'sqlite:', 'postgres://', 'Memory', 'file:chat.db'])(
    'refuses %s, naming the key',
    (url) => {
      expect(() => parseEnvironment({ DATABASE_URL: url })).toThrow(/DATABASE_URL=/);
    },
  );

  it('refuses an embedded SQLite file beside REDIS_URL, saying why', () => {
    let refused: unknown;
    try {
      parseEnvironment({ DATABASE_URL: 'sqlite:./chat.db', REDIS_URL: 'redis://127.0.0.1:6379' });
    } catch (error) {
      refused = error;
    }

    expect(refused).toBeInstanceOf(InvalidConfigurationError);
    expect((refused as InvalidConfigurationError).keys).toEqual(['DATABASE_URL', 'REDIS_URL']);
    expect((refused as InvalidConfigurationError).message).toContain(
      'cannot be shared by several nodes',
    );
  });

  it('reads an empty DATABASE_URL as unset', () => {
    expect(parseEnvironment({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('refuses a DATABASE_POOL_SIZE below 1', () => {
    expect(() => parseEnvironment({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE="0"/);
  });
});
