// Types of index.js. The API's own types are generated into api.d.ts
// from docs/openapi.json (npm run gen).
import type { Client } from "openapi-fetch";
import type { components, paths } from "./api";

export type { components, paths } from "./api";

type Schemas = components["schemas"];
export type Meeting = Schemas["Meeting"];
export type Recording = Schemas["Recording"];
export type Problem = Schemas["Problem"];
export type CreateMeetingRequest = Schemas["CreateMeetingRequest"];
export type JoinRequest = Schemas["JoinRequest"];
export type JoinUrl = Schemas["JoinUrl"];
export type MintTokenRequest = Schemas["MintTokenRequest"];
export type MintedToken = Schemas["MintedToken"];
export type EventType = Schemas["EventType"];
export type EventUser = Schemas["EventUser"];

type JsonBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer T } } };
}
  ? T
  : paths[P][M] extends { responses: { 201: { content: { "application/json": infer T } } } }
    ? T
    : never;

export type CreateMeetingReply = JsonBody<"/v1/meetings", "post">;
export type MeetingList = JsonBody<"/v1/meetings", "get">;
export type EndReply = JsonBody<"/v1/meetings/{meetingID}/end", "post">;
export type RecordingList = JsonBody<"/v1/recordings", "get">;
export type RecordingsQuery = NonNullable<paths["/v1/recordings"]["get"]["parameters"]["query"]>;
export type EndRequest = NonNullable<paths["/v1/meetings/{meetingID}/end"]["post"]["requestBody"]>["content"]["application/json"];

/** A static token, a browser token, or a function returning the current one. */
export type TokenSource = string | (() => string | Promise<string>);

/** A refused call: the gateway's problem+json document as an Error. */
export declare class GatewayError extends Error {
  constructor(problem: unknown, response?: Response);
  readonly name: "GatewayError";
  /** HTTP status. */
  status: number;
  /** The gateway's stable code (docs/errors.md), or "http_<status>" for a reply that is not problem+json. */
  code: Problem["code"] | `http_${number}`;
  detail: string;
  /** X-Request-Id, to quote in a report. */
  requestId: string | undefined;
  /** The request member at fault, when there is one. */
  field: string | undefined;
  /** The scope a 403 forbidden lacked. */
  scope: string | undefined;
  /** Seconds, from Retry-After (429, 503). */
  retryAfter: number | undefined;
  /** The whole problem document (or the text of a body that was not JSON). */
  problem: Problem | string | undefined;
  response: Response | undefined;
}

/** True when e is a GatewayError, with one of codes when any are given. */
export declare function isGatewayError(e: unknown, ...codes: string[]): e is GatewayError;

export interface ClientOptions {
  /** The gateway, e.g. "https://gateway.example.org" (no /v1). */
  baseUrl: string;
  /** Sent as Authorization: Bearer; a function is called before every request. */
  token?: TokenSource;
  /** Another fetch implementation. */
  fetch?: (input: Request) => Promise<Response>;
  /** Headers for every request. */
  headers?: Record<string, string>;
}

export interface MintOptions {
  /** One meeting the token is bound to (bbb.meetings = [meetingID]). */
  meetingID?: string;
  /** Meetings the token is bound to; an entry ending in "*" is a prefix. */
  meetings?: string[];
  /** The highest join role (default VIEWER). */
  role?: "VIEWER" | "MODERATOR";
  /** The user (the token's sub, join's userID). */
  userID?: string;
  fullName?: string;
  avatarURL?: string;
  userdata?: Record<string, string>;
  /** Browser origins allowed to use the token. */
  origins?: string[];
  /** Space-separated scopes; default "meetings:read meetings:join events:read". */
  scope?: string;
  /** Lifetime in seconds (capped by tokens_mint.max_ttl_s). */
  ttl?: number;
}

/** One event of the stream; data is the event's JSON ({} for reset). */
export interface GatewayEvent {
  id: string | undefined;
  type: EventType;
  data: Schemas["StreamEvent"]["data"];
}

/** What a refused stream reports to onError. */
export interface StreamRefused extends Error {
  status: number | undefined;
  code: "token_invalid" | "stream_refused";
  event: unknown;
}

/** The constructor of an EventSource (the browser's, or the "eventsource" package's in Node). */
export type EventSourceConstructor = new (url: string, init?: any) => EventSource;

export interface EventsOptions {
  /** The gateway (no /v1). */
  baseUrl: string;
  /** One meeting; omit for GET /v1/events (every meeting the token sees). */
  meetingID?: string;
  /** A token with events:read, sent as ?access_token=; a function is asked again after a refusal. */
  token: TokenSource;
  /** Resume after this event id (Last-Event-ID). */
  lastEventId?: string;
  onEvent?: (event: GatewayEvent) => void;
  /** The asked-for events are gone: re-read the meeting. */
  onReset?: () => void;
  /** The stream is open (first time and after each reconnect): a good time to re-read the meeting. */
  onOpen?: () => void;
  /** A dropped connection (EventSource reconnects by itself) or a refusal (StreamRefused). */
  onError?: (error: StreamRefused | Event | unknown) => void;
  /** default globalThis.EventSource */
  EventSource?: EventSourceConstructor;
  /** Event types to listen to; default EVENT_TYPES. */
  types?: readonly EventType[];
  /** First delay before reopening after a refusal (ms, default 1000; doubles up to 30 s). */
  retryMs?: number;
}

export interface EventsHandle {
  close(): void;
  /** The id of the last event received (or the lastEventId given). */
  readonly lastEventId: string | undefined;
  /** The current EventSource. */
  readonly source: EventSource | undefined;
}

export interface GatewayClient {
  /** The openapi-fetch client: every route, typed, returning { data, error, response }. */
  raw: Client<paths>;
  baseUrl: string;
  token: TokenSource | undefined;
  createMeeting(body: CreateMeetingRequest): Promise<CreateMeetingReply>;
  getMeeting(meetingID: string): Promise<Meeting>;
  listMeetings(): Promise<Meeting[]>;
  isRunning(meetingID: string): Promise<boolean>;
  /** The signed join URL as { url }. */
  join(meetingID: string, body?: JoinRequest): Promise<JoinUrl>;
  /** The signed join URL alone, to open or redirect to. */
  joinUrl(meetingID: string, body?: JoinRequest): Promise<string>;
  end(meetingID: string, body?: EndRequest): Promise<EndReply>;
  listRecordings(query?: RecordingsQuery): Promise<RecordingList>;
  mintToken(options: MintOptions & Partial<MintTokenRequest>): Promise<MintedToken>;
  revokeToken(jti: string): Promise<void>;
  openEvents(options: Omit<EventsOptions, "baseUrl" | "token"> & { token?: TokenSource }): EventsHandle;
}

export declare function createClient(options: ClientOptions): GatewayClient;
export default createClient;

export declare function mintToken(
  client: GatewayClient | Client<paths>,
  options: MintOptions & Partial<MintTokenRequest>,
): Promise<MintedToken>;

export declare const EVENT_TYPES: readonly EventType[];

export declare function eventsUrl(options: { baseUrl: string; meetingID?: string; token?: string }): string;

export declare function openEvents(options: EventsOptions): EventsHandle;
