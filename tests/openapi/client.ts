// client.ts - a typical TypeScript client of the gateway, written the way a
// frontend developer would with the types openapi-typescript generates from
// docs/openapi.json and openapi-fetch's defaults (no custom serialiser, no
// casts, no `any`). The openapi_types test (types.mjs) generates ./api.d.ts
// into a temporary directory next to a copy of this file and compiles it with
// tsc --strict --noEmit: it must compile without a single error. It is never
// run, so it needs no gateway.
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Schemas = components["schemas"];
type Meeting = Schemas["Meeting"];
type Recording = Schemas["Recording"];
type Problem = Schemas["Problem"];

const gw = createClient<paths>({
  baseUrl: "http://127.0.0.1:8090",
  headers: { Authorization: "Bearer bgw_example" },
});

// Errors are problem+json documents with a stable code.
function explain(p: Problem): string {
  const where = p.field !== undefined ? ` (${p.field})` : "";
  switch (p.code) {
    case "bbb_not_found":
      return `no such meeting${where}`;
    case "forbidden":
      return `the token lacks ${p.scope ?? "a scope"}`;
    case "rate_limited":
    case "unavailable":
      return `try again later: ${p.detail}`;
    default:
      return `${p.status} ${p.code}: ${p.detail}${where} [${p.requestId}]`;
  }
}

// Create with the README's body: typed members, a metadata object, a list of
// features, presentations; and a parameter of a newer BBB, opted into with `bbb`.
// `satisfies` makes TypeScript check the literal for misspelt members, which
// it does not do for openapi-fetch's inferred init argument by itself.
export async function createBio101(): Promise<string> {
  const { data, error, response } = await gw.POST("/v1/meetings", {
    body: {
      name: "Bio 101",
      meetingID: "bio-101",
      record: true,
      duration: 60,
      welcome: "Welcome to <b>Biology</b>",
      guestPolicy: "ASK_MODERATOR",
      meetingLayout: "SMART_LAYOUT",
      disabledFeatures: ["chat", "polls"],
      disabledFeaturesExclude: "presentation",
      metadata: { "bbb-origin": "lms", "bbb-context": "Biology" },
      presentations: [
        { url: "https://example.org/slides.pdf", filename: "slides.pdf", current: true },
        { filename: "notes.txt", content: "aGVsbG8=" },
      ],
      bbb: { someNewBbbParam: "x", someNewLimit: 3, someNewFlag: true },
    } satisfies Schemas["CreateMeetingRequest"],
  });
  if (error) throw new Error(explain(error));
  const existed: boolean = response.status === 200 && data.warning?.messageKey === "duplicateWarning";
  // members BBB always sends are required: no `?.`, no `!`
  const created: number = data.createTime;
  const internal: string = data.internalMeetingID;
  console.log(existed ? "existed" : "created", data.meetingID, internal, new Date(created));
  return data.meetingID;
}

// The list and one meeting: counts and attendees are always there.
export async function listMeetings(): Promise<Meeting[]> {
  const { data, error } = await gw.GET("/v1/meetings");
  if (error) throw new Error(explain(error));
  for (const m of data.meetings) {
    const moderators = m.attendees.filter((a) => a.role === "MODERATOR").map((a) => a.fullName);
    const viewers: number = m.participantCount - m.moderatorCount;
    console.log(m.meetingName, m.running, viewers, moderators.join(", "), m.metadata["bbb-origin"]);
  }
  return data.meetings;
}

export async function meeting(id: string): Promise<Meeting | undefined> {
  const { data, error } = await gw.GET("/v1/meetings/{meetingID}", {
    params: { path: { meetingID: id } },
  });
  if (error) {
    if (error.code === "bbb_not_found") return undefined;
    throw new Error(explain(error));
  }
  const presenter = data.attendees.find((a) => a.isPresenter);
  console.log(presenter?.fullName, presenter?.customdata?.["bbb_skip_check_audio"]);
  return data;
}

export async function isRunning(id: string): Promise<boolean> {
  const { data, error } = await gw.GET("/v1/meetings/{meetingID}/running", {
    params: { path: { meetingID: id } },
  });
  if (error) throw new Error(explain(error));
  return data.running;
}

