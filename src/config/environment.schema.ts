import { Transform, Type } from 'class-transformer';
import {
  IsNumber,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { SERVER_SENDER_ID } from '../protocol/server-sender.js';
import {
  serverApiKeysFromText,
  serverApiKeysProblems,
  type ServerApiKey,
} from './server-api-keys.js';

const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

/** SERVER_API_KEYS is valid when `serverApiKeysProblems` finds nothing; the message lists what it found. */
@ValidatorConstraint({ name: 'serverApiKeys' })
class ServerApiKeysConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return serverApiKeysProblems(value).length === 0;
  }

  defaultMessage(args: ValidationArguments): string {
    return serverApiKeysProblems(args.value).join('; ');
  }
}

/** Every environment key the service reads, with its default; `.env.example` mirrors this class. */
export class EnvironmentSchema {
  /** HTTP and WebSocket port. */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT = 8080;
  /** Interface to listen on. */
  @IsString() HOST = '0.0.0.0';
  /** pino level. */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  /** Room every connection joins on connect; empty disables it. */
  @Matches(/^([A-Za-z0-9_.:-]{1,64})?$/) DEFAULT_ROOM = 'lobby';
  /** HS256 secret; setting it (or JWT_PUBLIC_KEY) switches the handshake to JWT mode. */
  @IsOptional() @IsString() JWT_SECRET?: string;
  /** PEM public key for RS256 or ES256 tokens. */
  @IsOptional() @IsString() JWT_PUBLIC_KEY?: string;
  /** Expected `iss` claim, when set. */
  @IsOptional() @IsString() JWT_ISSUER?: string;
  /** Expected `aud` claim, when set. */
  @IsOptional() @IsString() JWT_AUDIENCE?: string;
  /** Comma-separated Origins allowed to upgrade; empty allows any. */
  @IsString() ALLOWED_ORIGINS = '';
  /** Largest inbound frame; a larger one closes the socket with 1009. */
  @Type(() => Number) @IsInt() @Min(256) MAX_FRAME_BYTES = 65536;
  /** Longest message text, in characters after trimming. */
  @Type(() => Number) @IsInt() @Min(1) MAX_TEXT_LENGTH = 4000;
  /** Sustained inbound frames a second per connection. */
  @Type(() => Number) @IsInt() @Min(1) RATE_LIMIT_PER_SECOND = 20;
  /** Inbound frames a connection may send at once before the rate applies. */
  @Type(() => Number) @IsInt() @Min(1) RATE_LIMIT_BURST = 40;
  /** Refused frames within RATE_LIMIT_WINDOW_MS after which the socket is closed with 1008. */
  @Type(() => Number) @IsInt() @Min(1) RATE_LIMIT_CLOSE_AFTER = 100;
  /** Refused frames within RATE_LIMIT_WINDOW_MS after which further refusals go unanswered. */
  @Type(() => Number) @IsInt() @Min(1) RATE_LIMIT_SILENT_AFTER = 10;
  /** Window over which refused frames are counted (a sliding count, not refusals in a row). */
  @Type(() => Number) @IsInt() @Min(100) RATE_LIMIT_WINDOW_MS = 10000;
  /** Rooms one connection may be in at once. */
  @Type(() => Number) @IsInt() @Min(1) MAX_ROOMS_PER_CONNECTION = 100;
  /** Bytes queued for a socket (unsent plus held this turn, replies and pongs included) past which it is closed with 1013. */
  @Type(() => Number) @IsInt() @Min(1024) SLOW_CONSUMER_BYTES = 1048576;
  /** Most messages a `joined` with `since` recovers; a longer gap gets the latest page and `recovered: false`. */
  @Type(() => Number) @IsInt() @Min(1) RECOVERY_MAX_MESSAGES = 300;
  /** Most bytes of messages in one `joined` or `history` reply; the oldest are left out first. */
  @Type(() => Number) @IsInt() @Min(1024) REPLY_MAX_BYTES = 262144;
  /** Most fragments one inbound message may arrive in; more closes the socket with 1008. */
  @Type(() => Number) @IsInt() @Min(1) MAX_FRAGMENTS = 64;
  /** Sockets this node holds at most (keep it well below `ulimit -n`); past it upgrades get HTTP 503. */
  @Type(() => Number) @IsInt() @Min(1) MAX_CONNECTIONS = 10000;
  /** Sockets one client IP may hold on this node; past it upgrades get HTTP 429. */
  @Type(() => Number) @IsInt() @Min(1) MAX_CONNECTIONS_PER_IP = 1000;
  /** Sockets one user may hold on this node; past it upgrades get HTTP 429. */
  @Type(() => Number) @IsInt() @Min(1) MAX_CONNECTIONS_PER_USER = 32;
  /** New sockets a second this node accepts (bursts of as many); past it upgrades get HTTP 503. */
  @Type(() => Number) @IsInt() @Min(1) CONNECTION_RATE_PER_SECOND = 1000;
  /** Upgrades being verified at once; past it new ones get HTTP 503. */
  @Type(() => Number) @IsInt() @Min(1) MAX_PENDING_HANDSHAKES = 1000;
  /** Longest an HTTP request or upgrade may take to arrive in full before its connection is closed. */
  @Type(() => Number) @IsInt() @Min(100) HANDSHAKE_TIMEOUT_MS = 10000;
  /** Take the client IP from the last `X-Forwarded-For` hop (behind a load balancer that sets it). */
  @Transform(toBoolean) @IsBoolean() TRUST_PROXY = false;
  /** Ping interval; a socket that misses two pongs is terminated. */
  @Type(() => Number) @IsInt() @Min(10) HEARTBEAT_INTERVAL_MS = 30000;
  /** Rooms larger than this send no presence events and an empty member list. */
  @Type(() => Number) @IsInt() @Min(0) PRESENCE_MAX_MEMBERS = 1000;
  /** Messages kept per room by the memory engine. */
  @Type(() => Number) @IsInt() @Min(1) HISTORY_MAX_MESSAGES = 1000;
  /** History of a room or DM conversation with no new message for this long is dropped (memory and Redis). */
  @Type(() => Number) @IsInt() @Min(1000) HISTORY_TTL_MS = 604800000;
  /** Rooms the memory engine keeps history for (it keeps none for DMs); the least recently written go first. */
  @Type(() => Number) @IsInt() @Min(1) HISTORY_MAX_ROOMS = 100000;
  /** How long a `clientMsgId` is remembered for idempotent resends. */
  @Type(() => Number) @IsInt() @Min(1000) DEDUPE_TTL_MS = 600000;
  /** Enables permessage-deflate. */
  @Transform(toBoolean) @IsBoolean() PERMESSAGE_DEFLATE = false;
  /** Runs gateway handlers on the lean path; `false` runs them on Nest's own handlers (same wire contract). */
  @Transform(toBoolean) @IsBoolean() GATEWAY_FAST_PATH = true;
  /** Absolute base URL of a CDN serving `/assets/`; empty serves them from this node. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  ASSET_BASE_URL?: string;
  /** Longest a graceful shutdown takes, whatever clients do; then every remaining connection is cut. */
  @Type(() => Number) @IsInt() @Min(0) SHUTDOWN_TIMEOUT_MS = 10000;
  /** Serves `/health/*` and `/metrics` on this port instead of PORT (0 picks a free one); unset keeps them on PORT. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) OPS_PORT?: number;
  /** Interface of the OPS_PORT listener. */
  @IsString() OPS_HOST = '0.0.0.0';
  /**
   * With a database: log entries (messages, edits, deletions) older than this many days are purged;
   * fractions allowed (0.5 is 12 hours); 0 keeps them forever.
   */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  HISTORY_RETENTION_DAYS = 0;
  /** How often a node purges entries past HISTORY_RETENTION_DAYS (when it is set). */
  @Type(() => Number) @IsInt() @Min(100) HISTORY_PURGE_INTERVAL_MS = 600000;
  /** Messages the write queue holds at most; past it sends get `unavailable`. */
  @Type(() => Number) @IsInt() @Min(1) MAX_QUEUE_DEPTH = 10000;
  /**
   * Where history is kept: `postgres://…` or `postgresql://…` (PostgreSQL), `sqlite:<path>` (an embedded
   * file), or `memory` (no database). Unset: `sqlite:./data/switchboard.db`, or `memory` when REDIS_URL is set.
   */
  @IsOptional()
  @Matches(/^(postgres(ql)?:\/\/.+|sqlite:.+|memory)$/, {
    message: 'DATABASE_URL must be postgres://…, postgresql://…, sqlite:<path> or memory',
  })
  DATABASE_URL?: string;
  /** Connections the PostgreSQL reader pool opens at most (the writer has one of its own). */
  @Type(() => Number) @IsInt() @Min(1) DATABASE_POOL_SIZE = 10;
  /** Redis for scale-out (`redis://host:6379/0`); unset runs the one-node memory engine. */
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must start with redis:// or rediss://' })
  REDIS_URL?: string;
  /** Prefix of every Redis key and channel, so that several deployments can share one Redis. */
  @Matches(/^[A-Za-z0-9_.:{}-]{0,64}$/) REDIS_KEY_PREFIX = 'switchboard:';
  /** How often a node refreshes its liveness key in Redis. */
  @Type(() => Number) @IsInt() @Min(100) NODE_HEARTBEAT_MS = 10000;
  /** A node whose liveness key is older than this is dead: its users leave their rooms. */
  @Type(() => Number) @IsInt() @Min(300) NODE_TTL_MS = 30000;
  /** Messages, DMs, edits and deletions a second per user across all their connections and nodes. */
  @Type(() => Number) @IsInt() @Min(1) USER_RATE_LIMIT_PER_SECOND = 60;
  /** Who `ChatPublisher` sends as when a call names no sender: an id in the server senders' namespace. */
  @Matches(SERVER_SENDER_ID, {
    message: 'PUBLISHER_SENDER_ID must be server: then 1 to 57 of A-Z a-z 0-9 _ . : @ -',
  })
  PUBLISHER_SENDER_ID = 'server:system';
  /** The display name of that default sender. */
  @Matches(/^[^\p{C}]{1,32}$/u, {
    message: 'PUBLISHER_SENDER_NAME must be 1 to 32 printable characters',
  })
  PUBLISHER_SENDER_NAME = 'System';
  /** How long a room's recent-history snapshot stays in the cache. */
  @Type(() => Number) @IsInt() @Min(0) HISTORY_CACHE_TTL_MS = 5000;
  /**
   * Comma-separated http(s) URLs that receive the webhooks (each gets every event, in its own queue);
   * empty sends none and costs the chat path nothing.
   */
  @Matches(/^(https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*)?$/, {
    message: 'WEBHOOK_URLS must be empty or comma-separated http:// or https:// URLs',
  })
  WEBHOOK_URLS = '';
  /**
   * HMAC-SHA256 signing secret, at least 16 characters; two comma-separated during a rotation (each
   * attempt is signed with both). Required with WEBHOOK_URLS; never logged.
   */
  @IsOptional()
  @Matches(/^[^\s,]{16,}(,[^\s,]{16,})?$/, {
    message: 'WEBHOOK_SECRET must be one or two comma-separated secrets of 16 or more characters',
  })
  WEBHOOK_SECRET?: string;
  /** Comma-separated webhook events to send (message.created also needs WEBHOOK_MESSAGE_ROOMS). */
  @Matches(
    /^((room\.occupied|room\.vacated|member\.joined|member\.left|message\.created)(,(room\.occupied|room\.vacated|member\.joined|member\.left|message\.created))*)?$/,
    {
      message:
        'WEBHOOK_EVENTS must list room.occupied, room.vacated, member.joined, member.left, message.created',
    },
  )
  WEBHOOK_EVENTS = 'room.occupied,room.vacated,member.joined,member.left,message.created';
  /** Comma-separated room patterns (`*` matches any run of characters) whose messages send message.created. */
  @Matches(/^([A-Za-z0-9_.:*-]{1,64}(,[A-Za-z0-9_.:*-]{1,64})*)?$/, {
    message: 'WEBHOOK_MESSAGE_ROOMS must be comma-separated room names or patterns with *',
  })
  WEBHOOK_MESSAGE_ROOMS = '';
  /** A member who leaves and comes back within this long sends neither member.left nor member.joined. */
  @Type(() => Number) @IsInt() @Min(0) WEBHOOK_PRESENCE_DEBOUNCE_MS = 3000;
  /** Longest one delivery attempt may take before it counts as failed. */
  @Type(() => Number) @IsInt() @Min(100) WEBHOOK_TIMEOUT_MS = 5000;
  /** Attempts per batch of events, the first included; then it is dropped and counted. */
  @Type(() => Number) @IsInt() @Min(1) @Max(100) WEBHOOK_MAX_ATTEMPTS = 10;
  /** Events older than this are no longer retried (counted as exhausted), whatever attempts are left. */
  @Type(() => Number) @IsInt() @Min(1000) WEBHOOK_MAX_AGE_MS = 900000;
  /** Delay before the first retry; each further one doubles it (with jitter), up to WEBHOOK_RETRY_MAX_MS. */
  @Type(() => Number) @IsInt() @Min(1) WEBHOOK_RETRY_BASE_MS = 1000;
  /** Longest delay between two attempts. */
  @Type(() => Number) @IsInt() @Min(1) WEBHOOK_RETRY_MAX_MS = 120000;
  /**
   * Events waiting on this node per URL (and, with Redis, batches waiting in the queue per URL) at most;
   * past it new events are dropped and counted.
   */
  @Type(() => Number) @IsInt() @Min(1) WEBHOOK_QUEUE_MAX_EVENTS = 10000;
  /** Most events one webhook request carries. */
  @Type(() => Number) @IsInt() @Min(1) @Max(1000) WEBHOOK_BATCH_MAX_EVENTS = 100;
  /** With Redis: a delivery whose node stopped renewing its lock for this long is taken over by another node. */
  @Type(() => Number) @IsInt() @Min(500) WEBHOOK_LOCK_MS = 30000;
  /** Fewest milliseconds between two read receipts of one user in one conversation (the last read wins). */
  @Type(() => Number) @IsInt() @Min(0) READ_RECEIPT_INTERVAL_MS = 1000;
  /**
   * Keys of the server HTTP API (`/api/v1`), hashed: a JSON array of `{ id, sha256, scopes, rooms }`
   * (docs/INTEGRATION.md). Empty: the API and its docs answer 404.
   */
  @Transform(({ value }: { value: unknown }) => serverApiKeysFromText(value))
  @Validate(ServerApiKeysConstraint)
  SERVER_API_KEYS: ServerApiKey[] = [];
  /**
   * Requests a second one API key may make, sustained, across every node with REDIS_URL (else on this
   * node); past it the API answers 429.
   */
  @Type(() => Number) @IsInt() @Min(1) SERVER_API_RATE_PER_SECOND = 50;
  /** Requests one API key may make at once before SERVER_API_RATE_PER_SECOND applies. */
  @Type(() => Number) @IsInt() @Min(1) SERVER_API_RATE_BURST = 100;
  /** Largest request body of the server HTTP API; a larger one is refused with 413 before it is parsed. */
  @Type(() => Number) @IsInt() @Min(1024) SERVER_API_MAX_BODY_BYTES = 102400;
  /**
   * The role (from the identity provider's `roles`) that makes a user a moderator everywhere; the role
   * `<MODERATOR_ROLE>:<room pattern>` makes them one in the matching rooms only (a trailing `*` matches any suffix).
   */
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    message: 'MODERATOR_ROLE must be 1 to 64 of A-Z a-z 0-9 _ . -',
  })
  MODERATOR_ROLE = 'moderator';
  /** Moderation entries (bans, mutes, slow modes) in force at once, every room and the service together. */
  @Type(() => Number) @IsInt() @Min(1) MODERATION_MAX_ENTRIES = 100000;
  /** Bans and mutes in force at once in one room. */
  @Type(() => Number) @IsInt() @Min(1) MODERATION_MAX_PER_ROOM = 10000;
  /** Longest reason a ban or mute may give, in characters. */
  @Type(() => Number) @IsInt() @Min(1) @Max(1000) MODERATION_MAX_REASON_LENGTH = 200;
}
