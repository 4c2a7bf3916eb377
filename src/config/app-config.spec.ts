import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  appConfig,
  InvalidConfigurationError,
  parseEnvironment,
  parseOptions,
  type AppConfig,
  type SwitchboardOptions,
} from './app-config.js';

/** The error `parseEnvironment` throws for this environment (fails the test if it throws none). */
function configurationErrorOf(env: Record<string, string>): InvalidConfigurationError {
  try {
    parseEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    return error as InvalidConfigurationError;
  }
  throw new Error('expected the environment to be refused');
}

describe('parseEnvironment', () => {
  it('applies the documented defaults to an empty environment', () => {
    const sut = parseEnvironment({});

    expect(sut).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      DEFAULT_ROOM: 'lobby',
      ALLOWED_ORIGINS: '',
      MAX_FRAME_BYTES: 65536,
      MAX_TEXT_LENGTH: 4000,
      RATE_LIMIT_PER_SECOND: 20,
      RATE_LIMIT_BURST: 40,
      MAX_ROOMS_PER_CONNECTION: 100,
      SLOW_CONSUMER_BYTES: 1048576,
      HEARTBEAT_INTERVAL_MS: 30000,
      PRESENCE_MAX_MEMBERS: 1000,
      DEDUPE_TTL_MS: 600000,
      PERMESSAGE_DEFLATE: false,
      GATEWAY_FAST_PATH: true,
    });
    expect(sut.JWT_SECRET).toBeUndefined();
    expect(sut.JWT_PUBLIC_KEY).toBeUndefined();
    expect(sut.ASSET_BASE_URL).toBeUndefined();
  });

  it('parses numeric keys into numbers', () => {
    const sut = parseEnvironment({ PORT: '9090', MAX_FRAME_BYTES: '1024' });

    expect(sut.PORT).toBe(9090);
    expect(sut.MAX_FRAME_BYTES).toBe(1024);
  });

  it('ignores variables that are not configuration keys', () => {
    const sut = parseEnvironment({ HOME: '/root', PATH: '/usr/bin' });

    expect(Object.keys(sut)).not.toContain('HOME');
    expect(Object.keys(sut)).not.toContain('PATH');
  });

  it('reads an empty optional key as unset', () => {
    const sut = parseEnvironment({ JWT_SECRET: '', JWT_PUBLIC_KEY: '', ASSET_BASE_URL: '' });

    expect(sut.JWT_SECRET).toBeUndefined();
    expect(sut.JWT_PUBLIC_KEY).toBeUndefined();
    expect(sut.ASSET_BASE_URL).toBeUndefined();
  });

  it('accepts an empty DEFAULT_ROOM, which disables the default room', () => {
    expect(parseEnvironment({ DEFAULT_ROOM: '' }).DEFAULT_ROOM).toBe('');
  });

  it.each([
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
  ])('reads PERMESSAGE_DEFLATE=%s as %s', (value, expected) => {
    expect(parseEnvironment({ PERMESSAGE_DEFLATE: value }).PERMESSAGE_DEFLATE).toBe(expected);
  });

  it('refuses a PERMESSAGE_DEFLATE that is not a boolean', () => {
    expect(configurationErrorOf({ PERMESSAGE_DEFLATE: 'yes' }).message).toContain(
      'PERMESSAGE_DEFLATE="yes"',
    );
  });

  it("reads GATEWAY_FAST_PATH=false as the switch to Nest's own handlers", () => {
    expect(parseEnvironment({ GATEWAY_FAST_PATH: 'false' }).GATEWAY_FAST_PATH).toBe(false);
  });

  it('names every bad key in one error', () => {
    const sut = configurationErrorOf({
      PORT: 'abc',
      MAX_FRAME_BYTES: '-1',
      LOG_LEVEL: 'loud',
      DEFAULT_ROOM: 'no spaces',
      PERMESSAGE_DEFLATE: 'maybe',
      ASSET_BASE_URL: 'not a url',
    });

    for (const key of [
      'PORT="abc"',
      'MAX_FRAME_BYTES="-1"',
      'LOG_LEVEL="loud"',
      'DEFAULT_ROOM="no spaces"',
      'PERMESSAGE_DEFLATE="maybe"',
      'ASSET_BASE_URL="not a url"',
    ])
      expect(sut.message).toContain(key);
  });

  it('does not name the keys that are valid', () => {
    const sut = configurationErrorOf({ PORT: 'abc', HOST: '127.0.0.1', RATE_LIMIT_BURST: '5' });

    expect(sut.message).not.toContain('HOST');
    expect(sut.message).not.toContain('RATE_LIMIT_BURST');
  });

  it('refuses a port out of range', () => {
    expect(configurationErrorOf({ PORT: '65536' }).message).toContain('PORT="65536"');
  });

  it('refuses a fractional integer', () => {
    expect(configurationErrorOf({ MAX_TEXT_LENGTH: '10.5' }).message).toContain(
      'MAX_TEXT_LENGTH="10.5"',
    );
  });

  it('refuses a blank numeric key instead of reading it as 0', () => {
    const sut = configurationErrorOf({ PORT: '', SHUTDOWN_TIMEOUT_MS: ' ' });

    expect(sut.message).toContain('PORT=""');
    expect(sut.message).toContain('SHUTDOWN_TIMEOUT_MS=" "');
  });

  it('refuses numbers written other than as plain decimals (hex, exponent, Infinity), optional keys too', () => {
    const sut = configurationErrorOf({
      PORT: '0x10',
      MAX_TEXT_LENGTH: '1e3',
      SHUTDOWN_TIMEOUT_MS: 'Infinity',
      OPS_PORT: '0b101',
    });

    for (const given of ['PORT="0x10"', 'MAX_TEXT_LENGTH="1e3"', 'SHUTDOWN_TIMEOUT_MS="Infinity"'])
      expect(sut.message).toContain(given);
    expect(sut.message).toContain('OPS_PORT="0b101"');
  });

  it('reads plain decimals, with the blanks around them a .env file may leave', () => {
    const sut = parseEnvironment({ PORT: ' 8080 ', MAX_TEXT_LENGTH: '0500' });

    expect(sut.PORT).toBe(8080);
    expect(sut.MAX_TEXT_LENGTH).toBe(500);
  });

  it('refuses JWT_SECRET and JWT_PUBLIC_KEY set together', () => {
    const sut = configurationErrorOf({ JWT_SECRET: 'secret', JWT_PUBLIC_KEY: 'pem' });

    expect(sut.message).toContain('JWT_SECRET');
    expect(sut.message).toContain('JWT_PUBLIC_KEY');
  });
});