// Join, both ways: with a role (and the user's details), or with the
// deprecated meeting password; with a browser token the body may be empty.
export async function joinUrls(id: string, createTime: number): Promise<string[]> {
  const byRole = await gw.POST("/v1/meetings/{meetingID}/join", {
    params: { path: { meetingID: id } },
    body: {
      fullName: "Ada Lovelace",
      role: "MODERATOR",
      userID: "u-1",
      createTime,
      enforceLayout: "PRESENTATION_FOCUS",
      userdata: { bbb_skip_check_audio: "true" },
      bbb: { someNewJoinParam: "x" },
    },
  });
  const byPassword = await gw.POST("/v1/meetings/{meetingID}/join", {
    params: { path: { meetingID: id } },
    body: { fullName: "Grace Hopper", password: "ap8KfJ2x", guest: false },
  });
  const bound = await gw.POST("/v1/meetings/{meetingID}/join", {
    params: { path: { meetingID: id } },
    headers: { Authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln" },
    body: {},
  });
  const urls: string[] = [];
  for (const r of [byRole, byPassword, bound]) {
    if (r.error) throw new Error(explain(r.error));
    urls.push(r.data.url);
  }
  return urls;
}

export async function end(id: string): Promise<void> {
  const { data, error } = await gw.POST("/v1/meetings/{meetingID}/end", {
    params: { path: { meetingID: id } },
  });
  if (error) throw new Error(explain(error));
  console.log(data.warning?.message);
}

// Recordings filtered on metadata: openapi-fetch's default serialiser writes
// meta[bbb-origin]=lms, which the gateway takes.
export async function lmsRecordings(): Promise<Recording[]> {
  const { data, error } = await gw.GET("/v1/recordings", {
    params: { query: { meta: { "bbb-origin": "lms" }, state: "published,unpublished", limit: 10 } },
  });
  if (error) throw new Error(explain(error));
  const published: Recording[] = data.recordings.filter((r) => r.state === "published");
  for (const r of data.recordings) {
    const state: Schemas["RecordingState"] = r.state;
    const minutes = r.playback.map((f) => `${f.type}: ${f.length} min`);
    console.log(r.recordID, r.name, state, r.participants, minutes, r.metadata["bbb-context"]);
  }
  console.log(data.pagination?.totalElements);
  return published;
}

export async function unpublish(recordID: string): Promise<void> {
  const { data, error } = await gw.PATCH("/v1/recordings/{recordID}", {
    params: { path: { recordID } },
    body: { published: false, metadata: { "gl-listed": null, "bbb-context": "Biology" } },
  });
  if (error) throw new Error(explain(error));
  // the recording as it is now, or (notReadBack) what was applied
  if ("warning" in data) console.log(data.recordID, data.warning.messageKey, data.published);
  else console.log(data.recordID, data.published, data.state);
}

// BBB's own XML, the escape hatch: read as text, outside the JSON types.
export async function rawXml(): Promise<string> {
  const { data, error } = await gw.GET("/v1/meetings", {
    headers: { Accept: "application/xml" },
    parseAs: "text",
  });
  if (error) throw new Error(explain(error));
  return data;
}

// Live events: a browser token for the stream, then EventSource with typed blocks.
export async function follow(id: string, onJoin: (name: string) => void): Promise<EventSource> {
  const minted = await gw.POST("/v1/tokens", {
    body: { scope: "events:read", meetings: [id], role: "VIEWER", ttl_s: 300 },
  });
  if (minted.error) throw new Error(explain(minted.error));
  const url = `http://127.0.0.1:8090/v1/meetings/${encodeURIComponent(id)}/events?access_token=${minted.data.token}`;
  const es = new EventSource(url);
  const types: Schemas["EventType"][] = ["user-joined", "user-left", "meeting-ended", "reset"];
  for (const type of types) {
    es.addEventListener(type, (ev: MessageEvent<string>) => {
      const block: Schemas["StreamEvent"] = {
        id: ev.lastEventId === "" ? undefined : ev.lastEventId,
        event: type,
        data: JSON.parse(ev.data),
      };
      const data = block.data;
      if (block.event === "reset" || !("meetingID" in data)) return;
      const user: Schemas["EventUser"] | undefined = data.user;
      if (block.event === "user-joined" && user?.fullName !== undefined) onJoin(user.fullName);
      console.log(block.id, data.meetingID, new Date(data.time));
    });
  }
  return es;
}

export async function main(): Promise<void> {
  const id = await createBio101();
  const m = await meeting(id);
  if (m === undefined || !(await isRunning(id))) return;
  console.log(await joinUrls(id, m.createTime), await listMeetings(), await rawXml());
  await end(id);
  const recs = await lmsRecordings();
  if (recs[0] !== undefined) await unpublish(recs[0].recordID);
}
