// client.test.js - @bbb-gateway/client against the built gateway and the BBB
// simulator (node --test). run.sh passes the binaries in BBB_GATEWAY_BIN and
// BBB_SIM_BIN; tests/openapi/stack.mjs starts both on free loopback ports:
// the gateway with a static "*" token, tokens_mint (POST /v1/tokens) and
// live events whose callback URL is its own /v1/bbb-events, so that the
// simulator's bbb-webhooks callbacks reach it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { EventSource } from 'eventsource';
import {
  createClient, EVENT_TYPES, eventsUrl, GatewayError, isGatewayError, mintToken, openEvents,
} from '../src/index.js';
import { startStack } from '../../../tests/openapi/stack.mjs';

const gatewayBin = process.env.BBB_GATEWAY_BIN;
const simBin = process.env.BBB_SIM_BIN;
if (!gatewayBin || !simBin) throw new Error('set BBB_GATEWAY_BIN and BBB_SIM_BIN (test/run.sh does)');

// the simulator's seed recordings (bio-101: bbb-origin Moodle; chem-202: greenlight)
const RECORDINGS = fileURLToPath(new URL('../../../tests/data/bbbsim/recordings.txt', import.meta.url));
const LIVE_MS = 5000;
let stack;
let backend; // the static "*" token, as a backend holds it

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(fn, what, ms = LIVE_MS) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}`);
    await sleep(50);
  }
}

// The user's browser opening a join URL: the simulator then reports user-joined.
async function openJoinUrl(url) {
  const r = await fetch(url, { redirect: 'manual' });
  await r.arrayBuffer();
  assert.ok(r.status === 302 || r.status === 200, `GET join URL: ${r.status}`);
}

// A stream recorder: every callback of openEvents, in order.
function recorder() {
  const log = { events: [], resets: 0, opens: 0, errors: [] };
  const callbacks = {
    onEvent: (e) => log.events.push(e),
    onReset: () => { log.resets += 1; },
    onOpen: () => { log.opens += 1; },
    onError: (e) => log.errors.push(e),
  };
  return { log, callbacks };
}

before(async () => {
  const port = await freePort();
  stack = await startStack({
    gateway: gatewayBin,
    sim: simBin,
    simArgs: ['--recordings', RECORDINGS],
    tokensMint: true,
    port,
    events: `http://127.0.0.1:${port}/v1/bbb-events`,
  });
  backend = createClient({ baseUrl: stack.url, token: stack.token });
  // the gateway registers its callback with the simulator's bbb-webhooks at start
  await until(async () => {
    const { data } = await backend.raw.GET('/v1/hooks');
    return JSON.stringify(data ?? {}).includes(stack.callbackUrl);
  }, 'the callback URL in GET /v1/hooks');
});

after(async () => {
  if (stack) await stack.stop();
});

test('create, get, list, join (JSON and URL), end through the wrapper', async () => {
  const created = await backend.createMeeting({ name: 'JS client 101', meetingID: 'js-101', record: true,
    metadata: { 'bbb-origin': 'js-client' } });
  assert.equal(created.meetingID, 'js-101');
  assert.equal(typeof created.createTime, 'number');
  const again = await backend.createMeeting({ name: 'JS client 101', meetingID: 'js-101' });
  assert.equal(again.warning?.messageKey, 'duplicateWarning');

  const m = await backend.getMeeting('js-101');
  assert.equal(m.meetingName, 'JS client 101');
  assert.equal(m.metadata['bbb-origin'], 'js-client');
  assert.equal(await backend.isRunning('js-101'), false);

  const list = await backend.listMeetings();
  assert.ok(list.some((x) => x.meetingID === 'js-101'), 'js-101 in the list');

  const joined = await backend.join('js-101', { fullName: 'Ada Lovelace', role: 'MODERATOR', userID: 'u-1',
    createTime: created.createTime });
  const u = new URL(joined.url);
  assert.equal(u.pathname.endsWith('/join'), true);
  assert.equal(u.searchParams.get('fullName'), 'Ada Lovelace');
  assert.equal(u.searchParams.get('role'), 'MODERATOR');
  const url = await backend.joinUrl('js-101', { fullName: 'Grace Hopper', role: 'VIEWER', redirect: false });
  assert.equal(new URL(url).searchParams.get('redirect'), 'false');
  await openJoinUrl(joined.url);
  await until(() => backend.isRunning('js-101'), 'js-101 running after a join');

  const ended = await backend.end('js-101');
  assert.equal(ended.warning?.messageKey, 'sentEndMeetingRequest');
  await until(async () => !(await backend.listMeetings()).some((x) => x.meetingID === 'js-101'),
    'js-101 gone after end');
});

