/** Every Redis key and channel name the Redis engine uses, built in this one place under REDIS_KEY_PREFIX. */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  /** Stream of a room's messages (history and recovery). */
  roomLog(room: string): string {
    return `${this.prefix}log:${room}`;
  }

  /** Epoch of a room's stream: new whenever the stream had to start over. */
  roomEpoch(room: string): string {
    return `${this.prefix}epoch:${room}`;
  }

  /** Stream of the direct messages between two users. */
  directLog(a: string, b: string): string {
    const [first, second] = a < b ? [a, b] : [b, a];
    // Length-prefixed so that no two pairs of user ids share a key.
    return `${this.prefix}dm:${first.length}:${first}:${second}`;
  }

  /** Epoch of every direct-message stream. */
  directEpoch(): string {
    return `${this.prefix}epoch-dm`;
  }

  /** The first result of an idempotent send. */
  dedupe(key: string): string {
    return `${this.prefix}dedupe:${key}`;
  }

  /** A user's send count in one second, across nodes. */
  userRate(userId: string, second: number): string {
    return `${this.prefix}rate:${second}:${userId}`;
  }

  /** Hash of an API key's token bucket (tokens, refill time), shared by every node. */
  apiKeyRate(keyId: string): string {
    return `${this.prefix}api-rate:${keyId}`;
  }

  /** Hash of every moderation entry: its key (`moderationKeyString`) → the entry's JSON. */
  moderation(): string {
    return `${this.prefix}moderation`;
  }

  /** Sorted set of the timed moderation entries' keys, scored by when each ends. */
  moderationEnds(): string {
    return `${this.prefix}moderation:ends`;
  }

  /** Pub/sub channel of moderation changes, which every node subscribes. */
  moderationChannel(): string {
    return `${this.prefix}ch:moderation`;
  }

  /** A user's slow-mode slot in a room: exists while their next message must wait. */
  slowModeSlot(room: string, userId: string): string {
    return `${this.prefix}slow:${room}:${userId}`;
  }

  /** Hash of a room's sockets: connection id → user JSON. */
  presenceConnections(room: string): string {
    return `${this.prefix}presence:conns:${room}`;
  }

  /** Hash of a room's users: user id → number of sockets. */
  presenceUsers(room: string): string {
    return `${this.prefix}presence:users:${room}`;
  }

  /** Set of every node that registered presence. */
  nodes(): string {
    return `${this.prefix}nodes`;
  }

  /** A node's liveness key, refreshed by its heartbeat, expiring when it dies. */
  nodeAlive(nodeId: string): string {
    return `${this.prefix}node:${nodeId}`;
  }

  /** Set of rooms where a node holds presence entries. */
  nodeRooms(nodeId: string): string {
    return `${this.prefix}node-rooms:${nodeId}`;
  }

  /** Lock taken by the node that cleans up after a dead one. */
  sweepLock(nodeId: string): string {
    return `${this.prefix}sweep:${nodeId}`;
  }

  /** Pub/sub channel of a room. */
  roomChannel(room: string): string {
    return `${this.prefix}ch:room:${room}`;
  }

  /** Pub/sub channel of a user's direct messages. */
  userChannel(userId: string): string {
    return `${this.prefix}ch:user:${userId}`;
  }

  /** The room a room channel belongs to, or undefined. */
  roomOfChannel(channel: string): string | undefined {
    const head = `${this.prefix}ch:room:`;
    return channel.startsWith(head) ? channel.slice(head.length) : undefined;
  }

  /** The user a user channel belongs to, or undefined. */
  userOfChannel(channel: string): string | undefined {
    const head = `${this.prefix}ch:user:`;
    return channel.startsWith(head) ? channel.slice(head.length) : undefined;
  }
}