/** The error `parseOptions` throws for these options (fails the test if it throws none). */
function optionsErrorOf(options: unknown): InvalidConfigurationError {
  try {
    parseOptions(options as SwitchboardOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    return error as InvalidConfigurationError;
  }
  throw new Error('expected the options to be refused');
}

describe('parseOptions', () => {
  it('gives the keys left out the same defaults as an empty environment', () => {
    const sut = parseOptions({ PORT: 9090, PERMESSAGE_DEFLATE: true });

    expect(sut).toEqual(parseEnvironment({ PORT: '9090', PERMESSAGE_DEFLATE: 'true' }));
  });

  it('takes an undefined option as left out', () => {
    expect(parseOptions({ DEFAULT_ROOM: undefined }).DEFAULT_ROOM).toBe('lobby');
  });

  it('accepts the settings parseEnvironment made, unchanged', () => {
    const settings = parseEnvironment({ REDIS_URL: 'redis://127.0.0.1:6379', OPS_PORT: '0' });

    expect(parseOptions(settings)).toEqual(settings);
  });

  it('names every bad option in one error', () => {
    const sut = optionsErrorOf({ PORT: 70000, LOG_LEVEL: 'loud', MAX_TEXT_LENGTH: 0 });

    expect(sut.keys).toEqual(['PORT', 'LOG_LEVEL', 'MAX_TEXT_LENGTH']);
    expect(sut.message).toContain('PORT=70000');
    expect(sut.message).toContain('LOG_LEVEL="loud"');
  });

  it('refuses a value of the wrong type rather than converting it', () => {
    const sut = optionsErrorOf({ PORT: '8080', PERMESSAGE_DEFLATE: 'true' });

    expect(sut.keys).toEqual(['PORT', 'PERMESSAGE_DEFLATE']);
  });

  it('refuses an option that is not a key, naming it', () => {
    const sut = optionsErrorOf({ MAX_FRAME_BYTE: 1024, PORT: 1 });

    expect(sut.keys).toEqual(['MAX_FRAME_BYTE']);
    expect(sut.message).toContain('MAX_FRAME_BYTE: not an option of SwitchboardModule');
  });

  it('refuses options that are not an object, saying so', () => {
    expect(optionsErrorOf(undefined).message).toContain('must be an object, not undefined');
  });

  it('refuses JWT_SECRET and JWT_PUBLIC_KEY set together', () => {
    expect(optionsErrorOf({ JWT_SECRET: 's', JWT_PUBLIC_KEY: 'pem' }).keys).toEqual([
      'JWT_SECRET',
      'JWT_PUBLIC_KEY',
    ]);
  });
});

describe('appConfig', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('provides the validated process environment under appConfig.KEY', async () => {
    vi.stubEnv('PORT', '9191');
    vi.stubEnv('PERMESSAGE_DEFLATE', 'false');
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [appConfig] })],
    }).compile();

    const sut = moduleRef.get<AppConfig>(appConfig.KEY);

    expect(sut.PORT).toBe(9191);
    expect(sut.PERMESSAGE_DEFLATE).toBe(false);
    await moduleRef.close();
  });

  it('refuses to build the module when the process environment is invalid', async () => {
    vi.stubEnv('PORT', 'abc');
    const builder = Test.createTestingModule({
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [appConfig] })],
    });

    await expect(builder.compile()).rejects.toThrow(InvalidConfigurationError);
  });
});

