// Part of `scripts/bench app`: the web process' memory while the player plays the middle of a
// two-hour recording, the way the player does it now (streamed from the rapport-media: scheme
// by range requests) and the way it did before (the whole file fetched into a blob: URL, as
// WebKitGTK's player needed with the asset protocol), in the same app build, interleaved.
//
// Env: RAPPORT_APP, BENCH_WS (a workspace with the session), BENCH_SESSION (its person's
// name), BENCH_RUNS, E2E_WEBDRIVER_URL. Prints one JSON line per run.
import { readFileSync, readdirSync } from "node:fs";
import { Session, waitFor } from "../tests/e2e/webdriver.mjs";

const url = process.env.E2E_WEBDRIVER_URL;
const runs = Number(process.env.BENCH_RUNS || 3);

/** RSS in kB of every process whose command line has `name` (the bench runs one app at a time). */
function rssKb(name) {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!cmd.includes(name)) continue;
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) total += Number(m[1]);
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
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

async function playMiddle(s, mode, duration) {
  const mid = duration / 2;
  if (mode === "blob") {
    // The player before: the whole file in the web process, then played from memory.
    const failed = await s.executeAsync(
      `const done = arguments[arguments.length - 1];
       const m = document.querySelector("audio, video");
       const src = m.currentSrc;
       (async () => {
         const parts = []; let at = 0, size = Infinity;
         while (at < size) {
           const r = await fetch(src, { headers: { Range: "bytes=" + at + "-" + (at + 16777215) } });
           const b = await r.arrayBuffer();
           size = Number((r.headers.get("Content-Range") || "").split("/")[1] || b.byteLength);
           parts.push(b); at += b.byteLength;
           if (b.byteLength === 0) break;
         }
         m.src = URL.createObjectURL(new Blob(parts, { type: "audio/wav" }));
         await new Promise((ok) => m.addEventListener("loadedmetadata", ok, { once: true }));
       })().then(() => done(null), (e) => done(String(e)));`,
    );
    if (failed) throw new Error(`fetching the recording into a blob failed: ${failed}`);
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
  return { web: rssKb("WebKitWebProcess"), network: rssKb("WebKitNetworkProcess"), seekMs };
}

for (let i = 0; i < runs; i++) {
  for (const mode of ["stream", "blob"]) {
    const s = await Session.create(url, {
      capabilities: {
        alwaysMatch: { "tauri:options": { application: process.env.RAPPORT_APP, args: ["--workspace", process.env.BENCH_WS] } },
      },
    });
    try {
      await s.setTimeouts({ script: 300_000 });
      const duration = await openSession(s);
      const { web, network, seekMs } = await playMiddle(s, mode, duration);
      console.log(JSON.stringify({ mode, web_kb: web, network_kb: network, seek_to_play_ms: seekMs }));
    } finally {
      await s.delete();
    }
  }
}
