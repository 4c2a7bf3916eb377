import {
  Body,
  Controller,
  Injectable,
  Logger as NestLogger,
  Module,
  Post,
  Res,
  UnauthorizedException,
  type OnModuleDestroy,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Response } from 'express';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pg from 'pg';
import {
  DefaultRoomPolicy,
  HandshakeRejection,
  IdentityProvider,
  RoomPolicy,
  SwitchboardModule,
  useSwitchboard,
  type Identity,
  type RoomVerdict,
  type SwitchboardOptions,
} from '../src/index.js';
import { createTestDatabase, type TestDatabase } from './utils/database.js';
import { leanPathByDefault, serveApp, type TestApp } from './utils/test-app.js';
import { UpgradeRefused, type TestClient } from './utils/test-client.js';

const SESSION_COOKIE = 'host_session';

/** One of the host's users, as its own user service keeps them. */
interface HostUser {
  id: string;
  name: string;
  roles: string[];
}

/** The host's user service and session store: users by id, and which user each session cookie names. */
@Injectable()
class HostSessions {
  private readonly users = new Map<string, HostUser>(
    [
      { id: 'alice', name: 'Alice Liddell', roles: ['editor'] },
      { id: 'bob', name: 'Bob Dylan', roles: [] },
      { id: 'mod', name: 'Moderator', roles: ['moderator'] },
    ].map((user) => [user.id, user]),
  );
  private readonly sessions = new Map<string, string>();
  /** True while the session store is down: every lookup throws. */
  outage = false;

  /** A new session for a known user; undefined for anyone else. */
  open(userId: string): string | undefined {
    if (!this.users.has(userId)) return undefined;
    const sessionId = randomUUID();
    this.sessions.set(sessionId, userId);
    return sessionId;
  }

  /** The user a session belongs to, if it is one. */
  userOf(sessionId: string): HostUser | undefined {
    if (this.outage) throw new Error('session store unreachable');
    const userId = this.sessions.get(sessionId);
    return userId === undefined ? undefined : this.users.get(userId);
  }
}

/** The host's login route: sets its own session cookie. */
@Controller('host')
class HostLoginController {
  constructor(private readonly sessions: HostSessions) {}

  @Post('login')
  login(@Body() body: { user: string }, @Res({ passthrough: true }) response: Response): object {
    const sessionId = this.sessions.open(body.user);
    if (!sessionId) throw new UnauthorizedException();
    response.setHeader(
      'Set-Cookie',
      `${SESSION_COOKIE}=${sessionId}; HttpOnly; Path=/; SameSite=Lax`,
    );
    return { user: body.user };
  }
}

/** The host's identity provider: its session cookie, looked up in its own session store (synchronously). */
@Injectable()
class SessionCookieIdentity extends IdentityProvider {
  constructor(private readonly sessions: HostSessions) {
    super();
  }

  identify(request: IncomingMessage): Identity {
    const sessionId = cookieNamed(request.headers.cookie, SESSION_COOKIE);
    if (!sessionId) throw new HandshakeRejection(401, 'no session cookie');
    const user = this.sessions.userOf(sessionId);
    if (!user) throw new HandshakeRejection(401, 'unknown session');
    return { user: { id: user.id, name: user.name }, roles: user.roles };
  }
}

