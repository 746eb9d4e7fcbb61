import { describe, expect, it } from "vitest";
import type { GuideVersionRef, SessionSummary } from "../../lib/bindings.gen";
import {
  latestGuideVersion,
  localInputToRfc3339,
  rfc3339ToLocalInput,
  sessionFields,
  sessionInput,
  toLocalInput,
} from "./sessionForm";

const fields = {
  who: "new" as const,
  personId: null,
  name: " Ada Lovelace ",
  email: " ada@example.com ",
  at: "2026-03-04T14:30",
  title: "",
  guideVersionId: 7,
};

describe("the date and time field", () => {
  it("goes from local time to RFC 3339 in UTC and back", () => {
    const rfc = localInputToRfc3339("2026-03-04T14:30");
    expect(rfc).toBe(new Date(2026, 2, 4, 14, 30).toISOString().replace(".000Z", "Z"));
    expect(rfc3339ToLocalInput(rfc ?? "")).toBe("2026-03-04T14:30");
    expect(toLocalInput(new Date(2026, 0, 2, 3, 4))).toBe("2026-01-02T03:04");
  });

  it("refuses what is not a time", () => {
    expect(localInputToRfc3339("")).toBeNull();
    expect(localInputToRfc3339("2026-02-31T10:00")).toBeNull();
    expect(rfc3339ToLocalInput("soon")).toBe("");
  });
});

describe("sessionInput", () => {
  it("sends a new person's email and name, trimmed", () => {
    const r = sessionInput(fields);
    expect(r).toEqual({
      input: {
        person_id: null,
        email: "ada@example.com",
        name: "Ada Lovelace",
        at: localInputToRfc3339("2026-03-04T14:30"),
        title: null,
        guide_version_id: 7,
      },
    });
  });

  it("sends only the id of someone from the directory", () => {
    const r = sessionInput({ ...fields, who: "existing", personId: 3, title: " Kick-off " });
    expect(r).toMatchObject({ input: { person_id: 3, email: null, name: null, title: "Kick-off" } });
  });

  it("says what is missing", () => {
    expect(sessionInput({ ...fields, who: "existing" })).toEqual({
      error: "Choose the person interviewed, or add someone new.",
    });
    expect(sessionInput({ ...fields, email: "" })).toEqual({ error: "Give the new person's email." });
    expect(sessionInput({ ...fields, email: "ada" })).toEqual({ error: '"ada" is not an email address.' });
    expect(sessionInput({ ...fields, at: "" })).toEqual({ error: "Give the date and time of the session." });
  });
});

describe("sessionFields", () => {
  it("starts a new session now, with nobody chosen", () => {
    const now = new Date(2026, 5, 1, 9, 15);
    expect(sessionFields(null, now)).toMatchObject({ who: "existing", personId: null, at: "2026-06-01T09:15" });
  });

  it("fills the edit form from a session", () => {
    const s = { person_id: 4, title: "Pilot", guide_version_id: null, at: "2026-03-04T14:30:00Z" } as SessionSummary;
    expect(sessionFields(s)).toMatchObject({ who: "existing", personId: 4, title: "Pilot", guideVersionId: null });
  });
});

describe("latestGuideVersion", () => {
  const v = (id: number, version: number, created_at: string): GuideVersionRef => ({
    id,
    guide_id: 1,
    title: "Guide",
    version,
    created_at,
    sessions: 0,
  });
  it("takes the current version (listed first), or none", () => {
    expect(latestGuideVersion([])).toBeNull();
    expect(latestGuideVersion([v(3, 3, "2026-03-01T00:00:00Z"), v(2, 2, "2026-02-01T00:00:00Z")])?.id).toBe(3);
  });
});
