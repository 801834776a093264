// stack.mjs - runs the built gateway against the bundled BBB simulator for
// the Node tests (tests/openapi, tests/browser), the way scripts/demo does:
// bbb-sim on a free loopback port, two fresh tokens ("*" and
// meetings:read), a config file in a temporary directory (with a
// tokens_mint key when asked for), bbb-gateway on a free loopback port.
// Both processes are stopped by stop() and, should the test die first, by
// the exit handler below: nothing is left running.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';

const children = new Set();
const dirs = new Set();

process.on('exit', () => {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
// A runner's timeout sends SIGTERM: exit through the handler above.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 })[signal]));
}

// Starts cmd and resolves with the first output line that matches re.
function startAndWait(cmd, args, stream, re, timeoutMs) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const lines = [];
  child.on('exit', () => children.delete(child));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${cmd} did not start within ${timeoutMs} ms:\n${lines.join('\n')}`));
    }, timeoutMs);
    const pending = { stdout: '', stderr: '' };
    for (const name of ['stdout', 'stderr']) {
      child[name].setEncoding('utf8');
      child[name].on('data', (chunk) => {
        pending[name] += chunk;
        const parts = pending[name].split('\n');
        pending[name] = parts.pop();
        for (const line of parts) {
          lines.push(line);
          const m = name === stream ? re.exec(line) : null;
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        }
      });
    }
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} could not be started: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code ?? signal}) before it was ready:\n${lines.join('\n')}`));
    });
  });
  return { child, lines, ready };
}

// SIGTERM, then SIGKILL after timeoutMs. Resolves with the exit code, or the signal's name.
function stopChild(child, timeoutMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode ?? child.signalCode);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
    child.kill('SIGTERM');
  });
}

// A fresh token and the sha256:<hex> entry the config stores, from the gateway itself.
function newToken(gateway, name, scopes) {
  const r = spawnSync(gateway, ['token', 'new', name, '--scopes', scopes], { encoding: 'utf8' });
  const token = /bgw_[A-Za-z0-9_-]+/.exec(r.stdout)?.[0];
  const hash = /sha256:[0-9a-f]{64}/.exec(r.stdout)?.[0];
  if (r.status !== 0 || !token || !hash) {
    throw new Error(`${gateway} token new failed: ${r.stdout}${r.stderr}`);
  }
  return { token, hash };
}

/**
 * Starts bbb-sim and bbb-gateway. opts: gateway, sim (paths of the built
 * binaries), simArgs (more bbb-sim options, e.g. ['--recordings', FILE]),
 * corsOrigins (array), maxBodyBytes (optional), tokensMint (optional: true
 * turns on POST /v1/tokens with a fresh key file, 64 hex characters and a
 * newline, as `bbb-gateway key new` writes), events (optional: true turns
 * on live events with a callback URL nothing answers at, for tests that
 * post the callbacks themselves; a string is the callback URL, such as the
 * gateway's own http://127.0.0.1:PORT/v1/bbb-events, so that the
 * simulator's callbacks reach it), port (optional: the gateway's listen
 * port; default 0, any free one). Resolves with { url, token,
 * readToken, simUrl, dir, accessLog(), stop() }; dir is the temporary
 * directory holding the config (removed by stop()); stop() resolves with the
 * exit statuses { gateway, sim } (0 after a clean SIGTERM).
 */
export async function startStack(opts) {
  const dir = mkdtempSync(join(tmpdir(), 'bbb-gateway-test-'));
  dirs.add(dir);
  const secret = randomBytes(16).toString('hex');
  let sim;
  let gw;
  const stop = async () => {
    const status = {};
    if (gw) status.gateway = await stopChild(gw.child);
    if (sim) status.sim = await stopChild(sim.child);
    gw = undefined;
    sim = undefined;
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
    return status;
  };
  try {
    sim = startAndWait(opts.sim,
      ['--address', '127.0.0.1', '--port', '0', '--secret', secret, ...(opts.simArgs ?? [])],
      'stdout', /listening on (http:\/\/\S+)/, 10000);
    const simUrl = (await sim.ready)[1];
    const all = newToken(opts.gateway, 'test', '*');
    const read = newToken(opts.gateway, 'reader', 'meetings:read');
    const origins = (opts.corsOrigins ?? []).map((o) => JSON.stringify(o)).join(', ');
    const mint = [];
    if (opts.tokensMint) {
      const keyFile = join(dir, 'mint.key');
      writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
      mint.push(`tokens_mint = { signing_key_file = ${JSON.stringify(keyFile)}; };`);
    }
    // bbb-webhooks signs callbacks over the URL it was given: any fixed text
    // will do for callbacks the test posts itself
    const callbackUrl = typeof opts.events === 'string' ? opts.events : 'http://gateway.test/v1/bbb-events';
    if (opts.events) mint.push(`events = { callback_url = ${JSON.stringify(callbackUrl)}; };`);
    const config = join(dir, 'bbb-gateway.conf');
    writeFileSync(config, [
      `listen = { address = "127.0.0.1"; port = ${opts.port ?? 0}; threads = 2; };`,
      `bbb = { url = ${JSON.stringify(simUrl)}; secret = ${JSON.stringify(secret)};`,
      '        checksum = "sha256"; timeout_ms = 5000; };',
      `limits = { max_body_bytes = ${opts.maxBodyBytes ?? 65536}; };`,
      'tokens = (',
      `  { name = "test"; hash = "${all.hash}"; scopes = [ "*" ]; },`,
      `  { name = "reader"; hash = "${read.hash}"; scopes = [ "meetings:read" ]; }`,
      ');',
      `cors = { origins = [ ${origins} ]; };`,
      ...mint,
      'log = { format = "json"; access = true; };',
      '',
    ].join('\n'), { mode: 0o600 });
    gw = startAndWait(opts.gateway, ['-c', config], 'stderr',
      /listening on \S+ port (\d+)/, 10000);
    const port = (await gw.ready)[1];
    return {
      url: `http://127.0.0.1:${port}`,
      token: all.token,
      readToken: read.token,
      simUrl,
      secret,
      callbackUrl,
      dir,
      // The access log lines so far, parsed (log.format = json).
      accessLog: () => gw.lines.flatMap((line) => {
        try {
          const e = JSON.parse(line);
          return e.type === 'access' ? [e] : [];
        } catch {
          return [];
        }
      }),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * One HTTP request with full control over the headers. Resolves with
 * { status, headers, body (string), json (parsed or undefined) }.
 */
export function request(base, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers, timeout: 15000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = text.length > 0 ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
