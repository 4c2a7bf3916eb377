import { createClient } from 'redis';

/** The bench's own Redis connection: finds the server's pid and deletes a session's keys, and only those. */
export class RedisAdmin {
  constructor(client) {
    this.client = client;
  }

  /** Connects to `url`; rejects if Redis is not there. */
  static async connect(url) {
    const client = createClient({
      url,
      socket: { connectTimeout: 3_000, reconnectStrategy: false },
    });
    client.on('error', () => undefined);
    await client.connect();
    return new RedisAdmin(client);
  }

  /** The Redis server's pid (INFO server), for reading its CPU from /proc. */
  async pid() {
    const info = await this.client.info('server');
    return Number(/process_id:(\d+)/.exec(info)?.[1]);
  }

  /** Deletes every key under `prefix`; returns how many. */
  async deletePrefix(prefix) {
    let deleted = 0;
    for await (const batch of this.client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      const keys = Array.isArray(batch) ? batch : [batch];
      if (keys.length > 0) deleted += await this.client.unlink(keys);
    }
    return deleted;
  }

  /** Closes the connection. */
  async close() {
    if (typeof this.client.close === 'function') await this.client.close();
    else await this.client.quit();
  }
}
