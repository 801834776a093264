// Meetings: a bbb-gateway example page in plain JavaScript, on the typed
// client (@bbb-gateway/client, clients/js) loaded through the page's
// importmap: no build step.
//
// The page never holds the gateway's static token. It talks to two servers:
//   - its own backend (server.mjs, same origin): sign-in, the meeting list,
//     creating meetings, POST /api/token (a browser token bound to the
//     signed-in user, one meeting and the role the backend allows them) and
//     POST /api/events-token (events:read only, for the list's stream);
//   - the gateway (another origin, so its cors.origins lists this page's
//     origin): join and meeting info with createClient, and live events
//     with openEvents (an EventSource, the token in ?access_token=).
// Tokens stay in memory only and are asked for again shortly before they
// expire, or when the gateway answers 401 token_expired / token_revoked.
//
// Live: one stream of every meeting (GET /v1/events) keeps the list current
// (new and ended meetings, participant counts) without a reload; the chosen
// meeting's own stream keeps its participants. Both re-read on `reset`.
// Errors show next to the action that failed and in a banner fixed at the
// top of the viewport (role="alert"), so they are seen wherever the page is
// scrolled.
import { createClient, openEvents, isGatewayError } from '@bbb-gateway/client';

const state = { user: null, gatewayUrl: '', tokens: new Map(), listStream: null };
const REFRESH_BEFORE_MS = 30000;

const $ = (id) => document.getElementById(id);

class ApiError extends Error {
  constructor(message, { code, status, requestId } = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }
}

// ---- the page's backend ----

async function backend(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError('Cannot reach this page\'s backend');
  }
  const data = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401) showSignIn(); // e.g. the backend restarted and forgot the session
    throw new ApiError(data.error || `HTTP ${res.status}`, { code: data.code, status: res.status });
  }
  return data;
}

// ---- browser tokens (key: a meetingID, or '*' for the list's stream) ----

async function tokenFor(key) {
  const have = state.tokens.get(key);
  if (have && have.expires - Date.now() > REFRESH_BEFORE_MS) return have.token;
  const minted = key === '*' ? await backend('POST', '/api/events-token')
    : await backend('POST', '/api/token', { meetingID: key });
  state.tokens.set(key, { token: minted.token, expires: Date.parse(minted.expiresAt), role: minted.role });
  return minted.token;
}

// ---- the gateway, called from the browser with a minted token ----

const clients = new Map();
function client(meetingID) {
  if (!clients.has(meetingID)) {
    clients.set(meetingID, createClient({ baseUrl: state.gatewayUrl, token: () => tokenFor(meetingID) }));
  }
  return clients.get(meetingID);
}

// Runs fn(client); an expired or revoked token is replaced once. Failures
// come back as ApiError with the gateway's code and request id.
async function gateway(meetingID, fn) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(client(meetingID));
    } catch (e) {
      if (attempt === 1 && isGatewayError(e, 'token_expired', 'token_revoked')) {
        state.tokens.delete(meetingID);
        continue;
      }
      if (isGatewayError(e)) {
        throw new ApiError(e.detail || e.message, { code: e.code, status: e.status, requestId: e.requestId });
      }
      if (e instanceof ApiError) throw e;
      // fetch() cannot tell a refused connection from a CORS refusal.
      throw new ApiError(`Cannot reach the gateway at ${state.gatewayUrl}: is it running, and is this `
        + `page's origin (${location.origin}) in its cors.origins?`);
    }
  }
}

// ---- small DOM helpers (textContent only: names come from users) ----

function el(tag, props = {}, ...children) {
  const { dataset = {}, role, ...rest } = props;
  const node = document.createElement(tag);
  Object.assign(node, rest);
  Object.assign(node.dataset, dataset);
  if (role) node.setAttribute('role', role);
  node.append(...children);
  return node;
}

function say(box, text, kind = 'info') {
  box.textContent = text;
  box.className = `message ${kind}`;
}

let toastTimer = 0;
// An error next to the action (box) and in the banner at the top of the viewport.
function sayError(box, action, err) {
  const code = err.code ? ` [${err.code}]` : '';
  const id = err.requestId ? ` (request ${err.requestId})` : '';
  const text = `${action} failed: ${err.message}${code}${id}`;
  if (box) say(box, text, 'error');
  $('toast-text').textContent = text;
  $('toast').hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    $('toast').hidden = true;
  }, 15000);
}

