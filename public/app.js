// Switchboard's browser client: rooms, direct messages, presence and typing, and (with a database on the
// server) editing and deleting one's own messages, the conversation list with unread counts, DM history
// and read pointers. The wire is the SDK's (@switchboard/client, served as switchboard-client.js): its
// client reconnects, rejoins the rooms with `since` and sends through its outbox; this is the page. User
// data reaches the page only through textContent.

import { ChatErrorCode, SwitchboardClient } from './switchboard-client.js';

const DEFAULT_ROOM = 'lobby';
const ROOM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const DISPLAY_NAME = /^[^\p{C}]{1,32}$/u;
const USER_ID = /^[^\p{C}\s]{1,64}$/u;
/** The server's MAX_TEXT_LENGTH default, in code points after trimming. */
const MAX_TEXT_LENGTH = 4000;
/** The character counter shows from this many code points on. */
const COUNTER_FROM = MAX_TEXT_LENGTH - 500;
/** Messages longer than this (characters or lines) are shown collapsed, with "Show more". */
const COLLAPSE_CHARS = 600;
const COLLAPSE_LINES = 10;
const TYPING_SEND_EVERY_MS = 2000;
const TYPING_SHOW_MS = 3000;
const NOTICE_MS = 5000;
/** How long a first click on "Delete" waits for the second that confirms it. */
const DELETE_CONFIRM_MS = 4000;
const HISTORY_PAGE = 50;
const CONVERSATIONS_LIMIT = 200;
/** Fewest ms between two `read` frames of one conversation: a busy room must not spend the frame rate. */
const READ_EVERY_MS = 1000;
/** How close to the top of the pane (px) scrolling back asks for the page before. */
const LOAD_OLDER_WITHIN_PX = 60;
/** What the status line says when the connection ended for good, by the SDK's reason. */
const CLOSED_TEXT = {
  policy_violation: 'Disconnected: too many refused messages',
  unreachable: 'Cannot reach the server',
  unauthorized: 'Not signed in',
  forbidden: 'Not allowed here',
};
const STORE = {
  uid: 'switchboard.uid',
  name: 'switchboard.name',
  rooms: 'switchboard.rooms',
  directs: 'switchboard.directs',
  current: 'switchboard.current',
};

const $ = (id) => document.getElementById(id);
const ui = {
  app: $('app'),
  rooms: $('rooms'),
  directs: $('directs'),
  directsEmpty: $('directs-empty'),
  joinForm: $('join-form'),
  joinInput: $('join-input'),
  title: $('title'),
  status: $('status'),
  statusText: $('status-text'),
  reconnect: $('reconnect'),
  notice: $('notice'),
  pane: $('pane'),
  empty: $('empty'),
  typing: $('typing'),
  composer: $('composer'),
  input: $('message-input'),
  counter: $('counter'),
  members: $('members'),
  membersHeading: $('members-heading'),
  me: $('me'),
  meName: $('me-name'),
  meAvatar: $('me-avatar'),
  picker: $('picker'),
  pickerInput: $('name-input'),
  openNav: $('open-nav'),
  openMembers: $('open-members'),
  backdrop: $('backdrop'),
};

const params = new URLSearchParams(location.search);
const accessToken = params.get('access_token') ?? undefined;
/** Dev mode without `?name=`: the user picks (and may change) their name on the page. */
const picksName = !accessToken && !validName(params.get('name')?.trim());
const me = identity();
/** Display names by user id, learned from every frame, for direct conversations. */
const names = new Map([[me.id, me.name]]);

/** Conversations by key: `room:<name>` or `dm:<user id>`. */
const conversations = new Map();
/** Shows or hides each conversation's empty state as its list changes. */
const emptyWatch = new MutationObserver(renderEmpty);

