// validate.mjs - checks docs/openapi.json against reality (TAP):
//
//   1. the document is valid OpenAPI 3.1 (the OpenAPI Initiative's schema);
//   2. every schema in components compiles as JSON Schema 2020-12 in ajv's
//      strict mode (no unknown keywords or formats, no typos);
//   3. the converter's golden outputs (tests/data/json/*.json, what BBB's
//      real XML replies become) validate against the routes' response schemas;
//   4. the built gateway, running against the bundled BBB simulator, is
//      called on every operation of the document (successes and errors); each
//      response's status must be documented for the operation, its media type
//      documented for that status (BBB's XML: the operation's
//      x-bbb-xml-reply, status 200), and its body valid against that schema;
//   5. GET /v1/openapi.json serves this very document.
//
// The event streams (text/event-stream) never end by themselves: they are
// read until their first bytes (or an awaited event) are in, then closed.
// An event relayed from a signed bbb-webhooks callback is checked against
// EventData, and its block against StreamEvent.
//
// The gateway runs with tokens_mint, so browser tokens (JWTs) are minted,
// used on meeting routes, refused (401 and 403 problem codes) and revoked.
//
// usage: node validate.mjs DOC.json GATEWAY_BINARY SIM_BINARY TEST_DATA_DIR
// (TEST_DATA_DIR is tests/data: json/ holds the golden outputs, bbbsim/ the
// simulator's seed recordings)
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';
import { request, startStack } from './stack.mjs';