function formatTime(ms) {
  return ms ? new Date(ms).toLocaleString() : '–';
}

// ---- sign-in ----

function render() {
  const signedIn = state.user !== null;
  $('signin').hidden = signedIn;
  for (const id of ['account', 'create', 'meetings']) $(id).hidden = !signedIn;
  if (signedIn) {
    $('user-name').textContent = state.user.name;
    $('user-id').textContent = state.user.id;
  }
}

function showSignIn() {
  unwatch();
  state.listStream?.close();
  state.listStream = null;
  state.user = null;
  state.tokens.clear();
  clients.clear();
  render();
}

async function signIn(event) {
  event.preventDefault();
  try {
    const { user, gatewayUrl } = await backend('POST', '/api/session', { name: $('signin-name').value });
    state.user = user;
    state.gatewayUrl = gatewayUrl;
    say($('signin-message'), '');
    render();
    await loadMeetings();
    followList();
  } catch (err) {
    sayError($('signin-message'), 'Signing in', err);
  }
}

async function signOut() {
  try {
    await backend('DELETE', '/api/session');
  } catch {
    // signed out here anyway; the session expires with the backend
  }
  showSignIn();
}

// ---- meetings ----

function meetingStatus(m) {
  if (!m.running) return 'waiting for a moderator';
  const n = m.participantCount ?? 0;
  return `running · ${n} participant${n === 1 ? '' : 's'}`;
}

const cards = new Map(); // meetingID -> the card's elements

function meetingCard(m) {
  const message = el('p', { className: 'message', role: 'status' });
  const link = el('p', { className: 'join-link', hidden: true });
  const live = el('p', { className: 'message live-status', role: 'status' });
  const people = el('ul', { className: 'participants', hidden: true });
  const status = el('span', { className: 'status muted' }, meetingStatus(m));
  const card = { m, message, link, live, people, status };
  // One join button: the role the backend allows this user (its token says the same).
  const label = m.role === 'MODERATOR' ? 'Join as moderator' : 'Join';
  card.root = el('li', { className: 'card', dataset: { meetingId: m.meetingID } },
    el('div', { className: 'row between' },
      el('strong', { className: 'name' }, m.meetingName),
      status),
    el('p', { className: 'meta muted' }, el('code', {}, m.meetingID), ` · created ${formatTime(m.createTime)}`
      + `${m.mine ? ' by you' : ''}`),
    el('div', { className: 'actions' },
      el('button', { type: 'button', onclick: () => join(card) }, label),
      el('button', { type: 'button', className: 'secondary', onclick: () => watch(card) }, 'Participants')),
    message, link, live, people);
  cards.set(m.meetingID, card);
  return card;
}

// Updates the cards in place (a card keeps its messages and join link).
function showMeetings(meetings) {
  const seen = new Set();
  for (const m of meetings) {
    seen.add(m.meetingID);
    const card = cards.get(m.meetingID) ?? meetingCard(m);
    card.m = m;
    if (watched?.card !== card) card.status.textContent = meetingStatus(m);
  }
  // The watched meeting stays while it is followed (an ended meeting leaves BBB's list).
  const kept = watched && !seen.has(watched.card.m.meetingID) ? [watched.card] : [];
  for (const [id, card] of cards) {
    if (!seen.has(id) && !kept.includes(card)) cards.delete(id);
  }
  const nodes = [...meetings.map((m) => cards.get(m.meetingID).root), ...kept.map((c) => c.root)];
  const list = $('meeting-list');
  // Re-inserted nodes would lose a click in progress: only when the order changed.
  if (nodes.length !== list.children.length || nodes.some((n, i) => list.children[i] !== n)) {
    list.replaceChildren(...nodes);
  }
  $('meetings-empty').hidden = meetings.length + kept.length > 0;
}

async function loadMeetings() {
  try {
    const { meetings } = await backend('GET', '/api/meetings');
    showMeetings(meetings);
    say($('meetings-message'), '');
  } catch (err) {
    sayError($('meetings-message'), 'Listing meetings', err);
  }
}

