#!/usr/bin/env python3
"""Crash safety: runs writes through the real `rapport` CLI, kills the process with SIGKILL at
a random (seeded) moment, and checks the workspace afterwards. Run through scripts/crash-test,
which builds the CLI first.

Each trial copies a prepared workspace (the demo, one session with a short recording, and a
REFI-QDA project exported from it), runs one operation (people, audit, transcript, NPS,
deploys and REFI-QDA imports, transcription with tiny.en, highlight and finding edits, an
index rebuild, forgetting a person, deleting a session), and kills it after a delay drawn
between 0 and 1.2 times the time the same operation took uninterrupted. Then:

- `rapport verify` passes (integrity check, foreign keys, media hashes);
- no import is half applied: the row count of every table is what it was before the
  operation or what the uninterrupted run left (the search change log is not compared);
- the search index agrees with the store: after the next open (a search syncs it), the ids
  a search finds for each kind of document are the ids the store holds, and a marker word
  written by the operation is found exactly where the store has it.

Usage: crash_test.py --rapport BIN [--trials N] [--seed S] [--short] [--max-seconds T]
Exit status 0 when every trial passed; a summary line counts corrupt databases, half
imports and index disagreements.
"""
import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = "zebracrash"
KINDS = {
    "segment": "SELECT id FROM segments",
    "note": "SELECT id FROM notes",
    "highlight": "SELECT id FROM highlights",
    "finding": "SELECT id FROM findings",
    "nps": "SELECT id FROM nps_responses WHERE comment IS NOT NULL AND comment != ''",
    "feedback": "SELECT id FROM feedback_items",
}
# Tables whose row counts are not part of "before or after": the index's change log, and
# the deletion log (its row comes with the delete, in the same transaction, so it is also
# covered, but it is not an import's).
IGNORED_TABLES = {"search_changes", "sqlite_sequence"}


class Cli:
    def __init__(self, binary):
        self.binary = binary
        self.env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", NO_COLOR="1")

    def args(self, ws, *args):
        return [self.binary, "--workspace", ws, *args]

    def run(self, ws, *args, check=True, timeout=300):
        p = subprocess.run(self.args(ws, *args), env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError(f"rapport {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
        return p

    def json(self, ws, *args):
        return json.loads(self.run(ws, *args, "--json").stdout)


def table_counts(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables if t not in IGNORED_TABLES}
    finally:
        con.close()


def store_ids(db, sql):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return sorted(r[0] for r in con.execute(sql))
    finally:
        con.close()


def marker_ids(db):
    """Documents that hold the marker word, by kind (as the index would find them)."""
    like = f"%{MARK}%"
    queries = {
        "segment": "SELECT id FROM segments WHERE lower(text) LIKE ?",
        "note": "SELECT id FROM notes WHERE lower(text) LIKE ?",
        "finding": "SELECT id FROM findings WHERE lower(title || ' ' || coalesce(body, '')) LIKE ?",
        "nps": "SELECT id FROM nps_responses WHERE lower(comment) LIKE ?",
        "feedback": "SELECT id FROM feedback_items WHERE lower(text) LIKE ?",
    }
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {k: sorted(r[0] for r in con.execute(q, (like,))) for k, q in queries.items()}
    finally:
        con.close()


def index_ids(cli, ws, query):
    res = cli.json(ws, "search", query, "--limit", "100000")
    by_kind = {}
    for h in res["hits"]:
        by_kind.setdefault(h["kind"], []).append(h["id"])
    return {k: sorted(v) for k, v in by_kind.items()}, res["total"]


# ---------------------------------------------------------------------------------------
# Input files


def write_inputs(d, rng):
    files = {}
    people = os.path.join(d, "people.csv")
    with open(people, "w") as f:
        f.write("email,name,team,role\n")
        for i in range(3000):
            f.write(f"crash{i:05d}@example.com,Crash Person {i},team{i % 17},engineer\n")
    files["people"] = people

    audit = os.path.join(d, "audit.log")
    subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "gen-audit.py"), "--lines", "30000", "--seed", "11",
         "--out", audit, "--people", os.path.join(d, "audit-people.csv")],
        check=True,
    )
    files["audit"] = audit

    srt = os.path.join(d, "long.srt")
    with open(srt, "w") as f:
        for i in range(3000):
            s, e = i * 2000, i * 2000 + 1800

            def ts(ms):
                return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

            f.write(f"{i + 1}\n{ts(s)} --> {ts(e)}\nSpeaker {i % 2}: we talked about {MARK} deploys number {i}\n\n")
    files["transcript"] = srt

    nps = os.path.join(d, "nps.csv")
    with open(nps, "w") as f:
        f.write("respondent,email,score,comment,submitted_at,team\n")
        for i in range(6000):
            comment = f"the {MARK} pipeline {i}" if i % 3 == 0 else ""
            f.write(f"c{i:05d},nps{i}@example.com,{rng.randrange(11)},{comment},2026-02-{1 + i % 28:02d}T10:00:00Z,t{i % 5}\n")
    files["nps"] = nps

    deploys = os.path.join(d, "deploys.jsonl")
    with open(deploys, "w") as f:
        for i in range(6000):
            day = 1 + i % 28
            f.write(json.dumps({
                "id": f"crash{i:05d}", "service": f"svc-{i % 9}", "environment": "production",
                "started_at": f"2026-03-{day:02d}T05:{i % 60:02d}:00Z",
                "finished_at": f"2026-03-{day:02d}T06:{i % 60:02d}:00Z",
                "outcome": "success" if i % 7 else "failed", "version": f"1.{i}.0",
            }) + "\n")
    files["deploys"] = deploys
    return files


