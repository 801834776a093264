// client_errors.ts - lines a client must NOT be able to compile against the
// types generated from docs/openapi.json: each is marked with
// `// @ts-expect-error TSnnnn what`. The openapi_types test (types.mjs)
// compiles this file with tsc --strict as it is (every marked line must fail,
// or tsc reports the marker as unused), then without the markers, where each
// marked line must fail with the error code its marker names and no other
// line may fail. A document that loosens a type again (an index signature on
// a request body, a plain string for an enum, `unknown` for a body) fails the
// test. Like client.ts it is never run.
//
// Misspelt members are caught where TypeScript checks excess members: in a
// value of the body's type (annotated, or with `satisfies`). openapi-fetch
// infers its whole init argument as a type parameter, and TypeScript does
// not check an inferred object literal for excess members, so a misspelt
// member of a bare inline `body: {...}` compiles whatever the document says;
// clients that want it caught write `body: {...} satisfies ...` (below).
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Schemas = components["schemas"];

const gw = createClient<paths>({ baseUrl: "http://127.0.0.1:8090" });

export const typo: Schemas["CreateMeetingRequest"] = {
  name: "Bio 101",
  // @ts-expect-error TS2561 a misspelt member of a create body
  recrod: true,
};

export async function badCreates(): Promise<void> {
  await gw.POST("/v1/meetings", {
    body: {
      name: "Bio 101",
      // @ts-expect-error TS2561 a misspelt member, in openapi-fetch's call
      recrod: true,
    } satisfies Schemas["CreateMeetingRequest"],
  });
  await gw.POST("/v1/meetings", {
    // @ts-expect-error TS2820 a feature BBB does not have
    body: { name: "Bio 101", disabledFeatures: ["chats"] },
  });
  await gw.POST("/v1/meetings", {
    // @ts-expect-error TS2322 metadata values are strings
    body: { name: "Bio 101", metadata: { "bbb-origin": 42 } },
  });
  await gw.POST("/v1/meetings", {
    // @ts-expect-error TS2322 raw BBB parameters are scalars
    body: { name: "Bio 101", bbb: { nested: { a: 1 } } },
  });
  await gw.POST("/v1/meetings", {
    // @ts-expect-error TS2322 a guest policy BBB does not have
    body: { name: "Bio 101", guestPolicy: "SOMETIMES" },
  });
  await gw.POST("/v1/meetings", {
    // @ts-expect-error TS2322 a duration is a number (or a string of digits), not a boolean
    body: { name: "Bio 101", duration: true },
  });
}

// @ts-expect-error TS2559 a join body is an object
export const notABody: Schemas["JoinRequest"] = 42;

export async function badJoins(): Promise<void> {
  await gw.POST("/v1/meetings/{meetingID}/join", {
    params: { path: { meetingID: "bio-101" } },
    // @ts-expect-error TS2322 a role BBB does not have
    body: { fullName: "Ada", role: "ADMIN" },
  });
}

export const joinTypo: Schemas["JoinRequest"] = {
  fullName: "Ada",
  // @ts-expect-error TS2561 a misspelt member of a join body
  usreID: "u-1",
};

// @ts-expect-error TS2322 an attendee's role is MODERATOR or VIEWER
export const owner: Schemas["Attendee"]["role"] = "OWNER";

// @ts-expect-error TS2322 a recording state BBB does not have
export const lost: Schemas["Recording"]["state"] = "lost";

// @ts-expect-error TS2322 an event type the gateway does not send
export const jumped: Schemas["EventType"] = "user-jumped";

// @ts-expect-error TS2322 a problem code the gateway does not have
export const teapot: Schemas["Problem"]["code"] = "teapot";

export async function badQueries(): Promise<void> {
  await gw.GET("/v1/recordings", {
    // @ts-expect-error TS2322 metadata filter values are strings
    params: { query: { meta: { "bbb-origin": 1 } } },
  });
  await gw.GET("/v1/meetings/{meetingID}", {
    // @ts-expect-error TS2561 the path parameter is meetingID
    params: { path: { meetingId: "bio-101" } },
  });
}

export async function noXmlInJson(): Promise<void> {
  const { data } = await gw.GET("/v1/meetings");
  // @ts-expect-error TS2322 BBB's XML text is not one of the JSON bodies
  const xml: typeof data = "<response><returncode>SUCCESS</returncode></response>";
  console.log(xml);
}

// @ts-expect-error TS2322 participantCount is always sent (not optional)
export const noCount: Schemas["Meeting"]["participantCount"] = undefined;

// @ts-expect-error TS2322 attendees are always sent (not optional)
export const noAttendees: Schemas["Meeting"]["attendees"] = undefined;

// @ts-expect-error TS2322 a recording's playback formats are always sent
export const noPlayback: Schemas["Recording"]["playback"] = undefined;