const client = new SwitchboardClient({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`,
  // In Sec-WebSocket-Protocol, not the socket's URL: it stays out of proxy and access logs.
  getToken: accessToken ? () => accessToken : undefined,
  // Asked at every connect: a name picked anew goes with the next connection.
  query: accessToken ? undefined : () => ({ name: me.name, uid: me.id }),
});

let lastTypingSent = 0;
let noticeTimer;
let statusTimer;
let current;
/** True once the token ended (4001): the page has no way to a fresh one, so it stops for good. */
let expired = false;
/** False once the server said it keeps no read state (no database): the list, reads and DM history stop. */
let readState = true;

// ---------------------------------------------------------------- identity

function identity() {
  if (accessToken) {
    // Decoded for display only: the server verifies the token, the page merely shows who it names.
    const claims = jwtClaims(accessToken);
    const id = typeof claims.sub === 'string' ? claims.sub : 'me';
    return { id, name: validName(claims.name) ?? id };
  }
  const name = validName(params.get('name')?.trim()) ?? validName(stored(STORE.name)) ?? '';
  // Dev mode only (a token names the user otherwise): `?uid=` is the same user on every device.
  const uid = params.get('uid')?.trim();
  if (uid && USER_ID.test(uid)) return { id: uid, name };
  let id = stored(STORE.uid);
  if (!id || !USER_ID.test(id)) store(STORE.uid, (id = `u-${uuid()}`));
  return { id, name };
}

function validName(value) {
  return typeof value === 'string' && DISPLAY_NAME.test(value) ? value : undefined;
}

function jwtClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) ?? {};
  } catch {
    return {};
  }
}

// Per tab (sessionStorage): a reload is the same user in the same conversations; another tab is another.
function stored(key) {
  try {
    return sessionStorage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

function store(key, value) {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    // Storage may be disabled; the page then forgets on reload.
  }
}

function randomHex(bytes) {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

function uuid() {
  // randomUUID exists only in secure contexts; a page served over plain http on a LAN has none.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const h = randomHex(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

/** Shows the name picker; `then` runs once a valid name is chosen. */
function pickName(then) {
  ui.pickerInput.value = me.name || `guest-${randomHex(2)}`;
  ui.picker.hidden = false;
  ui.pickerInput.focus();
  ui.pickerInput.select();
  ui.picker.onsubmit = (event) => {
    event.preventDefault();
    const name = validName(ui.pickerInput.value.trim());
    if (!name) return notify('A name is 1 to 32 characters, with no control characters.');
    ui.picker.hidden = true;
    me.name = name;
    names.set(me.id, name);
    store(STORE.name, name);
    showMe();
    then();
  };
}

function showMe() {
  ui.meName.textContent = me.name;
  paintAvatar(ui.meAvatar, me);
}

// ---------------------------------------------------------------- conversations

function room(name) {
  const conv = conversation(`room:${name}`, 'room', name);
  conv.sub ??= subscribe(conv);
  return conv;
}

function direct(userId) {
  return conversation(`dm:${userId}`, 'direct', userId);
}

function conversation(key, kind, target) {
  let conv = conversations.get(key);
  if (!conv) {
    const list = document.createElement('ol');
    list.className = 'message-list';
    emptyWatch.observe(list, { childList: true });
    conv = {
      key,
      kind,
      target,
      list,
      byId: new Map(),
      members: new Map(),
      /** Users in the room when the server lists none (past PRESENCE_MAX_MEMBERS): the count only. */
      memberCount: undefined,
      typing: new Map(),
      unread: 0,
      /** A room's RoomSubscription: the SDK joins it, and rejoins it with `since` after a reconnect. */
      sub: undefined,
      /** Bumped when a room is shown afresh: a page of history asked for before belongs to the old view. */
      epoch: 0,
      headTs: -Infinity,
      /** The newest message id known, shown or only listed by `conversations`: what a read marks. */
      headId: undefined,
      /** The user's read pointer, as the server last said. */
      readId: undefined,
      readSent: undefined,
      readTimer: undefined,
      readPending: false,
      hasOlder: true,
      loadingOlder: false,
      historyLoaded: false,
    };
    conversations.set(key, conv);
  }
  return conv;
}

/** Whether the server has this room's user in it now (false while the SDK rejoins it). */
function joined(conv) {
  return conv.sub?.state === 'joined';
}

function titleOf(conv) {
  return conv.kind === 'room' ? `# ${conv.target}` : (names.get(conv.target) ?? conv.target);
}

function select(conv) {
  current = conv;
  conv.unread = 0;
  closePanel();
  ui.pane.replaceChildren(ui.empty, conv.list);
  ui.title.textContent = titleOf(conv);
  ui.input.placeholder = `Message ${conv.kind === 'room' ? `#${conv.target}` : titleOf(conv)}`;
  save();
  renderNav();
  renderMembers();
  renderTyping();
  if (conv.kind === 'direct' && !conv.historyLoaded) requestHistory(conv);
  renderEmpty();
  scrollToBottom();
  // A phone's keyboard would cover half the conversation just opened.
  if (matchMedia('(pointer: fine)').matches) ui.input.focus();
  markRead(conv);
  fillPane();
}

/** How a request names a conversation: `room` or `with`. */
function where(conv) {
  return conv.kind === 'room' ? { room: conv.target } : { with: conv.target };
}

/** Keeps the rooms, the open DMs and the conversation in view for the next load of this tab. */
function save() {
  const all = [...conversations.values()];
  const rooms = all.filter((c) => c.kind === 'room' && c.target !== DEFAULT_ROOM);
  const directs = all.filter((c) => c.kind === 'direct');
  store(STORE.rooms, JSON.stringify(rooms.map((c) => c.target)));
  store(
    STORE.directs,
    JSON.stringify(directs.map((c) => ({ id: c.target, name: names.get(c.target) }))),
  );
  if (current) store(STORE.current, current.key);
}

/** What `save` kept: the rooms and DMs come back, and the conversation that was in view. */
function restore() {
  try {
    for (const name of JSON.parse(stored(STORE.rooms) ?? '[]'))
      if (typeof name === 'string' && ROOM_NAME.test(name)) room(name);
    for (const peer of JSON.parse(stored(STORE.directs) ?? '[]')) {
      if (typeof peer?.id !== 'string' || !USER_ID.test(peer.id) || peer.id === me.id) continue;
      const name = validName(peer.name);
      if (name) names.set(peer.id, name);
      direct(peer.id);
    }
  } catch {
    // A corrupt entry only loses the list of extra conversations.
  }
  return conversations.get(stored(STORE.current) ?? '');
}

function connected() {
  return client.state.status === 'connected';
}

async function requestConversations() {
  if (!readState || !connected()) return;
  try {
    const data = await client.request('conversations', { limit: CONVERSATIONS_LIMIT });
    for (const item of Array.isArray(data.items) ? data.items : []) {
      let conv;
      if (item.with) {
        names.set(item.with.id, item.with.name);
        conv = direct(item.with.id);
      } else conv = conversations.get(`room:${item.room}`);
      // Rooms left on this page stay left: the list adds only DMs, and read state to what is here.
      if (!conv) continue;
      conv.readId = item.readId;
      if (item.last && conv.headId === undefined) conv.headId = item.last.id;
      conv.unread = conv === current && !document.hidden ? 0 : item.unread;
      if (conv === current) markRead(conv);
    }
    save();
    renderNav();
  } catch (error) {
    readStateFailed(error);
  }
}

/** Asks for the page before `before`, or the latest page; one request per conversation at a time. */
async function requestHistory(conv, before) {
  if (conv.loadingOlder || !connected()) return;
  if (conv.kind === 'direct' ? !readState : !joined(conv)) return;
  conv.loadingOlder = true;
  const epoch = conv.epoch;
  const page = { limit: HISTORY_PAGE, ...(before === undefined ? {} : { before }) };
  let data;
  try {
    data =
      conv.kind === 'room'
        ? await conv.sub.history(page)
        : await client.request('history', { with: conv.target, ...page });
  } catch (error) {
    conv.loadingOlder = false;
    if (conv.kind === 'direct') readStateFailed(error);
    return;
  }
  conv.loadingOlder = false;
  conv.historyLoaded = true;
  if (!conversations.has(conv.key) || conv.epoch !== epoch) return;
  const messages = Array.isArray(data.messages) ? data.messages : [];
  // Kept where the reader is: older messages grow the pane above the view.
  const fromBottom = ui.pane.scrollHeight - ui.pane.scrollTop;
  let above;
  for (const message of messages)
    above = receive(conv, message, { live: false, older: before !== undefined, above }) ?? above;
  if (messages.length === 0) conv.hasOlder = false;
  renderEmpty();
  if (conv !== current) return;
  if (before === undefined) scrollToBottom();
  else ui.pane.scrollTop = ui.pane.scrollHeight - fromBottom;
  markRead(conv);
  fillPane();
}

/** Pages back from the oldest message shown, while the server has older ones. */
function loadOlder(conv) {
  if (!conv?.hasOlder || conv.loadingOlder) return;
  const oldest = conv.list.querySelector('[data-id]')?.dataset.id;
  if (oldest === undefined) return;
  requestHistory(conv, oldest);
}

/** A pane too short to scroll could never reach its top: page back until it scrolls or history ends. */
function fillPane() {
  if (current && ui.pane.scrollHeight <= ui.pane.clientHeight + LOAD_OLDER_WITHIN_PX)
    loadOlder(current);
}

/** Moves the read pointer to the newest message of the conversation in view, at most once a second. */
function markRead(conv) {
  if (!readState || conv !== current || document.hidden || !connected()) return;
  const id = conv.headId;
  if (id === undefined || id === conv.readId || id === conv.readSent) return;
  if (conv.readTimer !== undefined) {
    conv.readPending = true;
    return;
  }
  conv.readSent = id;
  client.request('read', { ...where(conv), id }).then((data) => {
    conv.readId = data.id;
    conv.unread = conv === current ? 0 : Number(data.unread) || 0;
    renderNav();
  }, readStateFailed);
  conv.readTimer = setTimeout(() => {
    conv.readTimer = undefined;
    if (!conv.readPending) return;
    conv.readPending = false;
    markRead(conv);
  }, READ_EVERY_MS);
}

/** A list, read or history request refused: without a database the page stops asking, silently. */
function readStateFailed(error) {
  if (error.code === ChatErrorCode.Unavailable && /needs a database/.test(error.message ?? ''))
    readState = false;
}

function joinRoom(name) {
  select(room(name));
}

function leaveRoom(conv) {
  forget(conv);
}

function forget(conv) {
  conversations.delete(conv.key);
  // The SDK leaves on the server (when connected) and rejects the room's unsent messages.
  conv.sub.leave().catch(() => {
    // Leaving a room the server no longer has us in, or a lost socket: either way we are out.
  });
  if (current === conv) select(room(DEFAULT_ROOM));
  else renderNav();
  save();
}

/** Joins the room through the SDK and shows what it says of it. */
function subscribe(conv) {
  const sub = client.join(conv.target);
  sub.on('joined', (snapshot) => roomJoined(conv, snapshot));
  sub.on('message', (message) => roomMessage(conv, message));
  sub.on('presence', (data) => presence(conv, data));
  sub.on('typing', (data) => showTyping(conv, data));
  sub.on('state', () => {
    renderNav();
    if (conv === current) renderEmpty();
  });
  // Refused for good (forbidden, a bad name): transient refusals the SDK retries itself.
  sub.on('error', (error) => {
    notify(`Could not join #${conv.target}: ${error.message || error.code}`);
    if (conv.target !== DEFAULT_ROOM && conversations.get(conv.key) === conv) forget(conv);
  });
  return sub;
}

/** A `joined` from the SDK: the first join, or a rejoin after a reconnect. */
function roomJoined(conv, { members, messages, changes, gap }) {
  conv.members = new Map(members.map((user) => [user.id, user]));
  for (const user of members) names.set(user.id, user.name);
  // An empty list is a room past PRESENCE_MAX_MEMBERS (a joined room lists at least us): count only.
  conv.memberCount = undefined;
  if (members.length === 0) countMembers(conv);
  // The server could not tell what was missed while away: what is shown may have a hole in it, so the
  // room is shown afresh from this snapshot, and scrolling up pages back from there.
  if (gap) showAfresh(conv);
  for (const message of messages) receive(conv, message, { live: false });
  for (const change of changes ?? []) {
    const item = conv.byId.get(change.id);
    if (!item) continue;
    if (change.action === 'deleted') showState(item, { deleted: true });
    else showState(item, { text: change.text, editedAt: change.at });
  }
  renderNav();
  renderEmpty();
  if (conv === current) {
    renderMembers();
    if (gap) scrollToBottom();
    markRead(conv);
    fillPane();
  }
}

/** Forgets every stored message shown (sends still pending stay at the bottom). */
function showAfresh(conv) {
  for (const item of conv.byId.values()) item.remove();
  conv.byId.clear();
  conv.epoch += 1;
  conv.hasOlder = true;
  conv.loadingOlder = false;
  conv.headTs = -Infinity;
}

async function countMembers(conv) {
  try {
    const data = await conv.sub.members();
    conv.memberCount = Number(data.count) || undefined;
    if (conv === current) renderMembers();
  } catch {
    // The count is a courtesy: the list stays as it is.
  }
}

// ---------------------------------------------------------------- messages

function messageElement(from, text) {
  const item = document.createElement('li');
  item.className = 'message';
  item.dataset.testid = 'message';
  if (from.id === me.id) item.classList.add('own');

  const avatar = avatarElement(from, 'avatar');

  const body = document.createElement('div');
  body.className = 'message-body';
  const meta = document.createElement('div');
  meta.className = 'message-meta';
  const author = document.createElement('span');
  author.className = 'author';
  author.textContent = from.name;
  const time = document.createElement('time');
  const state = document.createElement('span');
  state.className = 'delivery';
  meta.append(author, time, state);
  const content = document.createElement('p');
  content.className = 'text';
  content.dataset.testid = 'message-text';
  body.append(meta, content);
  setText(item, content, text);

  item.append(avatar, body);
  return item;
}

/** Sets a message's text; a long one is collapsed behind "Show more" so that it cannot fill the pane. */
function setText(item, content, text) {
  content.textContent = text;
  const long = text.length > COLLAPSE_CHARS || text.split('\n').length > COLLAPSE_LINES;
  content.classList.toggle('collapsed', long);
  let toggle = item.querySelector('.more');
  if (!long) return toggle?.remove();
  if (toggle) return (toggle.textContent = 'Show more');
  toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'link-button more';
  toggle.dataset.testid = 'show-more';
  toggle.textContent = 'Show more';
  toggle.addEventListener('click', () => {
    const collapsed = content.classList.toggle('collapsed');
    toggle.textContent = collapsed ? 'Show more' : 'Show less';
  });
  content.after(toggle);
}

/** The Edit and Delete buttons of one's own stored message (a pending send has no id to name yet). */
function addActions(conv, item) {
  if (!item.classList.contains('own') || item.querySelector('.actions')) return;
  const actions = document.createElement('span');
  actions.className = 'actions';
  const edit = document.createElement('button');
  edit.type = 'button';
  edit.className = 'link-button';
  edit.dataset.testid = 'edit-message';
  edit.textContent = 'Edit';
  edit.addEventListener('click', () => startEdit(conv, item));
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'link-button danger';
  remove.dataset.testid = 'delete-message';
  remove.textContent = 'Delete';
  let armed;
  remove.addEventListener('click', () => {
    // Two clicks, not `confirm()`: a modal dialog would stop every other conversation's updates.
    if (!armed) {
      remove.textContent = 'Delete?';
      armed = setTimeout(() => {
        armed = undefined;
        remove.textContent = 'Delete';
      }, DELETE_CONFIRM_MS);
      return;
    }
    clearTimeout(armed);
    armed = undefined;
    remove.textContent = 'Delete';
    change(conv, item, 'delete');
  });
  actions.append(edit, remove);
  item.querySelector('.message-meta').append(actions);
}

/** Shows a message as it now is: its text and an "(edited)" mark, or "message deleted". */
function showState(item, { text, editedAt, deleted }) {
  const content = item.querySelector('.text');
  let mark = item.querySelector('.edited');
  if (deleted) {
    item.classList.add('deleted');
    setText(item, content, 'message deleted');
    item.querySelector('.actions')?.remove();
    item.querySelector('.editor')?.remove();
    content.hidden = false;
    mark?.remove();
    return;
  }
  if (text !== undefined && text !== content.textContent) setText(item, content, text);
  if (editedAt === undefined || mark) return;
  mark = document.createElement('span');
  mark.className = 'edited';
  mark.dataset.testid = 'edited-mark';
  mark.textContent = '(edited)';
  mark.title = new Date(editedAt).toLocaleString();
  item.querySelector('.message-meta time').after(mark);
}

/** Replaces a message's text with a box to edit it in: Enter saves, Escape cancels. */
function startEdit(conv, item) {
  if (item.querySelector('.editor')) return;
  const content = item.querySelector('.text');
  const editor = document.createElement('textarea');
  editor.className = 'editor';
  editor.dataset.testid = 'edit-input';
  editor.rows = 2;
  editor.value = content.textContent;
  content.hidden = true;
  content.after(editor);
  editor.focus();
  const close = () => {
    editor.remove();
    content.hidden = false;
  };
  editor.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') return close();
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    const text = editor.value.trim();
    close();
    if (text && text !== content.textContent) change(conv, item, 'edit', text);
  });
}

