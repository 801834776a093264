// run.mjs - the example web app (examples/web) in a real browser, against
// the real gateway and the bundled BBB simulator (TAP).
//
// The page is served from one origin (a static server on 127.0.0.1:P1) and
// calls the gateway on another (127.0.0.1:P2, whose cors.origins lists
// P1), so every call with the token is a real CORS request with a
// preflight. Headless Chromium (Debian's package, driven by playwright-core)
// connects, creates a meeting, lists it, opens moderator and viewer join
// links, ends the meeting and lists recordings; the test asserts on what the
// page shows and on the gateway's access log. The same page served from an
// origin that is not allowed must fail to reach the gateway.
//
// usage: node run.mjs GATEWAY_BINARY SIM_BINARY WEB_DIR SCREENSHOT.png RECORDINGS.txt
// (RECORDINGS.txt seeds the simulator: tests/data/bbbsim/recordings.txt).
// CHROMIUM overrides /usr/bin/chromium.
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { chromium } from 'playwright-core';
import { startStack } from '../openapi/stack.mjs';

const [gatewayBin, simBin, webDir, screenshot, recordings] = process.argv.slice(2);
if (!recordings) {
  console.error('usage: node run.mjs GATEWAY_BINARY SIM_BINARY WEB_DIR SCREENSHOT.png RECORDINGS.txt');
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = 120000;
const UI_TIMEOUT_MS = 10000;

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

// ---- a static file server for examples/web ----
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

function serveStatic(root) {
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      path = '';
    }
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!path || !file.startsWith(normalize(root) + sep) || !existsSync(file) || !TYPES[extname(file)]) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)], 'Cache-Control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

function isLoopback(url) {
  const { protocol, hostname } = new URL(url);
  return protocol === 'about:' || protocol === 'data:' || hostname === '127.0.0.1' || hostname === 'localhost';
}

