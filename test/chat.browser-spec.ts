import { SignJWT } from 'jose';
import { browserPerTest, type ChatPage } from './utils/browser.js';
import { createTestDatabase, databasePerSuite, type TestDatabase } from './utils/database.js';
import { ReadmeScriptProcess } from './utils/readme-script.js';
import type { TestEnv } from './utils/test-app.js';
import { asUser } from './utils/users.js';

describe('web client (Chromium)', () => {
  const { boot, open, closeApp } = browserPerTest();

  it('lets alice and bob chat: each sees the message of the other with its sender, and their own marked sent', async () => {
    await boot();
    const alice = await open({ name: 'alice' });
    const bob = await open({ name: 'bob' });

    await alice.send('hi bob, how is the switchboard?');
    const atBob = await bob.waitForMessage('hi bob, how is the switchboard?');
    expect(await atBob.locator('.author').textContent()).toBe('alice');
    await alice.waitForSent('hi bob, how is the switchboard?');

    await bob.send('all lines open');
    const atAlice = await alice.waitForMessage('all lines open');
    expect(await atAlice.locator('.author').textContent()).toBe('bob');
    expect(await atAlice.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    await bob.waitForSent('all lines open');

    await alice.page.screenshot({ path: '/tmp/switchboard.png' });
  });

  it('shows markup in texts and names literally and creates no element from it', async () => {
    await boot();
    const alice = await open({ name: 'alice' });
    const mallory = await open({ name: '<b>mallory</b>' });
    const payload = '<img src=x onerror=alert(1)>';

    await mallory.send(payload);
    const shown = await alice.waitForMessage(payload);

    expect(await shown.getByTestId('message-text').textContent()).toBe(payload);
    expect(await shown.locator('.author').textContent()).toBe('<b>mallory</b>');
    await mallory.waitForSent(payload);
    for (const page of [alice, mallory]) {
      expect(await page.page.getByTestId('message-list').locator('img, b').count()).toBe(0);
      expect(page.dialogs).toEqual([]);
    }
  });

  it('sends a direct message from the member list, which the other finds under Direct', async () => {
    await boot();
    const bob = await open({ name: 'bob' });
    const alice = await open({ name: 'alice' });

    await alice.page.getByTestId('member').filter({ hasText: 'bob' }).click();
    await alice.waitForText('title', alice.page.getByTestId('title'), 'bob');
    await alice.send('just between us');
    await alice.waitForSent('just between us');

    const directs = bob.page.getByTestId('direct-list');
    await bob.waitForText('direct list', directs, 'alice');
    await directs.getByRole('button', { name: 'alice' }).click();
    const shown = await bob.waitForMessage('just between us');
    expect(await shown.locator('.author').textContent()).toBe('alice');
  });

  it('resumes after going offline: messages sent meanwhile show once, and its queued message goes out once', async () => {
    await boot();
    const alice = await open({ name: 'alice' });
    const bob = await open({ name: 'bob' });
    await alice.send('before the outage');
    await bob.waitForMessage('before the outage');

    await bob.context.setOffline(true);
    await bob.waitForStatus('offline');
    await alice.send('while you were away (1)');
    await alice.send('while you were away (2)');
    await alice.waitForSent('while you were away (2)');
    await bob.send('queued while offline');
    await bob.waitForMessage('queued while offline');
    await bob.context.setOffline(false);

    await bob.waitForStatus('online');
    await bob.waitForSent('queued while offline');
    await bob.waitForMessage('while you were away (2)');
    await alice.waitForMessage('queued while offline');
    for (const text of [
      'before the outage',
      'while you were away (1)',
      'while you were away (2)',
    ]) {
      expect(await bob.messages(text).count(), `"${text}" at bob`).toBe(1);
    }
    expect(await bob.messages('queued while offline').count()).toBe(1);
    expect(await alice.messages('queued while offline').count()).toBe(1);
    expect(await bob.socketCount()).toBe(2);
  });

  it('reconnects after a dropped socket, rejoins its rooms and resumes each where it left off', async () => {
    await boot();
    const alice = await open({ name: 'alice' });
    const bob = await open({ name: 'bob' });
    await alice.joinRoom('ops');
    await bob.joinRoom('ops');
    await alice.waitForText('member list', alice.page.getByTestId('member'), 'bob');

    await bob.input.fill('checking the');
    await alice.waitForText('typing line', alice.page.getByTestId('typing'), 'bob is typing…');
    await alice.send('ops before');
    await bob.waitForMessage('ops before');

    await bob.dropConnection();
    await alice.send('ops during');
    await bob.waitForMessage('ops during');

    await bob.waitForStatus('online');
    expect(await bob.socketCount()).toBe(2);
    expect(await bob.messages('ops before').count()).toBe(1);
    expect(await bob.messages('ops during').count()).toBe(1);
    await bob.send('back on the line');
    await alice.waitForMessage('back on the line');
  });

  it('shows a room afresh when the server could not recover what it missed: no silent gap, and scrolling back fills it', async () => {
    const app = await boot({
      RECOVERY_MAX_MESSAGES: '5',
      RATE_LIMIT_BURST: '100000',
      RATE_LIMIT_PER_SECOND: '100000',
      USER_RATE_LIMIT_PER_SECOND: '100000',
    });
    const alice = await app.connect(asUser('u-alice'));
    await alice.request('join', { room: 'ops' });
    const bob = await open({ name: 'bob' });
    await bob.joinRoom('ops');
    await alice.request('message', { room: 'ops', text: 'before' });
    await bob.waitForMessage('before');

    await bob.context.setOffline(true);
    await bob.waitForStatus('offline');
    // More than RECOVERY_MAX_MESSAGES: the rejoin gets the latest 50 and recovered: false.
    const missed = Array.from({ length: 60 }, (_, i) => `missed ${i}`);
    for (const text of missed) await alice.request('message', { room: 'ops', text });
    await bob.context.setOffline(false);

    await bob.waitForStatus('online');
    await bob.waitForMessage('missed 59');
    // Not "before" right above "missed 10", as if nothing had come between them.
    expect(await bob.messageTexts()).toEqual(missed.slice(10));
    await bob.scrollBackTo('before');
    expect(await bob.messageTexts()).toEqual(['before', ...missed]);
  });

  it("chats with the README's ten-line Node script on the SDK, both ways", async () => {
    const app = await boot();
    const alice = await open({ name: 'alice' });
    const script = ReadmeScriptProcess.start(app.wsUrl);

    try {
      const hello = await alice.waitForMessage('hello from Node');
      expect(await hello.locator('.author').textContent()).toBe('node');
      await alice.send('hi script');
      await alice.waitForSent('hi script');
      await script.waitForOutput('alice: hi script', "the script to print alice's message");
    } finally {
      await script.stop();
    }
  });

  it('lets the author edit and delete a message, seen live by another page and after a reload', async () => {
    const database: TestDatabase = await createTestDatabase('sqlite', 'browser');
    try {
      await boot({ DATABASE_URL: database.url });
      const alice = await open({ name: 'alice' });
      const bob = await open({ name: 'bob' });
      await alice.send('teh typo');
      await alice.waitForSent('teh typo');
      await bob.waitForMessage('teh typo');
      await alice.send('regrettable');
      await alice.waitForSent('regrettable');
      await bob.waitForMessage('regrettable');
      expect(await bob.messages('teh typo').getByTestId('edit-message').count()).toBe(0);

      const typo = alice.messages('teh typo');
      await typo.getByTestId('edit-message').click();
      await typo.getByTestId('edit-input').fill('the typo, fixed');
      await typo.getByTestId('edit-input').press('Enter');
      const regret = alice.messages('regrettable');
      await regret.getByTestId('delete-message').click();
      await regret.getByTestId('delete-message').click();

      const fixed = await bob.waitForMessage('the typo, fixed');
      expect(await fixed.getByTestId('edited-mark').textContent()).toBe('(edited)');
      await bob.waitForMessage('message deleted');
      expect(await bob.messages('regrettable').count()).toBe(0);
      const own = await alice.waitForMessage('the typo, fixed');
      expect(await own.getByTestId('edited-mark').count()).toBe(1);
      await alice.waitForMessage('message deleted');

      await bob.page.reload();
      await bob.waitForStatus('online');
      const reloaded = await bob.waitForMessage('the typo, fixed');
      expect(await reloaded.getByTestId('edited-mark').count()).toBe(1);
      await bob.waitForMessage('message deleted');
      expect(await bob.messages('regrettable').count()).toBe(0);
      expect(await bob.messages('teh typo').count()).toBe(0);
    } finally {
      await closeApp();
      await database.drop();
    }
  });

  it('in JWT mode connects with the access token and, once it expires, shows a notice instead of reconnecting', async () => {
    const secret = 'browser-spec-secret-0123456789abcdef';
    await boot({ JWT_SECRET: secret });
    const token = await new SignJWT({ name: 'carol' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-carol')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 5)
      .sign(new TextEncoder().encode(secret));
    const carol = await open({ access_token: token });

    expect(await carol.page.getByTestId('me').textContent()).toContain('carol');
    await carol.send('signed in');
    await carol.waitForSent('signed in');

    await carol.waitForStatus('expired', 15_000);
    await carol.waitForText('notice', carol.page.getByTestId('notice'), 'session has expired');
  });

  describe('with a database (conversations, read state, history)', () => {
    const database = databasePerSuite('sqlite', 'browser');
    const ENV = (): TestEnv => ({
      DATABASE_URL: database.url,
      RATE_LIMIT_BURST: '100000',
      RATE_LIMIT_PER_SECOND: '100000',
      USER_RATE_LIMIT_PER_SECOND: '100000',
    });

    /** The Direct entry of a conversation with `peer` in the sidebar. */
    const directEntry = (page: ChatPage, peer: string) => page.page.getByTestId(`nav-dm:${peer}`);

    it('shows an unread badge for a DM in another conversation, clears it when opened, and on the user’s other device too', async () => {
      const app = await boot(ENV());
      const phone = await open({ name: 'bob', uid: 'u-bob' });
      const laptop = await open({ name: 'bob', uid: 'u-bob' });
      const alice = await app.connect(asUser('u-alice'));

      await alice.request('dm', { to: 'u-bob', text: 'are you there?' });
      for (const page of [phone, laptop])
        await page.waitForText('unread badge', directEntry(page, 'u-alice').locator('.badge'), '1');
      await directEntry(phone, 'u-alice').click();
      await phone.waitForMessage('are you there?');

      for (const page of [phone, laptop])
        await page.waitForGone('the unread badge', directEntry(page, 'u-alice').locator('.badge'));
      const listed = await alice.request('conversations');
      expect(listed.data.items).toEqual([
        expect.objectContaining({ with: { id: 'u-bob', name: 'bob' }, unread: 0 }),
      ]);
    });

    it('shows a DM sent while the recipient’s page was closed once it opens, with its unread count', async () => {
      const app = await boot(ENV());
      const alice = await app.connect(asUser('u-alice'));
      await alice.request('dm', { to: 'u-carol', text: 'left you a note' });
      await alice.request('dm', { to: 'u-carol', text: 'and another' });

      const carol = await open({ name: 'carol', uid: 'u-carol' });
      await carol.waitForText('unread badge', directEntry(carol, 'u-alice').locator('.badge'), '2');
      expect(await directEntry(carol, 'u-alice').textContent()).toContain('u-alice name');
      await directEntry(carol, 'u-alice').click();

      await carol.waitForMessage('left you a note');
      await carol.waitForMessage('and another');
    });

    it('scrolls back through a room page after page to its first message', async () => {
      const app = await boot(ENV());
      const alice = await app.connect(asUser('u-alice'));
      await alice.request('join', { room: 'archive' });
      const total = 130;
      for (let i = 0; i < total; i += 1)
        alice.send('message', { room: 'archive', text: `m${i}`, ref: `a${i}` });
      for (let i = 0; i < total; i += 1)
        expect((await alice.next((f) => f.data?.ref === `a${i}`, `the ack of m${i}`)).event).toBe(
          'ack',
        );

      const dave = await open({ name: 'dave' });
      await dave.joinRoom('archive');
      await dave.waitForMessage(`m${total - 1}`);
      await dave.scrollBackTo('m0');
      // Every message once, in order, though all were stored in one batch and share one time.
      expect(await dave.messageTexts()).toEqual(Array.from({ length: total }, (_, i) => `m${i}`));
    });
  });
});
