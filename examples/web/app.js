// Meetings: a bbb-gateway example page in plain JavaScript.
//
// The page never holds the gateway's static token. It talks to two servers:
//   - its own backend (server.mjs, same origin): sign-in, the meeting list,
//     creating meetings, and POST /api/token, which mints a browser token
//     bound to the signed-in user and one meeting;
//   - the gateway (another origin, so the gateway's cors.origins lists this
//     page's origin): join and meeting info, called straight from the
//     browser with the minted token in Authorization: Bearer, and the
//     meeting's live events (an EventSource, the token in ?access_token=).
// Minted tokens stay in memory only, one per meeting and role, and are asked
// for again shortly before they expire or when the gateway answers 401
// token_expired.

const state = { user: null, gatewayUrl: '', tokens: new Map() };
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

// ---- browser tokens ----

const tokenKey = (meetingID, role) => `${role} ${meetingID}`;

// A token for the meeting and role: the one in memory while it has more
// than REFRESH_BEFORE_MS to live, else a new one from the backend.
async function tokenFor(meetingID, role) {
  const key = tokenKey(meetingID, role);
  const have = state.tokens.get(key);
  if (have && have.expires - Date.now() > REFRESH_BEFORE_MS) return have.token;
  const minted = await backend('POST', '/api/token', { meetingID, role });
  state.tokens.set(key, { token: minted.token, expires: Date.parse(minted.expiresAt) });
  return minted.token;
}

// The role of a token already held for the meeting, if any.
function heldRole(meetingID) {
  for (const role of ['MODERATOR', 'VIEWER']) {
    if (state.tokens.has(tokenKey(meetingID, role))) return role;
  }
  return 'VIEWER';
}

// ---- the gateway, called from the browser with a minted token ----

async function gateway(meetingID, role, method, path, body) {
  for (let attempt = 1; ; attempt += 1) {
    const token = await tokenFor(meetingID, role);
    const init = { method, headers: { Authorization: `Bearer ${token}` } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(state.gatewayUrl + path, init);
    } catch {
      // fetch() cannot tell a refused connection from a CORS refusal.
      throw new ApiError(`Cannot reach the gateway at ${state.gatewayUrl}: is it running, and is this `
        + `page's origin (${location.origin}) in its cors.origins?`);
    }
    const isJson = (res.headers.get('Content-Type') || '').includes('json');
    const data = isJson ? await res.json() : {};
    if (res.ok) return data;
    // Expired (or revoked): drop it and ask the backend for a new one, once.
    if (res.status === 401 && attempt === 1
      && (data.code === 'token_expired' || data.code === 'token_revoked')) {
      state.tokens.delete(tokenKey(meetingID, role));
      continue;
    }
    throw new ApiError(data.detail || data.title || `HTTP ${res.status}`,
      { code: data.code, status: res.status, requestId: data.requestId });
  }
}

const meetingPath = (id) => `/v1/meetings/${encodeURIComponent(id)}`;

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

function sayError(box, action, err) {
  const code = err.code ? ` [${err.code}]` : '';
  const id = err.requestId ? ` (request ${err.requestId})` : '';
  say(box, `${action} failed: ${err.message}${code}${id}`, 'error');
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
  state.user = null;
  state.tokens.clear();
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
  const card = { message, link, live, people, status };
  const buttons = [el('button', { type: 'button', onclick: () => join(m, 'VIEWER', card) }, 'Join')];
  if (m.mine) {
    buttons.push(el('button', { type: 'button', onclick: () => join(m, 'MODERATOR', card) },
      'Join as moderator'));
  }
  buttons.push(el('button', { type: 'button', className: 'secondary', onclick: () => watch(m, card) },
    'Participants'));
  card.root = el('li', { className: 'card', dataset: { meetingId: m.meetingID } },
    el('div', { className: 'row between' },
      el('strong', { className: 'name' }, m.meetingName),
      status),
    el('p', { className: 'meta muted' }, el('code', {}, m.meetingID), ` · created ${formatTime(m.createTime)}`
      + `${m.mine ? ' by you' : ''}`),
    el('div', { className: 'actions' }, ...buttons),
    message, link, live, people);
  cards.set(m.meetingID, card);
  return card.root;
}

