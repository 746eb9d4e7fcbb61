import { describe, expect, it } from "vitest";
import type { Participation, PersonSummary } from "../../lib/bindings.gen";
import { boardColumn, criteriaText, criterionText, filterPeople, localToUtc, quote } from "./recruit";

const person = (over: Partial<PersonSummary>): PersonSummary => ({
  id: 1,
  email: "a@example.com",
  name: "Ana",
  team: "checkout",
  role: "engineer",
  location: null,
  status: "new",
  contact_status: "free",
  consent: false,
  sessions: 0,
  observed_role: "service",
  tier: "power",
  events: 10,
  last_seen: null,
  ...over,
});

describe("filterPeople", () => {
  const people = [
    person({ id: 1 }),
    person({ id: 2, name: "Bo", email: "bo@example.com", observed_role: "operations", tier: "regular", team: "platform" }),
    person({ id: 3, name: "Cy", email: "cy@example.com", observed_role: null, tier: null, contact_status: "blocklist" }),
  ];
  const none = { text: "", role: "", tier: "", contact: "" };
  it("keeps everyone without filters", () => expect(filterPeople(people, none)).toHaveLength(3));
  it("filters by observed role, tier and contact status together with words", () => {
    expect(filterPeople(people, { ...none, role: "operations" }).map((p) => p.id)).toEqual([2]);
    expect(filterPeople(people, { ...none, role: "none" }).map((p) => p.id)).toEqual([3]);
    expect(filterPeople(people, { ...none, contact: "blocklist" }).map((p) => p.id)).toEqual([3]);
    expect(filterPeople(people, { ...none, text: "platform bo" }).map((p) => p.id)).toEqual([2]);
    expect(filterPeople(people, { ...none, text: "platform", tier: "power" })).toEqual([]);
  });
});

describe("the criteria builder", () => {
  it("writes the screener grammar", () => {
    expect(criterionText({ field: "observed_role", op: "in", value: "operations, service" })).toBe(
      "observed_role in (operations, service)",
    );
    expect(criterionText({ field: "team", op: "!=", value: "platform" })).toBe("team != platform");
    expect(criterionText({ field: "last_seen", op: "<=", value: "14d" })).toBe("last_seen <= 14d");
    expect(criterionText({ field: "count_action", op: ">=", value: "create pods/exec = 3" })).toBe(
      'count(action="create pods/exec", within=30d) >= 3',
    );
  });
  it("quotes values that are not one word, and keywords", () => {
    expect(quote("site reliability")).toBe('"site reliability"');
    expect(quote("and")).toBe('"and"');
    expect(quote('say "hi"')).toBe('"say \\"hi\\""');
  });
  it("leaves out rows that are not filled in and joins the rest with and", () => {
    expect(
      criteriaText([
        { field: "tier", op: "in", value: "power" },
        { field: "team", op: "=", value: " " },
        { field: "role", op: "=", value: "sre" },
      ]),
    ).toBe("tier in (power) and role = sre");
  });
});

describe("boardColumn", () => {
  const p = (status: string, last: string | null) => ({ status, last_contact: last }) as Participation;
  it("puts an invitation where its latest contact or agreement says", () => {
    expect(boardColumn(p("invited", null))).toBe("invited");
    expect(boardColumn(p("invited", "contacted"))).toBe("contacted");
    expect(boardColumn(p("invited", "followed-up"))).toBe("followed-up");
    expect(boardColumn(p("scheduled", "contacted"))).toBe("scheduled");
    expect(boardColumn(p("invited", "declined"))).toBe("closed");
    expect(boardColumn(p("no-show", "scheduled"))).toBe("closed");
  });
});

describe("localToUtc", () => {
  it("turns a datetime-local value into RFC 3339 UTC", () => {
    const utc = localToUtc("2026-03-04T14:30");
    expect(utc).toMatch(/^2026-03-0[45]T\d\d:30:00Z$/);
    expect(localToUtc("")).toBeNull();
    expect(localToUtc("nonsense")).toBeNull();
  });
});