function cookieNamed(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const [key, ...value] = pair.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The host's membership table in PostgreSQL: who belongs to which members-only room. */
@Injectable()
class HostMemberships implements OnModuleDestroy {
  private pool: pg.Pool | undefined;

  /** Opens the pool on the host's own schema. */
  connect(url: string): void {
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
  }

  async isMember(userId: string, room: string): Promise<boolean> {
    if (!this.pool) throw new Error('the membership table is not connected');
    const { rowCount } = await this.pool.query(
      'select 1 from room_members where user_id = $1 and room = $2',
      [userId, room],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Closes the pool: every lookup after it fails, as with the database gone. */
  async disconnect(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  async onModuleDestroy(): Promise<void> {
    await this.disconnect();
  }
}

@Module({
  controllers: [HostLoginController],
  providers: [HostSessions, SessionCookieIdentity, HostMemberships],
  exports: [HostSessions, SessionCookieIdentity, HostMemberships],
})
class HostAuthModule {}

/**
 * The host's room policy: `members:…` rooms for the members its table lists (asked asynchronously), every
 * other room open; in `announcements:…` only editors may post (answered synchronously).
 */
class MembershipPolicy extends RoomPolicy {
  constructor(private readonly memberships: HostMemberships) {
    super();
  }

  async mayEnter(identity: Identity, room: string): Promise<RoomVerdict> {
    if (!room.startsWith('members:')) return true;
    if (await this.memberships.isMember(identity.user.id, room)) return true;
    return { reason: `only members of ${room} may join` };
  }

  maySend(identity: Identity, room: string): RoomVerdict {
    if (!room.startsWith('announcements:') || identity.roles?.includes('editor')) return true;
    return { reason: 'only editors post here', details: { role: 'editor' } };
  }
}

/** Today's claim-based policy, and moderators may enter any private room. */
@Injectable()
class ModeratorsEverywherePolicy extends DefaultRoomPolicy {
  override mayEnter(identity: Identity, room: string): boolean {
    return identity.roles?.includes('moderator') === true || super.mayEnter(identity, room);
  }
}

const CHAT_OPTIONS: SwitchboardOptions = {
  DEFAULT_ROOM: '',
  DATABASE_URL: 'memory',
  LOG_LEVEL: 'silent',
  GATEWAY_FAST_PATH: leanPathByDefault,
};

/** The host's session cookie for `userId`, from its own login route. */
async function loginAs(sut: TestApp, userId: string): Promise<string> {
  const response = await fetch(`${sut.httpUrl}/host/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: userId }),
  });
  expect(response.status).toBe(201);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error(`the host's login set no ${SESSION_COOKIE} cookie`);
  return cookie.split(';')[0];
}

/** Logs `userId` in through the host and opens a socket with the cookie it got. */
async function connectAs(sut: TestApp, userId: string): Promise<TestClient> {
  return sut.connect({ headers: { cookie: await loginAs(sut, userId) }, timeoutMs: 5000 });
}

/** The HTTP status an upgrade was refused with (fails if it opened). */
async function refusalOf(attempt: Promise<TestClient>): Promise<number> {
  const error = await attempt.then(
    () => expect.fail('the upgrade was accepted'),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(UpgradeRefused);
  return (error as UpgradeRefused).status;
}

describe('a host application with its own session cookie and membership table', () => {
  let database: TestDatabase;
  let sut: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('postgres', 'host-members');
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      await pool.query(
        'create table room_members (user_id text, room text, primary key (user_id, room))',
      );
      await pool.query(
        "insert into room_members values ('alice', 'members:board'), ('mod', 'members:board')",
      );
    } finally {
      await pool.end();
    }
  });

  afterAll(async () => {
    await database?.drop();
  });

  @Module({
    imports: [
      HostAuthModule,
      SwitchboardModule.forRootAsync({
        imports: [HostAuthModule],
        useFactory: () => CHAT_OPTIONS,
        identityProvider: { useExisting: SessionCookieIdentity },
        roomPolicy: {
          inject: [HostMemberships],
          useFactory: (memberships: HostMemberships) => new MembershipPolicy(memberships),
        },
      }),
    ],
  })
  class HostAppModule {}

  beforeEach(async () => {
    const app = await NestFactory.create(HostAppModule, { logger: false });
    app.get(HostMemberships).connect(database.url);
    sut = await serveApp(useSwitchboard(app));
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await sut.close();
  });

  it('refuses an upgrade without the session cookie with 401', async () => {
    expect(await refusalOf(sut.connect({ timeoutMs: 5000 }))).toBe(401);
  });

  it('refuses an upgrade with a cookie naming no session with 401', async () => {
    const forged = sut.connect({ headers: { cookie: `${SESSION_COOKIE}=${randomUUID()}` } });

    expect(await refusalOf(forged)).toBe(401);
  });

  it('ignores dev-mode ?uid= once the host provides identity', async () => {
    expect(await refusalOf(sut.connect({ query: { uid: 'alice', name: 'Alice' } }))).toBe(401);
  });

  it('lets a member of a members-only room in, as the user its session names, and others see them', async () => {
    const alice = await connectAs(sut, 'alice');
    const mod = await connectAs(sut, 'mod');
    expect((await mod.request('join', { room: 'members:board' })).event).toBe('joined');

    const joined = await alice.request('join', { room: 'members:board' });

    expect(joined.event).toBe('joined');
    expect(joined.data.members).toEqual(
      expect.arrayContaining([
        { id: 'alice', name: 'Alice Liddell' },
        { id: 'mod', name: 'Moderator' },
      ]),
    );
    await alice.request('message', { room: 'members:board', text: 'board meeting' });
    const received = await mod.next('message', "mod's copy of alice's message");
    expect(received.data.from).toEqual({ id: 'alice', name: 'Alice Liddell' });
  });

  it("refuses a non-member with forbidden and the host policy's reason, and the socket stays open", async () => {
    const bob = await connectAs(sut, 'bob');

    const refused = await bob.request('join', { room: 'members:board' });

    expect(refused.event).toBe('error');
    expect(refused.data).toMatchObject({
      code: 'forbidden',
      message: 'only members of members:board may join',
    });
    expect((await bob.request('join', { room: 'lobby' })).event).toBe('joined');
  });

  it("refuses a send the policy refuses with forbidden, the reason and the policy's details", async () => {
    const [alice, bob] = [await connectAs(sut, 'alice'), await connectAs(sut, 'bob')];
    await alice.request('join', { room: 'announcements:all' });
    await bob.request('join', { room: 'announcements:all' });

    const refused = await bob.request('message', { room: 'announcements:all', text: 'me too' });
    const posted = await alice.request('message', { room: 'announcements:all', text: 'release' });

    expect(refused.data).toEqual(
      expect.objectContaining({
        code: 'forbidden',
        message: 'only editors post here',
        details: { role: 'editor' },
      }),
    );
    expect(posted.event).toBe('ack');
    expect((await bob.next('message', "alice's announcement")).data.text).toBe('release');
  });

  it('answers a session store that throws with 500, logs it, and keeps serving', async () => {
    const logged = vi.spyOn(sut.app.get(Logger), 'error');
    sut.app.get(HostSessions).outage = true;
    const cookie = await loginAs(sut, 'alice');

    const status = await refusalOf(sut.connect({ headers: { cookie } }));

    expect(status).toBe(500);
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'session store unreachable' }),
      'ChatWsAdapter',
    );
    sut.app.get(HostSessions).outage = false;
    expect((await sut.connect({ headers: { cookie } })).isOpen).toBe(true);
  });

  it('answers a policy that throws with internal, logs it, and keeps the socket', async () => {
    const logged = vi.spyOn(NestLogger.prototype, 'error');
    const alice = await connectAs(sut, 'alice');
    await sut.app.get(HostMemberships).disconnect();

    const failed = await alice.request('join', { room: 'members:board' });

    expect(failed.data).toMatchObject({ code: 'internal', message: 'internal error' });
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining('the membership table is not connected'),
    );
    expect((await alice.request('join', { room: 'lobby' })).event).toBe('joined');
  });
});

