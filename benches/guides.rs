//! `scripts/bench guides`: the question lint and the answers alignment, timed.
//!
//! Lint: a guide of 200 questions, each with two probes (600 texts), built from the demo
//! guide's questions and the lint tests' bad examples (fixed order), linted whole 50 times;
//! the median and the worst run. Alignment: the 16-question demo guide against a generated
//! one-hour transcript of 1,200 segments (two speakers, the questions asked in order with
//! small talk between), 20 runs. Prints a Markdown table.

use std::time::{Duration, Instant};

use rapport::guide::{self, align, lint};
use rapport::transcript::Segment;

const BAD: &[&str] = &[
    "Don't you think the new deploy system is faster?",
    "How fast and reliable is the deploy pipeline?",
    "Do you use feature flags?",
    "Would you use a dashboard that showed every gate?",
    "Should we add a rollback button?",
    "How often do you deploy?",
    "How do you check the SLO burn rate before a deploy?",
    "Why is the old deploy system so frustrating?",
    "Thinking about the whole process from the moment you merge a pull request to the moment the change is live in production for every customer, where do you wait?",
];

fn median(mut d: Vec<Duration>) -> (Duration, Duration) {
    d.sort();
    (d[d.len() / 2], *d.last().expect("runs"))
}

fn main() {
    let demo =
        guide::parse(include_str!("../assets/demo/guide.md"), "guide.md").expect("the demo guide parses");
    let good: Vec<String> =
        demo.sections.iter().flat_map(|s| s.questions.iter().map(|q| q.text.clone())).collect();
    let mut texts: Vec<String> = good.clone();
    texts.extend(BAD.iter().map(|s| s.to_string()));
    let mut md = String::from("# Bench guide\n\n");
    for i in 0..200 {
        if i % 20 == 0 {
            md.push_str(&format!("\n## Section {}\n\n", i / 20 + 1));
        }
        md.push_str(&format!("{}. {}\n", i % 20 + 1, texts[i % texts.len()]));
        md.push_str(&format!(
            "   - {}\n   - {}\n",
            texts[(i + 3) % texts.len()],
            texts[(i + 7) % texts.len()]
        ));
    }
    let doc = guide::parse(&md, "bench.md").expect("the bench guide parses");
    let mut runs = Vec::new();
    let mut problems = 0;
    for _ in 0..50 {
        let t = Instant::now();
        let r = lint::lint(&doc);
        runs.push(t.elapsed());
        problems = r.problems;
    }
    let (lint_p50, lint_max) = median(runs);

    let asked: Vec<align::Asked> = demo
        .sections
        .iter()
        .flat_map(|s| s.questions.iter())
        .map(|q| align::Asked { text: q.text.clone(), probes: q.probes.clone() })
        .collect();
    let filler = [
        "Yeah, so that's a good question, let me think.",
        "We had a retro about it last sprint and nothing much came out of it.",
        "Honestly it depends on the week and on who is on call.",
        "Mm-hm, right, okay.",
    ];
    let mut segments = Vec::new();
    let per_question = 1200 / asked.len();
    for (qi, q) in asked.iter().enumerate() {
        for k in 0..per_question {
            let i = segments.len() as i64;
            let (speaker, text) = if k == 0 {
                ("Interviewer", format!("Okay, next one. {}", q.text))
            } else if k % 5 == 0 {
                ("Interviewer", "Mm-hm. Can you say more about that?".to_string())
            } else {
                ("Participant", format!("{} ({qi}.{k})", filler[k % filler.len()]))
            };
            segments.push(Segment {
                id: i,
                start_ms: i * 3000,
                end_ms: i * 3000 + 2800,
                speaker: Some(speaker.into()),
                text,
            });
        }
    }
    let mut runs = Vec::new();
    let mut found = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let r = align::align(&asked, &segments);
        runs.push(t.elapsed());
        found = r.iter().flatten().count();
    }
    let (align_p50, align_max) = median(runs);
    println!("| task | input | median | slowest | result |");
    println!("|---|---|---|---|---|");
    println!(
        "| lint a guide | 200 questions + 400 probes | {:.2} ms | {:.2} ms | {problems} problems |",
        lint_p50.as_secs_f64() * 1e3,
        lint_max.as_secs_f64() * 1e3
    );
    println!(
        "| align answers | 16 questions × {} segments (one hour) | {:.2} ms | {:.2} ms | {found}/16 found |",
        segments.len(),
        align_p50.as_secs_f64() * 1e3,
        align_max.as_secs_f64() * 1e3
    );
}
