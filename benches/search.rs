//! `scripts/bench search`: Rapport's search (tantivy) against SQLite FTS5 on the same corpus.
//!
//! Generates (fixed seed) a realistic corpus of platform-engineering interviews — by default
//! 1,000 one-hour sessions, ~600 k segments, ~9 M words, with speakers, tags and dates —
//! into a real workspace, builds Rapport's index from the store (timed, words/s, size), builds
//! an FTS5 table (porter stemming) from the same rows (timed, size), then runs the same ≥200
//! mixed queries (common and rare terms, phrases, AND, OR, prefixes, speaker/kind filters) on
//! both, top 10 by relevance with snippets, and prints p50/p99 latencies as a Markdown table.
//!
//! Flags: `--sessions N` (default 1000), `--queries N` (default 240), `--dir DIR` (default a
//! temp dir, removed afterwards).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rapport::progress::{CancelToken, NoProgress, Outcome};
use rapport::search::{SearchIndex, SearchOptions};
use rapport::Workspace;
use rusqlite::params;

/// splitmix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const FUNCTION: &str = "the a to and of i it that we in is you so for on was but with it's they just like be have this our at what when if do there not or are from then can know think one because all about out would get up it was really yeah um uh so it's kind of that's more some there's no which how my me them their were been had also very much time thing things way people team";
const DOMAIN: &str = "deploy deploys deployed deploying deployment pipeline pipelines gate gates gated approval approvals override overrides rollback rollbacks rolled back canary canaries release releases staging production prod cluster clusters kubernetes k8s pod pods namespace helm chart argo jenkins runner runners build builds test tests flaky integration unit merge branch commit commits review reviewer on-call pager alert alerts alerting incident incidents postmortem outage latency error errors rate budget slo slos sli dashboard dashboards grafana logs logging kibana trace traces tracing metrics prometheus feature flag flags toggle circuit breaker breakers retry retries timeout timeouts service services api endpoint config configuration secret secrets vault terraform drift infra platform tooling ticket tickets jira slack channel docs documentation runbook runbooks manual automation script scripts queue queues wait waiting blocked blocker blockers minutes hours days week friday monday trust confidence visibility ownership handoff escalation sre ops oncall migration migrations database schema replica failover region traffic shift shadow mirror rollout rollouts progressive percentage health check checks probe readiness liveness crash loop oom memory cpu quota limits autoscaling hpa node nodes upgrade version versions tag tags image images registry artifact artifacts cache caching signoff compliance audit change freeze window hotfix revert";
const CONTENT: &str = "good bad slow fast annoying painful easy hard better worse clear confusing broken working fine honestly usually sometimes always never often every last next first second quick long short big small new old same different whole part already still again maybe probably actually basically definitely literally pretty quite enough little lot lots least most usual weird strange surprising obvious hidden missing wrong right sure unsure happy frustrated tired worried scared safe risky manual automatic green red yellow stuck loud quiet busy empty full shared own other another each both few many several certain specific general simple complex cheap expensive useful useless";
const NAMES: &str = "Maya Lindqvist|Priya Raman|Tomasz Kowalski|Adaeze Okafor|Jonas Berg|Lucía Fernández|Kenji Watanabe|Fatima Zahra|Oliver Grant|Chloé Dubois|Diego Hernández|Amara Nwosu|Sven Olsen|Mei Chen|Ravi Kapoor|Elif Yılmaz|Noah Williams|Hana Kobayashi|Tariq Aziz|Ingrid Nilsson";
const TAGS: &str = "Deploy/Gates|Deploy/Rollback|Deploy/Canary|Observability/Logs|Observability/Dashboards|Pain point|Workaround|Trust|On-call|Pipeline/Speed|Pipeline/Flaky tests|Incidents";

struct Vocab {
    words: Vec<String>,
    cdf: Vec<f64>,
}

impl Vocab {
    fn new(rng: &mut Rng) -> Vocab {
        let mut words: Vec<String> = Vec::new();
        for list in [FUNCTION, DOMAIN, CONTENT] {
            words.extend(list.split_whitespace().map(String::from));
        }
        // A long tail of rare words: product names, hostnames, ticket ids, jargon.
        let syll = [
            "ka", "zo", "ri", "mel", "tor", "vex", "lin", "qua", "bar", "nix", "pol", "dra", "sen", "fi",
            "gul",
        ];
        for i in 0..20_000 {
            let n = 2 + rng.below(3);
            let mut w: String = (0..n).map(|_| syll[rng.below(syll.len())]).collect();
            if i % 7 == 0 {
                w.push_str(&format!("-{}", rng.below(900) + 100));
            }
            words.push(w);
        }
        // Zipf(1.05) over the list order: function words first, then domain, content, tail.
        let weights: Vec<f64> = (1..=words.len()).map(|r| 1.0 / (r as f64).powf(1.05)).collect();
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let cdf = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        Vocab { words, cdf }
    }
    fn word(&self, rng: &mut Rng) -> &str {
        let u = rng.unit();
        let i = self.cdf.partition_point(|c| *c < u).min(self.words.len() - 1);
        &self.words[i]
    }
}

