// page.test.js - the package in a page without a build step: clients/js
// served over HTTP, test/page.html (an importmap naming the package and
// openapi-fetch) loaded in headless Chromium (--dump-dom). Skipped where
// Chromium is not installed (CHROMIUM overrides /usr/bin/chromium).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript' };

test('a page imports the package through an importmap, no build step', {
  skip: existsSync(chromium) ? false : `Chromium is not installed at ${chromium}`,
}, async () => {
  const server = http.createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file) || !TYPES[extname(file)]) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}/test/page.html`;
    // asynchronously: a synchronous spawn would block the server above
    const r = await new Promise((resolve) => {
      execFile(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
        '--disable-background-networking', '--virtual-time-budget=5000', '--dump-dom', url],
      { timeout: 60000, encoding: 'utf8' }, (error, stdout, stderr) => resolve({ error, stdout, stderr }));
    });
    const m = /<pre id="out">([^<]*)<\/pre>/.exec(r.stdout);
    assert.ok(m, `no output element in Chromium's DOM: ${r.error?.message ?? ''} ${r.stderr.slice(-500)}`);
    assert.notEqual(m[1], 'not loaded', 'the module did not run');
    const out = JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
    assert.deepEqual(out.methods, ['createMeeting', 'end', 'getMeeting', 'isRunning', 'join', 'joinUrl',
      'listMeetings', 'listRecordings', 'mintToken', 'openEvents', 'revokeToken']);
    assert.equal(out.raw, 'function');
    assert.equal(out.access_token, 'tok');
    assert.equal(out.types, 17);
    assert.deepEqual(out.error, ['GatewayError', 403, 'meeting_not_allowed', 'r1']);
    assert.equal(out.eventSource, 'function');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
