// End-to-end test of the Models screen: it lists the installed whisper models (the test
// machine has tiny.en after scripts/fetch-model) or, with none, says how to get one; a
// download shows its progress and can be cancelled; a failed download says why. scripts/e2e
// gives the app a models folder of its own and points downloads at E2E_MODEL_PORT, where this
// file serves models from a loopback server: slowly (to watch and cancel), or not at all (404).
// The voice activity detector's model is taken out of that folder first and downloaded back
// through the window, from the same server (RAPPORT_VAD_BASE_URL), with the installed file's
// bytes; whatever happens, the folder has it again when this file ends. The voice encoder
// (not linked into that folder) is downloaded through the window too: the server serves the
// Resemblyzer wheel scripts/fetch-model kept (E2E_VOICE_WHEEL), the app converts its weights,
// and the file is removed again at the end.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { existsSync, lstatSync, readFileSync, realpathSync, symlinkSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "./webdriver.mjs";
import { launch, openNav, screenshot, quit } from "./helpers.mjs";

const PORT = Number(process.env.E2E_MODEL_PORT || 4455);
const SLOW_MODEL = "tiny";
const MISSING_MODEL = "tiny-q5_1";
const VAD_FILE = "ggml-silero-v5.1.2.bin";
const MODELS_DIR = process.env.RAPPORT_MODELS_DIR;
const VAD_PATH = MODELS_DIR ? join(MODELS_DIR, VAD_FILE) : "";
/** The installed VAD model's real file (scripts/e2e links the machine's models in), and its bytes. */
let vadSource = "";
/** @type {Buffer} */
let vadBytes = Buffer.alloc(0);

const VOICE_WHEEL = process.env.E2E_VOICE_WHEEL || "";
const VOICE_PATH = MODELS_DIR ? join(MODELS_DIR, "voice-encoder-resemblyzer-0.1.4.bin") : "";

/** @type {import("./webdriver.mjs").Session | undefined} */
let s;
/** @type {import("node:http").Server | undefined} */
let server;

/** Serves ggml-tiny.bin 10 MB long at 64 KB every 100 ms; everything else is 404. */
function startServer() {
  const timers = new Set();
  const srv = createServer((req, res) => {
    if (req.url === "/Resemblyzer-0.1.4-py3-none-any.whl") {
      const bytes = readFileSync(VOICE_WHEEL);
      res.writeHead(200, { "content-length": String(bytes.length), "content-type": "application/zip" });
      res.end(bytes);
      return;
    }
    if (req.url === `/${VAD_FILE}`) {
      res.writeHead(200, { "content-length": String(vadBytes.length), "content-type": "application/octet-stream" });
      res.end(vadBytes);
      return;
    }
    if (req.url !== `/ggml-${SLOW_MODEL}.bin`) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not here");
      return;
    }
    const total = 10_000_000;
    res.writeHead(200, { "content-length": String(total), "content-type": "application/octet-stream" });
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024);
    const timer = setInterval(() => {
      if (res.destroyed || sent >= total) {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      const n = Math.min(chunk.length, total - sent);
      res.write(chunk.subarray(0, n));
      sent += n;
    }, 100);
    timers.add(timer);
    res.on("close", () => clearInterval(timer));
  });
  srv.on("close", () => timers.forEach(clearInterval));
  return new Promise((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(PORT, "127.0.0.1", () => resolve(srv));
  });
}

const row = (name) => s.find(`[data-testid=model-row][data-model="${name}"]`);