fn sentence(v: &Vocab, rng: &mut Rng, words: usize) -> String {
    let mut s = String::with_capacity(words * 7);
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        let w = v.word(rng);
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push_str(w);
        }
        if i + 1 < words && rng.below(12) == 0 {
            s.push(',');
        }
    }
    s.push(if rng.below(6) == 0 { '?' } else { '.' });
    s
}

struct Corpus {
    words: u64,
    segments: u64,
}

fn generate(ws: &mut Workspace, sessions: usize, rng: &mut Rng, v: &Vocab) -> Corpus {
    let names: Vec<&str> = NAMES.split('|').collect();
    let tags: Vec<&str> = TAGS.split('|').collect();
    let tx = ws.conn_mut().transaction().unwrap();
    // The change log is for incremental sync; a bulk load is followed by a rebuild anyway.
    tx.execute_batch("DROP TRIGGER search_segments_ins; DROP TRIGGER search_highlights_ins; DROP TRIGGER search_highlight_tags_ins;").unwrap();
    let study = rapport::study::create(&tx, "Platform interviews", None, None).unwrap();
    let roles = ["service engineer", "ops", "SRE", "automation", "test", "product"];
    let teams = ["payments", "checkout", "platform", "identity", "data", "mobile", "search", "ledger"];
    for (i, n) in names.iter().enumerate() {
        tx.execute(
            "INSERT INTO people (email, name, team, role, created_at) VALUES (?1, ?2, ?3, ?4, 'x')",
            params![format!("p{i}@example.com"), n, teams[i % teams.len()], roles[i % roles.len()]],
        )
        .unwrap();
    }
    for t in &tags {
        rapport::coding::ensure_tag(&tx, t, None).unwrap();
    }
    let mut words = 0u64;
    let mut segments = 0u64;
    {
        let mut ins_seg = tx
            .prepare("INSERT INTO segments (transcript_id, position, start_ms, end_ms, speaker_id, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .unwrap();
        for s in 0..sessions {
            let person = 2 + (s % (names.len() - 1)) as i64; // person 1 is the interviewer
            let day = 1_735_689_600 + (s as i64) * 60_000; // from 2025-01-01, ~every 17 h
            let at = chrono::DateTime::from_timestamp(day, 0).unwrap().to_rfc3339();
            let sid = rapport::session::create(&tx, study, person, &at).unwrap();
            tx.execute(
                "INSERT INTO transcripts (session_id, source, created_at) VALUES (?1, 'bench', 'x')",
                [sid],
            )
            .unwrap();
            let tid = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO speakers (session_id, label, name) VALUES (?1, ?2, ?2)",
                params![sid, names[0]],
            )
            .unwrap();
            let interviewer = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO speakers (session_id, label, name, person_id) VALUES (?1, ?2, ?2, ?3)",
                params![sid, names[(person - 1) as usize], person],
            )
            .unwrap();
            let interviewee = tx.last_insert_rowid();
            let mut t = 0i64;
            let mut pos = 0;
            while t < 3_600_000 {
                let speaker = if pos % 4 == 0 { interviewer } else { interviewee };
                let n = if speaker == interviewer { 6 + rng.below(10) } else { 6 + rng.below(24) };
                let text = sentence(v, rng, n);
                let dur = (n as i64) * 400;
                ins_seg.execute(params![tid, pos, t, t + dur, speaker, text]).unwrap();
                words += n as u64;
                segments += 1;
                pos += 1;
                t += dur + 200 + rng.below(800) as i64;
            }
            for h in 0..5 {
                let start = (h as i64) * 600_000 + rng.below(300_000) as i64;
                let tag = tags[rng.below(tags.len())];
                tx.execute(
                    "INSERT INTO highlights (session_id, start_ms, end_ms, text, created_at) VALUES (?1, ?2, ?3, ?4, 'x')",
                    params![sid, start, start + 20_000, sentence(v, rng, 12)],
                )
                .unwrap();
                let hid = tx.last_insert_rowid();
                let tag_id = rapport::coding::ensure_tag(&tx, tag, None).unwrap();
                tx.execute("INSERT INTO highlight_tags VALUES (?1, ?2)", params![hid, tag_id]).unwrap();
            }
        }
    }
    tx.commit().unwrap();
    Corpus { words, segments }
}