// The list follows every meeting's events: a change reads the list again
// (at most every 300 ms), as does `reset` and every (re)opened stream.
let listTimer = 0;
function listChanged() {
  clearTimeout(listTimer);
  listTimer = setTimeout(loadMeetings, 300);
}

function followList() {
  state.listStream?.close();
  state.listStream = openEvents({
    baseUrl: state.gatewayUrl,
    token: () => tokenFor('*'),
    types: ['meeting-created', 'meeting-ended', 'user-joined', 'user-left', 'reset'],
    onOpen: listChanged,
    onReset: listChanged,
    onEvent: listChanged,
    onError: (e) => {
      // Refused (expired, revoked): openEvents reopens it with a new token.
      if (e instanceof Error) state.tokens.delete('*');
    },
  });
}

async function createMeeting(event) {
  event.preventDefault();
  try {
    const created = await backend('POST', '/api/meetings', { name: $('meeting-name').value });
    say($('create-message'), `Created “${created.meetingName}” (${created.meetingID}).`, 'ok');
    $('create-form').reset();
    await loadMeetings();
  } catch (err) {
    sayError($('create-message'), 'Creating the meeting', err);
  }
}

async function join(card) {
  const { m } = card;
  // The window is opened now, while the click still counts as a user
  // gesture; popup blockers would stop one opened after the awaits.
  const tab = window.open('', '_blank');
  try {
    // fullName, userID and the role come from the token; createTime makes
    // the link useless for a later meeting with the same ID.
    const url = await gateway(m.meetingID, (gw) => gw.joinUrl(m.meetingID,
      m.createTime ? { createTime: m.createTime } : {}));
    const role = (state.tokens.get(m.meetingID)?.role ?? m.role ?? 'VIEWER').toLowerCase();
    if (tab) {
      tab.opener = null;
      tab.location.href = url;
    }
    card.link.replaceChildren(`Join link for ${state.user.name} as ${role}: `,
      el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, 'open the meeting'));
    card.link.hidden = false;
    say(card.message, `Opened the ${role} join link.`, 'ok');
    if (watched?.card !== card) watch(card);
  } catch (err) {
    if (tab) tab.close();
    sayError(card.message, 'Joining', err);
  }
}

// ---- live participants of the chosen meeting ----
//
// One meeting is watched at a time: choosing it (Participants) or joining
// it opens openEvents on GET /v1/meetings/{id}/events and closes the one
// before. The list is read with GET /v1/meetings/{id} each time the stream
// opens, then follows user-joined and user-left; `reset` reads it again,
// meeting-ended empties it. Events that arrive during a read are applied
// after it. A user is listed once, however many times they joined.
//
// EventSource reconnects by itself after a dropped connection (sending
// Last-Event-ID, so nothing is lost); when the gateway refuses the stream
// (an expired or revoked token), the page shows why next to the list and
// openEvents opens a new stream with a new token from the backend.

let watched = null;

function watch(card) {
  unwatch();
  const w = { card, stream: null, people: new Map(), running: card.m.running, ended: false,
    pending: null, reads: 0, note: '' };
  watched = w;
  card.root.classList.add('watched');
  liveStatus(w, 'Connecting to live updates…');
  const id = card.m.meetingID;
  w.stream = openEvents({
    baseUrl: state.gatewayUrl,
    meetingID: id,
    token: () => tokenFor(id),
    types: ['meeting-created', 'meeting-ended', 'user-joined', 'user-left', 'reset'],
    onOpen: () => readMeeting(w),
    onReset: () => readMeeting(w),
    onEvent: ({ type, data }) => {
      if (watched !== w) return;
      if (w.pending) {
        w.pending.push([type, data]);
      } else {
        apply(w, type, data);
        renderPeople(w);
      }
    },
    onError: (e) => streamError(w, e),
  });
}

function unwatch() {
  const w = watched;
  if (!w) return;
  watched = null;
  w.stream?.close();
  w.card.root.classList.remove('watched');
  w.card.people.replaceChildren();
  w.card.people.hidden = true;
  w.card.status.textContent = meetingStatus(w.card.m);
  liveStatus(w, '');
}