/** Sends an edit or a deletion of one's own message; the page shows it once the server acks it. */
async function change(conv, item, action, text) {
  if (!connected()) return notify('Not connected: try again once back online.');
  try {
    const ack = await client.request(action, {
      ...where(conv),
      id: item.dataset.id,
      ...(text === undefined ? {} : { text }),
    });
    showState(item, action === 'delete' ? { deleted: true } : { text, editedAt: ack.ts });
  } catch (error) {
    notify(`Could not ${action} the message: ${error.message || error.code}`);
  }
}

/** Applies an `edited` or `deleted` that names a message this page shows. */
function changed(data, state) {
  const peer = data.from.id === me.id ? data.to : data.from.id;
  const conv = conversations.get(data.room !== undefined ? `room:${data.room}` : `dm:${peer}`);
  const item = conv?.byId.get(data.id);
  if (item) showState(item, state);
}

function stamp(item, id, ts) {
  item.dataset.id = id;
  item.dataset.ts = String(ts);
  const time = item.querySelector('time');
  const date = new Date(ts);
  time.dateTime = date.toISOString();
  time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  time.title = date.toLocaleString();
}

/** Inserts in time order: pending sends (no ts yet) stay at the bottom, equal times keep arrival order. */
function insert(conv, item) {
  const stick = conv === current && isNearBottom();
  let before = conv.list.lastElementChild;
  if (item.dataset.ts !== undefined) {
    const ts = Number(item.dataset.ts);
    while (before && (before.dataset.ts === undefined || Number(before.dataset.ts) > ts)) {
      before = before.previousElementSibling;
    }
  }
  if (before) before.after(item);
  else conv.list.prepend(item);
  if (stick) scrollToBottom();
}

