// types-check.ts - a typical TypeScript user of @bbb-gateway/client: a
// backend minting tokens, a page following a meeting. test/run.sh compiles
// it with tsc --noEmit --strict (test/tsconfig.json); it is never run.
import {
  createClient,
  GatewayError,
  isGatewayError,
  mintToken,
  openEvents,
  type GatewayEvent,
  type Meeting,
  type MintedToken,
} from "@bbb-gateway/client";

const backend = createClient({ baseUrl: "https://gw.example.org", token: "bgw_example" });

export async function backendFlow(): Promise<MintedToken> {
  const created = await backend.createMeeting({ name: "Bio 101", meetingID: "bio-101", record: true });
  const createTime: number = created.createTime;
  const m: Meeting = await backend.getMeeting(created.meetingID);
  const running: boolean = await backend.isRunning(m.meetingID);
  const all: Meeting[] = await backend.listMeetings();
  const { url } = await backend.join("bio-101", { fullName: "Ada", role: "MODERATOR", createTime });
  const url2: string = await backend.joinUrl("bio-101", { fullName: "Ada", role: "VIEWER", redirect: false });
  const recs = await backend.listRecordings({ meta: { "bbb-origin": "lms" }, limit: 10 });
  const ids: string[] = recs.recordings.map((r) => r.recordID);
  console.log(running, all.length, url, url2, ids);
  const ended = await backend.end("bio-101");
  console.log(ended.warning?.messageKey);
  // the raw openapi-fetch client, typed on every route
  const { data, error } = await backend.raw.GET("/v1/meetings/{meetingID}/running", {
    params: { path: { meetingID: "bio-101" } },
  });
  if (error === undefined) console.log(data.running);
  return mintToken(backend, { meetingID: "bio-101", role: "VIEWER", userID: "u-1", ttl: 300 });
}

export async function pageFlow(getToken: () => Promise<string>): Promise<() => void> {
  const page = createClient({ baseUrl: "https://gw.example.org", token: getToken });
  try {
    await page.join("bio-101");
  } catch (e) {
    if (e instanceof GatewayError) {
      const code: string = e.code;
      const status: number = e.status;
      console.log(code, status, e.detail, e.requestId ?? "");
    } else if (isGatewayError(e, "role_not_allowed")) {
      console.log(e.field);
    }
  }
  const handle = openEvents({
    baseUrl: "https://gw.example.org",
    meetingID: "bio-101",
    token: getToken,
    lastEventId: "1764680395000041",
    onEvent: (ev: GatewayEvent) => {
      if (ev.type === "user-joined" && "user" in ev.data) console.log(ev.data.user?.fullName);
    },
    onReset: () => void page.getMeeting("bio-101"),
  });
  const last: string | undefined = handle.lastEventId;
  console.log(last);
  return () => handle.close();
}

// @ts-expect-error a meeting needs a name
void backend.createMeeting({ meetingID: "x" });
// @ts-expect-error roles are VIEWER or MODERATOR
void backend.mintToken({ meetingID: "x", role: "ADMIN" });
// @ts-expect-error a misspelt member of a create body
void backend.createMeeting({ name: "x", recrod: true });
