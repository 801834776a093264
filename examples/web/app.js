// Meetings: a bbb-gateway example page in plain JavaScript.
//
// The page never holds the gateway's static token. It talks to two servers:
//   - its own backend (server.mjs, same origin): sign-in, the meeting list,
//     creating meetings, and POST /api/token, which mints a browser token
//     bound to the signed-in user and one meeting;
//   - the gateway (another origin, so the gateway's cors.origins lists this
//     page's origin): join and meeting info, called straight from the
//     browser with the minted token in Authorization: Bearer.
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

function meetingCard(m) {
  const message = el('p', { className: 'message', role: 'status' });
  const link = el('p', { className: 'join-link', hidden: true });
  const people = el('ul', { className: 'participants', hidden: true });
  const status = el('span', { className: 'status muted' }, meetingStatus(m));
  const card = { message, link, people, status };
  const buttons = [el('button', { type: 'button', onclick: () => join(m, 'VIEWER', card) }, 'Join')];
  if (m.mine) {
    buttons.push(el('button', { type: 'button', onclick: () => join(m, 'MODERATOR', card) },
      'Join as moderator'));
  }
  buttons.push(el('button', { type: 'button', className: 'secondary', onclick: () => showParticipants(m, card) },
    'Participants'));
  return el('li', { className: 'card', dataset: { meetingId: m.meetingID } },
    el('div', { className: 'row between' },
      el('strong', { className: 'name' }, m.meetingName),
      status),
    el('p', { className: 'meta muted' }, el('code', {}, m.meetingID), ` · created ${formatTime(m.createTime)}`
      + `${m.mine ? ' by you' : ''}`),
    el('div', { className: 'actions' }, ...buttons),
    message, link, people);
}

async function loadMeetings() {
  try {
    const { meetings } = await backend('GET', '/api/meetings');
    $('meeting-list').replaceChildren(...meetings.map(meetingCard));
    $('meetings-empty').hidden = meetings.length > 0;
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
  } catch (err) {
    if (tab) tab.close();
    sayError(card.message, 'Joining', err);
  }
}

async function showParticipants(m, card) {
  try {
    const info = await gateway(m.meetingID, heldRole(m.meetingID), 'GET', meetingPath(m.meetingID));
    const attendees = info.attendees ?? [];
    card.status.textContent = meetingStatus(info);
    card.people.replaceChildren(...attendees.map((a) => el('li', {},
      el('span', {}, a.fullName), ' ', el('span', { className: 'muted' }, (a.role ?? '').toLowerCase()))));
    card.people.hidden = attendees.length === 0;
    say(card.message, attendees.length
      ? `${attendees.length} in the meeting.` : 'Nobody is in the meeting.');
  } catch (err) {
    sayError(card.message, 'Listing participants', err);
  }
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
