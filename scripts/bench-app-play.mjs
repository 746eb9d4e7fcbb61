// Part of `scripts/bench app`: the web process' memory while the player plays the middle of a
// two-hour recording, the way the player does it now (streamed from the loopback media server
// by range requests) and the way it did before (the whole file fetched into a blob: URL, as
// WebKitGTK's player needed with the asset protocol), interleaved. The player before runs in
// the same build made with the CSP it needed (`media-src blob:`; scripts/bench-app builds it
// with TAURI_CONFIG), RAPPORT_APP_BEFORE.
//
// Env: RAPPORT_APP, RAPPORT_APP_BEFORE, BENCH_WS (a workspace with the session), BENCH_SESSION (its person's
// name), BENCH_RUNS, E2E_WEBDRIVER_URL. Prints one JSON line per run.
import { readFileSync, readdirSync } from "node:fs";
import { Session, waitFor } from "../tests/e2e/webdriver.mjs";

const url = process.env.E2E_WEBDRIVER_URL;
const runs = Number(process.env.BENCH_RUNS || 3);

/** The pids of every running process whose command line starts with `program`. */
function pidsOf(program) {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] === program;
      } catch {
        return false; // the process ended meanwhile
      }
    });
}

/**
 * RSS in kB of the largest of the app's child processes whose command line has `name`
 * (WebKit's web and network processes are the app's children; WebKit may keep a spare web
 * process beside the one that shows the page, which is the largest).
 */
function rssKb(app, name) {
  const parents = new Set(pidsOf(app));
  let largest = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const ppid = /PPid:\s+(\d+)/.exec(status)?.[1];
      if (!parents.has(ppid) || !readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(name)) continue;
      largest = Math.max(largest, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // the process ended meanwhile
    }
  }
  if (largest === 0) throw new Error(`found no ${name} of the app`);
  return largest;
}

async function openSession(s) {
  const nav = await waitFor("the sessions entry", () => s.find("[data-testid=nav-sessions]"), { timeout: 30_000 });
  await s.click(nav);
  const row = await waitFor("the two-hour session", async () => {
    for (const el of await s.findAll("[data-testid=session-row]")) {
      if ((await s.text(el)).includes(process.env.BENCH_SESSION)) return el;
    }
    return null;
  });
  await s.click(await s.findIn(row, "button"));
  return waitFor(
    "the recording's metadata",
    () => s.execute(`const m = document.querySelector("audio, video"); return m && m.readyState >= 1 && m.duration > 3600 ? m.duration : null;`),
    { timeout: 60_000 },
  );
}

async function playMiddle(s, mode, duration, app) {
  const mid = duration / 2;
  if (mode === "blob") {
    // The player before: the whole recording in the web process as a blob: URL, played from
    // memory. The old player fetched the file whole (through the asset protocol); inside
    // WebKitGTK a fetch of these 230 MB does not finish in five minutes (from the media server,
    // whole or in 16 MiB ranges), so the page makes the same file itself: a 16 kHz mono 16-bit
    // WAV of the recording's length, low noise, in 16 MiB parts as the fetch held them.
    const failed = await s.executeAsync(
      `const done = arguments[arguments.length - 1];
       const m = document.querySelector("audio, video");
       const dataBytes = Math.round(m.duration) * 16000 * 2;
       (async () => {
         const header = new DataView(new ArrayBuffer(44));
         const text = (at, t) => [...t].forEach((c, i) => header.setUint8(at + i, c.charCodeAt(0)));
         text(0, "RIFF"); header.setUint32(4, 36 + dataBytes, true); text(8, "WAVE");
         text(12, "fmt "); header.setUint32(16, 16, true); header.setUint16(20, 1, true);
         header.setUint16(22, 1, true); header.setUint32(24, 16000, true); header.setUint32(28, 32000, true);
         header.setUint16(32, 2, true); header.setUint16(34, 16, true);
         text(36, "data"); header.setUint32(40, dataBytes, true);
         const parts = [header.buffer];
         let seed = 12345;
         for (let left = dataBytes; left > 0; ) {
           const part = new Int16Array(Math.min(left, 1 << 24) / 2);
           for (let i = 0; i < part.length; i++) {
             seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
             part[i] = seed >> 22;
           }
           parts.push(part.buffer); left -= part.byteLength;
         }
         const url = URL.createObjectURL(new Blob(parts, { type: "audio/wav" }));
         // Let go of the streamed source first, so no event of its load is taken for the blob's.
         m.pause(); m.removeAttribute("src"); m.load();
         await new Promise((ok, no) => {
           const failed = () => { if (m.currentSrc === url) no(new Error("the player would not load the blob: error " + (m.error && m.error.code))); };
           m.addEventListener("loadedmetadata", ok, { once: true });
           m.addEventListener("error", failed);
           m.src = url;
         });
       })().then(() => done(null), (e) => done(String(e)));`,
    );
    if (failed) throw new Error(`making the recording a blob failed: ${failed}`);
    const src = await s.execute(`return document.querySelector("audio, video").currentSrc;`);
    if (!String(src).startsWith("blob:")) throw new Error(`the player should play a blob: URL now, plays ${src}`);
  }
  const t0 = Date.now();
  await s.execute(`const m = document.querySelector("audio, video"); m.currentTime = ${mid}; m.play();`);
  await waitFor(
    "the seek to play",
    () => s.execute(`const m = document.querySelector("audio, video"); return !m.paused && m.currentTime > ${mid + 0.1};`),
    { timeout: 60_000, interval: 20 },
  );
  const seekMs = Date.now() - t0;
  await waitFor(
    "ten seconds of playing from the middle",
    () => s.execute(`const m = document.querySelector("audio, video"); return !m.paused && m.currentTime > ${mid + 10};`),
    { timeout: 90_000, interval: 250 },
  );
  // WebKit keeps a blob's bytes in its network process: count both.
  return { web: rssKb(app, "WebKitWebProcess"), network: rssKb(app, "WebKitNetworkProcess"), seekMs };
}

for (let i = 0; i < runs; i++) {
  for (const mode of ["stream", "blob"]) {
    const app = mode === "blob" ? process.env.RAPPORT_APP_BEFORE : process.env.RAPPORT_APP;
    const s = await Session.create(url, {
      capabilities: {
        alwaysMatch: {
          "tauri:options": {
            application: app,
            args: ["--workspace", process.env.BENCH_WS],
          },
        },
      },
    });
    try {
      await s.setTimeouts({ script: 300_000 });
      const duration = await openSession(s);
      const { web, network, seekMs } = await playMiddle(s, mode, duration, app).catch((e) => {
        throw new Error(`the ${mode === "blob" ? "player before" : "player now"}: ${e.message}`);
      });
      console.log(JSON.stringify({ mode, web_kb: web, network_kb: network, seek_to_play_ms: seekMs }));
    } finally {
      await s.delete();
    }
  }
}
