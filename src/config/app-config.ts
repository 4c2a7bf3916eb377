import { registerAs, type ConfigType } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvironmentSchema } from './environment.schema.js';

/** Thrown at boot when the environment is invalid; its message, `keys` and `problems` name every bad key. */
export class InvalidConfigurationError extends Error {
  constructor(
    /** One line per problem, each naming its key and what is wrong with it. */
    readonly problems: readonly string[],
    /** The keys at fault, in the order `problems` names them. */
    readonly keys: readonly string[],
  ) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Options of `SwitchboardModule`: the environment's keys with their typed values (numbers, booleans),
 * each optional; a key left out takes its documented default.
 */
export type SwitchboardOptions = Partial<EnvironmentSchema>;

/** Validates module options into the typed settings, or throws naming every bad or unknown key. */
export function parseOptions(options: SwitchboardOptions): EnvironmentSchema {
  // A host's factory typed loosely may return nothing at all: say so rather than fail on Object.keys.
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidConfigurationError(
      [
        `SwitchboardModule options must be an object, not ${JSON.stringify(options) ?? 'undefined'}`,
      ],
      [],
    );
  }
  const settings = new EnvironmentSchema();
  const unknown = Object.keys(options).filter((key) => !(key in settings));
  if (unknown.length > 0) {
    throw new InvalidConfigurationError(
      unknown.map((key) => `${key}: not an option of SwitchboardModule`),
      unknown,
    );
  }
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) Object.assign(settings, { [key]: value });
  }
  // No conversion, unlike the environment's strings: a host's '8080' for PORT is a typing mistake to name.
  return validated(settings, (key) => (options as Record<string, unknown>)[key]);
}

/** A plain decimal number, as a numeric key is written: an optional minus, digits, an optional fraction. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Validates an environment into the typed settings, or throws naming every bad key. */
export function parseEnvironment(env: Record<string, string | undefined>): EnvironmentSchema {
  const defaults = new EnvironmentSchema();
  const raw: Record<string, string> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    const optional = defaults[key as keyof EnvironmentSchema] === undefined;
    // An empty optional key means "unset", the way .env files are usually written.
    if (value !== undefined && !(value === '' && optional)) raw[key] = value;
  }
  const settings = plainToInstance(EnvironmentSchema, raw);
  // Number() reads more than decimals: '' is 0 (`PORT=` would be port 0), '0x10' is 16, '1e3' 1000,
  // 'Infinity' is infinite. A numeric key takes a plain decimal number, else it is refused by name.
  for (const [key, value] of Object.entries(raw)) {
    if (typeof settings[key as keyof EnvironmentSchema] === 'number' && !DECIMAL.test(value.trim()))
      Object.assign(settings, { [key]: Number.NaN });
  }
  return validated(settings, (key) => raw[key]);
}

/** Checks settings key by key and across keys; throws naming every bad key, each shown with `given(key)`. */
function validated(
  settings: EnvironmentSchema,
  given: (key: string) => unknown,
): EnvironmentSchema {
  const errors = validateSync(settings, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) =>
        `${e.property}=${JSON.stringify(given(e.property))}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    );
    throw new InvalidConfigurationError(
      lines,
      errors.map((e) => e.property),
    );
  }
  if (settings.JWT_SECRET && settings.JWT_PUBLIC_KEY) {
    throw new InvalidConfigurationError(
      ['JWT_SECRET and JWT_PUBLIC_KEY: set one, not both'],
      ['JWT_SECRET', 'JWT_PUBLIC_KEY'],
    );
  }
  if (settings.REDIS_URL && settings.DATABASE_URL?.startsWith('sqlite:')) {
    throw new InvalidConfigurationError(
      [
        'DATABASE_URL and REDIS_URL: an embedded SQLite file cannot be shared by several nodes; use postgres://… (or memory) with REDIS_URL',
      ],
      ['DATABASE_URL', 'REDIS_URL'],
    );
  }
  if (settings.WEBHOOK_URLS && !settings.WEBHOOK_SECRET) {
    throw new InvalidConfigurationError(
      ['WEBHOOK_SECRET: required with WEBHOOK_URLS (receivers verify the signature)'],
      ['WEBHOOK_SECRET'],
    );
  }
  return settings;
}

/** The validated settings, injectable as `@Inject(appConfig.KEY)`; tests override that token. */
export const appConfig = registerAs('switchboard', () => parseEnvironment(process.env));

/** Type of the injected settings. */
export type AppConfig = ConfigType<typeof appConfig>;
