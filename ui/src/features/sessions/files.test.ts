import { describe, expect, it } from "vitest";
import { addProgressText, baseName, exportFileName, isTranscriptFile, sortDrop } from "./files";

describe("isTranscriptFile", () => {
  it("tells transcripts from recordings by extension", () => {
    for (const p of ["/a/call.vtt", "C:\\x\\call.SRT", "notes.txt", "/t/export.json"]) expect(isTranscriptFile(p)).toBe(true);
    for (const p of ["/a/call.wav", "/a/call.m4a", "/a/vtt", "/a/call"]) expect(isTranscriptFile(p)).toBe(false);
  });

  it("names the file of a path", () => {
    expect(baseName("/home/u/call.wav")).toBe("call.wav");
    expect(baseName("C:\\u\\call.wav")).toBe("call.wav");
  });
});

describe("exportFileName", () => {
  it("is the person and the session's date, with the format's extension", () => {
    const at = new Date(2026, 2, 4, 14, 30).toISOString();
    expect(exportFileName("Priya Raman", at, "srt")).toBe("Priya Raman 2026-03-04.srt");
    expect(exportFileName(' a/b: "c" ', at, "md")).toBe("a b c 2026-03-04.md");
    expect(exportFileName("", "not a date", "txt")).toBe("transcript.txt");
  });
});

describe("addProgressText", () => {
  it("reads the file's bytes while checking the audio, then while copying it", () => {
    expect(addProgressText("decoding", 2_000_000, 10_000_000)).toBe("Checking the audio: 2.0 MB of 10.0 MB");
    expect(addProgressText("copying", 10_000_000, 10_000_000)).toBe("Copying it into the workspace: 10.0 MB of 10.0 MB");
    expect(addProgressText("hashing", 5_000, null)).toBe("Copying it into the workspace: 5.0 KB");
    expect(addProgressText("", 0, null)).toBe("Starting…");
  });
});

describe("sortDrop", () => {
  it("sends transcripts to the import and the rest to the recordings", () => {
    expect(sortDrop(["/a/call.wav", "/a/call.vtt", "/a/track2.m4a"])).toEqual({
      transcripts: ["/a/call.vtt"],
      recordings: ["/a/call.wav", "/a/track2.m4a"],
    });
  });
});