/**
 * Shows a stored message once, however many times recovery and live delivery bring it. An `older` one
 * (a page from before everything shown) goes above the first message shown, after `above` if given:
 * messages stored in one batch share a time, so time alone cannot place it.
 */
function receive(conv, message, { live, older = false, above }) {
  const shown = conv.byId.get(message.id);
  // History shows a message as it now is: what a page already shows may have changed since.
  if (shown) {
    showState(shown, message);
    return undefined;
  }
  names.set(message.from.id, message.from.name);
  const item = messageElement(message.from, message.text);
  stamp(item, message.id, message.ts);
  conv.byId.set(message.id, item);
  addActions(conv, item);
  showState(item, message);
  if (!older) insert(conv, item);
  else if (above) above.after(item);
  else conv.list.prepend(item);
  if (older) return item;
  if (message.ts >= conv.headTs) {
    conv.headTs = message.ts;
    conv.headId = message.id;
  }
  if (live && message.from.id !== me.id) {
    // A hidden tab counts what arrives in view too: the title shows it.
    if (conv === current && !document.hidden) markRead(conv);
    else {
      conv.unread += 1;
      renderNav();
    }
  }
  return item;
}

/** Code points after trimming, as the server counts MAX_TEXT_LENGTH. */
function textLength(text) {
  let n = 0;
  for (const _ of text.trim()) n += 1;
  return n;
}