function liveStatus(w, text, kind = 'muted') {
  w.card.live.textContent = text;
  w.card.live.className = `message live-status ${kind}`;
}

async function streamError(w, e) {
  if (watched !== w) return;
  if (!(e instanceof Error)) {
    liveStatus(w, 'Connection lost, reconnecting…', 'error');
    return;
  }
  // Refused: EventSource does not say why, so ask once with fetch, which does.
  const url = w.stream?.source?.url;
  state.tokens.delete(w.card.m.meetingID);
  const problem = url ? await whyRefused(url) : null;
  if (watched !== w) return;
  const why = problem ? `${problem.message}${problem.code ? ` [${problem.code}]` : ''}` : e.message;
  liveStatus(w, `Live updates stopped: ${why}. Reconnecting with a new token…`, 'error');
  w.note = ` (reconnected with a new token after: ${why})`;
}

async function whyRefused(url) {
  const abort = new AbortController();
  try {
    const res = await fetch(url, { signal: abort.signal, headers: { Accept: 'text/event-stream' } });
    if (res.ok) return null;
    const isJson = (res.headers.get('Content-Type') || '').includes('json');
    const data = isJson ? await res.json() : {};
    return { status: res.status, code: data.code, message: data.detail || data.title || `HTTP ${res.status}` };
  } catch {
    return { status: 0, message: 'cannot reach the gateway' };
  } finally {
    abort.abort();
  }
}

async function readMeeting(w) {
  const id = w.card.m.meetingID;
  w.reads += 1;
  const read = w.reads;
  w.pending ??= [];
  let people = new Map();
  let failed = null;
  try {
    const info = await gateway(id, (gw) => gw.getMeeting(id));
    for (const a of info.attendees ?? []) addPerson(people, a);
    w.running = info.running === true;
    w.ended = false;
  } catch (err) {
    if (err.status === 404) {
      w.ended = true; // BBB no longer knows the meeting
    } else {
      failed = err;
      people = w.people;
    }
  }
  if (watched !== w || read !== w.reads) return; // a later read applies what was held
  const held = w.pending;
  w.pending = null;
  w.people = people;
  for (const [type, data] of held) apply(w, type, data);
  renderPeople(w);
  if (failed) sayError(w.card.live, 'Reading the meeting', failed);
}

// Listed once per user; a moderator session wins over a viewer one.
function addPerson(people, { userID, fullName, role }) {
  if (people.get(userID)?.role !== 'MODERATOR') people.set(userID, { fullName, role });
}

function apply(w, type, data) {
  if (type === 'user-joined') {
    addPerson(w.people, data.user);
    w.running = true;
    w.ended = false;
  } else if (type === 'user-left') {
    w.people.delete(data.user.userID);
  } else if (type === 'meeting-ended') {
    w.people.clear();
    w.running = false;
    w.ended = true;
  } else if (type === 'meeting-created') {
    w.ended = false; // the ID was used again
  }
}

function renderPeople(w) {
  const { card, people } = w;
  card.people.replaceChildren(...[...people].map(([userID, p]) => el('li', { dataset: { userId: userID } },
    el('span', { className: 'person' }, p.fullName), ' ',
    el('span', { className: 'muted' }, (p.role ?? '').toLowerCase()))));
  card.people.hidden = people.size === 0;
  card.status.textContent = w.ended ? 'ended' : meetingStatus({ running: w.running, participantCount: people.size });
  if (w.ended) {
    liveStatus(w, 'The meeting has ended.');
  } else {
    liveStatus(w, `Live: ${people.size ? `${people.size} in the meeting` : 'nobody is in the meeting'}${w.note}.`,
      'live');
  }
}

// ---- start ----

$('signin-form').addEventListener('submit', signIn);
$('signout').addEventListener('click', signOut);
$('create-form').addEventListener('submit', createMeeting);
$('toast-close').addEventListener('click', () => {
  $('toast').hidden = true;
});

try {
  const { user, gatewayUrl } = await backend('GET', '/api/session');
  state.user = user;
  state.gatewayUrl = gatewayUrl;
} catch (err) {
  sayError($('signin-message'), 'Loading', err);
}
render();
if (state.user) {
  await loadMeetings();
  followList();
}