# ---------------------------------------------------------------------------------------
# Operations: each is (name, argv after the workspace), given the prepared workspace's facts.


def operations(files, facts, short):
    ops = [
        ("people import", ["people", "import", files["people"]]),
        ("audit import", ["audit", "import", files["audit"], "--skip-invalid"]),
        ("transcript import", ["transcript", "import", files["transcript"], "--session", str(facts["empty_session"])]),
        ("nps import", ["nps", "import", files["nps"]]),
        ("deploys import", ["deploys", "import", files["deploys"]]),
        ("refi-qda import", ["import", "qdpx", files["qdpx"]]),
        ("highlight add", ["highlight", "add", "--session", str(facts["demo_session"]), "--from", "0", "--to", "20000",
                           "--tag", "Crash/Test", "--note", f"{MARK} note"]),
        ("finding add", ["finding", "add", "--study", str(facts["study"]), "--title", f"{MARK} finding",
                         "--evidence", str(facts["highlight"])]),
        ("finding set", ["finding", "set", str(facts["finding"]), "--status", "reviewed", "--severity", "high"]),
        ("index rebuild", ["index", "rebuild"]),
        ("people forget", ["people", "forget", facts["person"], "--yes"]),
        ("session delete", ["session", "delete", str(facts["demo_session"]), "--yes"]),
    ]
    # Transcription is slow: a few trials only (one in every 12 in full mode, none in short).
    if short or "audio_session" not in facts:
        return ops, None
    transcribe = ("transcribe", ["transcribe", str(facts["audio_session"]), "--model", "tiny.en", "--threads", "1",
                                 "--parallel", "1"])
    return ops, transcribe


def prepare(cli, base, files, with_audio):
    ws = os.path.join(base, "template")
    cli.run(ws, "init")
    cli.run(ws, "demo")
    studies = cli.json(ws, "study", "list")
    study = studies[0]["id"]
    sessions = cli.json(ws, "session", "list")
    demo_session = next(s["id"] for s in sessions if s["segments"] > 0)
    person = next(s["person_email"] for s in sessions if s["person_email"] and s["id"] != demo_session)
    cli.run(ws, "session", "create", "--study", str(study), "--person", "crash.empty@example.com",
            "--name", "Empty Session")
    sessions = cli.json(ws, "session", "list")
    empty = next(s["id"] for s in sessions if s["person_email"] == "crash.empty@example.com")
    facts = {"study": study, "demo_session": demo_session, "empty_session": empty, "person": person}
    if with_audio:
        cli.run(ws, "session", "create", "--study", str(study), "--person", "crash.audio@example.com", "--name", "Audio")
        sessions = cli.json(ws, "session", "list")
        audio = next(s["id"] for s in sessions if s["person_email"] == "crash.audio@example.com")
        cli.run(ws, "recording", "add", os.path.join(ROOT, "tests", "fixtures", "speech", "picovoice-test.wav"),
                "--session", str(audio))
        facts["audio_session"] = audio
    highlights = cli.json(ws, "highlight", "list")
    facts["highlight"] = highlights[0]["id"]
    findings = cli.json(ws, "finding", "list")
    facts["finding"] = findings[0]["id"]
    qdpx = os.path.join(base, "demo.qdpx")
    cli.run(ws, "export", "--study", str(study), "--format", "qdpx", "--out", qdpx)
    files["qdpx"] = qdpx
    cli.run(ws, "search", "deploy")  # the index exists and is in sync
    return ws, facts


def copy_ws(src, dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)