function submit() {
  const text = ui.input.value.trim();
  if (!text) return;
  const over = textLength(text) - MAX_TEXT_LENGTH;
  if (over > 0) {
    renderCounter();
    return notify(`Too long by ${over} characters: shorten it, or split it in two.`);
  }
  ui.input.value = '';
  fitInput();
  renderCounter();
  const conv = current;
  const item = messageElement(me, text);
  item.classList.add('pending');
  item.querySelector('.delivery').textContent = 'sending…';
  insert(conv, item);
  scrollToBottom();
  // The SDK's outbox: it waits while offline, goes again after rate_limited or a reconnect, and reaches
  // the conversation once, after every earlier send to it.
  const sending = conv.kind === 'room' ? conv.sub.send(text) : client.sendDm(conv.target, text);
  sending.then(
    (ack) => sent(conv, item, ack),
    (error) => {
      item.classList.replace('pending', 'failed');
      item.querySelector('.delivery').textContent = `not sent: ${error.message || error.code}`;
      notify(`Message not sent: ${error.message || error.code}`);
    },
  );
}

function sent(conv, item, ack) {
  // Recovery or another of the user's sockets may have shown this very message before its ack came back.
  if (conv.byId.has(ack.id)) return item.remove();
  item.classList.remove('pending');
  item.querySelector('.delivery').textContent = '';
  stamp(item, ack.id, ack.ts);
  conv.byId.set(ack.id, item);
  addActions(conv, item);
  item.remove();
  insert(conv, item);
}

