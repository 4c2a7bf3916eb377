// Switchboard's browser client: one native WebSocket, rooms, direct messages, presence and typing,
// an outbox that survives reconnects, and (with a database on the server) editing and deleting one's own
// messages, the conversation list with unread counts, DM history and read pointers. User data reaches the
// page only through textContent.

const DEFAULT_ROOM = 'lobby';
const ROOM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const DISPLAY_NAME = /^[^\p{C}]{1,32}$/u;
const TYPING_SEND_EVERY_MS = 2000;
const TYPING_SHOW_MS = 3000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15000;
const NOTICE_MS = 5000;
/** How long a first click on "Delete" waits for the second that confirms it. */
const DELETE_CONFIRM_MS = 4000;
const HISTORY_PAGE = 50;
const CONVERSATIONS_LIMIT = 200;
/** Fewest ms between two `read` frames of one conversation: a busy room must not spend the frame rate. */
const READ_EVERY_MS = 1000;
/** How close to the top of the pane (px) scrolling back asks for the page before. */
const LOAD_OLDER_WITHIN_PX = 60;
const USER_ID = /^[^\p{C}\s]{1,64}$/u;

const $ = (id) => document.getElementById(id);
const ui = {
  rooms: $('rooms'),
  directs: $('directs'),
  directsHeading: $('directs-heading'),
  joinForm: $('join-form'),
  joinInput: $('join-input'),
  title: $('title'),
  status: $('status'),
  statusText: $('status-text'),
  reconnect: $('reconnect'),
  notice: $('notice'),
  pane: $('pane'),
  typing: $('typing'),
  composer: $('composer'),
  input: $('message-input'),
  members: $('members'),
  membersHeading: $('members-heading'),
};

const params = new URLSearchParams(location.search);
const accessToken = params.get('access_token') ?? undefined;
const me = identity();
/** Display names by user id, learned from every frame, for direct conversations. */
const names = new Map([[me.id, me.name]]);

/** Conversations by key: `room:<name>` or `dm:<user id>`. */
const conversations = new Map();
/** Unacknowledged sends in the order they were made, by clientMsgId; resent after a reconnect. */
const outbox = new Map();
/** Requests awaiting a reply, by ref. */
const requests = new Map();

let socket = null;
let reconnectTimer;
let attempt = 0;
let refCounter = 0;
let lastTypingSent = 0;
let noticeTimer;
/** Where the page stands: connecting, online, reconnecting, offline, closed or expired. */
let connectionState = 'connecting';
let current;
/** False once the server said it keeps no read state (no database): the list, reads and DM history stop. */
let readState = true;

// ---------------------------------------------------------------- identity