describe("The Models screen", () => {
  before(async () => {
    assert.ok(MODELS_DIR, "scripts/e2e sets RAPPORT_MODELS_DIR");
    assert.ok(existsSync(VAD_PATH), `scripts/fetch-model installs ${VAD_FILE}`);
    assert.ok(VOICE_WHEEL && existsSync(VOICE_WHEEL), "scripts/fetch-model keeps the Resemblyzer wheel");
    assert.ok(!existsSync(VOICE_PATH), "the voice encoder is not linked into the test's models folder");
    vadSource = realpathSync(VAD_PATH);
    vadBytes = readFileSync(vadSource);
    unlinkSync(VAD_PATH);
    server = await startServer();
    s = await launch();
  });

  after(async () => {
    if (!existsSync(VAD_PATH)) symlinkSync(vadSource, VAD_PATH);
    if (existsSync(VOICE_PATH)) unlinkSync(VOICE_PATH);
    await quit(s);
    if (server) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test("lists the installed models, or the empty state when there are none, and the ones to download", async () => {
    await openNav(s, "models");
    const shown = await waitFor("installed models or the empty state", async () => {
      const rows = await s.findAll("[data-testid=model-row][data-installed=true]");
      if (rows.length > 0) return { rows };
      return (await s.find("[data-testid=models-empty]")) ? { rows: [] } : null;
    });
    const names = [];
    for (const r of shown.rows) {
      const name = await s.findIn(r, "[data-testid=model-name]");
      names.push((await s.text(name)).trim());
    }
    // scripts/fetch-model installs tiny.en and tiny.en-q8_0 into the models folder.
    if (names.length > 0) assert.ok(names.includes("tiny.en"), `tiny.en should be listed, found ${names.join(", ")}`);
    const downloadable = await s.findAll("[data-testid=model-row][data-installed=false]");
    assert.ok(downloadable.length > 10, "whisper.cpp's published models are offered for download");
    assert.equal((await s.findAll("[data-testid=error]")).length, 0, "no error is shown");
    const advice = await waitFor("the recommendation for this machine", () => s.find("[data-testid=model-recommendation]"));
    assert.match(await s.text(advice), /For interviews on this machine: \S+/);
    assert.equal((await s.findAll("[data-testid=model-recommended]")).length, 1, "one row is marked Recommended");
    await screenshot(s, "models.png");
  });

  test("a missing voice activity detector is offered and downloads from the window", async () => {
    const section = await waitFor("the VAD section", () => s.find("[data-testid=vad][data-installed=false]"));
    await s.click(await s.findIn(section, "[data-testid=vad-download]"));
    await waitFor("the VAD model to show as installed", () => s.find("[data-testid=vad] [data-testid=vad-installed]"), {
      timeout: 30_000,
    });
    assert.ok(!lstatSync(VAD_PATH).isSymbolicLink(), "the download is a file of its own in the models folder");
    assert.ok(readFileSync(VAD_PATH).equals(vadBytes), "it holds the served bytes");
    assert.ok(existsSync(`${VAD_PATH}.sha256`), "its SHA-256 is recorded beside it");
  });

  test("the voice encoder downloads from the window and is converted from the wheel", async () => {
    const section = await waitFor("the voice encoder section", () => s.find("[data-testid=voice][data-installed=false]"));
    await s.click(await s.findIn(section, "[data-testid=voice-download]"));
    await waitFor(
      "the voice encoder to show as installed",
      () => s.find("[data-testid=voice] [data-testid=voice-installed]"),
      { timeout: 60_000 },
    );
    const bytes = readFileSync(VOICE_PATH);
    assert.equal(bytes.subarray(0, 4).toString("latin1"), "RVE1", "the converted file's header");
    const sha = createHash("sha256").update(bytes).digest("hex");
    // The SHA-256 scripts/fetch-model pins for the file its Python converter writes.
    assert.equal(sha, "f18c0d69b71304f245ff748bb55901211e0438cd6c53cf688af69143bdfdc9c4");
    assert.ok(!existsSync(join(MODELS_DIR, "Resemblyzer-0.1.4-py3-none-any.whl.part")), "the wheel is gone");
  });

  test("a download shows its progress and can be cancelled, keeping the part for a resume", async () => {
    const r = await waitFor(`the ${SLOW_MODEL} row`, () => row(SLOW_MODEL));
    await s.click(await s.findIn(r, "[data-testid=download-start]"));
    await waitFor("the progress bar to pass 2%", async () => {
      const bar = await s.execute(
        `return document.querySelector('[data-model="${SLOW_MODEL}"] [role=progressbar]')?.getAttribute('aria-valuenow');`,
      );
      return bar !== null && Number(bar) >= 2;
    });
    await screenshot(s, "models-download.png");
    const cancel = await waitFor("the Cancel button", async () => s.findIn(await row(SLOW_MODEL), "[data-testid=download-cancel]"));
    await s.click(cancel);
    await waitFor("the download to say it was cancelled", async () =>
      s.findIn(await row(SLOW_MODEL), "[data-testid=download-cancelled]"),
    );
    const button = await waitFor("a Resume button", async () => {
      const b = await s.findIn(await row(SLOW_MODEL), "[data-testid=download-start]");
      return b && /Resume/.test(await s.text(b)) ? b : null;
    });
    assert.ok(button);
  });

  test("a download that fails says why, in its row", async () => {
    const r = await waitFor(`the ${MISSING_MODEL} row`, () => row(MISSING_MODEL));
    await s.click(await s.findIn(r, "[data-testid=download-start]"));
    const err = await waitFor("the download's error", async () => s.findIn(await row(MISSING_MODEL), "[data-testid=download-error]"));
    const text = await s.text(err);
    assert.match(text, /404/, `the error should give the server's answer, reads ${JSON.stringify(text)}`);
    assert.match(text, new RegExp(`ggml-${MISSING_MODEL}\\.bin`), "the error should name the file");
  });
});