// ---------------------------------------------------------------- frames from the server

function roomMessage(conv, data) {
  // An author is in the room; a room too big to list keeps its count instead.
  if (conv.memberCount === undefined) conv.members.set(data.from.id, data.from);
  stopTyping(conv, data.from.id);
  receive(conv, data, { live: true });
  if (conv === current) renderMembers();
}

function presence(conv, data) {
  names.set(data.user.id, data.user.name);
  if (data.action === 'join') conv.members.set(data.user.id, data.user);
  else {
    conv.members.delete(data.user.id);
    stopTyping(conv, data.user.id);
  }
  if (conv === current) renderMembers();
}

function showTyping(conv, data) {
  if (data.user.id === me.id) return;
  if (conv.memberCount === undefined) conv.members.set(data.user.id, data.user);
  clearTimeout(conv.typing.get(data.user.id)?.timer);
  const timer = setTimeout(() => stopTyping(conv, data.user.id), TYPING_SHOW_MS);
  conv.typing.set(data.user.id, { name: data.user.name, timer });
  if (conv === current) {
    renderTyping();
    renderMembers();
  }
}

function stopTyping(conv, userId) {
  const typing = conv.typing.get(userId);
  if (!typing) return;
  clearTimeout(typing.timer);
  conv.typing.delete(userId);
  if (conv === current) renderTyping();
}

client.on('read', (data) => {
  const conv = conversations.get(data.room !== undefined ? `room:${data.room}` : `dm:${data.with}`);
  if (!conv) return;
  conv.readId = data.id;
  conv.unread = conv === current ? 0 : Number(data.unread) || 0;
  renderNav();
});

client.on('edited', (data) => changed(data, { text: data.text, editedAt: data.editedAt }));
client.on('deleted', (data) => changed(data, { deleted: true }));

client.on('dm', (data) => {
  const peer = data.from.id === me.id ? data.to : data.from.id;
  names.set(data.from.id, data.from.name);
  const known = conversations.has(`dm:${peer}`);
  receive(direct(peer), data, { live: true });
  if (!known) {
    save();
    renderNav();
  }
});

// Errors no request waits for: typing is best effort, being throttled or out of a room is not worth a word.
client.on('error', (data) => {
  if (data.code === ChatErrorCode.RateLimited || data.code === ChatErrorCode.NotInRoom) return;
  notify(data.message || data.code);
});

