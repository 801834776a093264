// Meeting console: a bbb-gateway example in plain JavaScript.
//
// Everything goes through api(), which adds the bearer token, sends JSON and
// turns the gateway's application/problem+json errors into ApiError. The
// page is served from its own origin and calls the gateway cross-origin, so
// the gateway's cors.origins (or the token's origins) must list this page's
// origin.
//
// The token stays in memory only. A real frontend gets a narrowly scoped
// token (meetings:read, meetings:create, meetings:join, meetings:end,
// recordings:read) from its own backend, never from its source code.

const state = { base: '', token: '' };

const $ = (id) => document.getElementById(id);

// ---- the gateway API ----

class ApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
  }
}

async function api(method, path, body) {
  const init = { method, headers: { Authorization: `Bearer ${state.token}` } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const started = performance.now();
  let res;
  try {
    res = await fetch(state.base + path, init);
  } catch {
    // fetch() cannot tell a refused connection from a CORS refusal.
    logRequest(method, path, 'network error');
    throw new ApiError({
      title: 'Cannot reach the gateway',
      detail: `No answer from ${state.base}: is it running, and is this page's origin `
        + `(${location.origin}) in its cors.origins?`,
    }, 0);
  }
  logRequest(method, path, res.status, performance.now() - started, res.headers.get('X-Request-Id'));
  const isJson = (res.headers.get('Content-Type') || '').includes('json');
  const data = isJson ? await res.json() : await res.text();
  if (!res.ok) {
    throw new ApiError(isJson ? data : { title: `HTTP ${res.status}` }, res.status);
  }
  return data;
}

const meetingPath = (id) => `/v1/meetings/${encodeURIComponent(id)}`;

// ---- small DOM helpers (textContent only: names come from users) ----

function el(tag, props = {}, ...children) {
  const { dataset = {}, ...rest } = props;
  const node = document.createElement(tag);
  Object.assign(node, rest);
  Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
}

function button(label, onClick, className = '') {
  return el('button', { type: 'button', className, onclick: onClick }, label);
}

function formatTime(ms) {
  return ms ? new Date(ms).toLocaleString() : '–';
}

function say(text, kind = 'info') {
  const box = $('message');
  box.textContent = text;
  box.className = kind;
}

function sayError(action, err) {
  const p = err.problem || {};
  const code = p.code ? ` [${p.code}]` : '';
  const id = p.requestId ? ` (request ${p.requestId})` : '';
  say(`${action} failed: ${p.title || 'Error'}: ${err.message}${code}${id}`, 'error');
}

function logRequest(method, path, status, ms, requestId) {
  const time = ms === undefined ? '' : ` · ${Math.round(ms)} ms`;
  const line = `${method} ${path} → ${status}${time}${requestId ? ` · ${requestId}` : ''}`;
  $('log').prepend(el('li', {}, line));
  while ($('log').children.length > 20) $('log').lastChild.remove();
}

// ---- connection ----

async function connect(event) {
  event.preventDefault();
  state.base = $('gateway-url').value.trim().replace(/\/+$/, '');
  state.token = $('token').value.trim();
  localStorage.setItem('gatewayUrl', state.base);
  try {
    const server = await api('GET', '/v1/server');
    $('server-info').textContent = `Connected to ${state.base}: BigBlueButton `
      + `${server.bbbVersion || '(version hidden)'}, API ${server.apiVersion || server.version}.`;
    $('server-info').className = 'ok';
    for (const b of document.querySelectorAll('[data-needs-connection]')) b.disabled = false;
    say('Connected.');
    await Promise.all([loadMeetings(), loadRecordings()]);
  } catch (err) {
    $('server-info').textContent = 'Not connected.';
    $('server-info').className = 'muted';
    sayError('Connecting', err);
  }
}

// ---- meetings ----

async function createMeeting(event) {
  event.preventDefault();
  const body = { name: $('meeting-name').value.trim(), record: $('meeting-record').checked };
  const id = $('meeting-id').value.trim();
  if (id) body.meetingID = id;
  try {
    const created = await api('POST', '/v1/meetings', body);
    if (created.warning) say(`Meeting ${created.meetingID} already existed.`);
    else say(`Created meeting ${created.meetingID}.`);
    $('create-form').reset();
    await loadMeetings();
  } catch (err) {
    sayError('Creating the meeting', err);
  }
}

function meetingStatus(m) {
  if (m.hasBeenForciblyEnded) return 'ended';
  if (!m.running) return 'waiting for a moderator';
  const n = m.participantCount ?? 0;
  return `running · ${n} participant${n === 1 ? '' : 's'}`;
}

function meetingRow(m) {
  return el('tr', { dataset: { meetingId: m.meetingID } },
    el('td', {}, m.meetingName),
    el('td', {}, el('code', {}, m.meetingID)),
    el('td', { className: 'status' }, meetingStatus(m)),
    el('td', {}, formatTime(m.createTime)),
    el('td', { className: 'actions' },
      button('Join as moderator', () => join(m, 'MODERATOR')),
      button('Join as viewer', () => join(m, 'VIEWER')),
      button('End', () => endMeeting(m), 'danger')));
}

async function loadMeetings() {
  try {
    const { meetings } = await api('GET', '/v1/meetings');
    $('meetings-table').tBodies[0].replaceChildren(...meetings.map(meetingRow));
    $('meetings-empty').hidden = meetings.length > 0;
  } catch (err) {
    sayError('Listing meetings', err);
  }
}

async function join(meeting, role) {
  const fullName = $('display-name').value.trim() || 'Guest';
  // The window is opened now, while the click still counts as a user
  // gesture; popup blockers would stop one opened after the await.
  const tab = window.open('', '_blank');
  try {
    // createTime makes the link useless for a later meeting with the same ID.
    const { url } = await api('POST', `${meetingPath(meeting.meetingID)}/join`,
      { fullName, role, createTime: meeting.createTime });
    if (tab) {
      tab.opener = null;
      tab.location.href = url;
    }
    const link = el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, 'Open the meeting');
    $('join-link').replaceChildren(
      `Join link for ${fullName} as ${role.toLowerCase()} in “${meeting.meetingName}”: `, link);
    $('join-link').hidden = false;
    say(`Opened the ${role.toLowerCase()} join link for ${meeting.meetingID}.`);
  } catch (err) {
    if (tab) tab.close();
    sayError('Joining', err);
  }
}