test('listRecordings with a metadata filter', async () => {
  const all = await backend.listRecordings();
  assert.ok(all.recordings.length >= 2, `${all.recordings.length} seed recordings`);
  const moodle = await backend.listRecordings({ meta: { 'bbb-origin': 'Moodle' } });
  assert.ok(moodle.recordings.length > 0, 'Moodle\'s recordings');
  assert.ok(moodle.recordings.length < all.recordings.length, 'fewer than all');
  for (const r of moodle.recordings) assert.equal(r.metadata['bbb-origin'], 'Moodle');
  const green = await backend.listRecordings({ meta: { 'bbb-origin': 'greenlight' }, limit: 5 });
  assert.deepEqual([...new Set(green.recordings.map((r) => r.meetingID))], ['chem-202']);
  const none = await backend.listRecordings({ meta: { 'bbb-origin': 'no-such-origin' } });
  assert.deepEqual(none.recordings, []);
});

test('a problem+json refusal is a GatewayError with its code, status and request id', async () => {
  await assert.rejects(backend.getMeeting('no-such-meeting'), (e) => {
    assert.ok(e instanceof GatewayError);
    assert.equal(e.status, 404);
    assert.equal(e.code, 'bbb_not_found');
    assert.ok(e.detail.length > 0);
    assert.match(e.requestId ?? '', /.+/);
    assert.ok(isGatewayError(e, 'bbb_not_found'));
    return true;
  });
  const bad = createClient({ baseUrl: stack.url, token: 'bgw_not_a_token' });
  await assert.rejects(bad.listMeetings(), (e) => isGatewayError(e) && e.status === 401);
  await assert.rejects(backend.createMeeting({ name: 'x', meetingID: 'x', duration: -1 }),
    (e) => isGatewayError(e) && e.status === 400 && e.code.length > 0);
});

test('a backend mints a meeting-bound browser token; the token is allowed and refused as bound', async () => {
  await backend.createMeeting({ name: 'Bound', meetingID: 'js-bound' });
  await backend.createMeeting({ name: 'Other', meetingID: 'js-other' });
  const minted = await mintToken(backend, { meetingID: 'js-bound', role: 'VIEWER', userID: 'u-7',
    fullName: 'Viewer Seven', ttl: 300 });
  assert.equal(minted.token.split('.').length, 3, 'a compact JWT');
  assert.ok(!Number.isNaN(Date.parse(minted.expiresAt)));
  assert.match(minted.jti, /.+/);

  let calls = 0;
  const page = createClient({ baseUrl: stack.url, token: () => { calls += 1; return minted.token; } });
  assert.equal((await page.getMeeting('js-bound')).meetingID, 'js-bound');
  assert.deepEqual((await page.listMeetings()).map((x) => x.meetingID), ['js-bound']);
  const url = new URL(await page.joinUrl('js-bound'));
  assert.equal(url.searchParams.get('role'), 'VIEWER');
  assert.equal(url.searchParams.get('userID'), 'u-7');
  assert.equal(url.searchParams.get('fullName'), 'Viewer Seven');
  assert.ok(calls >= 3, 'the token getter is asked on every request');

  await assert.rejects(page.getMeeting('js-other'), (e) => isGatewayError(e, 'meeting_not_allowed') && e.status === 403);
  await assert.rejects(page.join('js-bound', { role: 'MODERATOR' }), (e) => isGatewayError(e, 'role_not_allowed'));
  await assert.rejects(page.end('js-bound'), (e) => isGatewayError(e, 'forbidden') && e.status === 403);
  // never broader than the minter: a browser token cannot mint
  await assert.rejects(page.mintToken({ meetingID: 'js-bound' }), (e) => isGatewayError(e) && e.status === 403);

  // revoked: refused from then on
  await backend.revokeToken(minted.jti);
  await assert.rejects(page.getMeeting('js-bound'), (e) => isGatewayError(e, 'token_revoked') && e.status === 401);
});

