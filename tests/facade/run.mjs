// run.mjs - real, unmodified npm BigBlueButton API clients against any
// BBB-compatible endpoint (TAP): today the BBB simulator, later the
// gateway's BBB-compatible API (<base>/bigbluebutton/api/<call>).
//
//   node run.mjs BASE_URL SECRET [--prefix-check OTHER_BASE_URL OTHER_SECRET]
//
// BASE_URL is what a user gives these libraries, e.g.
// http://127.0.0.1:8090/bigbluebutton/ . For each client library the run
// creates a meeting (a meetingID of its own, a name, both passwords and
// meta_origin), builds a moderator's join URL with the library and follows
// it as a browser would (302 to the HTML5 client with a JSESSIONID cookie,
// then 200), reads getMeetingInfo, isMeetingRunning and getMeetings, ends
// the meeting and reads getRecordings. The same library configured with a
// wrong secret must be refused with FAILED/checksumError (HTTP 200, so the
// library hands back the answer instead of throwing) and its join URL sent
// to an error redirect carrying checksumError.
//
// --prefix-check (tenant isolation): a meeting created through the other
// endpoint with its own secret must be invisible through BASE_URL: absent
// from getMeetings, getMeetingInfo FAILED/notFound. Against one BBB (or one
// simulator) with two secrets this fails by design; against two tenants of
// the gateway it must pass.
//
// Every library call goes out exactly as the library sends it (its own URL
// building, signing, HTTP client and XML parser); only the shapes the
// parsers produce are read into one view for the assertions.
//
// Output: "ok N - <client>: <step>" / "not ok N - <client>: <step>: <reason>",
// the plan "1..N", and "N passed, N failed"; exit status 1 on any failure.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import bbbjs from 'bigbluebutton-js';
import bbbPromise from 'bbb-promise';

const require = createRequire(import.meta.url);
const CALL_TIMEOUT_MS = 15000;
const END_WAIT_MS = 10000; // end is asynchronous in BBB: poll isMeetingRunning
const MAX_HOPS = 5;

function usage() {
  console.error('usage: node run.mjs BASE_URL SECRET [--prefix-check OTHER_BASE_URL OTHER_SECRET]');
  process.exit(2);
}