async function endMeeting(meeting) {
  if (!window.confirm(`End “${meeting.meetingName}” for everyone?`)) return;
  try {
    await api('POST', `${meetingPath(meeting.meetingID)}/end`);
    say(`Asked BBB to end ${meeting.meetingID}.`);
    // BBB ends a meeting asynchronously: look again shortly.
    setTimeout(loadMeetings, 1000);
  } catch (err) {
    sayError('Ending the meeting', err);
  }
}

// ---- recordings ----

function playbackLinks(rec) {
  const links = (rec.playback || []).map((p) =>
    el('a', { href: p.url, target: '_blank', rel: 'noopener noreferrer' }, p.type));
  return links.length ? links.flatMap((a, i) => (i ? [', ', a] : [a])) : ['–'];
}

async function loadRecordings() {
  const empty = $('recordings-empty');
  try {
    const { recordings } = await api('GET', '/v1/recordings');
    $('recordings-table').tBodies[0].replaceChildren(...recordings.map((r) => el('tr', {},
      el('td', {}, r.name || r.metadata?.meetingName || r.recordID),
      el('td', {}, el('code', {}, r.meetingID)),
      el('td', {}, r.state),
      el('td', {}, formatTime(r.startTime)),
      el('td', {}, ...playbackLinks(r)))));
    empty.hidden = recordings.length > 0;
    empty.textContent = 'No recordings.';
  } catch (err) {
    const p = err.problem || {};
    empty.hidden = false;
    empty.textContent = `Recordings are not available: ${p.title || 'error'}: ${err.message}`;
  }
}

// ---- start ----

$('gateway-url').value = new URLSearchParams(location.search).get('gateway')
  || localStorage.getItem('gatewayUrl') || 'http://127.0.0.1:8090';
$('connect-form').addEventListener('submit', connect);
$('create-form').addEventListener('submit', createMeeting);
$('refresh-meetings').addEventListener('click', loadMeetings);
$('refresh-recordings').addEventListener('click', loadRecordings);