describe('SwitchboardModule.forRoot with the extension points as classes', () => {
  let sut: TestApp;

  @Module({
    imports: [
      HostAuthModule,
      SwitchboardModule.forRoot({
        ...CHAT_OPTIONS,
        imports: [HostAuthModule],
        identityProvider: { useClass: SessionCookieIdentity },
        roomPolicy: { useClass: ModeratorsEverywherePolicy },
      }),
    ],
  })
  class ClassHostModule {}

  beforeEach(async () => {
    sut = await serveApp(
      useSwitchboard(await NestFactory.create(ClassHostModule, { logger: false })),
    );
  });

  afterEach(async () => {
    await sut.close();
  });

  it("identifies users by the host's cookie through its own class", async () => {
    const bob = await connectAs(sut, 'bob');

    expect((await bob.request('join', { room: 'lobby' })).data.members).toEqual([
      { id: 'bob', name: 'Bob Dylan' },
    ]);
  });

  it("lets the roles the host's provider set open private rooms through a policy extending the default", async () => {
    const [mod, bob] = [await connectAs(sut, 'mod'), await connectAs(sut, 'bob')];

    const entered = await mod.request('join', { room: 'private:staff' });
    const refused = await bob.request('join', { room: 'private:staff' });

    expect(entered.event).toBe('joined');
    expect(refused.data).toMatchObject({
      code: 'forbidden',
      message: 'you may not enter "private:staff"',
    });
  });
});
