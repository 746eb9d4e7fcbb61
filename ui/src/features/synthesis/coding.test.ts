import { describe, expect, it } from "vitest";
import {
  codePointOffset,
  draftTitle,
  markPieces,
  markSpans,
  searchTags,
  selectionSpan,
  tagColor,
  textOrigin,
  textSelection,
  utf16Index,
} from "./coding";

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

describe("text selections in code points", () => {
  const text = "Porte «sécurité» 🚦 bloquée";
  it("counts an emoji as one code point, as the core does", () => {
    const i = text.indexOf("bloquée");
    expect(i).toBe(20); // UTF-16: the emoji is two units
    expect(codePointOffset(text, i)).toBe(19);
    expect(utf16Index(text, 19)).toBe(20);
  });
  it("trims white space and gives the words with their span", () => {
    const a = text.indexOf(" «");
    const b = text.indexOf("🚦") + 2;
    expect(textSelection(text, a, b)).toEqual({ start_char: 6, end_char: 18, text: "«sécurité» 🚦" });
    expect(textSelection(text, b, a)).toEqual({ start_char: 6, end_char: 18, text: "«sécurité» 🚦" });
    expect(textSelection(text, 5, 6)).toBeNull();
  });
  it("marks spans given in code points, the first of overlapping ones winning", () => {
    const pieces = markSpans(text, [
      { id: 2, start_char: 19, end_char: 26, tags: ["B"] },
      { id: 1, start_char: 6, end_char: 18, tags: ["A"] },
      { id: 3, start_char: 10, end_char: 20, tags: ["C"] },
    ]);
    expect(pieces.map((p) => [p.text, p.id])).toEqual([
      ["Porte ", null],
      ["«sécurité» 🚦", 1],
      [" ", null],
      ["bloquée", 2],
    ]);
    expect(markSpans("abc", [{ id: 1, start_char: 2, end_char: 9, tags: [] }])).toEqual([
      { text: "abc", tags: [], id: null },
    ]);
  });
  it("says where NPS and feedback evidence comes from", () => {
    expect(textOrigin({ source: "nps", score: 3, segments: ["team: mobile"], channel: null, person_name: "Ola" })).toBe(
      "NPS 3 · team: mobile · Ola",
    );
    expect(textOrigin({ source: "feedback", score: null, segments: [], channel: "in-app", person_name: null })).toBe(
      "Feedback · in-app",
    );
  });
});