test('eventsUrl carries the token as access_token', () => {
  const u = new URL(eventsUrl({ baseUrl: 'http://gw.test/', meetingID: 'a b', token: 't.k.n' }));
  assert.equal(u.pathname, '/v1/meetings/a%20b/events');
  assert.equal(u.searchParams.get('access_token'), 't.k.n');
  assert.equal(new URL(eventsUrl({ baseUrl: 'http://gw.test', token: 'x' })).pathname, '/v1/events');
  assert.ok(EVENT_TYPES.includes('user-joined') && EVENT_TYPES.includes('reset'));
});

test('events: a minted token opens the stream; a join arrives; Last-Event-ID resumes; an old id resets', async () => {
  await backend.createMeeting({ name: 'Live', meetingID: 'js-live' });
  await backend.createMeeting({ name: 'Elsewhere', meetingID: 'js-elsewhere' });
  const { token } = await backend.mintToken({ meetingID: 'js-live', scope: 'events:read', ttl: 300 });

  const a = recorder();
  const s1 = openEvents({ baseUrl: stack.url, meetingID: 'js-live', token, EventSource, ...a.callbacks });
  try {
    await until(() => a.log.opens > 0, 'the stream opens');
    assert.ok(s1.source.url.includes('access_token='), 'the token in ?access_token=');
    await openJoinUrl(await backend.joinUrl('js-elsewhere', { fullName: 'Not here', role: 'VIEWER', userID: 'x-1' }));
    await openJoinUrl(await backend.joinUrl('js-live', { fullName: 'Live One', role: 'VIEWER', userID: 'l-1' }));
    const joined = await until(() => a.log.events.find((e) => e.type === 'user-joined'), 'user-joined');
    assert.equal(joined.data.meetingID, 'js-live');
    assert.equal(joined.data.user?.userID, 'l-1');
    assert.match(joined.id ?? '', /^\d+$/);
    assert.equal(s1.lastEventId, joined.id);
    assert.ok(!a.log.events.some((e) => e.data.meetingID === 'js-elsewhere'), 'no other meeting\'s event');
  } finally {
    s1.close();
  }

  // missed while closed: a new stream with lastEventId gets it (Last-Event-ID)
  await openJoinUrl(await backend.joinUrl('js-live', { fullName: 'Live Two', role: 'VIEWER', userID: 'l-2' }));
  await sleep(300);
  const b = recorder();
  const s2 = openEvents({ baseUrl: stack.url, meetingID: 'js-live', token, EventSource,
    lastEventId: s1.lastEventId, ...b.callbacks });
  try {
    const missed = await until(() => b.log.events.find((e) => e.data.user?.userID === 'l-2'), 'the missed join replayed');
    assert.equal(missed.type, 'user-joined');
    assert.ok(BigInt(missed.id) > BigInt(s1.lastEventId));
    assert.equal(b.log.resets, 0);
  } finally {
    s2.close();
  }

  // an id older than anything held: the stream starts with reset
  const c = recorder();
  const s3 = openEvents({ baseUrl: stack.url, meetingID: 'js-live', token, EventSource, lastEventId: '1', ...c.callbacks });
  try {
    await until(() => c.log.resets > 0, 'onReset');
  } finally {
    s3.close();
  }
});

test('events: after a refusal a token getter is asked again and the stream reopens', async () => {
  await backend.createMeeting({ name: 'Refresh', meetingID: 'js-refresh' });
  const revoked = await backend.mintToken({ meetingID: 'js-refresh', scope: 'events:read', ttl: 300 });
  await backend.revokeToken(revoked.jti);
  const fresh = await backend.mintToken({ meetingID: 'js-refresh', scope: 'events:read', ttl: 300 });
  const given = [];
  const r = recorder();
  const s = openEvents({
    baseUrl: stack.url,
    meetingID: 'js-refresh',
    token: async () => {
      const t = given.length === 0 ? revoked.token : fresh.token;
      given.push(t);
      return t;
    },
    EventSource,
    retryMs: 100,
    ...r.callbacks,
  });
  try {
    await until(() => r.log.opens > 0, 'the stream opens with the fresh token');
    assert.equal(given.length, 2);
    const refusal = r.log.errors.find((e) => e instanceof Error);
    assert.ok(refusal, 'onError got the refusal');
    assert.equal(refusal.status, 401);
    await openJoinUrl(await backend.joinUrl('js-refresh', { fullName: 'Late', role: 'VIEWER', userID: 'r-1' }));
    await until(() => r.log.events.some((e) => e.type === 'user-joined'), 'user-joined on the reopened stream');
  } finally {
    s.close();
  }
});
