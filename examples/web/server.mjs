// server.mjs - the example app's backend: Node's standard library only, no
// npm packages.
//
// It serves the page (index.html, app.js, style.css, and the typed client
// from the repository: /client/ is clients/js/src, /vendor/openapi-fetch/ is
// clients/js/node_modules/openapi-fetch/dist, named by the page's importmap,
// so there is no build step), keeps the gateway's
// static token to itself, and gives the signed-in user's page what it needs
// to call the gateway directly: a short-lived browser token (a JWT minted by
// the gateway's POST /v1/tokens) bound to that user and one meeting.
//
//   node examples/web/server.mjs [--gateway URL] [--token-file FILE] [--port N] [--host ADDR]
//
// Environment (the options win): GATEWAY_URL (default http://127.0.0.1:8090),
// GATEWAY_PUBLIC_URL (the gateway as the browser reaches it; default
// GATEWAY_URL), GATEWAY_TOKEN_FILE or GATEWAY_TOKEN (the static token; it
// needs the scopes meetings:read, meetings:create, meetings:join,
// events:read and tokens:mint: a minted token never carries more), PORT (default 8000; 0 picks a free one), HOST (default
// 127.0.0.1). Prints "listening on http://HOST:PORT" once it accepts.
//
// Sign-in is FAKE: whoever types a name is that user, with a user id made up
// for the session. Sessions live in memory (an HttpOnly cookie holds a random
// session id) and are gone when the process stops. A real backend
// authenticates its users and keeps its own record of who may moderate.
//
// Routes (JSON):
//   GET    /api/session            -> { user: {id, name} | null, gatewayUrl }
//   POST   /api/session {name}     -> { user, gatewayUrl }   (sign in)
//   DELETE /api/session            -> 204                     (sign out)
//   GET    /api/meetings           -> { meetings: [{meetingID, meetingName, running,
//                                       participantCount, createTime, mine, role}] }
//                                     (role: the role this user may join as)
//   POST   /api/meetings {name}    -> 201 { meetingID, meetingName, createTime, mine }
//   POST   /api/token {meetingID, role?}
//                                  -> { token, expiresAt, meetingID, role, gatewayUrl }
//                                     (role: as asked, else the highest this user may have)
//   POST   /api/events-token       -> { token, expiresAt, gatewayUrl }
//                                     (scope events:read alone, every meeting: the page
//                                     follows GET /v1/events to keep its list current)
// The token is bound to the meeting (scope "meetings:read meetings:join
// events:read": the page reads the meeting, joins it and follows its live
// events), the user (sub = the user id, fullName = the name), this page's
// origin, and lives 600 s. The user who created the meeting through this
// backend may join it as MODERATOR (the default for them), everyone else as
// VIEWER. This example lists every meeting to every signed-in user, so the
// list's event token covers every meeting too (events only: it cannot read,
// join or end). Errors: { error, code? }.
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const TOKEN_TTL_S = 600;
const TOKEN_SCOPE = 'meetings:read meetings:join events:read';
const MAX_BODY = 16 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
// Directories served as they are (ES modules only): the typed client and its one dependency.
const MOUNTS = [
  ['/client/', join(repo, 'clients', 'js', 'src')],
  ['/vendor/openapi-fetch/', join(repo, 'clients', 'js', 'node_modules', 'openapi-fetch', 'dist')],
];

// ---- settings ----

function settings() {
  const { values } = parseArgs({
    options: {
      gateway: { type: 'string' },
      'public-gateway': { type: 'string' },
      'token-file': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const usage = 'usage: node server.mjs [--gateway URL] [--public-gateway URL] [--token-file FILE] '
    + '[--port N] [--host ADDR]\n(or GATEWAY_URL, GATEWAY_PUBLIC_URL, GATEWAY_TOKEN_FILE / GATEWAY_TOKEN, '
    + 'PORT, HOST)';
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const env = process.env;
  const gateway = (values.gateway ?? env.GATEWAY_URL ?? 'http://127.0.0.1:8090').replace(/\/+$/, '');
  const publicGateway = (values['public-gateway'] ?? env.GATEWAY_PUBLIC_URL ?? gateway).replace(/\/+$/, '');
  const tokenFile = values['token-file'] ?? env.GATEWAY_TOKEN_FILE;
  let token = env.GATEWAY_TOKEN ?? '';
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (e) {
      console.error(`server.mjs: cannot read the token file: ${e.message}`);
      process.exit(2);
    }
  }
  if (!token) {
    console.error(`server.mjs: no gateway token\n${usage}`);
    process.exit(2);
  }
  const port = Number(values.port ?? env.PORT ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`server.mjs: bad port\n${usage}`);
    process.exit(2);
  }
  return { gateway, publicGateway, token, port, host: values.host ?? env.HOST ?? '127.0.0.1' };
}

const cfg = settings();
if (!existsSync(join(MOUNTS[1][1], 'index.mjs'))) {
  console.error('server.mjs: warning: clients/js/node_modules/openapi-fetch is missing, the page cannot load '
    + 'the client: run scripts/deps-browser (or npm ci in clients/js)');
}

// ---- the gateway, called with the static token (never sent to a page) ----

class GatewayError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `the gateway answered ${status}`);
    this.code = problem.code;
    this.status = status;
  }
}

