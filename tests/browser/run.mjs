// run.mjs - the example web app (examples/web) in a real browser, against
// its own backend (examples/web/server.mjs), the real gateway and the
// bundled BBB simulator (TAP).
//
// The gateway runs with tokens_mint (a key file written here) and
// cors.origins listing the backend's origin. The backend (node server.mjs
// on 127.0.0.1:P1) serves the page and holds the gateway's static token,
// which never reaches the browser; the page gets meeting-bound tokens from
// the backend (POST /api/token -> the gateway's POST /v1/tokens) and calls
// the gateway on another origin with them, so every such call is a real
// CORS request with a preflight. Headless Chromium (Debian's package,
// driven by playwright-core) signs in, creates meetings, joins one as the
// signed-in viewer and as its creator, lists its participants, and checks
// that the minted token is refused for another meeting; the test asserts on
// what the page shows, on the join URLs and on the gateway's access log. A
// second backend on an origin the gateway does not allow must fail to reach
// the gateway from the browser.
//
// Live events: the gateway's events.callback_url is its own
// /v1/bbb-events, so the simulator's bbb-webhooks callbacks reach it. The
// page follows the chosen meeting over an EventSource; users joined (a GET
// of a signed join URL on the simulator) and removed (sim/leave) from here
// must appear in and vanish from the page without a reload, while a user of
// another meeting never reaches it (every event the page's EventSources
// receive is recorded by an init script). The page reaches the gateway
// through a TCP relay (the backend's --public-gateway), whose connections
// the test cuts to drop the stream as a network would: the EventSource must
// reconnect by itself and get the event it missed (Last-Event-ID). Choosing
// another meeting closes the stream; a refused stream (a revoked token) is
// shown next to the list and followed by a new token and a new stream;
// meeting-ended empties the list.
//
// The page keeps its meeting list current from GET /v1/events (a meeting
// made elsewhere appears without a reload) and shows errors in a banner
// fixed at the top of the viewport (role="alert"): a refused action must be
// inside the viewport however the page is scrolled. The flow runs on a
// desktop (1280x800) and on a phone (390x844, touch): on the phone a second
// user joins as the viewer the backend allows, through the simulator, and
// appears live on both pages; the phone page must not scroll sideways.
//
// usage: node run.mjs GATEWAY_BINARY SIM_BINARY WEB_DIR DESKTOP.png RECORDINGS.txt [PHONE.png]
// (RECORDINGS.txt seeds the simulator: tests/data/bbbsim/recordings.txt;
// PHONE.png defaults to DESKTOP.png's directory, browser-phone.png).
// CHROMIUM overrides /usr/bin/chromium.
import { spawn } from 'node:child_process';
import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { chromium } from 'playwright-core';
import { request, startStack } from '../openapi/stack.mjs';

const [gatewayBin, simBin, webDir, screenshot, recordings, phoneArg] = process.argv.slice(2);
if (!recordings) {
  console.error('usage: node run.mjs GATEWAY_BINARY SIM_BINARY WEB_DIR DESKTOP.png RECORDINGS.txt [PHONE.png]');
  process.exit(2);
}
const phoneShot = phoneArg ?? join(dirname(screenshot), 'browser-phone.png');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = 120000;
const UI_TIMEOUT_MS = 10000;
const MINT_ISSUER = 'bbb-gateway'; // tokens_mint.issuer's default
const LIVE_TIMEOUT_MS = 5000; // an event from the simulator's callback to the page
// Every event type of the gateway's stream: the page's EventSources are
// made to record all of them, whether the page handles them or not.
const EVENT_TYPES = ['meeting-created', 'meeting-ended', 'user-joined', 'user-left', 'user-audio-joined',
  'user-audio-left', 'user-muted', 'user-unmuted', 'user-cam-started', 'user-cam-stopped',
  'user-presenter-assigned', 'screenshare-started', 'screenshare-stopped', 'recording-started',
  'recording-stopped', 'recording-ready', 'reset'];

console.log('TAP version 13');
let n = 0;
let failed = 0;
function ok(cond, name, diag = []) {
  n += 1;
  if (!cond) failed += 1;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`);
  for (const line of diag) console.log(`# ${String(line).replace(/\n/g, '\n# ')}`);
}

// Runs an async check; a thrown error (a timed-out wait) fails it with its message.
async function step(name, fn) {
  try {
    const diag = (await fn()) ?? [];
    ok(diag.length === 0, name, diag);
  } catch (e) {
    ok(false, name, [e.message.split('\n').slice(0, 6).join('\n')]);
  }
}

// ---- the example's backend (examples/web/server.mjs) ----

// A loopback port free right now (the gateway's config must name the
// backend's origin before either starts).
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