fn queries(v: &Vocab, rng: &mut Rng, n: usize) -> Vec<(String, String)> {
    let names: Vec<&str> = NAMES.split('|').collect();
    let domain: Vec<&str> = DOMAIN.split_whitespace().filter(|w| w.len() > 3 && !w.contains('-')).collect();
    let phrases = [
        "error budget",
        "circuit breaker",
        "rolled back",
        "feature flag",
        "health check",
        "change freeze",
        "on-call",
        "crash loop",
    ];
    let tail_from = FUNCTION.split_whitespace().count()
        + DOMAIN.split_whitespace().count()
        + CONTENT.split_whitespace().count();
    let mut out = Vec::new();
    for i in 0..n {
        let d = domain[rng.below(domain.len())];
        let q = match i % 8 {
            0 => (d.to_string(), d.to_string()),
            1 => {
                let rare = v.words[tail_from + rng.below(2_000)].replace('-', " ");
                let rare = rare.split(' ').next().unwrap().to_string();
                (rare.clone(), rare)
            }
            2 => {
                let p = phrases[rng.below(phrases.len())];
                (format!("\"{p}\""), format!("\"{}\"", p.replace('-', " ")))
            }
            3 => {
                let e = domain[rng.below(domain.len())];
                (format!("{d} {e}"), format!("{d} AND {e}"))
            }
            4 => {
                let e = domain[rng.below(domain.len())];
                (format!("{d} OR {e}"), format!("{d} OR {e}"))
            }
            5 => {
                let p: String = d.chars().take(4).collect();
                (format!("{p}*"), format!("{p}*"))
            }
            6 => {
                let who = names[1 + rng.below(names.len() - 1)];
                (format!("{d} speaker:\"{who}\""), format!("text:{d} AND speaker:\"{who}\""))
            }
            _ => {
                let c = CONTENT.split_whitespace().nth(rng.below(40)).unwrap();
                (format!("{c} {d}"), format!("{c} AND {d}"))
            }
        };
        out.push(q);
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn dir_size(p: &Path) -> u64 {
    let Ok(meta) = std::fs::metadata(p) else { return 0 };
    if meta.is_file() {
        return meta.len();
    }
    std::fs::read_dir(p).map(|d| d.flatten().map(|e| dir_size(&e.path())).sum()).unwrap_or(0)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn mb(b: u64) -> String {
    format!("{:.0} MB", b as f64 / 1_048_576.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let sessions: usize = arg("--sessions").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let nq: usize = arg("--queries").and_then(|v| v.parse().ok()).unwrap_or(240);
    let tmp;
    let root: PathBuf = match arg("--dir") {
        Some(d) => PathBuf::from(d),
        None => {
            tmp = tempfile::tempdir().unwrap();
            tmp.path().to_path_buf()
        }
    };
    let _ = std::fs::remove_dir_all(root.join("ws"));
    let mut rng = Rng(0x5EED_2026);
    let vocab = Vocab::new(&mut rng);
    let mut ws = Workspace::create(&root.join("ws")).unwrap();
    eprintln!("generating {sessions} one-hour interviews…");
    let t = Instant::now();
    let corpus = generate(&mut ws, sessions, &mut rng, &vocab);
    eprintln!("  {} segments, {} words in {:.1} s", corpus.segments, corpus.words, t.elapsed().as_secs_f64());

    eprintln!("building Rapport's index…");
    let index = SearchIndex::open_unsynced(&ws).unwrap();
    let t = Instant::now();
    let Outcome::Done(report) = index.rebuild(ws.conn(), &NoProgress, &CancelToken::new()).unwrap() else {
        panic!("cancelled")
    };
    let tantivy_build = t.elapsed();
    let tantivy_size = dir_size(&root.join("ws/index"));
    eprintln!("  {} documents in {:.1} s", report.documents, tantivy_build.as_secs_f64());

    eprintln!("building the FTS5 peer…");
    let fts_path = root.join("fts5.db");
    let _ = std::fs::remove_file(&fts_path);
    let fts = rusqlite::Connection::open(&fts_path).unwrap();
    fts.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; ATTACH '{}' AS store;",
        root.join("ws/rapport.db").display()
    ))
    .unwrap();
    let t = Instant::now();
    fts.execute_batch(
        "CREATE VIRTUAL TABLE fts USING fts5(text, speaker, kind UNINDEXED, session UNINDEXED, start_ms UNINDEXED, tokenize = 'porter unicode61');
         INSERT INTO fts (text, speaker, kind, session, start_ms)
           SELECT g.text, sp.name, 'segment', t.session_id, g.start_ms FROM store.segments g
           JOIN store.transcripts t ON t.id = g.transcript_id LEFT JOIN store.speakers sp ON sp.id = g.speaker_id;
         INSERT INTO fts (fts) VALUES ('optimize');",
    )
    .unwrap();
    let fts_build = t.elapsed();
    fts.execute_batch("DETACH store").unwrap();
    let fts_size = std::fs::metadata(&fts_path).map(|m| m.len()).unwrap_or(0);
    eprintln!("  built in {:.1} s", fts_build.as_secs_f64());

    let qs = queries(&vocab, &mut rng, nq);
    let opts = SearchOptions { limit: 10, counts: false, ..Default::default() };
    let with_counts = SearchOptions { limit: 10, counts: true, ..Default::default() };
    let mut stmt = fts
        .prepare(
            "SELECT session, start_ms, snippet(fts, 0, '<mark>', '</mark>', '…', 24) FROM fts WHERE fts MATCH ?1 ORDER BY rank LIMIT 10",
        )
        .unwrap();
    // Warm both (page cache, mmap) with one pass, then measure interleaved.
    for (q, f) in &qs {
        let _ = index.search(q, &opts);
        let _ = stmt.query_map([f], |_| Ok(())).map(|r| r.count());
    }
    let (mut ours, mut ours_counts, mut peer) = (Vec::new(), Vec::new(), Vec::new());
    let (mut our_hits, mut peer_hits) = (0usize, 0usize);
    for (q, f) in &qs {
        let t = Instant::now();
        let r = index.search(q, &opts).unwrap_or_else(|e| panic!("query {q:?}: {e}"));
        ours.push(t.elapsed());
        our_hits += r.hits.len();
        let t = Instant::now();
        let _ = index.search(q, &with_counts).unwrap();
        ours_counts.push(t.elapsed());
        let t = Instant::now();
        let rows: Vec<String> = stmt
            .query_map([f], |r| r.get::<_, String>(2))
            .unwrap_or_else(|e| panic!("fts query {f:?}: {e}"))
            .map(|r| r.unwrap())
            .collect();
        peer.push(t.elapsed());
        peer_hits += rows.len();
    }
    for v in [&mut ours, &mut ours_counts, &mut peer] {
        v.sort();
    }
    let wps = corpus.words as f64 / tantivy_build.as_secs_f64();
    let fts_wps = corpus.words as f64 / fts_build.as_secs_f64();
    println!(
        "Corpus: {sessions} one-hour interviews, {} segments, {:.1} M words; {} queries (terms common and rare, phrases, AND, OR, prefixes, speaker filters), top 10 by relevance with snippets; {} cores.\n",
        corpus.segments,
        corpus.words as f64 / 1e6,
        qs.len(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    println!("| engine | index build | words/s | index size | p50 | p99 | hits returned |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| Rapport (tantivy) | {:.1} s | {:.2} M | {} | {} | {} | {} |",
        tantivy_build.as_secs_f64(),
        wps / 1e6,
        mb(tantivy_size),
        ms(percentile(&ours, 0.5)),
        ms(percentile(&ours, 0.99)),
        our_hits
    );
    println!(
        "| Rapport, with counts by study/kind/speaker | | | | {} | {} | |",
        ms(percentile(&ours_counts, 0.5)),
        ms(percentile(&ours_counts, 0.99))
    );
    println!(
        "| SQLite FTS5 (porter) | {:.1} s | {:.2} M | {} | {} | {} | {} |",
        fts_build.as_secs_f64(),
        fts_wps / 1e6,
        mb(fts_size),
        ms(percentile(&peer, 0.5)),
        ms(percentile(&peer, 0.99)),
        peer_hits
    );
    println!(
        "\nRapport is {:.1}× faster than FTS5 at p50 and {:.1}× at p99.",
        percentile(&peer, 0.5).as_secs_f64() / percentile(&ours, 0.5).as_secs_f64(),
        percentile(&peer, 0.99).as_secs_f64() / percentile(&ours, 0.99).as_secs_f64()
    );
}