async function loadMeetings() {
  try {
    const { meetings } = await backend('GET', '/api/meetings');
    cards.clear();
    $('meeting-list').replaceChildren(...meetings.map(meetingCard));
    $('meetings-empty').hidden = meetings.length > 0;
    rebindWatched();
    say($('meetings-message'), '');
  } catch (err) {
    sayError($('meetings-message'), 'Listing meetings', err);
  }
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

async function join(m, role, card) {
  // The window is opened now, while the click still counts as a user
  // gesture; popup blockers would stop one opened after the awaits.
  const tab = window.open('', '_blank');
  try {
    // fullName, userID and the role come from the token; createTime makes
    // the link useless for a later meeting with the same ID.
    const { url } = await gateway(m.meetingID, role, 'POST', `${meetingPath(m.meetingID)}/join`,
      m.createTime ? { createTime: m.createTime } : {});
    if (tab) {
      tab.opener = null;
      tab.location.href = url;
    }
    card.link.replaceChildren(`Join link for ${state.user.name} as ${role.toLowerCase()}: `,
      el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, 'open the meeting'));
    card.link.hidden = false;
    say(card.message, `Opened the ${role.toLowerCase()} join link.`, 'ok');
    if (watched?.m.meetingID !== m.meetingID) watch(m, card);
  } catch (err) {
    if (tab) tab.close();
    sayError(card.message, 'Joining', err);
  }
}

// ---- live participants (Server-Sent Events) ----
//
// One meeting is watched at a time: choosing it (Participants) or joining
// it opens an EventSource on the gateway's GET /v1/meetings/{id}/events and
// closes the one before. EventSource cannot send headers, so the minted
// token goes in ?access_token= (accepted on the event routes only, never
// logged by the gateway). The list is read with GET /v1/meetings/{id} each
// time the stream opens, then follows user-joined and user-left; `reset`
// (the gateway no longer has the events the page missed) reads it again,
// and meeting-ended empties it. Events that arrive during a read are
// applied after it. A user is listed once, however many times they joined:
// BBB's user-left names the user, not the session.
//
// EventSource reconnects by itself after a dropped connection (sending
// Last-Event-ID, so nothing is lost) but gives up on an HTTP error. The page
// then shows why next to the list, gets a new token from the backend (a
// stream outlives its token, a reconnect does not) and opens a new one.

const LIVE_EVENTS = ['meeting-created', 'meeting-ended', 'user-joined', 'user-left', 'reset'];
const RETRY_MAX_MS = 30000;

// { m, card, es, people: Map userID -> {fullName, role}, running, ended,
//   pending: events held during a read (or null), reads: the latest read's
//   number, stopped: why the gateway refused the stream (or null), failures,
//   timer, note }
let watched = null;

function watch(m, card) {
  unwatch();
  const w = { m, card, es: null, people: new Map(), running: m.running, ended: false,
    pending: null, reads: 0, stopped: null, failures: 0, timer: 0, note: '' };
  watched = w;
  card.root.classList.add('watched');
  liveStatus(w, 'Connecting to live updates…');
  subscribe(w, false);
}

function unwatch() {
  const w = watched;
  if (!w) return;
  watched = null;
  clearTimeout(w.timer);
  w.es?.close();
  w.card.root.classList.remove('watched');
  w.card.people.replaceChildren();
  w.card.people.hidden = true;
  liveStatus(w, '');
}

// The meeting list was redrawn: carry the watched meeting over to its new card.
function rebindWatched() {
  const card = watched && cards.get(watched.m.meetingID);
  if (!watched) return;
  if (!card) {
    unwatch();
    return;
  }
  watched.card = card;
  card.root.classList.add('watched');
  renderPeople(watched);
}

function liveStatus(w, text, kind = 'muted', ...extra) {
  w.card.live.replaceChildren(text, ...extra);
  w.card.live.className = `message live-status ${kind}`;
}

// Opens the stream, with a newly minted token when `fresh`.
async function subscribe(w, fresh) {
  const id = w.m.meetingID;
  const role = heldRole(id);
  if (fresh) state.tokens.delete(tokenKey(id, role));
  let token;
  try {
    token = await tokenFor(id, role);
  } catch (err) {
    if (watched === w) retryLater(w, `getting a token failed: ${err.message}`);
    return;
  }
  if (watched !== w) return; // another meeting was chosen meanwhile
  const url = `${state.gatewayUrl}${meetingPath(id)}/events?access_token=${encodeURIComponent(token)}`;
  const es = new EventSource(url);
  w.es = es;
  es.onopen = () => {
    w.failures = 0;
    w.stopped = null;
    readMeeting(w);
  };
  es.onerror = () => {
    if (w.es !== es) return;
    if (es.readyState === EventSource.CLOSED) streamRefused(w, url);
    else liveStatus(w, 'Connection lost, reconnecting…', 'error');
  };
  for (const type of LIVE_EVENTS) {
    es.addEventListener(type, (e) => {
      if (w.es !== es) return;
      const data = JSON.parse(e.data);
      if (w.pending) {
        w.pending.push([type, data]);
      } else {
        apply(w, type, data);
        renderPeople(w);
      }
    });
  }
}