const [docPath, gatewayBin, simBin, dataDir] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node validate.mjs DOC.json GATEWAY_BINARY SIM_BINARY TEST_DATA_DIR');
  process.exit(2);
}
const goldenDir = join(dataDir, 'json');
const DOC_ID = 'https://bbb-gateway.invalid/openapi.json';
const doc = JSON.parse(readFileSync(docPath, 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// ---- TAP ----
console.log('TAP version 13');
let n = 0;
let failed = 0;
function ok(cond, name, diag = []) {
  n += 1;
  if (!cond) failed += 1;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`);
  for (const line of diag) console.log(`# ${String(line).replace(/\n/g, '\n# ')}`);
}

// ---- the document as a JSON Schema resource ----
// strictRequired is off: `{"required": ["url"]}` inside oneOf/anyOf names members
// that the enclosing schema declares, which is plain JSON Schema.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
// OpenAPI's own members around the schemas are not JSON Schema keywords.
ajv.addVocabulary(['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks',
  'components', 'security', 'tags', 'externalDocs']);
ajv.addSchema({ ...doc, $id: DOC_ID });

function pointerEscape(s) {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}
function resolve(node) {
  let depth = 0;
  while (node && node.$ref) {
    const parts = node.$ref.replace(/^#\//, '').split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    node = parts.reduce((acc, p) => (acc ? acc[p] : undefined), doc);
    if (++depth > 20) return undefined;
  }
  return node;
}
function validator(pointer) {
  return ajv.getSchema(`${DOC_ID}#${pointer}`);
}
function errorsOf(validate) {
  return (validate.errors ?? []).slice(0, 8)
    .map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
}

const operations = new Map(); // "GET /v1/meetings" -> { op, pointer }
for (const [path, item] of Object.entries(doc.paths ?? {})) {
  for (const method of METHODS) {
    if (item[method]) {
      operations.set(`${method.toUpperCase()} ${path}`, {
        op: item[method],
        pointer: `/paths/${pointerEscape(path)}/${method}`,
      });
    }
  }
}

// { validate, schemaName } for the response of operation key with status and media type
// ({} when the document says it has no body), or { error } when the document lacks it.
function responseValidator(key, status, media) {
  const entry = operations.get(key);
  if (!entry) return { error: `the document has no operation ${key}` };
  const { op, pointer } = entry;
  // BBB's own XML (Accept: application/xml) is the escape hatch the document
  // names with x-bbb-xml-reply, out of the responses' content on purpose
  if (media === 'application/xml' && op['x-bbb-xml-reply'] === true) {
    if (status !== 200) return { error: `${key}: BBB's XML comes with status 200, not ${status}` };
    return { validate: () => true, schemaName: "BBB's XML, x-bbb-xml-reply" };
  }
  let resp = op.responses?.[String(status)];
  let rp = `${pointer}/responses/${status}`;
  if (!resp) return { error: `status ${status} is not documented for ${key}` };
  if (resp.$ref) {
    rp = resp.$ref.replace(/^#/, '');
    resp = resolve(resp);
  }
  if (!resp.content) return media ? { error: `${key} ${status}: the document says no body` } : {};
  if (!resp.content[media]) {
    return { error: `${key} ${status}: media type ${media} not documented (${Object.keys(resp.content)})` };
  }
  return {
    validate: validator(`${rp}/content/${pointerEscape(media)}/schema`),
    schemaName: resp.content[media].schema?.$ref?.split('/').pop() ?? 'inline schema',
  };
}

// ---- 1. OpenAPI 3.1 ----
{
  const oas = new Validator();
  const res = await oas.validate(structuredClone(doc));
  ok(res.valid && oas.version === '3.1', `the document is valid OpenAPI 3.1 (${oas.version})`,
    res.valid ? [] : (res.errors ?? []).slice(0, 8).map((e) => JSON.stringify(e)));
}

// ---- 2. component schemas compile strictly ----
{
  const bad = [];
  const compiled = new Map();
  for (const name of Object.keys(doc.components?.schemas ?? {})) {
    try {
      compiled.set(name, validator(`/components/schemas/${pointerEscape(name)}`));
    } catch (e) {
      bad.push(`${name}: ${e.message}`);
    }
  }
  ok(bad.length === 0, `all ${Object.keys(doc.components?.schemas ?? {}).length} component schemas compile (JSON Schema 2020-12, strict)`, bad);
  const wrong = [];
  for (const [name, validate] of compiled) {
    for (const example of doc.components.schemas[name].examples ?? []) {
      if (!validate(example)) wrong.push(`${name}: ${errorsOf(validate).join('; ')}`);
    }
  }
  ok(wrong.length === 0, 'the schemas\' examples are valid', wrong);
}

// ---- 3. golden converter outputs ----
// file name prefix -> the route whose response body is the converted reply
const GOLDEN = [
  ['api_root', 'GET /v1/server', 200],
  ['create_success', 'POST /v1/meetings', 201],
  ['create_duplicate', 'POST /v1/meetings', 200],
  ['get_meeting_info', 'GET /v1/meetings/{meetingID}', 200],
  ['docs_get_meeting_info', 'GET /v1/meetings/{meetingID}', 200],
  ['get_meetings', 'GET /v1/meetings', 200],
  ['is_meeting_running', 'GET /v1/meetings/{meetingID}/running', 200],
  ['end_success', 'POST /v1/meetings/{meetingID}/end', 200],
  ['get_recordings', 'GET /v1/recordings', 200],
  ['docs_get_recordings', 'GET /v1/recordings', 200],
  ['hooks_list', 'GET /v1/hooks', 200],
  ['hooks_create_duplicate', 'POST /v1/hooks', 200],
  ['hooks_create', 'POST /v1/hooks', 201],
];
{
  const files = readdirSync(goldenDir).filter((f) => f.endsWith('.json')).sort();
  let count = 0;
  for (const file of files) {
    const golden = JSON.parse(readFileSync(join(goldenDir, file), 'utf8'));
    const hit = GOLDEN.find(([prefix]) => file.startsWith(prefix));
    if (!hit || golden.success !== true) continue;
    const [, key, status] = hit;
    const body = structuredClone(golden.body);
    if (key === 'GET /v1/hooks' && !Array.isArray(body.hooks)) body.hooks = []; // as finish_list does
    const v = responseValidator(key, status, 'application/json');
    if (v.error) {
      ok(false, `golden ${file}`, [v.error]);
      continue;
    }
    count += 1;
    ok(v.validate(body), `golden ${file} is a valid ${key} ${status} body (${v.schemaName})`, errorsOf(v.validate));
    if (key === 'GET /v1/recordings') {
      const one = responseValidator('GET /v1/recordings/{recordID}', 200, 'application/json');
      const bad = body.recordings.flatMap((r) => (one.validate(r) ? [] : errorsOf(one.validate)));
      ok(bad.length === 0, `golden ${file}: each recording is a valid GET /v1/recordings/{recordID} body`, bad);
    }
  }
  ok(count >= 10, `golden outputs checked: ${count}`);
}

// ---- 4. live ----
const exercised = new Map(); // op key -> set of statuses seen
const problemValidate = validator('/components/schemas/Problem');

function mediaOf(res) {
  return (res.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

// The first bytes of an event stream's body, as an SSE parser sees them: { retry, comments, events }.
function parseSse(text) {
  const out = { retry: undefined, comments: [], events: [] };
  for (const block of text.split('\n\n').slice(0, -1)) { // the last piece is unfinished
    const ev = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        out.comments.push(line.slice(1).trim());
        continue;
      }
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'retry') out.retry = Number(value);
      else if (field === 'data') ev.data = ev.data === undefined ? value : `${ev.data}\n${value}`;
      else ev[field] = value;
    }
    if (ev.data !== undefined) out.events.push(ev);
  }
  return out;
}

/**
 * A GET that may answer with an event stream. An error answer is read to its
 * end; a text/event-stream body is read until until(text) holds (default:
 * the first blank line, the `retry:` block), then the connection is closed.
 * Returns a promise of request()'s shape plus `ended` (the server ended the
 * body) and `sse` (parseSse of what was read). Its `opened` property is a
 * promise that resolves once the stream's first block is in (or the answer
 * is complete), for a caller that acts while the stream is open.
 */
function openStream(base, path, { headers = {}, until = (t) => t.includes('\n\n'), timeoutMs = 10000 } = {}) {
  let opened;
  const openedP = new Promise((resolve) => { opened = resolve; });
  const result = new Promise((resolve, reject) => {
    let settled = false;
    const req = http.request(`${base}${path}`, { method: 'GET', headers }, (res) => {
      const isStream = (res.headers['content-type'] ?? '').startsWith('text/event-stream');
      let text = '';
      const finish = (ended) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opened();
        req.destroy();
        let json;
        try {
          json = !isStream && text.length > 0 ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json, ended, sse: isStream ? parseSse(text) : undefined });
      };
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
        if (isStream && text.includes('\n\n')) opened();
        if (isStream && until(text)) finish(false);
      });
      res.on('end', () => finish(true));
      res.on('error', () => finish(true));
    });
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(new Error(`GET ${path}: the awaited stream content did not arrive within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e);
    });
    req.end();
  });
  result.opened = openedP;
  return result;
}

async function call(stack, key, path, { token = 'all', headers = {}, body, expect, raw, label, stream, until } = {}) {
  const h = { ...headers };
  if (token === 'all') h.Authorization = `Bearer ${stack.token}`;
  else if (token === 'read') h.Authorization = `Bearer ${stack.readToken}`;
  let payload = body;
  if (body !== undefined && !raw) {
    payload = JSON.stringify(body);
    h['Content-Type'] ??= 'application/json';
  }
  const method = key.split(' ')[0];
  // stream: an already opened openStream() result, or true to open one here
  const res = stream ? await (stream === true ? openStream(stack.url, path, { headers: h, until }) : stream)
    : await request(stack.url, method, path, { headers: h, body: payload });
  const media = mediaOf(res);
  // a token in the query (the event streams' access_token) stays out of the test's output
  const shown = path.replace(/([?&]access_token=)[^&]*/g, '$1...');
  const name = `${label ? `${label}: ` : ''}${method} ${shown} -> ${res.status} ${media || '(no body)'}`;
  const diag = [];
  if (expect && !expect.includes(res.status)) {
    diag.push(`expected status ${expect.join(' or ')}; body: ${res.body.slice(0, 300)}`);
  }
  const pattern = key.split(' ')[1];
  const re = new RegExp(`^${pattern.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}(\\?.*)?$`);
  if (!re.test(path)) diag.push(`${path} does not match ${pattern}`);
  if (!res.headers['x-request-id']) diag.push('no X-Request-Id header');
  const v = responseValidator(key, res.status, res.status === 204 || method === 'HEAD' ? '' : media);
  let schemaName = '';
  if (v.error) {
    diag.push(v.error);
  } else if (v.validate) {
    schemaName = v.schemaName;
    if (media.endsWith('json')) {
      if (res.json === undefined) diag.push(`body is not JSON: ${res.body.slice(0, 200)}`);
      else if (!v.validate(res.json)) diag.push(...errorsOf(v.validate), `body: ${res.body.slice(0, 400)}`);
    } else if (media.endsWith('xml') && !res.body.trimStart().startsWith('<')) {
      diag.push('an XML body that does not start with <');
    } else if (media === 'text/event-stream') {
      if (res.ended) diag.push('the stream ended by itself');
      if (!res.body.startsWith('retry: 3000\n\n')) diag.push(`the stream does not start with "retry: 3000": ${JSON.stringify(res.body.slice(0, 80))}`);
      if (!/(^|,)\s*no-store\s*(,|$)/.test(res.headers['cache-control'] ?? '')) diag.push(`Cache-Control: ${res.headers['cache-control']}`);
      if (res.headers['x-accel-buffering'] !== 'no') diag.push(`X-Accel-Buffering: ${res.headers['x-accel-buffering']}`);
    }
  }
  if (!exercised.has(key)) exercised.set(key, new Set());
  exercised.get(key).add(res.status);
  ok(diag.length === 0, `${name}${schemaName ? ` (${schemaName})` : ''}`, diag);
  return res;
}

// A request outside the document's operations (unknown route, wrong method, preflight).
async function callOther(stack, method, path, headers, expectStatus, label) {
  const res = await request(stack.url, method, path, { headers });
  const diag = [];
  if (res.status !== expectStatus) diag.push(`expected ${expectStatus}, got ${res.status}: ${res.body.slice(0, 200)}`);
  if (res.status >= 400) {
    if (mediaOf(res) !== 'application/problem+json') diag.push(`media type ${mediaOf(res)}`);
    else if (!problemValidate(res.json)) diag.push(...errorsOf(problemValidate));
  }
  const shown = path.replace(/([?&]access_token=)[^&]*/g, '$1...');
  ok(diag.length === 0, `${label}: ${method} ${shown} -> ${res.status}${res.status >= 400 ? ' (Problem)' : ''}`, diag);
  return res;
}

function multipart(fields, file) {
  const boundary = `----bbbgw${Date.now().toString(16)}`;
  const parts = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  }
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n`
    + `Content-Type: ${file.type}\r\n\r\n${file.data}\r\n`);
  parts.push(`--${boundary}--\r\n`);
  return { body: parts.join(''), type: `multipart/form-data; boundary=${boundary}` };
}

async function live(stack) {
  const origin = 'http://127.0.0.1:9';
  const json = { 'Content-Type': 'application/json' };

  // operations, probes, this document
  await call(stack, 'GET /healthz', '/healthz', { token: null, expect: [200] });
  await call(stack, 'GET /readyz', '/readyz', { token: null, expect: [200] });
  const served = await call(stack, 'GET /v1/openapi.json', '/v1/openapi.json', { token: null, expect: [200] });
  ok(isDeepStrictEqual(served.json, doc), 'GET /v1/openapi.json serves docs/openapi.json');
  await call(stack, 'GET /metrics', '/metrics', { expect: [200] });
  await call(stack, 'GET /metrics', '/metrics', { token: 'read', expect: [403], label: 'no metrics scope' });
  await call(stack, 'GET /v1/server', '/v1/server', { expect: [200] });
  await call(stack, 'GET /v1/server', '/v1/server', { token: null, expect: [401], label: 'no token' });
  await call(stack, 'GET /v1/server', '/v1/server', { headers: { Accept: 'application/xml' }, expect: [200], label: 'XML' });

  // the fleet: a lone bbb group is the server "default"
  const fleet = await call(stack, 'GET /v1/servers', '/v1/servers', { expect: [200] });
  ok(fleet.json?.servers?.length === 1 && fleet.json.servers[0].name === 'default', 'a lone bbb group is the server "default"');
  await call(stack, 'GET /v1/servers', '/v1/servers', { token: 'read', expect: [403], label: 'no servers:admin' });
  await call(stack, 'PATCH /v1/servers/{name}', '/v1/servers/default', { expect: [200], body: { state: 'cordoned' } });
  await call(stack, 'POST /v1/meetings', '/v1/meetings', { expect: [503], body: { name: 'x' }, label: 'the only server cordoned' });
  await call(stack, 'PATCH /v1/servers/{name}', '/v1/servers/default', { expect: [200], body: { state: 'enabled' }, label: 'enabled again' });
  await call(stack, 'PATCH /v1/servers/{name}', '/v1/servers/default', { expect: [400], body: { state: 'paused' }, label: 'bad state' });
  await call(stack, 'PATCH /v1/servers/{name}', '/v1/servers/nope', { expect: [404], body: { state: 'enabled' }, label: 'unknown server' });

  // meetings
  await call(stack, 'GET /v1/meetings', '/v1/meetings', { expect: [200], label: 'none yet' });
  await call(stack, 'POST /v1/meetings', '/v1/meetings', {
    expect: [201],
    body: {
      name: 'Bio 101', meetingID: 'bio-101', record: true, duration: 60, welcome: 'Hello',
      disabledFeatures: ['polls'], metadata: { 'bbb-origin': 'openapi-test' },
    },
  });
  await call(stack, 'POST /v1/meetings', '/v1/meetings', { expect: [200], body: { name: 'Bio 101', meetingID: 'bio-101' }, label: 'again' });
  const gen = await call(stack, 'POST /v1/meetings', '/v1/meetings', { expect: [201], body: { name: 'Generated ID' }, label: 'no meetingID' });
  await call(stack, 'POST /v1/meetings', '/v1/meetings', {
    expect: [201], label: 'with a presentation',
    body: { name: 'Slides', meetingID: 'slides-1', presentations: [{ url: 'https://example.org/a.pdf', filename: 'a.pdf' }] },
  });
  await call(stack, 'POST /v1/meetings', '/v1/meetings', { expect: [400], body: { name: 'x', record: 'yes' }, label: 'wrong type' });
  await call(stack, 'POST /v1/meetings', '/v1/meetings', { expect: [400], body: '{"name":', raw: true, headers: json, label: 'malformed JSON' });
  await call(stack, 'POST /v1/meetings', '/v1/meetings', { expect: [415], body: 'name=x', raw: true, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, label: 'form body' });
  await call(stack, 'POST /v1/meetings', '/v1/meetings', { expect: [413], body: JSON.stringify({ name: 'x'.repeat(70000) }), raw: true, headers: json, label: 'too large' });
  await call(stack, 'POST /v1/meetings', '/v1/meetings', { token: 'read', expect: [403], body: { name: 'x' }, label: 'read-only token' });
  await call(stack, 'POST /v1/meetings', '/v1/meetings', { expect: [409], body: { name: 'Bio 101', meetingID: 'bio-101', moderatorPW: 'other-pw' }, label: 'other passwords' });
  await call(stack, 'GET /v1/meetings', '/v1/meetings', { token: 'read', expect: [200] });
  await call(stack, 'GET /v1/meetings', '/v1/meetings', { headers: { Accept: 'application/xml' }, expect: [200], label: 'XML' });
  await call(stack, 'GET /v1/meetings/{meetingID}', '/v1/meetings/bio-101', { expect: [200] });
  await call(stack, 'GET /v1/meetings/{meetingID}', `/v1/meetings/${encodeURIComponent(gen.json?.meetingID ?? 'x')}`, { expect: [200], label: 'generated ID' });
  await call(stack, 'GET /v1/meetings/{meetingID}', '/v1/meetings/no-such-meeting', { expect: [404] });
  await call(stack, 'GET /v1/meetings/{meetingID}', '/v1/meetings/%ff', { expect: [400], label: 'not UTF-8' });
  await call(stack, 'GET /v1/meetings/{meetingID}/running', '/v1/meetings/bio-101/running', { expect: [200] });
  await call(stack, 'POST /v1/meetings/{meetingID}/join', '/v1/meetings/bio-101/join', { expect: [200], body: { fullName: 'Ada Lovelace', role: 'MODERATOR', userID: 'u-1', userdata: { 'bbb_skip_check_audio': 'true' } } });
  await call(stack, 'POST /v1/meetings/{meetingID}/join', '/v1/meetings/bio-101/join', { expect: [200], body: { fullName: 'Grace', role: 'viewer' }, label: 'viewer' });
  await call(stack, 'POST /v1/meetings/{meetingID}/join', '/v1/meetings/bio-101/join', { expect: [400], body: { fullName: 'Grace' }, label: 'no role' });
  await call(stack, 'POST /v1/meetings/{meetingID}/documents', '/v1/meetings/bio-101/documents', { expect: [202], body: { presentations: [{ filename: 'notes.txt', content: Buffer.from('hello').toString('base64') }] } });
  await call(stack, 'POST /v1/meetings/{meetingID}/documents', '/v1/meetings/no-such-meeting/documents', { expect: [404], body: { presentations: [{ url: 'https://example.org/a.pdf' }] } });
  await call(stack, 'POST /v1/meetings/{meetingID}/chat', '/v1/meetings/bio-101/chat', { expect: [202], body: { message: 'Welcome!', userName: 'Bot' } });
  await call(stack, 'POST /v1/meetings/{meetingID}/chat', '/v1/meetings/bio-101/chat', { expect: [400], body: { message: 'x'.repeat(501) }, label: 'too long' });
  await browserTokens(stack, origin);
  await call(stack, 'POST /v1/meetings/{meetingID}/end', '/v1/meetings/bio-101/end', { expect: [200] });
  await call(stack, 'POST /v1/meetings/{meetingID}/end', '/v1/meetings/no-such-meeting/end', { expect: [404] });

  // recordings (the simulator is seeded from tests/data/bbbsim/recordings.txt)
  const list = await call(stack, 'GET /v1/recordings', '/v1/recordings', { expect: [200] });
  await call(stack, 'GET /v1/recordings', '/v1/recordings?state=any&limit=2&offset=0', { expect: [200], label: 'paged' });
  await call(stack, 'GET /v1/recordings', '/v1/recordings?meetingID=bio-101&meta.bbb-origin=Moodle', { expect: [200], label: 'filters' });
  await call(stack, 'GET /v1/recordings', '/v1/recordings?meta[bbb-origin]=Moodle&meta%5Bbbb-context%5D=Biology', { expect: [200], label: 'metadata filters, deepObject' });
  await call(stack, 'GET /v1/recordings', '/v1/recordings?meta[bbb_origin]=x', { expect: [400], label: 'a key BBB drops' });
  await call(stack, 'GET /v1/recordings', '/v1/recordings', { headers: { Accept: 'application/xml' }, expect: [200], label: 'XML' });
  await call(stack, 'GET /v1/recordings', '/v1/recordings?meetingID=no-such-meeting', { expect: [200], label: 'none' });
  await call(stack, 'GET /v1/recordings', '/v1/recordings?state=lost', { expect: [400], label: 'bad state' });
  const rid = list.json?.recordings?.[0]?.recordID ?? 'no-recordings-listed';
  const rpath = `/v1/recordings/${encodeURIComponent(rid)}`;
  await call(stack, 'GET /v1/recordings/{recordID}', rpath, { expect: [200] });
  await call(stack, 'GET /v1/recordings/{recordID}', '/v1/recordings/no-such-recording', { expect: [404], label: 'unknown' });
  await call(stack, 'GET /v1/recordings/{recordID}', '/v1/recordings/a,b', { expect: [400], label: 'a list' });
  await call(stack, 'PATCH /v1/recordings/{recordID}', rpath, { expect: [200], body: { published: false, metadata: { 'bbb-context': 'Biology', 'gl-listed': null } } });
  await call(stack, 'PATCH /v1/recordings/{recordID}', rpath, { expect: [400], body: {}, label: 'nothing to change' });
  await call(stack, 'GET /v1/recordings/{recordID}/text-tracks', `${rpath}/text-tracks`, { expect: [200] });
  const mp = multipart({ kind: 'subtitles', lang: 'en-US', label: 'English' },
    { name: 'en.vtt', type: 'text/vtt', data: 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n' });
  await call(stack, 'POST /v1/recordings/{recordID}/text-tracks', `${rpath}/text-tracks`, { expect: [202], body: mp.body, raw: true, headers: { 'Content-Type': mp.type } });
  await call(stack, 'POST /v1/recordings/{recordID}/text-tracks', `${rpath}/text-tracks`, { expect: [415], body: { kind: 'subtitles' }, label: 'JSON instead of multipart' });
  await call(stack, 'DELETE /v1/recordings/{recordID}', rpath, { expect: [200] });

  // webhooks
  await call(stack, 'GET /v1/hooks', '/v1/hooks', { expect: [200] });
  const hookBody = { callbackURL: 'https://lms.example.org/bbb-events', meetingID: 'bio-101', eventID: ['meeting-ended'], getRaw: false };
  const hook = await call(stack, 'POST /v1/hooks', '/v1/hooks', { expect: [201], body: hookBody });
  await call(stack, 'POST /v1/hooks', '/v1/hooks', { expect: [200], body: hookBody, label: 'again' });
  await call(stack, 'POST /v1/hooks', '/v1/hooks', { expect: [400], body: { callbackURL: 'ftp://x' }, label: 'not http' });
  await call(stack, 'GET /v1/hooks', '/v1/hooks?meetingID=bio-101', { expect: [200], label: 'one meeting' });
  await call(stack, 'DELETE /v1/hooks/{hookID}', `/v1/hooks/${encodeURIComponent(hook.json?.hookID ?? '1')}`, { expect: [200] });
  await call(stack, 'DELETE /v1/hooks/{hookID}', '/v1/hooks/999999', { expect: [404], label: 'unknown' });

  // legacy calls (the simulator plays a BBB < 2.4 for them: --legacy-config)
  await call(stack, 'GET /v1/legacy/default-config-xml', '/v1/legacy/default-config-xml', { expect: [200] });
  await call(stack, 'POST /v1/legacy/config-xml', '/v1/legacy/config-xml', { expect: [200], body: { meetingID: 'slides-1', configXML: '<config><localeversion>0.9.0</localeversion></config>' } });
  await call(stack, 'POST /v1/legacy/config-xml', '/v1/legacy/config-xml', { expect: [400], body: { meetingID: 'slides-1' }, label: 'no configXML' });

  // outside the operations: errors still follow the Problem schema
  await callOther(stack, 'GET', '/v1/no-such-route', { Authorization: `Bearer ${stack.token}` }, 404, 'unknown route');
  await callOther(stack, 'PUT', '/v1/meetings', { Authorization: `Bearer ${stack.token}` }, 405, 'wrong method');
  await callOther(stack, 'OPTIONS', '/v1/meetings', { Origin: origin, 'Access-Control-Request-Method': 'POST' }, 204, 'preflight, allowed origin');
  await callOther(stack, 'OPTIONS', '/v1/meetings', { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' }, 403, 'preflight, other origin');
}

// Browser tokens: minted by the gateway (tokens_mint), bound to meeting bio-101.
async function browserTokens(stack, origin) {
  const code = (res, want, label) => ok(res.json?.code === want, `${label}: code ${want}`,
    res.json?.code === want ? [] : [`code: ${res.json?.code}`]);
  const minted = await call(stack, 'POST /v1/tokens', '/v1/tokens', {
    expect: [201],
    body: {
      sub: 'u-7', scope: 'meetings:read meetings:join', meetings: ['bio-101'], role: 'VIEWER',
      fullName: 'Ada Lovelace', userdata: { bbb_skip_check_audio: 'true' }, origins: [origin], ttl_s: 600,
    },
  });
  await call(stack, 'POST /v1/tokens', '/v1/tokens', { expect: [400], body: { scope: 'meetings:read', bogus: 1 }, label: 'unknown member' });
  await call(stack, 'POST /v1/tokens', '/v1/tokens', { expect: [400], body: { meetings: ['bio-101'] }, label: 'no scope' });
  code(await call(stack, 'POST /v1/tokens', '/v1/tokens', { expect: [403], body: { scope: 'tokens:mint' }, label: 'a token that could mint' }),
    'scope_exceeded', 'a token that could mint');
  await call(stack, 'POST /v1/tokens', '/v1/tokens', { token: 'read', expect: [403], body: { scope: 'meetings:read' }, label: 'no tokens:mint' });
  const jwt = minted.json?.token ?? 'no.token.minted';
  const jti = minted.json?.jti ?? 'none';
  const bearer = { token: null, headers: { Authorization: `Bearer ${jwt}` } };

  const got = await call(stack, 'GET /v1/meetings/{meetingID}', '/v1/meetings/bio-101', { ...bearer, expect: [200], label: 'browser token' });
  ok(got.json !== undefined && !('attendeePW' in got.json) && !('moderatorPW' in got.json),
    'browser token: the meeting passwords are absent');
  code(await call(stack, 'GET /v1/meetings/{meetingID}', '/v1/meetings/slides-1', { ...bearer, expect: [403], label: 'browser token, another meeting' }),
    'meeting_not_allowed', 'browser token, another meeting');
  const list = await call(stack, 'GET /v1/meetings', '/v1/meetings', { ...bearer, expect: [200], label: 'browser token' });
  const ids = (list.json?.meetings ?? []).map((m) => m.meetingID);
  ok(ids.length === 1 && ids[0] === 'bio-101', 'browser token: the list holds only its meeting', [`listed: ${ids.join(', ')}`]);
  const joined = await call(stack, 'POST /v1/meetings/{meetingID}/join', '/v1/meetings/bio-101/join', { ...bearer, expect: [200], body: {}, label: 'browser token, bound values' });
  const url = new URL(joined.json?.url ?? 'http://invalid/');
  ok(url.searchParams.get('fullName') === 'Ada Lovelace' && url.searchParams.get('role') === 'VIEWER'
    && url.searchParams.get('userID') === 'u-7', 'browser token: join uses the bound fullName, role and userID',
  [`url: ${url}`]);
  code(await call(stack, 'POST /v1/meetings/{meetingID}/join', '/v1/meetings/bio-101/join', { ...bearer, expect: [403], body: { role: 'MODERATOR' }, label: 'browser token, a higher role' }),
    'role_not_allowed', 'browser token, a higher role');
  code(await call(stack, 'POST /v1/meetings/{meetingID}/join', '/v1/meetings/bio-101/join', { ...bearer, expect: [403], body: { fullName: 'Eve' }, label: 'browser token, another name' }),
    'claim_mismatch', 'browser token, another name');
  code(await call(stack, 'GET /v1/meetings/{meetingID}', '/v1/meetings/bio-101', { ...bearer, headers: { ...bearer.headers, Origin: 'https://evil.example' }, expect: [403], label: 'browser token, another origin' }),
    'origin_not_allowed', 'browser token, another origin');
  const garbled = await call(stack, 'GET /v1/server', '/v1/server', { token: null, headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl' }, expect: [401], label: 'a garbled JWT' });
  code(garbled, 'token_invalid', 'a garbled JWT');
  ok(/error="invalid_token"/.test(garbled.headers['www-authenticate'] ?? ''), 'a garbled JWT: WWW-Authenticate names invalid_token',
    [`WWW-Authenticate: ${garbled.headers['www-authenticate']}`]);

  await call(stack, 'DELETE /v1/tokens/{jti}', `/v1/tokens/${jti}`, { token: 'read', expect: [403], label: 'no tokens:mint' });
  await call(stack, 'DELETE /v1/tokens/{jti}', `/v1/tokens/${jti}`, { expect: [204] });
  code(await call(stack, 'GET /v1/meetings/{meetingID}', '/v1/meetings/bio-101', { ...bearer, expect: [401], label: 'browser token, revoked' }),
    'token_revoked', 'browser token, revoked');
}

// A bbb-webhooks v3 user-joined event of meeting bio-101, with what the gateway must strip.
function userJoined() {
  return {
    data: {
      type: 'event', id: 'user-joined',
      attributes: {
        meeting: { 'internal-meeting-id': 'i-1', 'external-meeting-id': 'bio-101' },
        user: {
          'internal-user-id': 'w_1', 'external-user-id': 'u-1', name: 'Ada', role: 'VIEWER', presenter: false,
          userdata: { 'bbb_custom': 'x' }, stream: 'rtmp://secret',
        },
      },
      event: { ts: Date.now() },
    },
  };
}

// bbb-webhooks' callback: a form signed with sha1 (bbb.hooks_checksum's default) over URL + body + secret
function signedCallback(stack, event) {
  const body = new URLSearchParams({ domain: 'bbb.test', event: `[${JSON.stringify(event)}]`, timestamp: `${Date.now()}` }).toString();
  const sum = createHash('sha1').update(`${stack.callbackUrl}${body}${stack.secret}`).digest('hex');
  return { body, sum };
}

async function bbbEvents(stack) {
  const { body, sum } = signedCallback(stack, userJoined());
  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const res = await call(stack, 'POST /v1/bbb-events', `/v1/bbb-events?checksum=${sum}`,
    { token: null, headers: form, body, raw: true, expect: [200] });
  ok(res.json?.received === 1, 'a signed callback: one event relayed', [res.body]);
  await call(stack, 'POST /v1/bbb-events', '/v1/bbb-events?checksum=' + '0'.repeat(40),
    { token: null, headers: form, body, raw: true, expect: [401], label: 'a wrong checksum' });
  await call(stack, 'POST /v1/bbb-events', `/v1/bbb-events?checksum=${createHash('sha1').update(`${stack.callbackUrl}x=1${stack.secret}`).digest('hex')}`,
    { token: null, headers: form, body: 'x=1', raw: true, expect: [400], label: 'no event field' });
}

// The event streams: their refusals, the token as ?access_token=, and one relayed event.
async function eventStreams(stack) {
  const ALL = 'GET /v1/events';
  const ONE = 'GET /v1/meetings/{meetingID}/events';
  const code = (res, want, label) => ok(res.json?.code === want, `${label}: code ${want}`,
    res.json?.code === want ? [] : [`code: ${res.json?.code}`]);

  await call(stack, ALL, '/v1/events', { stream: true, expect: [200] });
  await call(stack, ONE, '/v1/meetings/bio-101/events', { stream: true, expect: [200] });
  await call(stack, ALL, '/v1/events', { token: null, stream: true, expect: [401], label: 'no token' });
  code(await call(stack, ALL, '/v1/events', { token: 'read', stream: true, expect: [403], label: 'no events:read' }),
    'forbidden', 'no events:read');
  await call(stack, ONE, '/v1/meetings/%ff/events', { stream: true, expect: [400], label: 'not UTF-8' });
  await call(stack, ALL, `/v1/events?access_token=${encodeURIComponent(stack.token)}`,
    { token: null, stream: true, expect: [200], label: 'access_token' });
  code(await call(stack, ALL, `/v1/events?access_token=${encodeURIComponent(stack.token)}`,
    { stream: true, expect: [400], label: 'access_token and Authorization' }), 'bad_request', 'access_token and Authorization');
  await callOther(stack, 'GET', `/v1/server?access_token=${encodeURIComponent(stack.token)}`, {}, 400,
    'access_token on another route');

  // a browser token bound to bio-101, in the query as EventSource sends it
  const minted = await call(stack, 'POST /v1/tokens', '/v1/tokens', {
    expect: [201], label: 'a stream token',
    body: { sub: 'u-9', scope: 'events:read', meetings: ['bio-101'], ttl_s: 300 },
  });
  const jwt = encodeURIComponent(minted.json?.token ?? 'no.token.minted');
  await call(stack, ONE, `/v1/meetings/bio-101/events?access_token=${jwt}`,
    { token: null, stream: true, expect: [200], label: 'browser token, its meeting' });
  code(await call(stack, ONE, `/v1/meetings/slides-1/events?access_token=${jwt}`,
    { token: null, stream: true, expect: [403], label: 'browser token, another meeting' }),
  'meeting_not_allowed', 'browser token, another meeting');

  // an event in: signed callback -> the open stream of its meeting
  const got = openStream(stack.url, '/v1/meetings/bio-101/events', {
    headers: { Authorization: `Bearer ${stack.token}` },
    until: (t) => /\nevent: user-joined\n[^]*?\n\n/.test(t),
  });
  await got.opened;
  const { body, sum } = signedCallback(stack, userJoined());
  await call(stack, 'POST /v1/bbb-events', `/v1/bbb-events?checksum=${sum}`,
    { token: null, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body, raw: true, expect: [200], label: 'to a stream' });
  let res;
  try {
    res = await call(stack, ONE, '/v1/meetings/bio-101/events', { stream: got, expect: [200], label: 'an event relayed' });
  } catch (e) {
    ok(false, 'an event relayed to the meeting\'s stream', [e.message]);
    return;
  }
  const ev = res.sse?.events.find((e) => e.event === 'user-joined');
  let data;
  try {
    data = JSON.parse(ev?.data ?? '');
  } catch {
    data = undefined;
  }
  // EventData admits no other member: what the callback had to be stripped of (internal IDs,
  // userdata, the stream URL) must be gone
  const eventData = validator('/components/schemas/EventData');
  ok(ev !== undefined && /^[0-9]+$/.test(ev.id ?? '') && data !== undefined && eventData(data),
    'the relayed event has a numeric id and EventData', [...(data ? errorsOf(eventData) : []), `stream: ${JSON.stringify(res.body.slice(0, 400))}`]);
  ok(data?.meetingID === 'bio-101' && data?.user?.userID === 'u-1' && data?.user?.fullName === 'Ada',
    'the relayed event carries the meeting and the user', [`data: ${ev?.data}`]);
  // the block as the document's StreamEvent (the streams' contentSchema) describes it
  const streamEvent = validator('/components/schemas/StreamEvent');
  const block = { id: ev?.id, event: ev?.event, data };
  ok(streamEvent(block), 'the relayed block is a StreamEvent', errorsOf(streamEvent));
}

function coverage() {
  const missing = [...operations.keys()].filter((k) => !exercised.has(k));
  ok(missing.length === 0, `every operation of the document was called (${operations.size})`, missing);
  for (const key of operations.keys()) {
    const seen = [...(exercised.get(key) ?? [])];
    const success = seen.filter((s) => s < 300);
    ok(success.length > 0, `${key}: a success response was validated (${success.join(', ') || `only ${seen.join(', ')}`})`);
  }
}

async function main() {
  const stack = await startStack({
    gateway: gatewayBin,
    sim: simBin,
    simArgs: ['--recordings', join(dataDir, 'bbbsim', 'recordings.txt'), '--legacy-config'],
    corsOrigins: ['http://127.0.0.1:9'],
    tokensMint: true,
    events: true,
  });
  let status;
  try {
    await live(stack);
    await bbbEvents(stack);
    await eventStreams(stack);
  } finally {
    status = await stack.stop();
  }
  // Under ASan this is where a leak or an error at shutdown shows.
  ok(status.gateway === 0, `the gateway exits 0 on SIGTERM (${status.gateway})`);
  coverage();
  console.log(`1..${n}`);
  console.log(`# ${n - failed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

const deadline = setTimeout(() => {
  console.log('Bail out! the test did not finish within 120 s');
  process.exit(1);
}, 120000);
deadline.unref();
main().catch((e) => {
  console.log(`Bail out! ${e.stack ?? e}`);
  process.exit(1);
});
