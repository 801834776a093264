// @bbb-gateway/client - a thin typed client for bbb-gateway's REST/JSON API.
//
// Plain ESM, no build step: a page imports it through an importmap that
// names "openapi-fetch" (see README.md), Node imports it from node_modules.
// The types are in index.d.ts and api.d.ts (generated from docs/openapi.json
// by openapi-typescript: `npm run gen`).
import createFetchClient from 'openapi-fetch';

/**
 * A refused call: the gateway's problem+json document (RFC 9457) as an Error.
 * `code` is the gateway's stable code (docs/errors.md), `requestId` the
 * X-Request-Id to quote in a report. A reply that is not problem+json (a
 * proxy's page) has `code` "http_<status>".
 */
export class GatewayError extends Error {
  /**
   * @param {any} problem the parsed body (an object, or the text of a non-JSON body)
   * @param {Response} [response]
   */
  constructor(problem, response) {
    const p = problem !== null && typeof problem === 'object' ? problem : {};
    const status = typeof p.status === 'number' ? p.status : (response?.status ?? 0);
    const code = typeof p.code === 'string' ? p.code : `http_${status}`;
    const detail = typeof p.detail === 'string' ? p.detail
      : (typeof problem === 'string' && problem !== '' ? problem.slice(0, 200) : (response?.statusText ?? ''));
    super(`${status} ${code}: ${detail}`);
    this.name = 'GatewayError';
    /** @type {number} */
    this.status = status;
    /** @type {string} */
    this.code = code;
    /** @type {string} */
    this.detail = detail;
    /** @type {string | undefined} */
    this.requestId = typeof p.requestId === 'string' ? p.requestId
      : (response?.headers.get('X-Request-Id') ?? undefined);
    /** @type {string | undefined} */
    this.field = typeof p.field === 'string' ? p.field : undefined;
    /** @type {string | undefined} */
    this.scope = typeof p.scope === 'string' ? p.scope : undefined;
    /** @type {number | undefined} seconds, from Retry-After (429, 503) */
    const retry = Number(response?.headers.get('Retry-After'));
    this.retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
    /** @type {any} the whole problem document */
    this.problem = problem;
    /** @type {Response | undefined} */
    this.response = response;
  }
}

/** True when e is a GatewayError (optionally with one of the given codes). */
export function isGatewayError(e, ...codes) {
  return e instanceof GatewayError && (codes.length === 0 || codes.includes(e.code));
}

// The token as a string: a static one, or the getter's current one.
async function currentToken(token) {
  return typeof token === 'function' ? await token() : token;
}

// openapi-fetch's { data, error, response } as data, or a thrown GatewayError.
async function unwrap(call) {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw new GatewayError(error, response);
  return data;
}

const enc = encodeURIComponent;
const path = (meetingID) => ({ path: { meetingID } });

/**
 * The client. options: baseUrl (the gateway, e.g. "https://gw.example.org"),
 * token (a static `bgw_` token on a backend; a browser token, or a function
 * returning one, possibly async, called before every request so that a page
 * can refresh it), fetch (optional: another fetch implementation), headers
 * (optional: sent with every request).
 *
 * `raw` is the openapi-fetch client itself (every route, typed, returning
 * { data, error, response }); the methods below throw GatewayError instead.
 */