function gateway(method, path, body) {
  const url = new URL(cfg.gateway + path);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = { Authorization: `Bearer ${cfg.token}`, Accept: 'application/json' };
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, timeout: 10000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let data = {};
        try {
          data = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          // not JSON: keep {}
        }
        if (res.statusCode >= 400) reject(new GatewayError(data, res.statusCode));
        else resolve(data);
      });
    });
    req.on('timeout', () => req.destroy(new Error('the gateway did not answer in time')));
    req.on('error', (e) => reject(new GatewayError({ detail: `cannot reach the gateway: ${e.message}` }, 0)));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

// ---- fake sign-in: an in-memory session per browser ----

const sessions = new Map(); // session id -> { id, name }
const creators = new Map(); // meetingID -> the user id that created it here

// The example's rule: whoever created the meeting here may moderate it.
function allowedRole(user, meetingID) {
  return creators.get(meetingID) === user.id ? 'MODERATOR' : 'VIEWER';
}

function sessionOf(req) {
  const m = /(?:^|;\s*)sid=([0-9a-f]{32})(?:;|$)/.exec(req.headers.cookie ?? '');
  return m ? sessions.get(m[1]) : undefined;
}

// ---- HTTP ----

const STATIC = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
};

class HttpError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function send(res, status, data, headers = {}) {
  const body = data === undefined ? '' : JSON.stringify(data);
  res.writeHead(status, {
    ...(data === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      reject(new HttpError(415, 'Send JSON'));
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'Body too large'));
        req.destroy();
      } else {
        chunks.push(c);
      }
    });
    req.on('end', () => {
      try {
        const v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        resolve(v);
      } catch {
        reject(new HttpError(400, 'The body must be a JSON object'));
      }
    });
    req.on('error', reject);
  });
}

// The origins this server is reached at: a POST must come from one of them
// (this also keeps other sites from using the session cookie), and the
// minted token is bound to it.
function pageOrigin(req) {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!origin || !host || (origin !== `http://${host}` && origin !== `https://${host}`)) {
    throw new HttpError(403, 'Requests must come from this page');
  }
  return origin;
}

function needUser(req) {
  const user = sessionOf(req);
  if (!user) throw new HttpError(401, 'Sign in first');
  return user;
}

function text(v, field, max) {
  const s = typeof v === 'string' ? v.trim() : '';
  if (s.length < 1 || s.length > max) throw new HttpError(400, `'${field}' must be 1 to ${max} characters`);
  return s;
}

