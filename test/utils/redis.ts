import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

/** The Redis on this machine (CI starts it when it is not running). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses, so tests share one Redis without touching each other's keys. */
export function uniquePrefix(label: string): string {
  return `sbtest:${label}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under a prefix: only this run's. */
export async function deletePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}

/** Every key under a prefix with its PTTL in ms (-1: no expiry), keyed by the part after the prefix. */
export async function keysWithTtl(prefix: string, url = REDIS_URL): Promise<Map<string, number>> {
  const client = createClient({ url });
  await client.connect();
  try {
    const found = new Map<string, number>();
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      for (const key of keys) found.set(key.slice(prefix.length), await client.pTTL(key));
    }
    return found;
  } finally {
    client.destroy();
  }
}