const backends = new Set();
process.on('exit', () => {
  for (const child of backends) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

// Starts `node server.mjs` and resolves with { origin, output, stop() } once
// it listens. publicGateway: the gateway as the page reaches it, when not gatewayUrl.
function startBackend(port, gatewayUrl, tokenFile, publicGateway) {
  const args = [join(webDir, 'server.mjs'), '--host', '127.0.0.1', '--port', String(port),
    '--gateway', gatewayUrl, '--token-file', tokenFile,
    ...(publicGateway ? ['--public-gateway', publicGateway] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  backends.add(child);
  child.on('exit', () => backends.delete(child));
  const output = [];
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server.mjs did not start:\n${output.join('')}`)), 10000);
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        output.push(chunk);
        const m = /listening on (http:\/\/\S+)/.exec(output.join(''));
        if (m) {
          clearTimeout(timer);
          resolve({ origin: m[1], output, stop });
        }
      });
    }
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`server.mjs could not be started: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server.mjs exited (${code ?? signal}) before it listened:\n${output.join('')}`));
    });
  });
}

// A TCP relay to 127.0.0.1:port. Resolves with { url, cut(), hold(on),
// stop() }: cut() closes every connection through it, as a network failure
// would; while held, it closes new connections at once.
async function startRelay(port) {
  const sockets = new Set();
  let held = false;
  const server = net.createServer((client) => {
    if (held) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, '127.0.0.1');
    for (const [from, to] of [[client, upstream], [upstream, client]]) {
      sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut,
    hold: (on) => {
      held = on;
    },
    stop: () => new Promise((resolve) => {
      cut();
      server.close(() => resolve());
    }),
  };
}

function isLoopback(url) {
  const { protocol, hostname } = new URL(url);
  return protocol === 'about:' || protocol === 'data:' || hostname === '127.0.0.1' || hostname === 'localhost';
}

// The claims of a compact JWT (not verified: the gateway does that).
function claimsOf(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls fn until it returns a truthy value; throws `what` after ms.
async function until(fn, what, ms = LIVE_TIMEOUT_MS) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}`);
    await sleep(50);
  }
}

// A Server-Sent Events reader (the gateway's stream, read from Node with the
// static token in Authorization). Resolves once the stream answered 200 with
// { events: [{id, event, data}], close() }.
function sseOpen(url, token) {
  return new Promise((resolve, reject) => {
    const events = [];
    const req = http.get(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET ${new URL(url).pathname}: ${res.statusCode}`));
          return;
        }
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          pending += chunk;
          for (let i = pending.indexOf('\n\n'); i >= 0; i = pending.indexOf('\n\n')) {
            const ev = {};
            for (const line of pending.slice(0, i).split('\n')) {
              const m = /^(id|event|data): ?(.*)$/.exec(line);
              if (m) ev[m[1]] = m[2];
            }
            pending = pending.slice(i + 2);
            if (ev.event) events.push({ ...ev, data: JSON.parse(ev.data ?? '{}') });
          }
        });
        res.on('error', () => {});
        resolve({ events, close: () => req.destroy() });
      });
    req.on('error', reject);
  });
}

async function run(cleanup) {
  const port1 = await freePort();
  const port2 = await freePort(); // an origin the gateway does not allow
  const origin1 = `http://127.0.0.1:${port1}`;
  // The gateway's port is chosen first: its callback URL names it.
  const gatewayPort = await freePort();
  const stack = await startStack({
    gateway: gatewayBin,
    sim: simBin,
    simArgs: ['--recordings', recordings],
    corsOrigins: [origin1],
    tokensMint: true,
    port: gatewayPort,
    events: `http://127.0.0.1:${gatewayPort}/v1/bbb-events`,
  });
  cleanup.push(() => stack.stop());
  // The gateway, called from here with the static token.
  const gw = async (method, path, body) => {
    const headers = { Authorization: `Bearer ${stack.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await request(stack.url, method, path, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
    return r.json;
  };
  await step('live events: the gateway registered its callback URL with the simulator\'s bbb-webhooks', async () => {
    await until(async () => JSON.stringify(await gw('GET', '/v1/hooks')).includes(stack.callbackUrl),
      `no hook for ${stack.callbackUrl} in GET /v1/hooks`);
  });
  // The backend's static token ("*"), in a file as an operator would give it.
  const tokenFile = join(stack.dir, 'backend.token');
  writeFileSync(tokenFile, `${stack.token}\n`, { mode: 0o600 });
  const relay = await startRelay(gatewayPort);
  cleanup.push(() => relay.stop());
  const app1 = await startBackend(port1, stack.url, tokenFile, relay.url);
  cleanup.push(() => app1.stop());
  const app2 = await startBackend(port2, stack.url, tokenFile);
  cleanup.push(() => app2.stop());
  ok(app1.origin === origin1, `the example backend listens on ${app1.origin}`,
    app1.origin === origin1 ? [] : [app1.output.join('')]);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30000,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic',
      // Nothing may leave this machine: names other than the loopback do not resolve.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'],
  });
  cleanup.push(() => browser.close());
  ok(true, `Chromium ${browser.version()} started`);

  // A fresh profile (playwright makes a new --user-data-dir per launch), a desktop-sized window.
  const context = await browser.newContext({ viewport: DESKTOP });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  // Records each EventSource the pages open and every event it receives.
  const recordSources = (types) => {
    const Native = window.EventSource;
    window.sseSources = [];
    window.sseEvents = [];
    window.EventSource = class extends Native {
      constructor(url, init) {
        super(url, init);
        window.sseSources.push(this);
        for (const type of types) {
          this.addEventListener(type, (e) => window.sseEvents.push({ url: this.url, type, id: e.lastEventId,
            data: e.data }));
        }
      }
    };
  };
  await context.addInitScript(recordSources, EVENT_TYPES);
  // Requests are only watched, never routed: with routing on, playwright
  // answers CORS preflights itself and the gateway's CORS would go untested.
  const outside = [];
  const leaks = [];
  context.on('request', (r) => {
    if (!isLoopback(r.url())) outside.push(r.url());
    if ((r.headers().authorization ?? '').includes(stack.token)) leaks.push(`${r.method()} ${r.url()}`);
  });
  const watchResponses = async (r) => {
    try {
      if ((await r.text()).includes(stack.token)) leaks.push(`in the response of ${r.url()}`);
    } catch {
      // no body (a redirect, a closed page)
    }
  };
  context.on('response', watchResponses);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  const card = (name) => page.locator('#meeting-list li.card', { hasText: name });

  await step('the page loads from its backend and asks for a sign-in', async () => {
    await page.goto(`${origin1}/`);
    await page.getByRole('heading', { name: 'Meetings', level: 1 }).waitFor();
    await page.locator('#signin-form').waitFor();
    return (await page.locator('#meetings').isHidden()) ? [] : ['the meetings are shown before a sign-in'];
  });

  let userId = '';
  await step('sign in (fake): the page shows the user and the id the backend gave it', async () => {
    await page.fill('#signin-name', 'Ada Lovelace');
    await page.click('#signin-form button[type=submit]');
    await page.locator('#user-name', { hasText: 'Ada Lovelace' }).waitFor();
    userId = (await page.locator('#user-id').textContent()).trim();
    return /^u-[0-9a-f]{12}$/.test(userId) ? [] : [`user id: ${userId}`];
  });

  let meetingId = '';
  await step('create (through the backend): the new meeting is listed', async () => {
    await page.fill('#meeting-name', 'Browser test 101');
    await page.click('#create-form button[type=submit]');
    await page.locator('#create-message', { hasText: 'Created “Browser test 101”' }).waitFor();
    await card('Browser test 101').waitFor();
    meetingId = await card('Browser test 101').getAttribute('data-meeting-id');
    const text = await card('Browser test 101').textContent();
    const diag = [];
    if (!/^[0-9a-f-]{36}$/.test(meetingId ?? '')) diag.push(`meetingID: ${meetingId}`);
    if (!text.includes('waiting for a moderator')) diag.push(`card: ${text}`);
    if (!text.includes('by you')) diag.push(`not marked as the user's: ${text}`);
    return diag;
  });

  let otherId = '';
  await step('create a second meeting: both are listed', async () => {
    await page.fill('#meeting-name', 'Chemistry lab');
    await page.click('#create-form button[type=submit]');
    await card('Chemistry lab').waitFor();
    otherId = await card('Chemistry lab').getAttribute('data-meeting-id');
    const count = await page.locator('#meeting-list li.card').count();
    return count === 2 && otherId && otherId !== meetingId ? [] : [`${count} cards, other meeting ${otherId}`];
  });

  // Provokes a refused action with the page scrolled to its bottom: a
  // meeting name of blanks passes the form's `required` and is refused by
  // the backend (400). The error must show inside the viewport, in an
  // alert, and next to the form; then it is dismissed.
  async function errorInViewport(p, viewport) {
    await p.fill('#meeting-name', '   ');
    await p.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await p.evaluate(() => document.getElementById('create-form').requestSubmit());
    const alert = p.getByRole('alert');
    await alert.filter({ hasText: 'Creating the meeting failed' }).waitFor();
    const box = await alert.boundingBox();
    const inner = await p.evaluate(() => ({ h: window.innerHeight, w: window.innerWidth, y: window.scrollY }));
    const diag = [];
    if (!box || box.y < 0 || box.y + box.height > inner.h || box.x < 0 || box.x + box.width > inner.w) {
      diag.push(`the alert is at ${JSON.stringify(box)}, the viewport ${inner.w}x${inner.h}`);
    }
    if (inner.h !== viewport.height) diag.push(`innerHeight ${inner.h}`);
    if (!(await p.locator('#create-message.error').textContent()).includes('must be 1 to 100 characters')) {
      diag.push('no error next to the form');
    }
    await p.getByRole('button', { name: 'Dismiss' }).click();
    await alert.waitFor({ state: 'hidden' });
    await p.fill('#meeting-name', '');
    return diag;
  }

  await step('desktop 1280x800: a refused action shows its error inside the viewport (role="alert")',
    () => errorInViewport(page, DESKTOP));

  // Clicks a join button of the meeting's card; resolves with the join URL the browser opened.
  async function joinVia(button, p = page, ctx = context, tap = false) {
    const target = p.locator('#meeting-list li.card', { hasText: 'Browser test 101' })
      .getByRole('button', { name: button, exact: true });
    const [tab, joinRequest] = await Promise.all([
      ctx.waitForEvent('page'),
      ctx.waitForEvent('request', (r) => r.url().startsWith(`${stack.simUrl}/join?`)),
      tap ? target.tap() : target.click(),
    ]);
    // BBB (the simulator) accepts the checksum and redirects to its client.
    await tab.waitForURL(/\/html5client\/join\?sessionToken=/);
    await tab.close();
    return joinRequest.url();
  }

  await step('join: the creator\'s one join button opens as moderator, the role the backend allows, straight from the browser', async () => {
    const url = await joinVia('Join as moderator');
    const u = new URL(url);
    const diag = [];
    if (await card('Browser test 101').getByRole('button', { name: 'Join', exact: true }).count() !== 0) {
      diag.push('a viewer join is offered to the creator too');
    }
    if (u.searchParams.get('meetingID') !== meetingId) diag.push(`meetingID: ${u.searchParams.get('meetingID')}`);
    if (u.searchParams.get('fullName') !== 'Ada Lovelace') diag.push(`fullName: ${u.searchParams.get('fullName')}`);
    if (u.searchParams.get('role') !== 'MODERATOR') diag.push(`role: ${u.searchParams.get('role')}`);
    if (u.searchParams.get('userID') !== userId) diag.push(`userID: ${u.searchParams.get('userID')}`);
    if (!/^[0-9a-f]{64}$/.test(u.searchParams.get('checksum') ?? '')) diag.push('no SHA-256 checksum');
    const shown = await card('Browser test 101').locator('.join-link a').getAttribute('href');
    if (shown !== url) diag.push(`the page shows ${shown}`);
    const text = await card('Browser test 101').locator('.join-link').textContent();
    if (!text.includes('Ada Lovelace as moderator')) diag.push(`join notice: ${text}`);
    return diag;
  });

  await step('the gateway answered the browser\'s preflight and the minted token\'s join', async () => {
    const log = stack.accessLog();
    const diag = [];
    const preflights = log.filter((e) => e.method === 'OPTIONS');
    if (preflights.length === 0) diag.push('no OPTIONS request in the access log');
    for (const e of preflights) if (e.status !== 204) diag.push(`preflight answered ${e.status}`);
    if (!log.some((e) => e.method === 'POST' && e.route === '/v1/tokens' && e.status === 201 && e.token === 'test')) {
      diag.push('no POST /v1/tokens -> 201 by the backend\'s static token');
    }
    if (!log.some((e) => e.method === 'POST' && e.route === '/v1/meetings/{meetingID}/join' && e.status === 200
      && e.iss === MINT_ISSUER && e.sub === userId && e.token === undefined)) {
      diag.push(`no join -> 200 with a token of iss ${MINT_ISSUER}, sub ${userId}`);
    }
    console.log(`# access log: ${log.length} requests, ${preflights.length} preflights`);
    return diag;
  });

  await step('participants: GET /v1/meetings/{meetingID} with the minted token lists the user', async () => {
    await card('Browser test 101').getByRole('button', { name: 'Participants' }).click();
    await card('Browser test 101').locator('.participants li', { hasText: 'Ada Lovelace' }).waitFor();
    const log = stack.accessLog();
    return log.some((e) => e.method === 'GET' && e.route === '/v1/meetings/{meetingID}' && e.status === 200
      && e.iss === MINT_ISSUER) ? [] : ['no GET /v1/meetings/{meetingID} -> 200 with a minted token'];
  });

  await step('join again as moderator: the creator\'s MODERATOR token is used again', async () => {
    const u = new URL(await joinVia('Join as moderator'));
    const diag = [];
    if (u.searchParams.get('role') !== 'MODERATOR') diag.push(`role: ${u.searchParams.get('role')}`);
    if (u.searchParams.get('fullName') !== 'Ada Lovelace') diag.push(`fullName: ${u.searchParams.get('fullName')}`);
    const other = await card('Chemistry lab').getByRole('button', { name: 'Join as moderator' }).count();
    if (other !== 1) diag.push('the creator\'s other meeting offers no moderator join');
    return diag;
  });

  await step('participants again: the user joined twice, listed once, as moderator', async () => {
    await card('Browser test 101').getByRole('button', { name: 'Participants' }).click();
    await card('Browser test 101').locator('.participants li', { hasText: 'moderator' }).waitFor();
    const n = await card('Browser test 101').locator('.participants li').count();
    return n === 1 ? [] : [`${n} participants listed`];
  });

  // ---- live events ----

  const cardA = () => card('Browser test 101');
  const cardB = () => card('Chemistry lab');
  const person = (c, uid) => c.locator(`.participants li[data-user-id="${uid}"]`);
  // The page's EventSources ({url, state}: 0 connecting, 1 open, 2 closed) and the events they received.
  // Only the meetings' own streams; listSources: the list's stream of every meeting (GET /v1/events).
  const allSources = () => page.evaluate(() => window.sseSources.map((s) => ({ url: s.url, state: s.readyState })));
  const sources = async () => (await allSources()).filter((s) => s.url.includes('/v1/meetings/'));
  const listSources = async () => (await allSources()).filter((s) => s.url.startsWith(`${relay.url}/v1/events?`));
  const pageEvents = () => page.evaluate(() => window.sseEvents);
  const eventsUrl = (id) => `${relay.url}/v1/meetings/${encodeURIComponent(id)}/events?access_token=`;
  const tokenOf = (url) => new URL(url).searchParams.get('access_token');
  const notReloaded = () => page.evaluate(() => window.notReloaded === true);
  // For a diagnostic: the EventSources without their tokens.
  const shown = (list) => JSON.stringify(list.map((s) => ({ url: s.url.split('?')[0], state: s.state })));

  // A user joins as BBB sees it: a join URL signed by the gateway, opened on the simulator.
  async function simJoin(id, uid, fullName) {
    const { url } = await gw('POST', `/v1/meetings/${encodeURIComponent(id)}/join`,
      { fullName, userID: uid, role: 'VIEWER' });
    const r = await request(url, 'GET', '');
    if (r.status !== 302 && r.status !== 200) throw new Error(`GET of the join URL: ${r.status} ${r.body}`);
  }
  async function simLeave(id, uid) {
    const r = await request(stack.simUrl, 'GET',
      `/sim/leave?meetingID=${encodeURIComponent(id)}&userID=${encodeURIComponent(uid)}`);
    if (r.status !== 200 || !r.body.includes('SUCCESS')) throw new Error(`sim/leave: ${r.status} ${r.body}`);
  }

  await step('live: the page follows the meeting over one EventSource, its minted token in ?access_token=', async () => {
    await cardA().locator('.live-status.live').waitFor();
    const open = (await sources()).filter((s) => s.state !== 2);
    if (open.length !== 1 || open[0].state !== 1 || !open[0].url.startsWith(eventsUrl(meetingId))) {
      return [`EventSources not closed: ${shown(open)}`];
    }
    const c = claimsOf(tokenOf(open[0].url)) ?? {};
    const diag = [];
    if (!(c.scope ?? '').split(' ').includes('events:read')) diag.push(`scope: ${c.scope}`);
    if (JSON.stringify(c.bbb?.meetings) !== JSON.stringify([meetingId])) diag.push(`meetings: ${JSON.stringify(c.bbb?.meetings)}`);
    if (c.sub !== userId) diag.push(`sub: ${c.sub}`);
    const list = (await listSources()).filter((s) => s.state === 1);
    if (list.length !== 1) diag.push(`the list's streams (GET /v1/events): ${shown(await listSources())}`);
    else {
      const lc = claimsOf(tokenOf(list[0].url)) ?? {};
      if (lc.scope !== 'events:read' || lc.sub !== userId) diag.push(`the list's token: ${lc.scope} ${lc.sub}`);
    }
    return diag;
  });

  await step('live: a user who joins on the simulator appears in the page without a reload', async () => {
    await page.evaluate(() => {
      window.notReloaded = true;
    });
    await simJoin(meetingId, 'u-live-grace', 'Grace Live');
    await person(cardA(), 'u-live-grace').waitFor({ timeout: LIVE_TIMEOUT_MS });
    const diag = [];
    if (!(await notReloaded())) diag.push('the page was reloaded');
    const text = await person(cardA(), 'u-live-grace').textContent();
    if (!text.includes('Grace Live') || !text.includes('viewer')) diag.push(`listed as: ${text}`);
    const status = await cardA().locator('.live-status').textContent();
    if (!status.includes('2 in the meeting')) diag.push(`live status: ${status}`);
    const ev = (await pageEvents()).find((e) => e.type === 'user-joined' && e.data.includes('u-live-grace'));
    const data = ev ? JSON.parse(ev.data) : {};
    if (!ev || !/^\d+$/.test(ev.id) || data.meetingID !== meetingId || data.user?.fullName !== 'Grace Live'
      || !(data.time > 0)) {
      diag.push(`user-joined: ${JSON.stringify(ev)}`);
    }
    return diag;
  });

  await step('live: a meeting made elsewhere appears in the list without a reload, from GET /v1/events', async () => {
    const made = await gw('POST', '/v1/meetings', { name: 'Made elsewhere', meetingID: 'made-elsewhere' });
    await card('Made elsewhere').waitFor({ timeout: LIVE_TIMEOUT_MS });
    const diag = [];
    if (made.meetingID !== 'made-elsewhere') diag.push(`created ${made.meetingID}`);
    if (!(await notReloaded())) diag.push('the page was reloaded');
    if (await card('Made elsewhere').getByRole('button', { name: 'Join', exact: true }).count() !== 1) {
      diag.push('not offered as a viewer join');
    }
    const status = await cardA().locator('.status').textContent();
    if (!status.includes('2 participants')) diag.push(`meeting A's status: ${status}`);
    return diag;
  });

  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  ok(existsSync(screenshot), `desktop screenshot saved: ${screenshot}`);
  console.log(`# screenshot (desktop ${DESKTOP.width}x${DESKTOP.height}): ${screenshot}`);

  await step('live: the user leaves (sim/leave) and is gone from the page, still without a reload', async () => {
    await person(cardA(), 'u-live-grace').waitFor({ timeout: LIVE_TIMEOUT_MS }); // listed before
    await simLeave(meetingId, 'u-live-grace');
    await person(cardA(), 'u-live-grace').waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
    const diag = [];
    if (await person(cardA(), userId).count() !== 1) diag.push('the signed-in user is no longer listed');
    if (!(await notReloaded())) diag.push('the page was reloaded');
    return diag;
  });

  await step('live: meeting B\'s events never reach the page following meeting A', async () => {
    const reader = await sseOpen(`${stack.url}/v1/meetings/${encodeURIComponent(otherId)}/events`, stack.token);
    try {
      await simJoin(otherId, 'u-live-bob', 'Bob Elsewhere');
      const bob = await until(() => reader.events.find((e) => e.event === 'user-joined'
        && e.data.user?.userID === 'u-live-bob'), 'meeting B\'s own stream got no user-joined for Bob');
      // Then an event of meeting A: ids are one sequence across meetings and
      // a stream keeps their order, so had Bob's event been sent to A's
      // stream, it would have arrived before this one.
      await simJoin(meetingId, 'u-live-carol', 'Carol Later');
      await person(cardA(), 'u-live-carol').waitFor({ timeout: LIVE_TIMEOUT_MS });
      const events = await pageEvents();
      const carol = events.find((e) => e.type === 'user-joined' && e.data.includes('u-live-carol'));
      const diag = [];
      if (!(Number(carol?.id) > Number(bob.id))) diag.push(`event ids: Bob's (B) ${bob.id}, Carol's (A) ${carol?.id}`);
      for (const e of events.filter((ev) => ev.url.includes('/v1/meetings/'))) {
        if (e.type !== 'reset' && JSON.parse(e.data).meetingID !== meetingId) diag.push(`the page got ${e.type} ${e.data}`);
      }
      if ((await page.locator('body').textContent()).includes('Bob Elsewhere')) diag.push('Bob Elsewhere is shown');
      if (!events.some((e) => e.url.includes('/v1/events?') && e.data.includes('u-live-bob'))) {
        diag.push('the list\'s stream (GET /v1/events) did not get Bob\'s join');
      }
      await simLeave(meetingId, 'u-live-carol');
      await person(cardA(), 'u-live-carol').waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
      return diag;
    } finally {
      reader.close();
    }
  });

  await step('live: a dropped connection: the same EventSource reconnects and gets the event it missed', async () => {
    const reader = await sseOpen(`${stack.url}/v1/meetings/${encodeURIComponent(meetingId)}/events`, stack.token);
    try {
      const before = await sources();
      // Down until Dan's join is on A's stream (seen from here), then back.
      relay.hold(true);
      relay.cut();
      await cardA().locator('.live-status.error', { hasText: 'reconnecting' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
      await simJoin(meetingId, 'u-live-dan', 'Dan Dropped');
      const dan = await until(() => reader.events.find((e) => e.event === 'user-joined'
        && e.data.user?.userID === 'u-live-dan'), 'A\'s stream (from here) got no user-joined for Dan');
      const whilePublished = await sources();
      relay.hold(false);
      await person(cardA(), 'u-live-dan').waitFor({ timeout: 3 * LIVE_TIMEOUT_MS }); // after retry: 3000
      const after = await sources();
      const got = (await pageEvents()).find((e) => e.type === 'user-joined' && e.data.includes('u-live-dan'));
      const diag = [];
      if (whilePublished.at(-1).state !== 0) diag.push(`while Dan joined: ${shown(whilePublished.slice(-1))}`);
      if (after.length !== before.length || after.at(-1).state !== 1) {
        diag.push(`a new EventSource was opened: before ${shown(before)}, after ${shown(after)}`);
      }
      if (got?.id !== dan.id) diag.push(`the page did not get Dan's event ${dan.id} (got ${got?.id})`);
      await simLeave(meetingId, 'u-live-dan');
      await person(cardA(), 'u-live-dan').waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
      return diag;
    } finally {
      reader.close();
    }
  });

  await step('live: choosing another meeting closes the first stream and follows the other', async () => {
    await cardB().getByRole('button', { name: 'Participants' }).click();
    await person(cardB(), 'u-live-bob').waitFor({ timeout: LIVE_TIMEOUT_MS });
    await cardB().locator('.live-status.live').waitFor();
    const open = (await sources()).filter((s) => s.state !== 2);
    const diag = [];
    if (open.length !== 1 || !open[0].url.startsWith(eventsUrl(otherId))) diag.push(`EventSources not closed: ${shown(open)}`);
    if (await cardA().locator('.participants li').count() !== 0) diag.push('meeting A still lists participants');
    if (await cardA().locator('.live-status').textContent() !== '') diag.push('meeting A still shows a live status');
    return diag;
  });

  await step('live: a refused stream (revoked token) is shown by the list, then a new token opens a new stream', async () => {
    const last = (await sources()).filter((s) => s.url.startsWith(eventsUrl(meetingId))).at(-1);
    const revoked = tokenOf(last.url);
    const r = await request(stack.url, 'DELETE', `/v1/tokens/${encodeURIComponent(claimsOf(revoked).jti)}`,
      { headers: { Authorization: `Bearer ${stack.token}` } });
    const diag = [];
    if (r.status !== 204) diag.push(`DELETE /v1/tokens/{jti}: ${r.status} ${r.body}`);
    // Back to meeting A: the page still holds that token for it.
    await cardA().getByRole('button', { name: 'Participants' }).click();
    await cardA().locator('.live-status.error', { hasText: 'token_revoked' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    await cardA().locator('.live-status.live', { hasText: 'reconnected with a new token' })
      .waitFor({ timeout: LIVE_TIMEOUT_MS });
    const open = (await sources()).filter((s) => s.state !== 2);
    if (open.length !== 1 || !open[0].url.startsWith(eventsUrl(meetingId)) || tokenOf(open[0].url) === revoked) {
      diag.push(`EventSources not closed: ${shown(open)}`);
    }
    if (!stack.accessLog().some((e) => e.method === 'GET' && e.route === '/v1/meetings/{meetingID}/events'
      && e.status === 401)) {
      diag.push('no refused stream (401) in the access log');
    }
    if (await person(cardA(), userId).count() !== 1) diag.push('the signed-in user is not listed');
    return diag;
  });

  await step('live: the EventSources\' tokens are in no log', async () => {
    const tokens = [...new Set((await sources()).map((s) => tokenOf(s.url)))];
    const log = stack.accessLog();
    const text = JSON.stringify(log) + app1.output.join('');
    const diag = [];
    for (const t of tokens) {
      if (text.includes(t.split('.')[2])) diag.push(`the token with jti ${claimsOf(t)?.jti} is logged`);
    }
    if (tokens.length < 3) diag.push(`${tokens.length} tokens`);
    if (!log.some((e) => e.route === '/v1/meetings/{meetingID}/events' && e.status === 200)) {
      diag.push('no stream in the access log');
    }
    return diag;
  });

  await step('the minted token: bound to one meeting, the user and this origin; refused for another meeting', async () => {
    const r = await page.evaluate(async ({ mine, other }) => {
      const res = await fetch('/api/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ meetingID: mine }),
      });
      const minted = await res.json();
      const g = await fetch(`${minted.gatewayUrl}/v1/meetings/${encodeURIComponent(other)}`,
        { headers: { Authorization: `Bearer ${minted.token}` } });
      return { minted, status: g.status, problem: await g.json() };
    }, { mine: meetingId, other: otherId });
    const c = claimsOf(r.minted.token) ?? {};
    const diag = [];
    if (r.status !== 403 || r.problem.code !== 'meeting_not_allowed') {
      diag.push(`another meeting: ${r.status} ${JSON.stringify(r.problem)}`);
    }
    if (c.iss !== MINT_ISSUER || c.sub !== userId) diag.push(`iss ${c.iss}, sub ${c.sub}`);
    if (c.scope !== 'meetings:read meetings:join events:read') diag.push(`scope: ${c.scope}`);
    if (JSON.stringify(c.bbb?.meetings) !== JSON.stringify([meetingId])) diag.push(`meetings: ${JSON.stringify(c.bbb?.meetings)}`);
    // No role asked: the highest the backend allows her, the creator.
    if (c.bbb?.role !== 'MODERATOR' || c.bbb?.fullName !== 'Ada Lovelace') diag.push(`bbb: ${JSON.stringify(c.bbb)}`);
    if (JSON.stringify(c.bbb?.origins) !== JSON.stringify([origin1])) diag.push(`origins: ${JSON.stringify(c.bbb?.origins)}`);
    if (!(c.exp - c.iat > 0 && c.exp - c.iat <= 600)) diag.push(`lifetime: ${c.exp - c.iat} s`);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(r.minted.expiresAt ?? '')) diag.push(`expiresAt: ${r.minted.expiresAt}`);
    return diag;
  });

  // ---- a phone: another user, 390x844 with touch ----

  const phoneContext = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  cleanup.push(() => phoneContext.close());
  phoneContext.setDefaultTimeout(UI_TIMEOUT_MS);
  await phoneContext.addInitScript(recordSources, EVENT_TYPES);
  phoneContext.on('request', (r) => {
    if (!isLoopback(r.url())) outside.push(r.url());
    if ((r.headers().authorization ?? '').includes(stack.token)) leaks.push(`${r.method()} ${r.url()}`);
  });
  phoneContext.on('response', watchResponses);
  const phone = await phoneContext.newPage();
  phone.on('pageerror', (e) => pageErrors.push(e.message));
  const phoneCard = (name) => phone.locator('#meeting-list li.card', { hasText: name });
  const noSideways = () => phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth }));

  let phoneUser = '';
  await step('phone 390x844: sign in, the meetings are listed and nothing scrolls sideways', async () => {
    await phone.goto(`${origin1}/`);
    await phone.fill('#signin-name', 'Grace Phone');
    await phone.locator('#signin-form button[type=submit]').tap();
    await phone.locator('#user-name', { hasText: 'Grace Phone' }).waitFor();
    phoneUser = (await phone.locator('#user-id').textContent()).trim();
    await phoneCard('Browser test 101').waitFor();
    const w = await noSideways();
    const diag = [];
    if (w.inner !== PHONE.width) diag.push(`innerWidth ${w.inner}`);
    if (w.scroll > w.inner) diag.push(`the page is ${w.scroll} px wide in a ${w.inner} px viewport`);
    if (await phoneCard('Browser test 101').getByRole('button', { name: 'Join as moderator' }).count() !== 0) {
      diag.push('a moderator join offered to someone who did not create the meeting');
    }
    return diag;
  });

  await step('phone: join (tap) as the viewer the backend allows, through the simulator; the user appears live on both pages', async () => {
    await phone.evaluate(() => {
      window.notReloaded = true;
    });
    const u = new URL(await joinVia('Join', phone, phoneContext, true));
    const diag = [];
    if (u.searchParams.get('role') !== 'VIEWER') diag.push(`role: ${u.searchParams.get('role')}`);
    if (u.searchParams.get('fullName') !== 'Grace Phone') diag.push(`fullName: ${u.searchParams.get('fullName')}`);
    if (u.searchParams.get('userID') !== phoneUser) diag.push(`userID: ${u.searchParams.get('userID')}`);
    await person(phoneCard('Browser test 101'), phoneUser).waitFor({ timeout: LIVE_TIMEOUT_MS });
    await person(cardA(), phoneUser).waitFor({ timeout: LIVE_TIMEOUT_MS });
    if (!(await phone.evaluate(() => window.notReloaded === true))) diag.push('the phone page was reloaded');
    if (!(await notReloaded())) diag.push('the desktop page was reloaded');
    const text = await person(phoneCard('Browser test 101'), phoneUser).textContent();
    if (!text.includes('Grace Phone') || !text.includes('viewer')) diag.push(`listed as: ${text}`);
    if (!(await phone.evaluate(() => window.sseEvents.some((e) => e.type === 'user-joined')))) {
      diag.push('no user-joined reached the phone page');
    }
    const w = await noSideways();
    if (w.scroll > w.inner) diag.push(`with the participants shown the page is ${w.scroll} px wide`);
    return diag;
  });

  mkdirSync(dirname(phoneShot), { recursive: true });
  await phone.locator('#meeting-list li.card', { hasText: 'Browser test 101' }).scrollIntoViewIfNeeded();
  await phone.screenshot({ path: phoneShot });
  ok(existsSync(phoneShot), `phone screenshot saved: ${phoneShot}`);
  console.log(`# screenshot (phone ${PHONE.width}x${PHONE.height}): ${phoneShot}`);

  await step('phone 390x844: a refused action shows its error inside the viewport (role="alert")', async () => {
    const diag = await errorInViewport(phone, PHONE);
    const w = await noSideways();
    if (w.scroll > w.inner) diag.push(`the page is ${w.scroll} px wide`);
    return diag;
  });

  await step('phone: the user leaves and is gone from both pages without a reload', async () => {
    await simLeave(meetingId, phoneUser);
    await person(phoneCard('Browser test 101'), phoneUser).waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
    await person(cardA(), phoneUser).waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
    return [];
  });
  await phone.close();

  await step('CORS: the same app on an origin the gateway does not allow cannot reach the gateway', async () => {
    const other = await context.newPage();
    other.on('pageerror', (e) => pageErrors.push(e.message));
    await other.goto(`${app2.origin}/`);
    await other.fill('#signin-name', 'Grace Hopper');
    await other.click('#signin-form button[type=submit]');
    const row = other.locator('#meeting-list li.card', { hasText: 'Browser test 101' });
    await row.waitFor(); // listed by the backend, with its static token
    const diag = [];
    if (await row.getByRole('button', { name: 'Join as moderator' }).count() !== 0) {
      diag.push('a moderator join offered to someone who did not create the meeting');
    }
    const refused = await other.evaluate(async (id) => {
      const res = await fetch('/api/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ meetingID: id, role: 'MODERATOR' }),
      });
      return res.status;
    }, meetingId);
    if (refused !== 403) diag.push(`the backend minted a MODERATOR token for another user's meeting (${refused})`);
    await row.getByRole('button', { name: 'Join', exact: true }).click();
    const msg = row.locator('.message.error', { hasText: 'Cannot reach the gateway' });
    await msg.waitFor();
    const text = await msg.textContent();
    await other.close();
    if (!text.includes(app2.origin)) diag.push(`message: ${text}`);
    const denied = stack.accessLog().filter((e) => e.method === 'OPTIONS' && e.status === 403);
    if (denied.length === 0) diag.push('no preflight refused with 403 in the access log');
    return diag;
  });

  await step('live: meeting-ended empties the list and the page says the meeting ended', async () => {
    await gw('POST', `/v1/meetings/${encodeURIComponent(meetingId)}/end`);
    await cardA().locator('.live-status', { hasText: 'The meeting has ended' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    const diag = [];
    const n = await cardA().locator('.participants li').count();
    if (n !== 0) diag.push(`${n} participants still listed`);
    const status = await cardA().locator('.status').textContent();
    if (status !== 'ended') diag.push(`meeting status: ${status}`);
    if (!(await pageEvents()).some((e) => e.type === 'meeting-ended')) diag.push('no meeting-ended reached the page');
    if (!(await notReloaded())) diag.push('the page was reloaded');
    return diag;
  });

  ok(leaks.length === 0, 'the static token never reached the browser', leaks);
  ok(pageErrors.length === 0, 'no JavaScript errors on the pages', pageErrors);
  ok(outside.length === 0, 'no request left the loopback', outside);
}

async function main() {
  const cleanup = [];
  const deadline = setTimeout(() => {
    console.log(`Bail out! the browser test did not finish within ${TIMEOUT_MS / 1000} s`);
    process.exit(1); // the exit handlers kill the backends, the gateway and the simulator
  }, TIMEOUT_MS);
  try {
    await run(cleanup);
  } catch (e) {
    ok(false, 'the browser test ran to the end', [e.stack ?? String(e)]);
  } finally {
    for (const fn of cleanup.reverse()) {
      try {
        await fn();
      } catch (e) {
        console.log(`# cleanup: ${e.message}`);
      }
    }
    clearTimeout(deadline);
  }
  console.log(`1..${n}`);
  console.log(`# ${n - failed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main();
