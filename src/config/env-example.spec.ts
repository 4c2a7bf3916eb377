import { readFileSync } from 'node:fs';
import { EnvironmentSchema } from './environment.schema.js';
import { parseEnvironment } from './app-config.js';

function exampleEntries(): Map<string, string> {
  const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  const entries = text
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split('=', 2) as [string, string]);
  return new Map(entries);
}

describe('.env.example', () => {
  it('lists every configuration key the service reads, and no other', () => {
    const sut = [...exampleEntries().keys()].sort();

    expect(sut).toEqual(Object.keys(new EnvironmentSchema()).sort());
  });

  it('shows every default exactly as the service applies it', () => {
    const sut = exampleEntries();

    const defaults = parseEnvironment({});
    for (const [key, value] of Object.entries(defaults))
      expect(sut.get(key)).toBe(String(value ?? ''));
  });

  it('is itself a valid configuration', () => {
    expect(() => parseEnvironment(Object.fromEntries(exampleEntries()))).not.toThrow();
  });
});