export function createClient({ baseUrl, token, fetch, headers } = {}) {
  if (typeof baseUrl !== 'string' || baseUrl === '') throw new TypeError('createClient: baseUrl is required');
  const base = baseUrl.replace(/\/+$/, '');
  const raw = createFetchClient({ baseUrl: base, headers, ...(fetch ? { fetch } : {}) });
  raw.use({
    async onRequest({ request }) {
      const t = await currentToken(token);
      if (t) request.headers.set('Authorization', `Bearer ${t}`);
      return request;
    },
  });
  return {
    raw,
    baseUrl: base,
    token,
    /** POST /v1/meetings: the meeting (201 created, 200 with a duplicateWarning when it existed). */
    createMeeting: (body) => unwrap(raw.POST('/v1/meetings', { body })),
    /** GET /v1/meetings/{meetingID} */
    getMeeting: (meetingID) => unwrap(raw.GET('/v1/meetings/{meetingID}', { params: path(meetingID) })),
    /** GET /v1/meetings: the meetings (a bound token sees only its own). */
    listMeetings: async () => (await unwrap(raw.GET('/v1/meetings'))).meetings,
    /** GET /v1/meetings/{meetingID}/running: a boolean. */
    isRunning: async (meetingID) =>
      (await unwrap(raw.GET('/v1/meetings/{meetingID}/running', { params: path(meetingID) }))).running,
    /**
     * POST /v1/meetings/{meetingID}/join: { url }, the signed join URL for the
     * user's browser. With a browser token the body may be {} (its bound
     * values apply).
     */
    join: (meetingID, body = {}) =>
      unwrap(raw.POST('/v1/meetings/{meetingID}/join', { params: path(meetingID), body })),
    /** The join URL alone: open it (or redirect the page to it) to enter the meeting. */
    joinUrl: async (meetingID, body = {}) =>
      (await unwrap(raw.POST('/v1/meetings/{meetingID}/join', { params: path(meetingID), body }))).url,
    /** POST /v1/meetings/{meetingID}/end */
    end: (meetingID, body) =>
      unwrap(raw.POST('/v1/meetings/{meetingID}/end', { params: path(meetingID), ...(body ? { body } : {}) })),
    /**
     * GET /v1/recordings. query: meetingID, recordID, state, limit, offset
     * and meta (an object: { "bbb-origin": "lms" } filters on
     * meta_bbb-origin).
     */
    listRecordings: (query = {}) => unwrap(raw.GET('/v1/recordings', { params: { query } })),
    /** POST /v1/tokens: a browser token (see mintToken). */
    mintToken: (body) => mintToken(raw, body),
    /** DELETE /v1/tokens/{jti}: revokes a minted token until it expires. */
    revokeToken: async (jti) => {
      await unwrap(raw.DELETE('/v1/tokens/{jti}', { params: { path: { jti } } }));
    },
    /** openEvents with this client's baseUrl and token. */
    openEvents: (options) => openEvents({ baseUrl: base, token, ...options }),
  };
}

/**
 * Mints a browser token (POST /v1/tokens, scope tokens:mint) with a backend
 * client (its static token). options: meetingID (one meeting) or meetings
 * (an array; an entry ending in "*" is a prefix), role ("VIEWER" or
 * "MODERATOR"), userID (the token's sub, join's userID), fullName,
 * avatarURL, userdata, origins, scope (default "meetings:read meetings:join
 * events:read"), ttl (seconds). Resolves with { token, expiresAt, jti }.
 * A minted token is never broader than its minter (403 scope_exceeded).
 */
export async function mintToken(client, options = {}) {
  const raw = client && typeof client.raw === 'object' ? client.raw : client;
  const { meetingID, meetings, userID, ttl, scope, ...rest } = options;
  /** @type {Record<string, unknown>} */
  const body = { scope: scope ?? 'meetings:read meetings:join events:read', ...rest };
  if (meetingID !== undefined) body.meetings = [meetingID];
  else if (meetings !== undefined) body.meetings = meetings;
  if (userID !== undefined) body.sub = userID;
  if (ttl !== undefined) body.ttl_s = ttl;
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return unwrap(raw.POST('/v1/tokens', { body }));
}

/** Every event type the gateway's streams send (docs/events.md). */
export const EVENT_TYPES = Object.freeze(['meeting-created', 'meeting-ended', 'user-joined', 'user-left',
  'user-audio-joined', 'user-audio-left', 'user-muted', 'user-unmuted', 'user-cam-started',
  'user-cam-stopped', 'user-presenter-assigned', 'screenshare-started', 'screenshare-stopped',
  'recording-started', 'recording-stopped', 'recording-ready', 'reset']);

/** The stream's URL: one meeting's, or every meeting's the token sees (no meetingID). */
export function eventsUrl({ baseUrl, meetingID, token }) {
  const base = String(baseUrl).replace(/\/+$/, '');
  const url = new URL(meetingID === undefined ? `${base}/v1/events` : `${base}/v1/meetings/${enc(meetingID)}/events`);
  if (token) url.searchParams.set('access_token', token);
  return url.toString();
}

