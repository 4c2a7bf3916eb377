import { MIGRATIONS } from './database-migrations.js';

describe('MIGRATIONS', () => {
  const names = Object.keys(MIGRATIONS);

  it('names every migration NNNN-kebab-case', () => {
    for (const name of names) expect(name).toMatch(/^\d{4}-[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('numbers them 0001, 0002, … without a gap or a repeat, listed in that order', () => {
    expect(names.map((name) => Number(name.slice(0, 4)))).toEqual(names.map((_, i) => i + 1));
  });

  it('lists them in the order Kysely runs them (by name)', () => {
    expect([...names].sort()).toEqual(names);
  });
});
