// guide.test.js - the code of docs/frontend.md works and is the code the
// guide shows: examples/frontend-guide/server.mjs (the backend) runs against
// the gateway and the simulator (tests/openapi/stack.mjs), its page
// (index.html) is loaded in headless Chromium (playwright-core from
// tests/browser/node_modules) and joins through the iframe; the participant
// list must then show the page's user and, live, a second user who joins
// through the simulator. And every fenced block of docs/frontend.md that
// names a file must equal that file. The browser part is skipped without
// Chromium or playwright-core.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient } from '../src/index.js';
import { startStack } from '../../../tests/openapi/stack.mjs';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const chromiumBin = process.env.CHROMIUM || '/usr/bin/chromium';
const playwright = join(repo, 'tests/browser/node_modules/playwright-core/index.mjs');
const skip = !existsSync(chromiumBin) ? `Chromium is not installed at ${chromiumBin}`
  : !existsSync(playwright) ? 'tests/browser/node_modules/playwright-core is missing: run scripts/deps-browser'
    : false;

test('the code blocks of docs/frontend.md that name a file equal the file', () => {
  const doc = readFileSync(join(repo, 'docs/frontend.md'), 'utf8');
  const blocks = [...doc.matchAll(/^```\w+ (examples\/\S+)\n([\s\S]*?)^```$/gm)];
  assert.deepEqual(blocks.map((b) => b[1]).sort(),
    ['examples/frontend-guide/index.html', 'examples/frontend-guide/server.mjs']);
  for (const [, file, code] of blocks) {
    assert.equal(code, readFileSync(join(repo, file), 'utf8'), `docs/frontend.md's copy of ${file}`);
  }
});

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

let stack;
let app;
let browser;
const appOutput = [];

before(async () => {
  if (skip) return;
  const gwPort = await freePort();
  const appUrl = `http://127.0.0.1:${await freePort()}`;
  stack = await startStack({
    gateway: process.env.BBB_GATEWAY_BIN,
    sim: process.env.BBB_SIM_BIN,
    tokensMint: true,
    corsOrigins: [appUrl],
    port: gwPort,
    events: `http://127.0.0.1:${gwPort}/v1/bbb-events`,
  });
  app = spawn(process.execPath, [join(repo, 'examples/frontend-guide/server.mjs')], {
    env: { ...process.env, GATEWAY_URL: stack.url, APP_URL: appUrl, BBB_GATEWAY_TOKEN: stack.token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app.stdout.on('data', (d) => appOutput.push(String(d)));
  app.stderr.on('data', (d) => appOutput.push(String(d)));
  app.url = appUrl;
  const { chromium } = await import(pathToFileURL(playwright).href);
  browser = await chromium.launch({
    executablePath: chromiumBin,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'],
  });
});

after(async () => {
  await browser?.close();
  app?.kill('SIGTERM');
  await stack?.stop();
});

test('the guide\'s backend and page: join in the iframe, participants live', { skip }, async () => {
  const backend = createClient({ baseUrl: stack.url, token: stack.token });
  // the gateway registers its callback with the simulator's bbb-webhooks at start
  for (let i = 0; ; i++) {
    const { data } = await backend.raw.GET('/v1/hooks');
    if (JSON.stringify(data ?? {}).includes(stack.callbackUrl)) break;
    assert.ok(i < 100, 'the callback URL in GET /v1/hooks');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const page = await browser.newPage();
  page.setDefaultTimeout(10000);
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  for (let i = 0; ; i++) { // the backend is listening once the page loads
    try {
      await page.goto(`${app.url}/`);
      break;
    } catch (e) {
      assert.ok(i < 50, `the guide's backend did not answer: ${e.message} ${appOutput.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await page.fill('#meeting', 'guide-room');
  await page.click('#join');

  // the iframe opened the join URL on the simulator: the user is in, shown by the stream
  const frame = page.locator('#room');
  await frame.waitFor({ state: 'visible' });
  const src = await frame.getAttribute('src');
  assert.ok(src.startsWith(`${stack.simUrl}/`) && src.includes('meetingID=guide-room'), `iframe src ${src}`);
  assert.equal(await frame.getAttribute('allow'), 'camera; microphone; display-capture; autoplay; fullscreen');
  await page.locator('#people li', { hasText: 'Ada Lovelace' }).waitFor();

  // another user joins through the simulator (the signed join URL opened): shown live, no reload
  await page.evaluate(() => { window.notReloaded = true; });
  const { url } = await backend.join('guide-room', { fullName: 'Grace Hopper', userID: 'u-2', role: 'VIEWER' });
  const r = await fetch(url, { redirect: 'manual' });
  await r.arrayBuffer();
  assert.ok(r.status === 302 || r.status === 200, `GET of the join URL: ${r.status}`);
  await page.locator('#people li', { hasText: 'Grace Hopper' }).waitFor();
  assert.deepEqual((await page.locator('#people li').allTextContents()).sort(), ['Ada Lovelace', 'Grace Hopper']);
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  assert.equal(await page.locator('#error').isHidden(), true,
    `no error shown: ${await page.locator('#error').textContent()}`);
  assert.deepEqual(consoleErrors, []);

  // the static token stays in the backend
  const html = await page.content();
  assert.ok(!html.includes(stack.token), 'the static token is not in the page');

  // an error is shown: a meeting the gateway refuses to create (a meetingID BBB cannot take)
  await page.fill('#meeting', '');
  await page.click('#join');
  await page.locator('#error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#error').textContent(), /backend: /);
});
