import { browserPerTest, type ChatPage } from './utils/browser.js';
import { databasePerSuite } from './utils/database.js';
import { freePort } from './utils/free-port.mjs';
import { ServerProcess } from './utils/server-process.js';
import { asUser } from './utils/users.js';

/** A phone's viewport (an iPhone 12 to 15's CSS pixels). */
const PHONE = { width: 390, height: 844 };

/** A locator's box on screen; fails when it is not rendered. */
async function boxOf(page: ChatPage, testId: string) {
  const box = await page.page.getByTestId(testId).boundingBox();
  if (!box) throw new Error(`${page.label}: ${testId} is not rendered`);
  return box;
}

describe('web client as a new user finds it (Chromium)', () => {
  const { boot, open } = browserPerTest();

  it('keeps the rooms joined, the open DMs and the conversation in view across a reload', async () => {
    await boot();
    await open({ name: 'bob', uid: 'u-bob' });
    const alice = await open({ name: 'alice' });
    await alice.joinRoom('design');
    await alice.joinRoom('ops');
    await alice.page.getByTestId('nav-room:lobby').click();
    await alice.page.getByTestId('member').filter({ hasText: 'bob' }).click();
    await alice.send('a word in private');
    await alice.waitForSent('a word in private');

    await alice.reload();

    for (const room of ['lobby', 'design', 'ops']) await alice.waitForJoined(room);
    expect(await alice.page.getByTestId('nav-dm:u-bob').textContent()).toContain('bob');
    expect(await alice.page.getByTestId('title').textContent()).toBe('bob');
  });

  it('keeps the lobby member list right: one who connects is added, one who closes their tab is removed', async () => {
    await boot();
    await open({ name: 'bob' });
    const alice = await open({ name: 'alice' });
    await alice.waitForMembers(['alice', 'bob']);

    const carol = await open({ name: 'carol' });
    await alice.waitForMembers(['alice', 'bob', 'carol']);
    await carol.waitForMembers(['alice', 'bob', 'carol']);
    await carol.close();

    await alice.waitForMembers(['alice', 'bob']);
  });

  it('delivers 60 quick sends in the order they were typed, to both users, under the rate limit', async () => {
    // The default burst (40) at 5 a second: 60 sends outrun it unless they take over 4 s, however slow the
    // machine makes each acknowledged round trip (at the default 20 a second, a busy one never hit the limit).
    await boot({ RATE_LIMIT_PER_SECOND: '5' });
    const alice = await open({ name: 'alice' });
    const bob = await open({ name: 'bob' });
    const burst = Array.from({ length: 60 }, (_, i) => `burst ${i}`);

    const refusals = await alice.countErrors('rate_limited');

    // More than the 40-frame burst a connection may send at once: some are refused with rate_limited.
    await alice.sendBurst(burst);

    await bob.waitForMessage('burst 59');
    // One send in flight at a time: the last one acknowledged means every one before it was too.
    await alice.waitForSent('burst 59');
    expect(await bob.messageTexts()).toEqual(burst);
    expect(await alice.messageTexts()).toEqual(burst);
    expect(await refusals(), 'rate_limited refusals on the way').toBeGreaterThan(0);
  });

  it('asks for a name when none is given, and keeps it across a reload', async () => {
    await boot();
    const bob = await open({ name: 'bob' });
    const newcomer = await open({}, { waitOnline: false });
    const picker = newcomer.page.getByTestId('name-picker');
    await newcomer.waitForText('name picker', picker, 'What should people call you?');
    expect(await newcomer.page.getByTestId('status').getAttribute('data-state')).toBe('idle');

    await newcomer.page.getByTestId('name-input').fill('zoe');
    await newcomer.page.getByTestId('name-input').press('Enter');

    await newcomer.waitForStatus('online');
    expect(await picker.isVisible()).toBe(false);
    expect(await newcomer.page.getByTestId('me').textContent()).toContain('zoe');
    await bob.waitForMembers(['bob', 'zoe']);
    await newcomer.reload();
    expect(await picker.isVisible()).toBe(false);
    expect(await newcomer.page.getByTestId('me').textContent()).toContain('zoe');
  });

  it('joins a room typed with its #, shows the empty state of a new room, and of Direct', async () => {
    await boot();
    const alice = await open({ name: 'alice' });
    expect(await alice.page.getByTestId('directs-empty').isVisible()).toBe(true);

    await alice.joinRoom('#design');

    expect(await alice.page.getByTestId('title').textContent()).toBe('# design');
    await alice.waitForText(
      'empty state',
      alice.page.getByTestId('empty-state'),
      'No messages in #design yet',
    );
    await alice.send('first!');
    await alice.waitForSent('first!');
    expect(await alice.page.getByTestId('empty-state').isVisible()).toBe(false);
  });

  it('counts unread messages in the tab title, and clears them when the conversation is opened', async () => {
    await boot();
    const alice = await open({ name: 'alice' });
    const bob = await open({ name: 'bob' });
    await bob.joinRoom('elsewhere');
    await bob.waitForTitle('Switchboard');

    await alice.send('one');
    await alice.send('two');

    await bob.waitForTitle('(2) Switchboard');
    await bob.page.getByTestId('nav-room:lobby').click();
    await bob.waitForTitle('Switchboard');
  });

  it('collapses a 4000-character message behind "Show more" and expands it on a click', async () => {
    await boot();
    const alice = await open({ name: 'alice' });
    const bob = await open({ name: 'bob' });
    const long = Array.from({ length: 80 }, (_, i) => `line ${i} `.padEnd(49, '.')).join('\n');
    expect(long.length).toBe(3999);

    await alice.send(long);

    await bob.waitForText('the long message', bob.page.getByTestId('message'), 'line 0 ');
    const shown = bob.page.getByTestId('message').filter({ hasText: 'line 0 ' });
    const pane = await boxOf(bob, 'message-list');
    const collapsed = (await shown.boundingBox())!.height;
    expect(collapsed).toBeLessThan(pane.height / 2);
    await shown.getByTestId('show-more').click();
    expect((await shown.boundingBox())!.height).toBeGreaterThan(collapsed * 3);
    expect(await shown.getByTestId('show-more').textContent()).toBe('Show less');
  });

  it('shows a character counter near the limit and refuses, without cutting it, a message over it', async () => {
    await boot();
    const alice = await open({ name: 'alice' });
    const counter = alice.page.getByTestId('char-counter');
    await alice.input.fill('short');
    expect(await counter.isVisible()).toBe(false);

    await alice.input.fill('a'.repeat(3990));
    expect(await counter.textContent()).toBe('10 left');
    expect(await counter.isVisible()).toBe(true);

    const tooLong = 'b'.repeat(4010);
    await alice.send(tooLong);
    expect(await counter.textContent()).toBe('10 over the limit');
    expect(await alice.input.inputValue()).toBe(tooLong);
    await alice.waitForText('notice', alice.page.getByTestId('notice'), 'Too long by 10');
    expect(await alice.messages(tooLong).count()).toBe(0);
  });

  it('on a phone gives the conversation the screen, with rooms and members (and so DMs) a tap away', async () => {
    await boot();
    const bob = await open({ name: 'bob', uid: 'u-bob' });
    const alice = await open({ name: 'alice', uid: 'u-alice' }, { viewport: PHONE });
    const sidebar = alice.page.getByTestId('sidebar');
    const members = alice.page.getByTestId('members-pane');

    const pane = await boxOf(alice, 'message-list');
    expect(pane.width).toBe(PHONE.width);
    expect(pane.height).toBeGreaterThan(PHONE.height * 0.6);
    expect(await sidebar.isVisible()).toBe(false);
    expect(await members.isVisible()).toBe(false);
    await alice.input.fill(Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n'));
    expect((await boxOf(alice, 'message-list')).height).toBeGreaterThan(PHONE.height * 0.45);
    await alice.input.fill('');

    await alice.page.getByTestId('open-members').tap();
    await alice.waitForMembers(['alice', 'bob']);
    expect(await members.isVisible()).toBe(true);
    await alice.page.getByTestId('member').filter({ hasText: 'bob' }).tap();
    expect(await members.isVisible()).toBe(false);
    expect(await alice.page.getByTestId('title').textContent()).toBe('bob');
    await alice.send('sent from my phone');
    await alice.waitForSent('sent from my phone');
    await bob.page.getByTestId('nav-dm:u-alice').click();
    await bob.waitForMessage('sent from my phone');

    await alice.page.getByTestId('open-nav').tap();
    expect(await sidebar.isVisible()).toBe(true);
    await alice.page.getByTestId('join-input').fill('#design');
    await alice.page.getByTestId('join-input').press('Enter');
    await alice.waitForText('title', alice.page.getByTestId('title'), '# design');
    expect(await sidebar.isVisible()).toBe(false);
  });

  describe('with a database (history)', () => {
    const database = databasePerSuite('sqlite', 'browser-client');

    it('scrolls back through a DM page after page to its first message', async () => {
      const app = await boot({
        DATABASE_URL: database.url,
        RATE_LIMIT_BURST: '100000',
        RATE_LIMIT_PER_SECOND: '100000',
        USER_RATE_LIMIT_PER_SECOND: '100000',
      });
      const alice = await app.connect(asUser('u-alice'));
      const total = 130;
      for (let i = 0; i < total; i += 1)
        alice.send('dm', { to: 'u-dave', text: `d${i}`, ref: `a${i}` });
      for (let i = 0; i < total; i += 1)
        expect((await alice.next((f) => f.data?.ref === `a${i}`, `the ack of d${i}`)).event).toBe(
          'ack',
        );

      const dave = await open({ name: 'dave', uid: 'u-dave' });
      await dave.page.getByTestId('nav-dm:u-alice').click();
      await dave.waitForMessage(`d${total - 1}`);
      await dave.scrollBackTo('d0');

      expect(await dave.messageTexts()).toEqual(Array.from({ length: total }, (_, i) => `d${i}`));
    });
  });

  describe('with the server as a process of its own', () => {
    let server: ServerProcess | undefined;

    afterEach(async () => {
      await server?.kill();
      server = undefined;
    });

    it('reconnects two open pages after the server restarts, and they keep chatting', async () => {
      const port = String(await freePort());
      const env = { PORT: port, LOG_LEVEL: 'warn' };
      server = await ServerProcess.start(env);
      const baseUrl = `http://127.0.0.1:${port}`;
      const alice = await open({ name: 'alice' }, { baseUrl });
      const bob = await open({ name: 'bob' }, { baseUrl });
      await alice.send('before the restart');
      await bob.waitForMessage('before the restart');

      await server.kill();
      await alice.waitForStatus('reconnecting');
      await bob.waitForStatus('reconnecting');
      server = await ServerProcess.start(env);

      // The SDK's backoff (full jitter) doubles from 0.5 s: a restart of a few seconds is a few steps.
      await alice.waitForStatus('online', 40_000);
      await bob.waitForStatus('online', 40_000);
      await alice.send('after the restart');
      await bob.waitForMessage('after the restart');
      await bob.send('still here');
      await alice.waitForMessage('still here');
      await alice.waitForMembers(['alice', 'bob']);
    });
  });
});