// EventSource's second argument for a stream that resumes after lastId.
// A browser's EventSource sends Last-Event-ID only on its own reconnects;
// implementations that take a `fetch` (the "eventsource" package) get one
// that sends it on the first request too.
function sourceInit(ES, lastId) {
  if (lastId === undefined || !ES[Symbol.for('eventsource.supports-fetch-override')]) return undefined;
  return {
    fetch: (url, init) => globalThis.fetch(url, {
      ...init,
      headers: { 'Last-Event-ID': String(lastId), ...(init?.headers ?? {}) },
    }),
  };
}

/**
 * Follows a meeting live over Server-Sent Events. options: baseUrl,
 * meetingID (omit for GET /v1/events), token (a browser token with
 * events:read, or a function returning one, possibly async), lastEventId
 * (resume after this event id), onEvent(event) with { id, type, data },
 * onReset() (the asked-for events are gone: re-read the meeting), onOpen(),
 * onError(error) (a GatewayError-like { status?, code } when the stream was
 * refused, or the EventSource error event), EventSource (an implementation
 * for Node; default globalThis.EventSource), types (the event types to
 * listen to; default EVENT_TYPES).
 *
 * The token goes in ?access_token= since EventSource sends no headers.
 * lastEventId is sent as Last-Event-ID on the first request by an
 * EventSource that takes a `fetch` option (the "eventsource" package); a
 * browser's native EventSource cannot send it there (it sends it on its own
 * reconnects only), so a page resumes by re-reading the meeting (onOpen).
 * EventSource itself reconnects after a dropped connection and sends
 * Last-Event-ID, so the gateway replays what was missed. When the stream is
 * refused (EventSource gives up: an expired or revoked token) and token is
 * a function, the stream is reopened with a fresh token, resuming after the
 * last event seen, after `retryMs` (default 1000; doubled up to 30 s while
 * it keeps failing). Returns { close(), lastEventId, source }.
 */
export function openEvents(options) {
  const {
    baseUrl, meetingID, token, onEvent, onReset, onOpen, onError,
    types = EVENT_TYPES, retryMs = 1000,
  } = options;
  const ES = options.EventSource ?? globalThis.EventSource;
  if (typeof ES !== 'function') {
    throw new TypeError('openEvents: no EventSource (pass one, e.g. the "eventsource" package, in Node)');
  }
  let lastEventId = options.lastEventId ?? undefined;
  let closed = false;
  let source;
  let timer;
  let delay = retryMs;
  const handle = {
    get lastEventId() {
      return lastEventId;
    },
    get source() {
      return source;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
  };

  const listener = (type) => (ev) => {
    if (ev.lastEventId) lastEventId = ev.lastEventId;
    delay = retryMs;
    if (type === 'reset') {
      onReset?.();
      return;
    }
    let data;
    try {
      data = JSON.parse(ev.data);
    } catch {
      data = ev.data;
    }
    onEvent?.({ id: ev.lastEventId || undefined, type, data });
  };

  async function open() {
    if (closed) return;
    let t;
    try {
      t = await currentToken(token);
    } catch (e) {
      onError?.(e);
      return;
    }
    if (closed) return;
    const es = new ES(eventsUrl({ baseUrl, meetingID, token: t }), sourceInit(ES, lastEventId));
    source = es;
    for (const type of types) es.addEventListener(type, listener(type));
    es.onopen = () => {
      delay = retryMs;
      onOpen?.();
    };
    es.onerror = (ev) => {
      if (closed || source !== es) return;
      // CONNECTING: EventSource retries by itself (with Last-Event-ID).
      if (es.readyState !== 2) {
        onError?.(ev);
        return;
      }
      // CLOSED: refused (a 4xx or a wrong content type); EventSource gave up.
      const status = typeof ev?.code === 'number' ? ev.code : undefined;
      onError?.(Object.assign(new Error(`event stream refused${status ? ` (${status})` : ''}`),
        { status, code: status === 401 ? 'token_invalid' : 'stream_refused', event: ev }));
      if (typeof token === 'function') {
        timer = setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      }
    };
  }
  open();
  return handle;
}

export default createClient;