const argv = process.argv.slice(2);
if (argv.length !== 2 && !(argv.length === 5 && argv[2] === '--prefix-check')) usage();
const [base, secret] = argv;
const other = argv.length === 5 ? { base: argv[3], secret: argv[4] } : null;
for (const u of [base, other?.base].filter(Boolean)) {
  if (!/^https?:\/\//.test(u)) usage();
}

// --- TAP -------------------------------------------------------------------

let n = 0;
let failed = 0;

function oneLine(s) {
  const t = String(s).replace(/\s+/g, ' ').trim();
  return t.length > 160 ? `${t.slice(0, 157)}...` : t;
}

function report(reason, name) {
  n += 1;
  if (reason === null) {
    console.log(`ok ${n} - ${name}`);
  } else {
    failed += 1;
    console.log(`not ok ${n} - ${name}: ${oneLine(reason)}`);
  }
}

function withTimeout(promise, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${CALL_TIMEOUT_MS} ms`)),
      CALL_TIMEOUT_MS);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// An error's message with its cause (fetch's "fetch failed" hides it there).
function describe(e) {
  const cause = e?.cause ? ` (${e.cause.message ?? e.cause.code ?? e.cause})` : '';
  return `${e?.message ?? e}${cause}`;
}

// Runs one assertion: fn returns null (pass) or a reason; a throw fails it
// with the error's message (an HTTP error from the library, a timeout).
async function check(client, step, fn) {
  let reason;
  try {
    reason = await fn();
  } catch (e) {
    reason = `threw: ${describe(e)}`;
  }
  report(reason ?? null, `${client}: ${step}`);
}

// Runs a library call once for several assertions; the assertions see its
// error (if any) as a thrown error of their own.
async function attempt(fn, what) {
  try {
    return { value: await withTimeout(fn(), what) };
  } catch (e) {
    return { error: e };
  }
}

function got(result) {
  if (result.error) throw result.error;
  return result.value;
}

const want = (label, actual, expected) =>
  String(actual) === String(expected) ? null
    : `${label} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;

// --- the libraries, each read into one view --------------------------------
//
// The view: {returncode, messageKey, meetingID, meetingName, running,
// metadata: {key: value}, attendees: [{fullName, role}],
// meetings: [{meetingID, meetingName}] | undefined (no <meetings>),
// recordings: [{recordID}] | undefined (no <recordings>)}.

const list = (v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]);

// bigbluebutton-js parses with fast-xml-parser 3 and its defaults: values
// typed (numbers, booleans), XML entities left undecoded, attributes
// dropped; it turns <meetings> and <recordings> into arrays when they have
// children (an empty one stays ""), every other list is an object for one
// item and an array for more.
function viewJs(r) {
  if (!r || typeof r !== 'object') throw new Error(`no <response> in ${JSON.stringify(r)}`);
  return {
    returncode: r.returncode,
    messageKey: r.messageKey,
    meetingID: r.meetingID,
    meetingName: r.meetingName,
    running: r.running,
    metadata: r.metadata && typeof r.metadata === 'object' ? r.metadata : {},
    attendees: list(r.attendees?.attendee).map((a) => ({ fullName: a.fullName, role: a.role })),
    meetings: 'meetings' in r
      ? list(r.meetings).map((m) => ({ meetingID: m.meetingID, meetingName: m.meetingName }))
      : undefined,
    recordings: 'recordings' in r
      ? list(r.recordings).map((x) => ({ recordID: x.recordID }))
      : undefined,
  };
}

// bbb-promise parses with xml2js 0.4 defaults: {response: {...}}, every
// element an array of its occurrences, text as strings (entities decoded),
// a whitespace-only element (BBB's empty <attendees>) as its whitespace.
const one = (v) => (Array.isArray(v) ? v[0] : v);
function children(r, container, item) {
  const c = one(r[container]);
  return c && typeof c === 'object' ? list(c[item]) : [];
}
function viewPromise(doc) {
  const r = doc?.response;
  if (!r || typeof r !== 'object') throw new Error(`no <response> in ${JSON.stringify(doc)}`);
  const meta = one(r.metadata);
  return {
    returncode: one(r.returncode),
    messageKey: one(r.messageKey),
    meetingID: one(r.meetingID),
    meetingName: one(r.meetingName),
    running: one(r.running),
    metadata: meta && typeof meta === 'object'
      ? Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, one(v)])) : {},
    attendees: children(r, 'attendees', 'attendee')
      .map((a) => ({ fullName: one(a.fullName), role: one(a.role) })),
    meetings: 'meetings' in r
      ? children(r, 'meetings', 'meeting')
        .map((m) => ({ meetingID: one(m.meetingID), meetingName: one(m.meetingName) }))
      : undefined,
    recordings: 'recordings' in r
      ? children(r, 'recordings', 'recording').map((x) => ({ recordID: one(x.recordID) }))
      : undefined,
  };
}

// Each client: the library's own calls, in the library's own argument
// order. joinUrl only builds the URL (both libraries leave the GET to the
// browser).
const clients = [
  {
    name: 'bigbluebutton-js',
    pkg: 'bigbluebutton-js',
    // It strips one trailing slash itself and appends /api/<call>.
    make(url, key) {
      const api = bbbjs.api(url, key);
      const call = (u) => bbbjs.http(u).then(viewJs);
      return {
        create: (id, name, apw, mpw, origin) => call(api.administration.create(name, id,
          { attendeePW: apw, moderatorPW: mpw, meta_origin: origin })),
        joinUrl: (fullName, id, pw) => api.administration.join(fullName, id, pw),
        getMeetingInfo: (id) => call(api.monitoring.getMeetingInfo(id)),
        isMeetingRunning: (id) => call(api.monitoring.isMeetingRunning(id)),
        getMeetings: () => call(api.monitoring.getMeetings()),
        end: (id, mpw) => call(api.administration.end(id, mpw)),
        getRecordings: (id) => call(api.recording.getRecordings({ meetingID: id })),
      };
    },
  },
  {
    name: 'bbb-promise',
    pkg: 'bbb-promise',
    // It appends /api/<call> to the host as given: a trailing slash would
    // make .../bigbluebutton//api/..., which BBB's Tomcat answers with 404,
    // so the host is given without it, as a working configuration has it.
    make(url, key) {
      const s = bbbPromise.server(url.replace(/\/+$/, ''), key);
      const call = (p) => p.then(viewPromise);
      return {
        create: (id, name, apw, mpw, origin) => call(s.administration.create(name, id,
          { attendeePW: apw, moderatorPW: mpw, meta_origin: origin })),
        joinUrl: (fullName, id, pw) => s.administration.join(fullName, id, pw),
        getMeetingInfo: (id) => call(s.monitoring.getMeetingInfo(id)),
        isMeetingRunning: (id) => call(s.monitoring.isMeetingRunning(id)),
        getMeetings: () => call(s.monitoring.getMeetings()),
        // It signs "password=" for an undefined password but request drops
        // the parameter when sending, so end needs the moderator password.
        end: (id, mpw) => call(s.administration.end(id, mpw)),
        getRecordings: (id) => call(s.recording.getRecordings({ meetingID: id })),
      };
    },
  },
];

