import { describe, expect, it } from "vitest";
import { draftTitle, markPieces, searchTags, selectionSpan, tagColor } from "./coding";

describe("tagColor", () => {
  it("takes the tag's colour, else its parent's, else a stable palette colour", () => {
    const colors = new Map([["Deploy", "#112233"], ["Deploy/Gates", null]]);
    expect(tagColor("Deploy/Gates/Flaky", colors)).toBe("#112233");
    expect(tagColor("Other", colors)).toBe(tagColor("Other", new Map()));
  });
});

describe("selectionSpan", () => {
  const segs = [
    { start_ms: 0, end_ms: 1000 },
    { start_ms: 1000, end_ms: 2500 },
  ];
  const texts = ["Hello there world", "second line here"];
  it("keeps the exact words of one segment", () => {
    expect(selectionSpan(segs, texts, 0, 6, 0, 11)).toEqual({ start_ms: 0, end_ms: 1000, text: "there" });
  });
  it("joins the words across segments with a space and spans their times", () => {
    expect(selectionSpan(segs, texts, 0, 12, 1, 6)).toEqual({ start_ms: 0, end_ms: 2500, text: "world second" });
  });
  it("is null for an empty or backwards selection", () => {
    expect(selectionSpan(segs, texts, 0, 3, 0, 3)).toBeNull();
    expect(selectionSpan(segs, texts, 1, 0, 0, 2)).toBeNull();
  });
});

describe("markPieces", () => {
  it("marks a highlight's words inside the text", () => {
    const p = markPieces("one two three", [{ id: 4, text: "two", tags: ["A"] }]);
    expect(p.map((x) => x.text)).toEqual(["one ", "two", " three"]);
    expect(p[1]).toEqual({ text: "two", tags: ["A"], id: 4 });
  });
  it("leaves whole-segment highlights to the row and overlapping ones out", () => {
    const p = markPieces("one two", [
      { id: 1, text: "one two", tags: [] },
      { id: 2, text: "one", tags: [] },
      { id: 3, text: "ne t", tags: [] },
    ]);
    expect(p.filter((x) => x.id !== null).map((x) => x.id)).toEqual([2]);
  });
});

describe("draftTitle and searchTags", () => {
  it("cuts a long text to its first words", () => {
    expect(draftTitle("a b c", 2)).toBe("a b…");
    expect(draftTitle(" a  b ")).toBe("a b");
  });
  it("finds tags by every word of the query", () => {
    const tags = [{ path: "Deploy/Gates" }, { path: "Deploy/Gates/Flaky tests" }, { path: "Pain point" }];
    expect(searchTags(tags, "gat deploy").map((t) => t.path)).toEqual(["Deploy/Gates", "Deploy/Gates/Flaky tests"]);
    expect(searchTags(tags, "")).toHaveLength(3);
  });
});