async function api(req, res, path) {
  const method = req.method;
  if (path === '/api/session') {
    if (method === 'GET') {
      send(res, 200, { user: sessionOf(req) ?? null, gatewayUrl: cfg.publicGateway });
      return;
    }
    if (method === 'POST') {
      pageOrigin(req);
      const name = text((await readJson(req)).name, 'name', 64);
      const sid = randomBytes(16).toString('hex');
      const user = { id: `u-${randomBytes(6).toString('hex')}`, name };
      sessions.set(sid, user);
      send(res, 200, { user, gatewayUrl: cfg.publicGateway },
        { 'Set-Cookie': `sid=${sid}; Path=/; HttpOnly; SameSite=Strict` });
      return;
    }
    if (method === 'DELETE') {
      pageOrigin(req);
      const m = /(?:^|;\s*)sid=([0-9a-f]{32})/.exec(req.headers.cookie ?? '');
      if (m) sessions.delete(m[1]);
      send(res, 204, undefined, { 'Set-Cookie': 'sid=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0' });
      return;
    }
  }
  if (path === '/api/meetings') {
    if (method === 'GET') {
      const user = needUser(req);
      const { meetings = [] } = await gateway('GET', '/v1/meetings');
      send(res, 200, {
        meetings: meetings.map((m) => ({
          meetingID: m.meetingID,
          meetingName: m.meetingName,
          running: m.running === true,
          participantCount: m.participantCount ?? 0,
          createTime: m.createTime,
          mine: creators.get(m.meetingID) === user.id,
          role: allowedRole(user, m.meetingID),
        })),
      });
      return;
    }
    if (method === 'POST') {
      pageOrigin(req);
      const user = needUser(req);
      const name = text((await readJson(req)).name, 'name', 100);
      const created = await gateway('POST', '/v1/meetings', { name });
      creators.set(created.meetingID, user.id);
      send(res, 201, { meetingID: created.meetingID, meetingName: name, createTime: created.createTime, mine: true,
        role: 'MODERATOR' });
      return;
    }
  }
  if (path === '/api/token' && method === 'POST') {
    const origin = pageOrigin(req);
    const user = needUser(req);
    const body = await readJson(req);
    const meetingID = text(body.meetingID, 'meetingID', 256);
    const role = body.role ?? allowedRole(user, meetingID);
    if (role !== 'VIEWER' && role !== 'MODERATOR') throw new HttpError(400, "'role' is VIEWER or MODERATOR");
    if (role === 'MODERATOR' && allowedRole(user, meetingID) !== 'MODERATOR') {
      throw new HttpError(403, 'Only the user who created the meeting may join it as moderator');
    }
    const minted = await gateway('POST', '/v1/tokens', {
      sub: user.id,
      scope: TOKEN_SCOPE,
      meetings: [meetingID],
      role,
      fullName: user.name,
      origins: [origin],
      ttl_s: TOKEN_TTL_S,
    });
    send(res, 200, { token: minted.token, expiresAt: minted.expiresAt, meetingID, role, gatewayUrl: cfg.publicGateway });
    return;
  }
  if (path === '/api/events-token' && method === 'POST') {
    const origin = pageOrigin(req);
    const user = needUser(req);
    const minted = await gateway('POST', '/v1/tokens', {
      sub: user.id,
      scope: 'events:read',
      meetings: ['*'],
      fullName: user.name,
      origins: [origin],
      ttl_s: TOKEN_TTL_S,
    });
    send(res, 200, { token: minted.token, expiresAt: minted.expiresAt, gatewayUrl: cfg.publicGateway });
    return;
  }
  if (['/api/session', '/api/meetings', '/api/token', '/api/events-token'].includes(path)) throw new HttpError(405, 'Method not allowed');
  throw new HttpError(404, 'Not found');
}

// The inline importmap is allowed by its hash, and no other inline script.
function importmapHash(html) {
  const m = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  return m ? ` 'sha256-${createHash('sha256').update(m[1]).digest('base64')}'` : '';
}

// A file under one of MOUNTS, or undefined.
function mounted(path) {
  for (const [prefix, dir] of MOUNTS) {
    if (!path.startsWith(prefix)) continue;
    let file;
    try {
      file = normalize(join(dir, decodeURIComponent(path.slice(prefix.length))));
    } catch {
      return undefined; // a malformed %-escape
    }
    if (file.startsWith(dir + sep) && /\.m?js$/.test(file) && existsSync(file)) return file;
  }
  return undefined;
}

function page(res, path) {
  const [file, type] = STATIC[path] ?? [mounted(path), 'text/javascript; charset=utf-8'];
  const body = readFileSync(STATIC[path] ? join(here, file) : file);
  const gatewayOrigin = new URL(cfg.publicGateway).origin;
  const scripts = type.startsWith('text/html') ? importmapHash(body.toString('utf8')) : '';
  res.writeHead(200, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'Content-Security-Policy': `default-src 'self'; script-src 'self'${scripts}; connect-src 'self' ${gatewayOrigin}; `
      + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(body);
}

const server = createServer(async (req, res) => {
  let path;
  try {
    path = new URL(req.url, 'http://x').pathname;
  } catch {
    path = '';
  }
  try {
    if (path.startsWith('/api/')) {
      await api(req, res, path);
    } else if ((STATIC[path] || mounted(path)) && (req.method === 'GET' || req.method === 'HEAD')) {
      page(res, path);
    } else {
      send(res, 404, { error: 'Not found' });
    }
  } catch (e) {
    if (e instanceof HttpError) {
      send(res, e.status, { error: e.message, ...(e.code ? { code: e.code } : {}) });
    } else if (e instanceof GatewayError) {
      // The gateway refused or failed: say why, but as this server's failure.
      console.error(`gateway: ${e.status} ${e.code ?? ''} ${e.message}`);
      send(res, 502, { error: `The gateway refused: ${e.message}`, ...(e.code ? { code: e.code } : {}) });
    } else {
      console.error(e);
      send(res, 500, { error: 'Internal error' });
    }
  }
});

server.listen(cfg.port, cfg.host, () => {
  const { port } = server.address();
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  console.log(`example backend listening on http://${host}:${port} (gateway ${cfg.gateway})`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  });
}