def check(cli, ws, before, after):
    """The problems found in `ws` after a trial: (kind, message) pairs."""
    problems = []
    v = cli.run(ws, "verify", "--json", check=False)
    try:
        report = json.loads(v.stdout)
    except ValueError:
        report = {"ok": False, "problems": [v.stderr.strip()]}
    if v.returncode != 0 or not report.get("ok"):
        problems.append(("corrupt", "; ".join(report.get("problems", [])) or v.stderr.strip()))
        return problems
    db = os.path.join(ws, "rapport.db")
    counts = table_counts(db)
    if counts != before and counts != after:
        diff = {t: (before.get(t), after.get(t), counts.get(t)) for t in set(counts) | set(before)
                if counts.get(t) not in (before.get(t), after.get(t))
                or (counts.get(t) != before.get(t) and counts.get(t) != after.get(t))}
        problems.append(("half", f"row counts are neither before nor after (table: before, after, now): {diff}"))
    # The next open syncs the index; then each kind's documents are the store's rows.
    for kind, sql in KINDS.items():
        found, total = index_ids(cli, ws, f"kind:{kind}")
        want = store_ids(db, sql)
        got = found.get(kind, [])
        if got != want or total != len(want):
            problems.append(("index", f"kind:{kind}: the index has {total} ({len(got)} ids), the store {len(want)}; "
                                      f"missing {sorted(set(want) - set(got))[:5]}, extra {sorted(set(got) - set(want))[:5]}"))
    found, _ = index_ids(cli, ws, MARK)
    for kind, want in marker_ids(db).items():
        if found.get(kind, []) != want:
            problems.append(("index", f"{MARK!r} in {kind}: the index finds {found.get(kind, [])[:5]}…, the store has {want[:5]}…"))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rapport", required=True, help="the rapport CLI binary")
    ap.add_argument("--trials", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--short", action="store_true", help="10 trials, no transcription (CI)")
    ap.add_argument("--max-seconds", type=float, help="stop starting trials after this long (default 900, short 110)")
    ap.add_argument("--keep", action="store_true", help="keep the failed trials' workspaces")
    a = ap.parse_args()
    trials = a.trials or (10 if a.short else 60)
    budget = a.max_seconds or (110 if a.short else 900)
    rng = random.Random(a.seed)
    cli = Cli(a.rapport)
    models = os.environ.get("RAPPORT_MODELS_DIR") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "Rapport", "models")
    with_audio = not a.short and os.path.exists(os.path.join(models, "ggml-tiny.en.bin"))
    started = time.monotonic()
    base = tempfile.mkdtemp(prefix="rapport-crash-")
    failed_dirs = []
    try:
        files = write_inputs(base, rng)
        template, facts = prepare(cli, base, files, with_audio)
        ops, transcribe = operations(files, facts, a.short)
        if transcribe and "audio_session" in facts:
            ops_full = ops + [transcribe]
        else:
            ops_full = ops
        # The uninterrupted run of each operation: how long it takes and what it leaves.
        before = table_counts(os.path.join(template, "rapport.db"))
        reference = {}
        for name, argv in ops_full:
            ws = os.path.join(base, "reference")
            copy_ws(template, ws)
            t0 = time.monotonic()
            cli.run(ws, *argv, timeout=600)
            reference[name] = (time.monotonic() - t0, table_counts(os.path.join(ws, "rapport.db")))
            problems = check(cli, ws, before, reference[name][1])
            if problems:
                raise RuntimeError(f"the uninterrupted {name} already fails the checks: {problems}")
        print(f"prepared in {time.monotonic() - started:.1f} s; operations: "
              + ", ".join(f"{n} {reference[n][0]:.2f} s" for n, _ in ops_full), flush=True)
        tally = {"corrupt": 0, "half": 0, "index": 0}
        done = killed = 0
        for trial in range(trials):
            if time.monotonic() - started > budget:
                print(f"time budget of {budget:.0f} s reached after {done} trials", flush=True)
                break
            # Transcription is one trial in twelve (it is slow); the others are drawn evenly.
            if transcribe and "transcribe" in reference and trial % 12 == 11:
                name, argv = transcribe
            else:
                name, argv = ops[rng.randrange(len(ops))]
            duration, after = reference[name]
            delay = rng.uniform(0, duration * 1.2)
            ws = os.path.join(base, f"trial-{trial}")
            copy_ws(template, ws)
            p = subprocess.Popen(cli.args(ws, *argv), env=cli.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                p.wait(timeout=delay)
                outcome = "finished"
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                p.wait()
                outcome = "killed"
                killed += 1
            problems = check(cli, ws, before, after)
            done += 1
            status = "ok" if not problems else "FAIL"
            print(f"trial {trial:3d} {name:18} {outcome:8} after {delay:6.2f} s: {status}", flush=True)
            for kind, message in problems:
                tally[kind] += 1
                print(f"    {kind}: {message}", flush=True)
            if problems and a.keep:
                failed_dirs.append(ws)
            elif not problems:
                shutil.rmtree(ws, ignore_errors=True)
        print(f"crash-test: {done} trials ({killed} killed mid-way), {tally['corrupt']} corrupt databases, "
              f"{tally['half']} half imports, {tally['index']} index disagreements, "
              f"{time.monotonic() - started:.0f} s, seed {a.seed}")
        if failed_dirs:
            print("kept: " + " ".join(failed_dirs))
        minimum = 10 if a.short else 50
        if done < min(trials, minimum):
            print(f"crash-test: only {done} trials ran (wanted at least {min(trials, minimum)})")
            return 1
        return 0 if sum(tally.values()) == 0 else 1
    finally:
        if not failed_dirs:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
