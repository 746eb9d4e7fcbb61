"""scripts/bench diarize, the part in Python: makes the dialogues (espeak-ng + sox, mixed in
Python's own arrays so every turn's place is known to the sample), runs `rapport diarize`
on each input and scores its turns with Rapport's DER and with pyannote.metrics'.

Run by scripts/bench-diarize, which sets RAPPORT_BIN, BENCH_WORK, BENCH_RUNS, BENCH_PROFILE."""

import array
import json
import os
import random
import statistics
import subprocess
import sys
import time
import wave

from pyannote.core import Annotation, Segment
from pyannote.metrics.diarization import DiarizationErrorRate

RAPPORT = os.environ["RAPPORT_BIN"]
WORK = os.environ["BENCH_WORK"]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PROFILE = os.environ.get("BENCH_PROFILE", "release")
RATE = 16000

SENTENCES = [
    "I open a merge request and the pipeline runs the unit tests first.",
    "Then it builds the image and pushes it to the registry.",
    "Most days that takes about twenty minutes, which is fine.",
    "The problem is the staging cluster, which is down more often than not.",
    "When it fails I read the logs, but they are hard to search.",
    "So I usually ask in the team channel and wait for someone who knows.",
    "Our security team reviews every change that touches payments.",
    "That review sits in a queue and nobody gets a notification.",
    "Last month a small fix waited most of a day for an approval.",
    "I would like to see who is on call for approvals.",
    "The canary checks caught a bad config before it reached customers.",
    "Now the system rolls it out gradually and rolls back on its own.",
    "Honestly, that changed how our whole team works.",
    "The dashboards are better, but the alerts still fire at night.",
    "We tried feature flags, and they help with the risky changes.",
    "I think the documentation is out of date in a few places.",
]
QUESTIONS = [
    "How do you deploy a change today?",
    "What happens when the tests fail?",
    "How long does that take you on a bad day?",
    "Who approves the release before it goes out?",
    "Why do you think the review is slow?",
    "What would you change about the rollout?",
    "Can you tell me about the last incident?",
    "How do you know a release went well?",
]
BACKCHANNELS = ["Right.", "Okay.", "Yeah.", "I see.", "Mm hm."]


def sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def speak(voice, text, path):
    raw = path + ".raw.wav"
    sh("espeak-ng", "-v", voice, "-s", "160", "-w", raw, text)
    # -R: sox's dither is the same every run (repeatable), so every run reads the same audio.
    sh("sox", "-R", raw, "-r", str(RATE), "-c", "1", "-b", "16", path,
       "silence", "1", "0.02", "1%", "reverse", "silence", "1", "0.02", "1%", "reverse")
    with wave.open(path) as w:
        return array.array("h", w.readframes(w.getnframes()))


def write(path, channels):
    n = max(len(c) for c in channels)
    out = array.array("h", bytes(2 * n * len(channels)))
    for k, c in enumerate(channels):
        for i, v in enumerate(c):
            out[i * len(channels) + k] = v
    with wave.open(path, "wb") as w:
        w.setnchannels(len(channels))
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(out.tobytes())