client.on('state', (state) => {
  clearInterval(statusTimer);
  if (state.status !== 'connected') {
    for (const conv of conversations.values()) {
      conv.loadingOlder = false;
      conv.readSent = undefined;
      for (const userId of conv.typing.keys()) stopTyping(conv, userId);
    }
  }
  switch (state.status) {
    case 'connecting':
      return setStatus('connecting', 'Connecting…');
    case 'connected':
      setStatus('online', 'Connected');
      // Rooms are rejoined by the SDK. DMs are delivered live only: what came meanwhile is in history.
      requestConversations();
      for (const conv of conversations.values()) {
        if (conv.kind === 'direct' && (conv.historyLoaded || conv === current))
          requestHistory(conv);
      }
      return;
    case 'disconnected': {
      // The token came in the page's URL: the page has no fresh one to reconnect with.
      if (state.reason === 'token_expired' && accessToken) {
        expired = true;
        return client.close();
      }
      if (state.reason === 'offline')
        return setStatus('offline', 'Offline: waiting for the network');
      const retryAt = Date.now() + state.retryInMs;
      const tick = () => {
        const seconds = Math.max(1, Math.ceil((retryAt - Date.now()) / 1000));
        setStatus('reconnecting', `Reconnecting in ${seconds} s…`, { canReconnect: true });
      };
      tick();
      statusTimer = setInterval(tick, 1000);
      return;
    }
    case 'closed':
      if (expired) {
        setStatus('expired', 'Session expired');
        return notify('Your session has expired. Reload the page with a fresh token to continue.', {
          sticky: true,
        });
      }
      if (state.reason === 'offline')
        return setStatus('offline', 'Offline: waiting for the network');
      return setStatus('closed', CLOSED_TEXT[state.reason] ?? 'Disconnected', {
        canReconnect: true,
      });
  }
});

// ---------------------------------------------------------------- rendering

function setStatus(state, text, { canReconnect = false } = {}) {
  ui.status.dataset.state = state;
  ui.statusText.textContent = text;
  ui.reconnect.hidden = !canReconnect;
}

function notify(text, { sticky = false } = {}) {
  clearTimeout(noticeTimer);
  ui.notice.textContent = text;
  ui.notice.hidden = false;
  if (!sticky) noticeTimer = setTimeout(() => (ui.notice.hidden = true), NOTICE_MS);
}

/** A user's avatar, decorative (the name is always beside it). */
function avatarElement(user, className) {
  const avatar = document.createElement('span');
  avatar.className = className;
  avatar.setAttribute('aria-hidden', 'true');
  paintAvatar(avatar, user);
  return avatar;
}

function paintAvatar(element, user) {
  element.textContent = [...user.name][0]?.toUpperCase() ?? '?';
  let hash = 0;
  for (const char of user.id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  element.style.setProperty('--hue', String(hash % 360));
}

function navItem(conv, label) {
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'nav-item';
  button.dataset.testid = `nav-${conv.key}`;
  if (conv === current) button.setAttribute('aria-current', 'page');
  if (conv.kind === 'room') button.dataset.joined = String(joined(conv));
  const text = document.createElement('span');
  text.className = 'nav-label';
  text.textContent = label;
  button.append(text);
  if (conv.unread > 0) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = conv.unread > 99 ? '99+' : String(conv.unread);
    button.append(badge);
  }
  button.addEventListener('click', () => select(conv));
  item.append(button);
  if (conv.kind === 'room' && conv.target !== DEFAULT_ROOM) {
    const leave = document.createElement('button');
    leave.type = 'button';
    leave.className = 'leave';
    leave.textContent = '×';
    leave.title = `Leave #${conv.target}`;
    leave.setAttribute('aria-label', `Leave ${conv.target}`);
    leave.addEventListener('click', () => leaveRoom(conv));
    item.append(leave);
  }
  return item;
}

function renderNav() {
  const all = [...conversations.values()];
  ui.rooms.replaceChildren(
    ...all.filter((conv) => conv.kind === 'room').map((conv) => navItem(conv, `# ${conv.target}`)),
  );
  const directs = all.filter((conv) => conv.kind === 'direct');
  ui.directs.replaceChildren(...directs.map((conv) => navItem(conv, titleOf(conv))));
  ui.directsEmpty.hidden = directs.length > 0;
  const unread = all.reduce((sum, conv) => sum + conv.unread, 0);
  document.title = unread > 0 ? `(${unread}) Switchboard` : 'Switchboard';
  ui.openNav.classList.toggle('has-unread', unread > 0);
}

function renderMembers() {
  if (current.kind === 'room' && current.memberCount !== undefined) {
    ui.membersHeading.textContent = `Members · ${current.memberCount}`;
    const note = document.createElement('li');
    note.className = 'members-note';
    note.textContent = 'Too many to list: message someone from their message instead.';
    ui.members.replaceChildren(note);
    return;
  }
  const members =
    current.kind === 'room'
      ? [...current.members.values()]
      : [me, { id: current.target, name: titleOf(current) }];
  if (!members.some((user) => user.id === me.id)) members.push(me);
  members.sort((a, b) => (a.id === me.id ? -1 : b.id === me.id ? 1 : a.name.localeCompare(b.name)));
  ui.membersHeading.textContent =
    current.kind === 'room' ? `Members · ${members.length}` : 'Conversation';
  ui.members.replaceChildren(...members.map(memberItem));
  if (current.kind === 'room' && members.length === 1) {
    const note = document.createElement('li');
    note.className = 'members-note';
    note.dataset.testid = 'members-empty';
    note.textContent = 'Nobody else is here yet.';
    ui.members.append(note);
  }
}