describe('webhook settings', () => {
  const URL = 'https://hooks.example.com/switchboard';
  const SECRET = 'whsec-0123456789abcdef';

  it('refuses WEBHOOK_URLS without a WEBHOOK_SECRET', () => {
    expect(configurationErrorOf({ WEBHOOK_URLS: URL }).keys).toEqual(['WEBHOOK_SECRET']);
  });

  it('refuses a URL that is not http(s), a short secret, more than two secrets and an unknown event', () => {
    const sut = configurationErrorOf({
      WEBHOOK_URLS: `${URL},ftp://hooks.example.com`,
      WEBHOOK_SECRET: `${SECRET},${SECRET},${SECRET}`,
      WEBHOOK_EVENTS: 'room.occupied,room.deleted',
      WEBHOOK_MESSAGE_ROOMS: 'support/*',
    });

    expect([...sut.keys].sort()).toEqual([
      'WEBHOOK_EVENTS',
      'WEBHOOK_MESSAGE_ROOMS',
      'WEBHOOK_SECRET',
      'WEBHOOK_URLS',
    ]);
    expect(configurationErrorOf({ WEBHOOK_URLS: URL, WEBHOOK_SECRET: 'short' }).keys).toEqual([
      'WEBHOOK_SECRET',
    ]);
  });

  it('refuses limits out of range: no attempt, a zero queue, a batch over 1000', () => {
    const sut = configurationErrorOf({
      WEBHOOK_MAX_ATTEMPTS: '0',
      WEBHOOK_QUEUE_MAX_EVENTS: '0',
      WEBHOOK_BATCH_MAX_EVENTS: '1001',
      WEBHOOK_TIMEOUT_MS: '10',
    });

    expect([...sut.keys].sort()).toEqual([
      'WEBHOOK_BATCH_MAX_EVENTS',
      'WEBHOOK_MAX_ATTEMPTS',
      'WEBHOOK_QUEUE_MAX_EVENTS',
      'WEBHOOK_TIMEOUT_MS',
    ]);
  });

  it('accepts two URLs, a rotation of two secrets and room patterns', () => {
    const sut = parseEnvironment({
      WEBHOOK_URLS: `${URL},http://127.0.0.1:9000/hooks`,
      WEBHOOK_SECRET: `${SECRET},older-secret-0123456789`,
      WEBHOOK_MESSAGE_ROOMS: 'support-*,vip',
    });

    expect(sut.WEBHOOK_URLS.split(',')).toHaveLength(2);
  });
});