def dialogue(name, voices, minutes, seed):
    """A dialogue of `voices` (the first asks the questions); returns its files and turns."""
    rng = random.Random(seed)
    d = os.path.join(WORK, name)
    os.makedirs(d, exist_ok=True)
    tracks = {v: array.array("h") for v in voices}
    turns = []
    at = int(1.0 * RATE)
    k = 0
    while at < minutes * 60 * RATE:
        if k % 2 == 0:
            who, text = voices[0], rng.choice(QUESTIONS)
        else:
            who = voices[1 + (k // 2) % (len(voices) - 1)]
            text = " ".join(rng.sample(SENTENCES, rng.randint(1, 4)))
        pcm = speak(who, text, os.path.join(d, f"u{k}.wav"))
        place(tracks[who], pcm, at)
        turns.append((at / RATE, (at + len(pcm)) / RATE, who))
        # Now and then the listener says "right" over the end of a long answer.
        if k % 2 == 1 and len(pcm) > 6 * RATE and rng.random() < 0.35:
            bc = speak(voices[0], rng.choice(BACKCHANNELS), os.path.join(d, f"b{k}.wav"))
            bat = at + len(pcm) - len(bc) - int(0.3 * RATE)
            place(tracks[voices[0]], bc, bat)
            turns.append((bat / RATE, (bat + len(bc)) / RATE, voices[0]))
        at += len(pcm) + int(rng.uniform(0.2, 1.0) * RATE)
        k += 1
    n = max(len(t) for t in tracks.values())
    for t in tracks.values():
        t.extend([0] * (n - len(t)))
    mix = array.array("h", (max(-32768, min(32767, sum(s))) for s in zip(*tracks.values())))
    files = {"mix": os.path.join(d, "mix.wav")}
    write(files["mix"], [mix])
    for i, v in enumerate(voices):
        files[v] = os.path.join(d, f"track{i}.wav")
        write(files[v], [tracks[v]])
    if len(voices) == 2:
        files["stereo"] = os.path.join(d, "stereo.wav")
        write(files["stereo"], [tracks[voices[0]], tracks[voices[1]]])
    rttm = os.path.join(d, "ref.rttm")
    with open(rttm, "w") as f:
        for s, e, who in turns:
            f.write(f"SPEAKER {name} 1 {s:.3f} {e - s:.3f} <NA> <NA> {who} <NA> <NA>\n")
    return files, turns, rttm, n / RATE


def place(track, pcm, at):
    if len(track) < at + len(pcm):
        track.extend([0] * (at + len(pcm) - len(track)))
    for i, v in enumerate(pcm):
        track[at + i] = max(-32768, min(32767, track[at + i] + v))


def rapport(ws, *args):
    out = subprocess.run([RAPPORT, "--workspace", ws, *args], check=True, capture_output=True, text=True)
    return out.stdout


def pyannote_der(turns, hyp):
    ref, h = Annotation(), Annotation()
    for i, (s, e, who) in enumerate(turns):
        ref[Segment(s, e), i] = who
    for i, t in enumerate(hyp):
        h[Segment(t["start_ms"] / 1000, t["end_ms"] / 1000), i] = t["speaker"]
    return DiarizationErrorRate(collar=0.5, skip_overlap=False)(ref, h)


def case(label, files, recordings, turns, rttm, secs):
    ws = os.path.join(WORK, "ws-" + label.replace(" ", "-"))
    rapport(ws, "init")
    study = json.loads(rapport(ws, "study", "create", "Bench", "--json"))["id"]
    sess = json.loads(rapport(ws, "session", "create", "--study", str(study), "--person", "p@example.com",
                              "--name", "Pat Example", "--json"))["id"]
    first = None
    for path, track in recordings:
        args = ["recording", "add", path, "--session", str(sess), "--json"]
        if track:
            args += ["--track", track]
        rid = json.loads(rapport(ws, *args))["id"]
        first = first or rid
    # The transcript of the mix (or the stereo file): not timed.
    rapport(ws, "transcribe", f"recording:{first}", "--model", "tiny.en-q8_0", "--threads", "2")
    times, out = [], None
    for _ in range(RUNS):
        t = time.perf_counter()
        out = json.loads(rapport(ws, "diarize", str(sess), "--reference", rttm, "--json"))
        times.append(time.perf_counter() - t)
    wall = statistics.median(times)
    ours = out["der"]["der"]
    theirs = pyannote_der(turns, out["turns"])
    return {
        "input": label, "minutes": secs / 60, "method": out["method"],
        "speakers": sum(1 for s in out["speakers"] if s["role"] is not None or len(out["speakers"]) <= 3),
        "found": len(out["speakers"]), "der": ours, "pyannote": theirs,
        "per_min": wall / (secs / 60), "wall": wall,
        "missed": out["der"]["missed_ms"], "fa": out["der"]["false_alarm_ms"], "conf": out["der"]["confusion_ms"],
        "total": out["der"]["total_ms"], "interviewer": out["interviewer"],
    }


def real_dialogue(name, seed):
    """Two real voices taking turns: the LibriVox reader of tests/fixtures/speech and the
    LibriSpeech speaker of its Picovoice sample (whole, or either half), with pauses."""
    speech = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "speech")
    read = lambda f: array.array("h", wave.open(os.path.join(speech, f)).readframes(10 ** 9))
    reader = [read(f"sense_and_sensibility_01_austen_64kb-0{n}.wav") for n in (870, 880, 890, 920, 930)]
    other = read("picovoice-test.wav")
    others = [other[: len(other) // 2], other[len(other) // 2:], other]
    rng = random.Random(seed)
    track, turns, at = array.array("h"), [], RATE
    for i in range(5):
        for who, pcm in (("reader", reader[i]), ("quilter", others[i % 3])):
            place(track, pcm, at)
            turns.append((at / RATE, (at + len(pcm)) / RATE, who))
            at += len(pcm) + int(rng.uniform(0.3, 1.0) * RATE)
    d = os.path.join(WORK, name)
    os.makedirs(d, exist_ok=True)
    mix = os.path.join(d, "mix.wav")
    write(mix, [track])
    rttm = os.path.join(d, "ref.rttm")
    with open(rttm, "w") as f:
        for s, e, who in turns:
            f.write(f"SPEAKER {name} 1 {s:.3f} {e - s:.3f} <NA> <NA> {who} <NA> <NA>\n")
    return {"mix": mix}, turns, rttm, len(track) / RATE


def telephone_call():
    """pyannote.audio's sample (tests/fixtures/speech/pyannote-sample.*): 30 s of a real
    telephone call of two people, with its reference turns."""
    speech = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "speech")
    mix = os.path.join(speech, "pyannote-sample.wav")
    rttm = os.path.join(speech, "pyannote-sample.rttm")
    turns = []
    for line in open(rttm):
        f = line.split()
        turns.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return {"mix": mix}, turns, rttm, wave.open(mix).getnframes() / RATE


def main():
    two = ["en-us+m3", "en+f3"]
    threes = [(["en-us+m3", "en+f3", "en-us+f4"], 11), (["en-us+m3", "en-gb+f2", "en-us+f4"], 5),
              (["en-gb+f2", "en-us+m3", "en+m7"], 21), (["en-us+f2", "en+m7", "en-us+f4"], 8)]
    print(f"making the dialogues in {WORK}", file=sys.stderr)
    f2, t2, r2, s2 = dialogue("two", two, 3.0, 7)
    made3 = [(voices, seed, *dialogue(f"three-{seed}", voices, 3.0, seed)) for voices, seed in threes]
    fr, tr, rr, sr = real_dialogue("real", 4)
    fc, tc, rc, sc = telephone_call()
    rows = [case("two voices, one mixed track", f2, [(f2["mix"], None)], t2, r2, s2)]
    for voices, seed, f3, t3, r3, s3 in made3:
        rows.append(case(f"three voices ({', '.join(voices)}), one mixed track", f3, [(f3["mix"], None)], t3, r3, s3))
    rows += [
        case("two real voices (LibriVox, LibriSpeech), one mixed track", fr, [(fr["mix"], None)], tr, rr, sr),
        case("a real telephone call of two people (pyannote.audio's sample), one mixed track", fc, [(fc["mix"], None)], tc, rc, sc),
        case("two voices, a track each", f2, [(f2["mix"], None), (f2[two[0]], two[0]), (f2[two[1]], two[1])], t2, r2, s2),
        case("two voices, a stereo channel each", f2, [(f2["stereo"], None)], t2, r2, s2),
    ]
    overlap = sum(1 for t in t2 if any(u is not t and u[0] < t[1] and t[0] < u[1] for u in t2))
    print(f"\nDialogues: two voices ({two[0]}, {two[1]}) {s2 / 60:.1f} min, {len(t2)} turns ({overlap} overlapping); "
          f"three voices: four generations (voices and seeds), about {made3[0][5] / 60:.1f} min each; "
          f"real voices {sr / 60:.1f} min, {len(tr)} turns; the telephone call {sc:.0f} s, {len(tc)} turns; pauses 0.2 to 1 s; {RUNS} runs each, {PROFILE} build, 2 cores.\n")
    print("| input | method | speakers found | DER (Rapport) | DER (pyannote.metrics) | missed / false alarm / confusion | time per audio minute |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['input']} | {r['method']} | {r['found']} | {r['der'] * 100:.1f}% | {r['pyannote'] * 100:.1f}% | "
              f"{r['missed'] / 1000:.1f} s / {r['fa'] / 1000:.1f} s / {r['conf'] / 1000:.1f} s of {r['total'] / 1000:.0f} s | "
              f"{r['per_min']:.2f} s |")
    worst = max(abs(r["der"] - r["pyannote"]) for r in rows)
    print(f"\nRapport's DER and pyannote.metrics' differ by at most {worst * 100:.2f} points.")


if __name__ == "__main__":
    main()