async function run(cleanup) {
  const page1 = await serveStatic(webDir);
  const page2 = await serveStatic(webDir); // same files, an origin the gateway does not allow
  cleanup.push(() => new Promise((r) => page1.server.close(r)), () => new Promise((r) => page2.server.close(r)));
  const stack = await startStack({
    gateway: gatewayBin,
    sim: simBin,
    simArgs: ['--recordings', recordings],
    corsOrigins: [page1.origin],
  });
  cleanup.push(() => stack.stop());

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
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  // Requests are only watched, never routed: with routing on, playwright
  // answers CORS preflights itself and the gateway's CORS would go untested.
  const outside = [];
  context.on('request', (r) => {
    if (!isLoopback(r.url())) outside.push(r.url());
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => d.accept()); // "End ... for everyone?"

  await step('the page loads from its own origin', async () => {
    await page.goto(`${page1.origin}/index.html?gateway=${encodeURIComponent(stack.url)}`);
    await page.getByRole('heading', { name: 'Meeting console' }).waitFor();
    const url = await page.locator('#gateway-url').inputValue();
    return url === stack.url ? [] : [`gateway field: ${url}`];
  });

  await step('a wrong token: the page shows the gateway\'s 401 problem', async () => {
    await page.fill('#token', 'bgw_not-a-valid-token');
    await page.click('#connect-form button[type=submit]');
    const msg = page.locator('#message.error', { hasText: 'Connecting failed' });
    await msg.waitFor();
    const text = await msg.textContent();
    return /\[unauthorized\] \(request [0-9a-f]+\)/.test(text) ? [] : [`message: ${text}`];
  });

  await step('connect: the page shows the BBB server version', async () => {
    await page.fill('#token', stack.token);
    await page.click('#connect-form button[type=submit]');
    await page.locator('#server-info.ok').waitFor();
    const text = await page.locator('#server-info').textContent();
    return /BigBlueButton 3\.0\.0/.test(text) ? [] : [`server info: ${text}`];
  });

  await step('create: the new meeting is listed', async () => {
    await page.fill('#meeting-name', 'Browser test 101');
    await page.fill('#meeting-id', 'browser-101');
    await page.check('#meeting-record');
    await page.click('#create-form button[type=submit]');
    await page.locator('#message', { hasText: 'Created meeting browser-101.' }).waitFor();
    const row = page.locator('#meetings-table tr[data-meeting-id="browser-101"]');
    await row.waitFor();
    const text = await row.textContent();
    return text.includes('Browser test 101') && text.includes('waiting for a moderator') ? [] : [`row: ${text}`];
  });

  await step('create without an ID: the gateway generates one', async () => {
    await page.fill('#meeting-name', 'Chemistry lab');
    await page.click('#create-form button[type=submit]');
    await page.locator('#message', { hasText: /Created meeting [0-9a-f-]{36}\./ }).waitFor();
    await page.locator('#meetings-table tbody tr', { hasText: 'Chemistry lab' }).waitFor();
  });

  await step('list: refresh shows both meetings', async () => {
    await page.click('#refresh-meetings');
    await page.waitForFunction(() => document.querySelectorAll('#meetings-table tbody tr').length === 2);
    return (await page.locator('#meetings-empty').isHidden()) ? [] : ['"No meetings." is shown'];
  });

  let moderatorUrl = '';
  await step('join as moderator: a signed join link opens in a new tab', async () => {
    const row = page.locator('#meetings-table tr[data-meeting-id="browser-101"]');
    const [tab, joinRequest] = await Promise.all([
      context.waitForEvent('page'),
      context.waitForEvent('request', (r) => r.url().startsWith(`${stack.simUrl}/join?`)),
      row.getByRole('button', { name: 'Join as moderator' }).click(),
    ]);
    moderatorUrl = joinRequest.url();
    // BBB (the simulator) accepts the checksum and redirects to its client.
    await tab.waitForURL(/\/html5client\/join\?sessionToken=/);
    await tab.close();
    const u = new URL(moderatorUrl);
    const diag = [];
    if (!moderatorUrl.startsWith(`${stack.simUrl}/join?`)) diag.push(`not on bbb.public_url: ${moderatorUrl}`);
    if (u.searchParams.get('role') !== 'MODERATOR') diag.push(`role: ${u.searchParams.get('role')}`);
    if (u.searchParams.get('fullName') !== 'Ada Lovelace') diag.push(`fullName: ${u.searchParams.get('fullName')}`);
    if (!/^[0-9a-f]{64}$/.test(u.searchParams.get('checksum') ?? '')) diag.push('no SHA-256 checksum');
    const shown = await page.locator('#join-link a').getAttribute('href');
    if (shown !== moderatorUrl) diag.push(`the page shows ${shown}`);
    const text = await page.locator('#join-link').textContent();
    if (!text.includes('Ada Lovelace as moderator')) diag.push(`join notice: ${text}`);
    return diag;
  });

  await step('list: the moderator who joined is in the meeting', async () => {
    await page.click('#refresh-meetings');
    await page.locator('#meetings-table tr[data-meeting-id="browser-101"] td.status',
      { hasText: 'running · 1 participant' }).waitFor();
  });

  await step('join as viewer: a viewer link for another name', async () => {
    await page.fill('#display-name', 'Grace Hopper');
    const row = page.locator('#meetings-table tr[data-meeting-id="browser-101"]');
    const [tab, joinRequest] = await Promise.all([
      context.waitForEvent('page'),
      context.waitForEvent('request', (r) => r.url().startsWith(`${stack.simUrl}/join?`)),
      row.getByRole('button', { name: 'Join as viewer' }).click(),
    ]);
    await tab.waitForURL(/\/html5client\/join\?sessionToken=/);
    await tab.close();
    const u = new URL(joinRequest.url());
    const diag = [];
    if (u.searchParams.get('role') !== 'VIEWER') diag.push(`role: ${u.searchParams.get('role')}`);
    if (u.searchParams.get('fullName') !== 'Grace Hopper') diag.push(`fullName: ${u.searchParams.get('fullName')}`);
    await page.locator('#join-link', { hasText: 'Grace Hopper as viewer' }).waitFor();
    return diag;
  });

  await step('recordings: the page lists the recordings with their playback links', async () => {
    const res = await fetch(`${stack.url}/v1/recordings`, { headers: { Authorization: `Bearer ${stack.token}` } });
    const { recordings: want } = await res.json();
    await page.click('#refresh-recordings');
    await page.waitForFunction((count) => document.querySelectorAll('#recordings-table tbody tr').length === count,
      want.length);
    const diag = want.length > 0 ? [] : ['the simulator lists no recordings'];
    for (const r of want) {
      const row = page.locator('#recordings-table tbody tr', { hasText: r.meetingID }).filter({ hasText: r.state });
      if (await row.count() === 0) diag.push(`no row for ${r.recordID} (${r.meetingID}, ${r.state})`);
    }
    const first = want[0]?.playback?.[0];
    if (first && await page.locator(`#recordings-table a[href="${first.url}"]`).count() === 0) {
      diag.push(`no playback link ${first.url}`);
    }
    return diag;
  });

  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  ok(existsSync(screenshot), `screenshot saved: ${screenshot}`);

  await step('end: the meeting is gone from the list', async () => {
    const row = page.locator('#meetings-table tr[data-meeting-id="browser-101"]');
    await row.getByRole('button', { name: 'End' }).click();
    await page.locator('#message', { hasText: 'Asked BBB to end browser-101.' }).waitFor();
    await row.waitFor({ state: 'detached' });
    const left = await page.locator('#meetings-table tbody tr').count();
    return left === 1 ? [] : [`${left} meetings left, expected 1`];
  });

  await step('CORS: the gateway saw the browser\'s preflights and allowed them', async () => {
    const log = stack.accessLog();
    const preflights = log.filter((e) => e.method === 'OPTIONS');
    const diag = [];
    if (preflights.length === 0) diag.push('no OPTIONS request in the access log');
    for (const e of preflights) if (e.status !== 204) diag.push(`preflight answered ${e.status}`);
    for (const [method, route, status] of [['GET', '/v1/server', 200], ['POST', '/v1/meetings', 201],
      ['GET', '/v1/meetings', 200], ['POST', '/v1/meetings/{meetingID}/join', 200],
      ['POST', '/v1/meetings/{meetingID}/end', 200]]) {
      if (!log.some((e) => e.method === method && e.route === route && e.status === status)) {
        diag.push(`no ${method} ${route} -> ${status} in the access log`);
      }
    }
    console.log(`# access log: ${log.length} requests, ${preflights.length} preflights`);
    return diag;
  });

  await step('CORS: the same page from another origin cannot use the gateway', async () => {
    const other = await context.newPage();
    other.on('dialog', (d) => d.accept());
    await other.goto(`${page2.origin}/index.html?gateway=${encodeURIComponent(stack.url)}`);
    await other.fill('#token', stack.token);
    await other.click('#connect-form button[type=submit]');
    await other.locator('#message.error', { hasText: 'Cannot reach the gateway' }).waitFor();
    const text = await other.locator('#message').textContent();
    await other.close();
    const denied = stack.accessLog().filter((e) => e.method === 'OPTIONS' && e.status === 403);
    return text.includes(page2.origin) && denied.length > 0 ? [] : [`message: ${text}; 403 preflights: ${denied.length}`];
  });

  ok(pageErrors.length === 0, 'no JavaScript errors on the page', pageErrors);
  ok(outside.length === 0, 'no request left the loopback', outside);
}

async function main() {
  const cleanup = [];
  const deadline = setTimeout(() => {
    console.log(`Bail out! the browser test did not finish within ${TIMEOUT_MS / 1000} s`);
    process.exit(1); // the exit handler of stack.mjs kills the gateway and the simulator
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