function memberItem(user) {
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'member';
  button.dataset.testid = 'member';
  const avatar = avatarElement(user, 'avatar small');
  const label = document.createElement('span');
  label.className = 'member-name';
  label.textContent = user.name;
  button.append(avatar, label);
  if (user.id === me.id) {
    const you = document.createElement('span');
    you.className = 'you';
    you.textContent = 'you';
    button.append(you);
    button.disabled = true;
  } else {
    button.title = `Message ${user.name} directly`;
    button.addEventListener('click', () => {
      names.set(user.id, user.name);
      select(direct(user.id));
      renderNav();
    });
  }
  item.append(button);
  return item;
}

function renderTyping() {
  const typists = [...current.typing.values()].map((typing) => typing.name);
  ui.typing.textContent =
    typists.length === 0
      ? ''
      : typists.length === 1
        ? `${typists[0]} is typing…`
        : typists.length === 2
          ? `${typists[0]} and ${typists[1]} are typing…`
          : 'Several people are typing…';
}

/** The empty state of the conversation in view: what is happening, or what to do first. */
function renderEmpty() {
  if (!current) return;
  ui.empty.hidden = current.list.childElementCount > 0;
  if (ui.empty.hidden) return;
  ui.empty.textContent =
    current.kind === 'direct'
      ? current.loadingOlder
        ? 'Loading the conversation…'
        : `No messages with ${titleOf(current)} yet. Say hello!`
      : joined(current)
        ? `No messages in #${current.target} yet. Say hello!`
        : `Joining #${current.target}…`;
}

/** Shows how many characters are left once the text nears MAX_TEXT_LENGTH, and by how many it is over. */
function renderCounter() {
  const length = textLength(ui.input.value);
  ui.counter.hidden = length < COUNTER_FROM;
  const left = MAX_TEXT_LENGTH - length;
  ui.counter.textContent = left >= 0 ? `${left} left` : `${-left} over the limit`;
  ui.counter.dataset.over = String(left < 0);
  ui.input.setAttribute('aria-invalid', String(left < 0));
}

function fitInput() {
  ui.input.style.height = 'auto';
  ui.input.style.height = `${ui.input.scrollHeight + ui.input.offsetHeight - ui.input.clientHeight}px`;
}

function isNearBottom() {
  return ui.pane.scrollHeight - ui.pane.scrollTop - ui.pane.clientHeight < 80;
}

function scrollToBottom() {
  ui.pane.scrollTop = ui.pane.scrollHeight;
}

/** On a narrow screen the sidebar and the members are panels over the conversation, one at a time. */
function openPanel(panel) {
  ui.app.dataset.panel = ui.app.dataset.panel === panel ? '' : panel;
  ui.openNav.setAttribute('aria-expanded', String(ui.app.dataset.panel === 'nav'));
  ui.openMembers.setAttribute('aria-expanded', String(ui.app.dataset.panel === 'members'));
}

function closePanel() {
  if (ui.app.dataset.panel) openPanel(ui.app.dataset.panel);
}

// ---------------------------------------------------------------- wiring

ui.input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  }
});

ui.input.addEventListener('input', () => {
  fitInput();
  renderCounter();
  const now = Date.now();
  if (current.kind !== 'room' || !joined(current) || !ui.input.value.trim()) return;
  // Not reset by a send: typing frames spend the same rate budget as the messages themselves.
  if (now - lastTypingSent < TYPING_SEND_EVERY_MS) return;
  current.sub.typing();
  lastTypingSent = now;
});

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  submit();
});

ui.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = ui.joinInput.value.trim().replace(/^#/, '');
  if (!ROOM_NAME.test(name)) return notify('Room names use letters, digits and _ . : - only.');
  ui.joinInput.value = '';
  joinRoom(name);
  save();
});

ui.reconnect.addEventListener('click', () => client.reconnect());
ui.openNav.addEventListener('click', () => openPanel('nav'));
ui.openMembers.addEventListener('click', () => openPanel('members'));
ui.backdrop.addEventListener('click', closePanel);
addEventListener('keydown', (event) => event.key === 'Escape' && closePanel());

ui.pane.addEventListener('scroll', () => {
  if (ui.pane.scrollTop < LOAD_OLDER_WITHIN_PX) loadOlder(current);
});

document.addEventListener('visibilitychange', () => {
  if (document.hidden || !current) return;
  current.unread = 0;
  renderNav();
  markRead(current);
});

if (picksName) {
  ui.me.disabled = false;
  ui.me.title = 'Change your name';
  ui.me.addEventListener('click', () =>
    // The server learns a name at the handshake: a new one needs a new connection.
    pickName(() => client.reconnect()),
  );
}

const lobby = room(DEFAULT_ROOM);
select(restore() ?? lobby);
renderCounter();
if (me.name) {
  showMe();
  client.connect();
} else {
  setStatus('idle', 'Pick a name to start');
  pickName(() => client.connect());
}