async function readMeeting(w) {
  const id = w.m.meetingID;
  w.reads += 1;
  const read = w.reads;
  w.pending ??= [];
  let people = new Map();
  let failed = null;
  try {
    const info = await gateway(id, heldRole(id), 'GET', meetingPath(id));
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
  if (failed) liveStatus(w, `Reading the meeting failed: ${failed.message}`, 'error');
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
  } else if (type === 'reset') {
    readMeeting(w);
  }
}

function renderPeople(w) {
  const { card, people } = w;
  card.people.replaceChildren(...[...people].map(([userID, p]) => el('li', { dataset: { userId: userID } },
    el('span', { className: 'person' }, p.fullName), ' ',
    el('span', { className: 'muted' }, (p.role ?? '').toLowerCase()))));
  card.people.hidden = people.size === 0;
  card.status.textContent = w.ended ? 'ended' : meetingStatus({ running: w.running, participantCount: people.size });
  if (w.stopped) {
    liveStatus(w, `Not live: ${w.stopped}. `, 'error', el('button', {
      type: 'button',
      className: 'secondary',
      onclick: () => {
        w.stopped = null;
        liveStatus(w, 'Connecting to live updates…');
        subscribe(w, true);
      },
    }, 'Try again'));
  } else if (w.ended) {
    liveStatus(w, 'The meeting has ended.');
  } else {
    liveStatus(w, `Live: ${people.size ? `${people.size} in the meeting` : 'nobody is in the meeting'}${w.note}.`,
      'live');
  }
}

// EventSource does not say why it gave up: ask once more with fetch, which
// does. Resolves with { status, code, message, retryAfter } (null when the
// gateway would now accept the stream).
async function whyRefused(url) {
  const abort = new AbortController();
  try {
    const res = await fetch(url, { signal: abort.signal, headers: { Accept: 'text/event-stream' } });
    if (res.ok) return null;
    const isJson = (res.headers.get('Content-Type') || '').includes('json');
    const data = isJson ? await res.json() : {};
    return { status: res.status, code: data.code, message: data.detail || data.title || `HTTP ${res.status}`,
      retryAfter: Number(res.headers.get('Retry-After')) || 0 };
  } catch {
    return { status: 0, message: 'cannot reach the gateway' };
  } finally {
    abort.abort();
  }
}

async function streamRefused(w, url) {
  const problem = await whyRefused(url);
  if (watched !== w) return;
  const why = problem ? `${problem.message}${problem.code ? ` [${problem.code}]` : ''}` : 'the stream was refused';
  // Not this token's meeting, or no live events on this gateway: a new
  // token would not help, so only on request. The list is still read once.
  if (problem?.status === 403 || problem?.status === 404) {
    w.stopped = why;
    readMeeting(w);
    return;
  }
  retryLater(w, why, (problem?.retryAfter ?? 0) * 1000);
}

function retryLater(w, why, delayMs = 0) {
  w.failures += 1;
  const wait = delayMs || Math.min(RETRY_MAX_MS, 1000 * 2 ** (w.failures - 1));
  liveStatus(w, `Live updates stopped: ${why}. Reconnecting with a new token in ${Math.ceil(wait / 1000)} s…`,
    'error');
  w.note = ` (reconnected with a new token after: ${why})`;
  clearTimeout(w.timer);
  w.timer = setTimeout(() => subscribe(w, true), wait);
}

// ---- start ----

$('signin-form').addEventListener('submit', signIn);
$('signout').addEventListener('click', signOut);
$('create-form').addEventListener('submit', createMeeting);
$('refresh').addEventListener('click', loadMeetings);

try {
  const { user, gatewayUrl } = await backend('GET', '/api/session');
  state.user = user;
  state.gatewayUrl = gatewayUrl;
} catch (err) {
  sayError($('signin-message'), 'Loading', err);
}
render();
if (state.user) await loadMeetings();