function identity() {
  if (accessToken) {
    // Decoded for display only: the server verifies the token, the page merely shows who it names.
    const claims = jwtClaims(accessToken);
    const id = typeof claims.sub === 'string' ? claims.sub : 'me';
    const name = validName(claims.name) ?? id;
    return { id, name };
  }
  const name =
    validName(params.get('name')?.trim()) ??
    remembered('switchboard.name', () => `guest-${randomHex(2)}`);
  // Dev mode only (a token names the user otherwise): `?uid=` is the same user on every device.
  const uid = params.get('uid')?.trim();
  if (uid && USER_ID.test(uid)) return { id: uid, name };
  return { id: remembered('switchboard.uid', () => `u-${uuid()}`), name };
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

/** A per-tab value, kept in sessionStorage so that reloads and reconnects stay the same user. */
function remembered(key, create) {
  try {
    let value = sessionStorage.getItem(key);
    if (!value) sessionStorage.setItem(key, (value = create()));
    return value;
  } catch {
    return create();
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

// ---------------------------------------------------------------- conversations

function room(name) {
  return conversation(`room:${name}`, 'room', name);
}

function direct(userId) {
  return conversation(`dm:${userId}`, 'direct', userId);
}

function conversation(key, kind, target) {
  let conv = conversations.get(key);
  if (!conv) {
    const list = document.createElement('ol');
    list.className = 'message-list';
    conv = {
      key,
      kind,
      target,
      list,
      byId: new Map(),
      members: new Map(),
      typing: new Map(),
      unread: 0,
      joined: false,
      lastId: undefined,
      lastTs: -Infinity,
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
    if (kind === 'room') saveRooms();
    renderNav();
  }
  return conv;
}

function titleOf(conv) {
  return conv.kind === 'room' ? `# ${conv.target}` : (names.get(conv.target) ?? conv.target);
}

function select(conv) {
  current = conv;
  conv.unread = 0;
  ui.pane.replaceChildren(conv.list);
  ui.title.textContent = titleOf(conv);
  ui.input.placeholder = `Message ${conv.kind === 'room' ? `#${conv.target}` : titleOf(conv)}`;
  renderNav();
  renderMembers();
  renderTyping();
  scrollToBottom();
  ui.input.focus();
  if (conv.kind === 'direct' && !conv.historyLoaded) requestHistory(conv);
  markRead(conv);
  fillPane();
}

/** How a request names a conversation: `room` or `with`. */
function where(conv) {
  return conv.kind === 'room' ? { room: conv.target } : { with: conv.target };
}

function requestConversations() {
  if (!readState || !isOpen()) return;
  const ref = nextRef();
  requests.set(ref, { type: 'conversations' });
  send('conversations', { limit: CONVERSATIONS_LIMIT, ref });
}

/** Asks for the page before `before`, or the latest page; one request per conversation at a time. */
function requestHistory(conv, before) {
  if (conv.loadingOlder || !isOpen()) return;
  if (conv.kind === 'direct' ? !readState : !conv.joined) return;
  conv.loadingOlder = true;
  const ref = nextRef();
  requests.set(ref, { type: 'history', conv, before });
  send('history', {
    ...where(conv),
    limit: HISTORY_PAGE,
    ref,
    ...(before === undefined ? {} : { before }),
  });
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
  if (!readState || conv !== current || !isOpen()) return;
  const id = conv.headId;
  if (id === undefined || id === conv.readId || id === conv.readSent) return;
  if (conv.readTimer !== undefined) {
    conv.readPending = true;
    return;
  }
  conv.readSent = id;
  const ref = nextRef();
  requests.set(ref, { type: 'read', conv });
  send('read', { ...where(conv), id, ref });
  conv.readTimer = setTimeout(() => {
    conv.readTimer = undefined;
    if (!conv.readPending) return;
    conv.readPending = false;
    markRead(conv);
  }, READ_EVERY_MS);
}

function rooms() {
  return [...conversations.values()].filter((conv) => conv.kind === 'room');
}

function saveRooms() {
  const saved = rooms()
    .map((conv) => conv.target)
    .filter((name) => name !== DEFAULT_ROOM);
  try {
    sessionStorage.setItem('switchboard.rooms', JSON.stringify(saved));
  } catch {
    // Storage may be disabled; rooms then last as long as the page.
  }
}

function restoreRooms() {
  try {
    const saved = JSON.parse(sessionStorage.getItem('switchboard.rooms') ?? '[]');
    for (const name of saved) if (typeof name === 'string' && ROOM_NAME.test(name)) room(name);
  } catch {
    // A corrupt entry only loses the list of extra rooms.
  }
}

function joinRoom(name) {
  const conv = room(name);
  select(conv);
  if (isOpen() && !conv.joined) sendJoin(conv);
}

function leaveRoom(conv) {
  if (isOpen()) send('leave', { room: conv.target, ref: nextRef() });
  forget(conv);
}

function forget(conv) {
  for (const entry of outbox.values()) if (entry.conv === conv) dropEntry(entry);
  conversations.delete(conv.key);
  saveRooms();
  if (current === conv) select(room(DEFAULT_ROOM));
  else renderNav();
}

function sendJoin(conv) {
  const ref = nextRef();
  const since = conv.lastId;
  requests.set(ref, { type: 'join', conv, since });
  send('join', { room: conv.target, ref, ...(since === undefined ? {} : { since }) });
}

// ---------------------------------------------------------------- messages

function messageElement(from, text) {
  const item = document.createElement('li');
  item.className = 'message';
  item.dataset.testid = 'message';
  if (from.id === me.id) item.classList.add('own');

  const avatar = document.createElement('span');
  avatar.className = 'avatar';
  avatar.setAttribute('aria-hidden', 'true');
  paintAvatar(avatar, from);

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
  content.textContent = text;
  body.append(meta, content);

  item.append(avatar, body);
  return item;
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
    content.textContent = 'message deleted';
    item.querySelector('.actions')?.remove();
    item.querySelector('.editor')?.remove();
    content.hidden = false;
    mark?.remove();
    return;
  }
  if (text !== undefined) content.textContent = text;
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
function change(conv, item, action, text) {
  if (!isOpen()) return notify('Not connected: try again once back online.');
  const ref = nextRef();
  requests.set(ref, { type: action, conv, item, text });
  const where = conv.kind === 'room' ? { room: conv.target } : { with: conv.target };
  send(action, { ...where, id: item.dataset.id, ...(text === undefined ? {} : { text }), ref });
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
  // Acks never move lastId: an ack may overtake an earlier message still on its way to us.
  if (message.ts >= conv.lastTs) {
    conv.lastTs = message.ts;
    conv.lastId = message.id;
    conv.headId = message.id;
  }
  if (live && message.from.id !== me.id) {
    if (conv === current) markRead(conv);
    else {
      conv.unread += 1;
      renderNav();
    }
  }
  return item;
}

function submit() {
  const text = ui.input.value.trim();
  if (!text) return;
  ui.input.value = '';
  fitInput();
  lastTypingSent = 0;
  const conv = current;
  const entry = { clientMsgId: uuid(), ref: nextRef(), conv, text, attempts: 0, timer: undefined };
  entry.item = messageElement(me, text);
  entry.item.classList.add('pending');
  entry.item.querySelector('.delivery').textContent = 'sending…';
  insert(conv, entry.item);
  scrollToBottom();
  outbox.set(entry.clientMsgId, entry);
  requests.set(entry.ref, { type: 'send', entry });
  transmit(entry);
}

/** Sends an outbox entry now if it can go; otherwise it waits for the socket or the room's `joined`. */
function transmit(entry) {
  clearTimeout(entry.timer);
  entry.timer = undefined;
  if (!isOpen() || !outbox.has(entry.clientMsgId)) return;
  const { conv, text, clientMsgId, ref } = entry;
  if (conv.kind === 'room') {
    if (conv.joined) send('message', { room: conv.target, text, clientMsgId, ref });
  } else {
    send('dm', { to: conv.target, text, clientMsgId, ref });
  }
}

function retryLater(entry, ms) {
  clearTimeout(entry.timer);
  entry.timer = setTimeout(() => transmit(entry), ms);
}

function dropEntry(entry, reason) {
  clearTimeout(entry.timer);
  outbox.delete(entry.clientMsgId);
  requests.delete(entry.ref);
  if (reason === undefined) return entry.item.remove();
  entry.item.classList.replace('pending', 'failed');
  entry.item.querySelector('.delivery').textContent = `not sent: ${reason}`;
}

// ---------------------------------------------------------------- frames from the server

const handlers = {
  joined(data) {
    const request = requests.get(data.ref);
    requests.delete(data.ref);
    const conv = conversations.get(`room:${data.room}`);
    // Left while the join was on its way: leave again now that the server has us in.
    if (!conv) return request && isOpen() && send('leave', { room: data.room, ref: nextRef() });
    conv.joined = true;
    attempt = 0;
    const members = data.members ?? [];
    conv.members = new Map(members.map((user) => [user.id, user]));
    for (const user of members) names.set(user.id, user.name);
    for (const message of data.messages ?? []) receive(conv, message, { live: false });
    for (const change of data.changes ?? []) {
      const item = conv.byId.get(change.id);
      if (!item) continue;
      if (change.action === 'deleted') showState(item, { deleted: true });
      else showState(item, { text: change.text, editedAt: change.at });
    }
    if (request?.since !== undefined && !data.recovered) {
      notify(`Some messages in #${conv.target} from while you were away could not be loaded.`);
    }
    renderNav();
    if (conv === current) {
      renderMembers();
      markRead(conv);
      fillPane();
    }
    for (const entry of outbox.values()) if (entry.conv === conv) transmit(entry);
  },

  conversations(data) {
    requests.delete(data.ref);
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
      conv.unread = conv === current ? 0 : item.unread;
      if (conv === current) markRead(conv);
    }
    renderNav();
  },

  history(data) {
    const request = requests.get(data.ref);
    requests.delete(data.ref);
    if (request?.type !== 'history') return;
    const { conv, before } = request;
    conv.loadingOlder = false;
    conv.historyLoaded = true;
    if (!conversations.has(conv.key)) return;
    const messages = Array.isArray(data.messages) ? data.messages : [];
    // Kept where the reader is: older messages grow the pane above the view.
    const fromBottom = ui.pane.scrollHeight - ui.pane.scrollTop;
    let above;
    for (const message of messages)
      above = receive(conv, message, { live: false, older: before !== undefined, above }) ?? above;
    if (messages.length === 0) conv.hasOlder = false;
    if (conv !== current) return;
    if (before === undefined) scrollToBottom();
    else ui.pane.scrollTop = ui.pane.scrollHeight - fromBottom;
    markRead(conv);
    fillPane();
  },

  read(data) {
    requests.delete(data.ref);
    const conv = conversations.get(
      data.room !== undefined ? `room:${data.room}` : `dm:${data.with}`,
    );
    if (!conv) return;
    conv.readId = data.id;
    conv.unread = conv === current ? 0 : Number(data.unread) || 0;
    renderNav();
  },

  // Receipts are for clients that show who has seen what; this one does not (yet).
  receipt() {},

  ack(data) {
    const request = requests.get(data.ref);
    if (request?.type === 'edit' || request?.type === 'delete') {
      requests.delete(data.ref);
      return showState(
        request.item,
        request.type === 'delete' ? { deleted: true } : { text: request.text, editedAt: data.ts },
      );
    }
    if (request?.type !== 'send') return;
    const { entry } = request;
    clearTimeout(entry.timer);
    outbox.delete(entry.clientMsgId);
    requests.delete(entry.ref);
    const { conv, item } = entry;
    // Recovery may have shown this very message before its ack came back.
    if (conv.byId.has(data.id)) return item.remove();
    item.classList.remove('pending');
    item.querySelector('.delivery').textContent = '';
    stamp(item, data.id, data.ts);
    conv.byId.set(data.id, item);
    addActions(conv, item);
    item.remove();
    insert(conv, item);
  },

  edited(data) {
    changed(data, { text: data.text, editedAt: data.editedAt });
  },

  deleted(data) {
    changed(data, { deleted: true });
  },

  message(data) {
    const conv = conversations.get(`room:${data.room}`);
    if (!conv) return;
    conv.members.set(data.from.id, data.from);
    stopTyping(conv, data.from.id);
    receive(conv, data, { live: true });
    if (conv === current) renderMembers();
  },

  dm(data) {
    const peer = data.from.id === me.id ? data.to : data.from.id;
    names.set(data.from.id, data.from.name);
    receive(direct(peer), data, { live: true });
  },

  presence(data) {
    const conv = conversations.get(`room:${data.room}`);
    if (!conv) return;
    names.set(data.user.id, data.user.name);
    if (data.action === 'join') conv.members.set(data.user.id, data.user);
    else {
      conv.members.delete(data.user.id);
      stopTyping(conv, data.user.id);
    }
    if (conv === current) renderMembers();
  },

  typing(data) {
    const conv = conversations.get(`room:${data.room}`);
    if (!conv || data.user.id === me.id) return;
    conv.members.set(data.user.id, data.user);
    clearTimeout(conv.typing.get(data.user.id)?.timer);
    const timer = setTimeout(() => stopTyping(conv, data.user.id), TYPING_SHOW_MS);
    conv.typing.set(data.user.id, { name: data.user.name, timer });
    if (conv === current) {
      renderTyping();
      renderMembers();
    }
  },

  error(data) {
    const request = data.ref === undefined ? undefined : requests.get(data.ref);
    if (request?.type === 'send') return sendFailed(request.entry, data);
    if (request?.type === 'join') return joinFailed(request.conv, data);
    if (request?.type === 'edit' || request?.type === 'delete') {
      requests.delete(data.ref);
      return notify(`Could not ${request.type} the message: ${data.message || data.code}`);
    }
    if (['conversations', 'read', 'history'].includes(request?.type))
      return readStateFailed(request, data);
    // Typing is best effort: being throttled or out of a room is not worth a word.
    if (data.code === 'rate_limited' || data.code === 'not_in_room') return;
    notify(data.message || data.code);
  },
};

function sendFailed(entry, error) {
  switch (error.code) {
    case 'rate_limited':
      return retryLater(entry, retryAfter(error));
    case 'unavailable':
      entry.attempts += 1;
      return retryLater(entry, backoff(entry.attempts));
    case 'not_in_room':
      // One rejoin per room: every entry waiting in it goes out again on its `joined`.
      if (entry.conv.joined && isOpen()) sendJoin(entry.conv);
      entry.conv.joined = false;
      return;
    default:
      dropEntry(entry, error.message || error.code);
      notify(`Message not sent: ${error.message || error.code}`);
  }
}

/** A list, read or history request refused: without a database the page stops asking, silently. */
function readStateFailed(request, error) {
  requests.delete(error.ref);
  if (request.type === 'history') request.conv.loadingOlder = false;
  if (error.code !== 'unavailable' || !/needs a database/.test(error.message ?? '')) return;
  if (request.type === 'history' && request.conv.kind === 'room') return;
  readState = false;
}

function joinFailed(conv, error) {
  const retryable = { rate_limited: retryAfter(error), unavailable: backoff(1) }[error.code];
  if (retryable !== undefined) {
    const ws = socket;
    setTimeout(() => {
      if (socket === ws && isOpen() && conversations.has(conv.key) && !conv.joined) sendJoin(conv);
    }, retryable);
    return;
  }
  notify(`Could not join #${conv.target}: ${error.message || error.code}`);
  if (!conv.joined && conv.target !== DEFAULT_ROOM) forget(conv);
}

function retryAfter(error) {
  return Math.max(50, Number(error.details?.retryAfterMs) || 1000);
}

function stopTyping(conv, userId) {
  const typing = conv.typing.get(userId);
  if (!typing) return;
  clearTimeout(typing.timer);
  conv.typing.delete(userId);
  if (conv === current) renderTyping();
}

// ---------------------------------------------------------------- connection

function socketUrl() {
  const query = new URLSearchParams();
  if (accessToken) query.set('access_token', accessToken);
  else {
    query.set('name', me.name);
    query.set('uid', me.id);
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/?${query}`;
}

function connect() {
  clearTimeout(reconnectTimer);
  setStatus('connecting', 'Connecting…');
  const ws = new WebSocket(socketUrl());
  socket = ws;
  // A replaced socket's late events must not touch the state of its successor.
  ws.addEventListener('open', () => ws === socket && opened());
  ws.addEventListener('message', (event) => ws === socket && onFrame(event.data));
  ws.addEventListener('close', (event) => ws === socket && closed(event.code));
}

function opened() {
  setStatus('online', 'Connected');
  for (const conv of rooms()) sendJoin(conv);
  for (const entry of outbox.values()) if (entry.conv.kind === 'direct') transmit(entry);
  requestConversations();
  // DMs are delivered live only: what came while this page was away is in their history.
  for (const conv of conversations.values()) {
    if (conv.kind === 'direct' && (conv.historyLoaded || conv === current)) requestHistory(conv);
  }
}

function closed(code) {
  socket = null;
  for (const conv of conversations.values()) {
    conv.joined = false;
    conv.loadingOlder = false;
    conv.readSent = undefined;
    for (const userId of conv.typing.keys()) stopTyping(conv, userId);
  }
  for (const entry of outbox.values()) clearTimeout(entry.timer);
  // Their answers died with the socket; a send stays in the outbox and goes out again.
  for (const [ref, request] of requests) if (request.type !== 'send') requests.delete(ref);
  renderNav();
  if (code === 4001) {
    setStatus('expired', 'Session expired');
    return notify('Your session has expired. Reload the page with a fresh token to continue.', {
      sticky: true,
    });
  }
  if (code === 1000) return setStatus('closed', 'Disconnected', { canReconnect: true });
  if (!navigator.onLine) return setStatus('offline', 'Offline: waiting for the network');
  scheduleReconnect();
}

/** Full-jitter exponential backoff, so that a restarted node is not hit by every client at once. */
function scheduleReconnect() {
  const delay = Math.random() * backoff(attempt);
  attempt += 1;
  const seconds = Math.max(1, Math.ceil(delay / 1000));
  setStatus('reconnecting', `Reconnecting in ${seconds} s…`, { canReconnect: true });
  reconnectTimer = setTimeout(connect, delay);
}

function backoff(n) {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** n);
}

function reconnectNow() {
  if (socket || connectionState === 'expired') return;
  attempt = 0;
  connect();
}

function isOpen() {
  return socket?.readyState === WebSocket.OPEN;
}

function send(event, data) {
  socket.send(JSON.stringify({ event, data }));
}

function nextRef() {
  refCounter += 1;
  return `r${refCounter}`;
}

function onFrame(raw) {
  let frame;
  try {
    frame = JSON.parse(raw);
  } catch {
    return;
  }
  const handler = Object.hasOwn(handlers, frame?.event) ? handlers[frame.event] : undefined;
  if (handler && frame.data && typeof frame.data === 'object') handler(frame.data);
}

// ---------------------------------------------------------------- rendering

function setStatus(state, text, { canReconnect = false } = {}) {
  connectionState = state;
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
  if (conv.kind === 'room') button.dataset.joined = String(conv.joined);
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
  ui.directsHeading.hidden = directs.length === 0;
}

function renderMembers() {
  const members =
    current.kind === 'room'
      ? [...current.members.values()]
      : [me, { id: current.target, name: titleOf(current) }];
  if (!members.some((user) => user.id === me.id)) members.push(me);
  members.sort((a, b) => (a.id === me.id ? -1 : b.id === me.id ? 1 : a.name.localeCompare(b.name)));
  ui.membersHeading.textContent =
    current.kind === 'room' ? `Members · ${members.length}` : 'Conversation';
  ui.members.replaceChildren(
    ...members.map((user) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'member';
      button.dataset.testid = 'member';
      const avatar = document.createElement('span');
      avatar.className = 'avatar small';
      avatar.setAttribute('aria-hidden', 'true');
      paintAvatar(avatar, user);
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
        });
      }
      item.append(button);
      return item;
    }),
  );
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

// ---------------------------------------------------------------- wiring

ui.input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  }
});

ui.input.addEventListener('input', () => {
  fitInput();
  const now = Date.now();
  if (current.kind !== 'room' || !current.joined || !ui.input.value.trim() || !isOpen()) return;
  if (now - lastTypingSent < TYPING_SEND_EVERY_MS) return;
  lastTypingSent = now;
  send('typing', { room: current.target });
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
});

ui.reconnect.addEventListener('click', reconnectNow);

ui.pane.addEventListener('scroll', () => {
  if (ui.pane.scrollTop < LOAD_OLDER_WITHIN_PX) loadOlder(current);
});

// The socket is dead once the machine is offline; waiting for `online` beats backing off blindly.
addEventListener('offline', () => {
  if (connectionState === 'expired' || connectionState === 'closed') return;
  clearTimeout(reconnectTimer);
  const ws = socket;
  if (ws) {
    socket = null;
    ws.close(4000, 'offline');
    closed(4000);
  } else setStatus('offline', 'Offline: waiting for the network');
});

addEventListener('online', () => {
  if (connectionState === 'offline' || connectionState === 'reconnecting') reconnectNow();
});

document.getElementById('me-name').textContent = me.name;
paintAvatar(document.getElementById('me-avatar'), me);
const lobby = room(DEFAULT_ROOM);
restoreRooms();
select(lobby);
connect();