// --- a browser following a join URL ------------------------------------------

// GETs url and every Location after it by hand; returns the hops
// [{url, status, location, cookies}], the last one not a redirect.
async function follow(url) {
  const hops = [];
  let cur = url;
  for (let i = 0; i <= MAX_HOPS; i++) {
    const res = await fetch(cur, { redirect: 'manual', signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    const location = res.headers.get('location');
    const cookies = res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie')].filter(Boolean);
    hops.push({ url: cur, status: res.status, location, cookies });
    await res.arrayBuffer();
    if (res.status < 300 || res.status > 399 || location === null) return hops;
    cur = new URL(location, cur).href;
  }
  throw new Error(`more than ${MAX_HOPS} redirects from ${url}`);
}

const hopsText = (hops) => hops.map((h) => `${h.status} ${new URL(h.url).pathname}`).join(' -> ');

// The error keys of a join error redirect: BBB appends
// errors=[{"message":...,"key":...}] to the URL it sends the browser to.
function errorKeys(location) {
  const raw = new URL(location, 'http://x/').searchParams.get('errors');
  if (raw === null) return null;
  return JSON.parse(raw).map((e) => e.key);
}

// --- the flow ----------------------------------------------------------------

const uid = (client) =>
  `facade-${client}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const ORIGIN = 'bbb-gateway facade test';
const MODERATOR = 'Ada Moderator';

async function flow(client, lib, wrong) {
  const id = uid(client);
  const name = `Facade ${client} Zoë`;
  const apw = `ap-${randomBytes(4).toString('hex')}`;
  const mpw = `mp-${randomBytes(4).toString('hex')}`;
  const c = client;

  const created = await attempt(() => lib.create(id, name, apw, mpw, ORIGIN), 'create');
  await check(c, 'create answers SUCCESS', () => want('returncode', got(created).returncode, 'SUCCESS'));
  await check(c, 'create echoes our meetingID', () => want('meetingID', got(created).meetingID, id));

  const joinUrl = lib.joinUrl(MODERATOR, id, mpw);
  await check(c, 'join URL is <base>api/join', () => {
    const u = new URL(joinUrl);
    const b = new URL(base.endsWith('/') ? base : `${base}/`);
    return u.origin === b.origin && u.pathname === `${b.pathname}api/join` ? null
      : `join URL path is ${u.pathname}, expected ${b.pathname}api/join`;
  });
  const joined = await attempt(() => follow(joinUrl), 'join');
  await check(c, 'join answers 302 with a Location (redirect is the default)', () => {
    const h = got(joined)[0];
    if (h.status !== 302 || !h.location) return `answered ${h.status}, location ${h.location}`;
    const keys = errorKeys(h.location);
    return keys === null ? null : `redirected with errors ${JSON.stringify(keys)}`;
  });
  await check(c, 'join sets a JSESSIONID cookie', () =>
    got(joined).some((h) => h.cookies.some((k) => /^JSESSIONID=[^;]+/.test(k))) ? null
      : `no JSESSIONID cookie on ${hopsText(got(joined))}`);
  await check(c, 'join redirects end in 200 at the client with a sessionToken', () => {
    const hops = got(joined);
    const last = hops[hops.length - 1];
    return last.status === 200 && new URL(last.url).searchParams.get('sessionToken')
      ? null : `redirects went ${hopsText(hops)}`;
  });

  const info = await attempt(() => lib.getMeetingInfo(id), 'getMeetingInfo');
  await check(c, 'getMeetingInfo answers SUCCESS', () => want('returncode', got(info).returncode, 'SUCCESS'));
  await check(c, 'getMeetingInfo meetingID is ours', () => want('meetingID', got(info).meetingID, id));
  await check(c, 'getMeetingInfo meetingName is ours',
    () => want('meetingName', got(info).meetingName, name));
  await check(c, 'getMeetingInfo metadata origin is ours (meta_origin)',
    () => want('metadata.origin', got(info).metadata.origin, ORIGIN));
  await check(c, 'getMeetingInfo lists the moderator who followed the join URL', () => {
    const a = got(info).attendees;
    return a.some((x) => String(x.fullName) === MODERATOR && x.role === 'MODERATOR') ? null
      : `attendees are ${JSON.stringify(a)}`;
  });

  await check(c, 'isMeetingRunning answers SUCCESS, running=true', async () => {
    const r = await withTimeout(lib.isMeetingRunning(id), 'isMeetingRunning');
    return want('returncode', r.returncode, 'SUCCESS') ?? want('running', r.running, 'true');
  });

  const all = await attempt(() => lib.getMeetings(), 'getMeetings');
  await check(c, 'getMeetings answers SUCCESS', () => want('returncode', got(all).returncode, 'SUCCESS'));
  await check(c, 'getMeetings lists our meetingID', () => {
    const m = got(all).meetings;
    if (m === undefined) return 'no <meetings>';
    return m.some((x) => String(x.meetingID) === id) ? null
      : `meetingIDs are ${JSON.stringify(m.map((x) => x.meetingID))}`;
  });

  await check(c, 'end answers SUCCESS, sentEndMeetingRequest', async () => {
    const r = await withTimeout(lib.end(id, mpw), 'end');
    return want('returncode', r.returncode, 'SUCCESS')
      ?? want('messageKey', r.messageKey, 'sentEndMeetingRequest');
  });
  await check(c, 'isMeetingRunning after end: running=false', async () => {
    const until = Date.now() + END_WAIT_MS;
    for (;;) {
      const r = await withTimeout(lib.isMeetingRunning(id), 'isMeetingRunning');
      if (r.returncode === 'SUCCESS' && String(r.running) === 'false') return null;
      if (Date.now() > until) return `still ${r.returncode} running=${r.running} after ${END_WAIT_MS} ms`;
      await new Promise((ok) => setTimeout(ok, 200));
    }
  });

  await check(c, 'getRecordings answers a well-formed SUCCESS', async () => {
    const r = await withTimeout(lib.getRecordings(id), 'getRecordings');
    if (r.returncode !== 'SUCCESS') return `returncode ${r.returncode} (${r.messageKey})`;
    if (r.recordings === undefined) return 'no <recordings>';
    const bad = r.recordings.filter((x) => !x.recordID);
    return bad.length === 0 ? null : `${bad.length} recording(s) without a recordID`;
  });

  await check(c, 'a wrong secret is refused: FAILED, checksumError', async () => {
    const r = await withTimeout(wrong.getMeetings(), 'getMeetings (wrong secret)');
    return want('returncode', r.returncode, 'FAILED') ?? want('messageKey', r.messageKey, 'checksumError');
  });
  await check(c, 'a join URL with a wrong secret redirects with checksumError', async () => {
    const hops = await follow(wrong.joinUrl(MODERATOR, id, mpw));
    const h = hops[0];
    if (h.status !== 302 || !h.location) return `answered ${h.status}`;
    const keys = errorKeys(h.location);
    return keys?.includes('checksumError') ? null : `redirected to ${h.location}`;
  });
}

// A meeting made through the other endpoint must not be seen through ours.
async function prefixCheck(client, lib, theirs) {
  const id = uid(`${client}-other`);
  const mpw = `mp-${randomBytes(4).toString('hex')}`;
  const c = `${client} --prefix-check`;

  await check(c, 'create through the other endpoint answers SUCCESS', async () => {
    const r = await withTimeout(
      theirs.create(id, `Facade other ${client}`, `ap-${mpw}`, mpw, ORIGIN), 'create');
    return want('returncode', r.returncode, 'SUCCESS');
  });
  await check(c, 'our getMeetings does not list it', async () => {
    const r = await withTimeout(lib.getMeetings(), 'getMeetings');
    if (r.returncode !== 'SUCCESS') return `returncode ${r.returncode} (${r.messageKey})`;
    return (r.meetings ?? []).some((x) => String(x.meetingID) === id) ? `${id} is listed` : null;
  });
  await check(c, 'our getMeetingInfo on it fails: FAILED, notFound', async () => {
    const r = await withTimeout(lib.getMeetingInfo(id), 'getMeetingInfo');
    return want('returncode', r.returncode, 'FAILED') ?? want('messageKey', r.messageKey, 'notFound');
  });
  await check(c, 'end through the other endpoint answers SUCCESS', async () => {
    const r = await withTimeout(theirs.end(id, mpw), 'end');
    return want('returncode', r.returncode, 'SUCCESS');
  });
}

console.log('TAP version 13');
console.log(`# endpoint ${base}${other ? `, --prefix-check against ${other.base}` : ''}`);
for (const cl of clients) {
  const version = require(`${cl.pkg}/package.json`).version;
  console.log(`# ${cl.name} ${version}`);
  const lib = cl.make(base, secret);
  await flow(cl.name, lib, cl.make(base, `${secret}-wrong`));
  if (other) await prefixCheck(cl.name, lib, cl.make(other.base, other.secret));
}
console.log(`1..${n}`);
console.log(`${n - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
