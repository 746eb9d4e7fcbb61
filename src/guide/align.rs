//! Answers by question: where in a transcript the interviewer asked each guide question,
//! and what the participant answered.
//!
//! The interviewer is the speaker whose turns look most like the guide's questions. Each of
//! their segments (alone, or with the one before it in the same turn) is scored against
//! each question and its probes: the share of the question's content words (stemmed, weighted
//! by how rare they are among the guide's questions) that the segment says. A dynamic
//! programme then picks, in the guide's order, the best-scoring set of matches above a
//! threshold, so a reworded question still matches, a skipped one is left out, and small
//! talk matches nothing. A question's answer is what the other speakers say from its match
//! to the next matched question.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use ts_rs::TS;

use crate::transcript::Segment;

/// A question to find: its text and probes.
#[derive(Debug, Clone)]
pub struct Asked {
    pub text: String,
    pub probes: Vec<String>,
}

/// Where a question was asked and answered in one transcript.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AnswerSpan {
    /// When the interviewer asked it.
    pub asked_ms: i64,
    /// The answer's start and end (the question's own segment when nobody answered).
    pub start_ms: i64,
    pub end_ms: i64,
    /// The answer's beginning, at most about 240 characters.
    pub excerpt: String,
    /// How well the interviewer's words matched the question (0 to 1).
    pub score: f64,
}

/// The lowest score that counts as the question being asked.
pub const THRESHOLD: f64 = 0.4;

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "about", "from", "by",
    "is", "are", "was", "were", "be", "been", "it", "its", "that", "this", "these", "those", "you", "your",
    "me", "my", "i", "we", "our", "us", "they", "them", "their", "do", "does", "did", "have", "has", "had",
    "so", "what", "how", "when", "where", "who", "which", "why", "can", "could", "would", "will", "if", "um",
    "uh", "like", "just", "okay", "ok", "yeah", "right", "well", "really", "any", "some", "there", "tell",
    "s", "t", "re", "ve", "ll", "d", "m", "as", "up", "out", "into", "then", "than", "not", "no",
];

/// Content words, lower-cased and stemmed.
pub fn tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
        .map(stem)
        .collect()
}

/// A light suffix-stripping stem: "deploys", "deployed", "deploying" → "deploy".
fn stem(w: &str) -> String {
    let w = w.to_string();
    for suffix in ["ing", "ed", "es", "s", "ly"] {
        if w.len() > suffix.len() + 3 {
            if let Some(base) = w.strip_suffix(suffix) {
                return base.to_string();
            }
        }
    }
    w
}

/// Word similarity of two texts (Dice coefficient of their content-word sets).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (x, y): (HashSet<String>, HashSet<String>) =
        (tokens(a).into_iter().collect(), tokens(b).into_iter().collect());
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    2.0 * x.intersection(&y).count() as f64 / (x.len() + y.len()) as f64
}

/// The questions' content words with their weights (rarer words among the questions weigh more).
struct Weights {
    idf: HashMap<String, f64>,
}

impl Weights {
    fn new(questions: &[Asked]) -> Weights {
        let mut df: HashMap<String, usize> = HashMap::new();
        for q in questions {
            let all: HashSet<String> =
                std::iter::once(&q.text).chain(&q.probes).flat_map(|t| tokens(t)).collect();
            for t in all {
                *df.entry(t).or_default() += 1;
            }
        }
        let n = questions.len().max(1) as f64;
        Weights { idf: df.into_iter().map(|(t, d)| (t, (1.0 + n / d as f64).ln())).collect() }
    }

    /// A question's content words with their weights, and their total.
    fn prepare(&self, question: &str) -> (Vec<(String, f64)>, f64) {
        let q: HashSet<String> = tokens(question).into_iter().collect();
        let words: Vec<(String, f64)> = q
            .into_iter()
            .map(|t| {
                let w = self.idf.get(&t).copied().unwrap_or(1.0);
                (t, w)
            })
            .collect();
        let total = words.iter().map(|(_, w)| w).sum();
        (words, total)
    }
}

/// A question prepared for scoring: its words and its probes' words, weighted.
struct Prepared {
    main: (Vec<(String, f64)>, f64),
    probes: Vec<(Vec<(String, f64)>, f64)>,
}

impl Prepared {
    fn new(w: &Weights, q: &Asked) -> Prepared {
        Prepared { main: w.prepare(&q.text), probes: q.probes.iter().map(|p| w.prepare(p)).collect() }
    }

    /// The weighted share of the question's words (or 0.8 × a probe's) that `said` contains.
    fn score(&self, said: &HashSet<String>) -> f64 {
        let recall = |(words, total): &(Vec<(String, f64)>, f64)| {
            if *total == 0.0 {
                return 0.0;
            }
            words.iter().filter(|(t, _)| said.contains(t)).map(|(_, w)| w).sum::<f64>() / total
        };
        let probe = self.probes.iter().map(recall).fold(0.0, f64::max);
        recall(&self.main).max(0.8 * probe)
    }
}

/// Finds each question in the transcript; `None` for a question that was not asked.
pub fn align(questions: &[Asked], segments: &[Segment]) -> Vec<Option<AnswerSpan>> {
    if questions.is_empty() || segments.is_empty() {
        return vec![None; questions.len()];
    }
    let weights = Weights::new(questions);
    let prepared: Vec<Prepared> = questions.iter().map(|q| Prepared::new(&weights, q)).collect();
    let said: Vec<HashSet<String>> = segments.iter().map(|s| tokens(&s.text).into_iter().collect()).collect();
    // Each segment with the one before it when the same speaker said both.
    let said_with_prev: Vec<HashSet<String>> = (0..segments.len())
        .map(|i| {
            let mut s = said[i].clone();
            if i > 0 && segments[i - 1].speaker == segments[i].speaker {
                s.extend(said[i - 1].iter().cloned());
            }
            s
        })
        .collect();
    let interviewer = interviewer(&prepared, segments, &said);
    let candidates: Vec<usize> = (0..segments.len())
        .filter(|&i| interviewer.as_ref().is_none_or(|sp| segments[i].speaker.as_ref() == Some(sp)))
        .collect();
    let score = |q: usize, c: usize| {
        let i = candidates[c];
        prepared[q].score(&said[i]).max(prepared[q].score(&said_with_prev[i]) * 0.95)
    };
    // best[q][c]: the best total for the first q questions using the first c candidates.
    let (nq, nc) = (questions.len(), candidates.len());
    let mut best = vec![vec![0.0f64; nc + 1]; nq + 1];
    let mut took = vec![vec![false; nc + 1]; nq + 1];
    let mut scores = vec![vec![0.0f64; nc]; nq];
    for (q, row) in scores.iter_mut().enumerate() {
        for (c, s) in row.iter_mut().enumerate() {
            *s = score(q, c);
        }
    }
    for q in 1..=nq {
        for c in 1..=nc {
            // Skip the question, or skip the candidate, or match them.
            let mut v = best[q - 1][c].max(best[q][c - 1]);
            let s = scores[q - 1][c - 1];
            if s >= THRESHOLD && best[q - 1][c - 1] + s > v {
                v = best[q - 1][c - 1] + s;
                took[q][c] = true;
            }
            best[q][c] = v;
        }
    }
    let mut matched: Vec<Option<(usize, f64)>> = vec![None; nq];
    let (mut q, mut c) = (nq, nc);
    while q > 0 && c > 0 {
        if took[q][c] && (best[q][c] - (best[q - 1][c - 1] + scores[q - 1][c - 1])).abs() < 1e-12 {
            matched[q - 1] = Some((candidates[c - 1], scores[q - 1][c - 1]));
            q -= 1;
            c -= 1;
        } else if (best[q][c] - best[q - 1][c]).abs() < 1e-12 {
            q -= 1;
        } else {
            c -= 1;
        }
    }
    // A question is asked where it first comes up: a match on a probe moves back to the
    // question itself (or an earlier probe) asked since the previous matched question.
    let mut prev: Option<usize> = None;
    for (q, m) in matched.iter_mut().enumerate() {
        let Some((seg, score)) = *m else { continue };
        let c_now = candidates.iter().position(|&c| c == seg).expect("a candidate");
        let from = prev.map(|p| p + 1).unwrap_or(0);
        if let Some(c) = (from..c_now).find(|&c| scores[q][c] >= THRESHOLD) {
            *m = Some((candidates[c], score.max(scores[q][c])));
        }
        prev = Some(c_now);
    }
    let starts: Vec<usize> = matched.iter().flatten().map(|m| m.0).collect();
    matched
        .iter()
        .map(|m| {
            let (seg, score) = (*m)?;
            let next = starts.iter().copied().filter(|&s| s > seg).min().unwrap_or(segments.len());
            let answer: Vec<&Segment> = segments[seg + 1..next]
                .iter()
                .filter(|s| interviewer.is_none() || s.speaker != interviewer)
                .collect();
            let asked = &segments[seg];
            let (start_ms, end_ms) = match (answer.first(), answer.last()) {
                (Some(a), Some(b)) => (a.start_ms, b.end_ms),
                _ => (asked.start_ms, asked.end_ms),
            };
            let text = answer.iter().map(|s| s.text.trim()).collect::<Vec<_>>().join(" ");
            Some(AnswerSpan {
                asked_ms: asked.start_ms,
                start_ms,
                end_ms,
                excerpt: excerpt(&text, 240),
                score: (score.min(1.0) * 1000.0).round() / 1000.0,
            })
        })
        .collect()
}

/// The speaker whose segments match the questions best; none when segments carry no speakers.
fn interviewer(questions: &[Prepared], segments: &[Segment], said: &[HashSet<String>]) -> Option<String> {
    let mut totals: HashMap<&str, f64> = HashMap::new();
    for (s, words) in segments.iter().zip(said) {
        let Some(sp) = s.speaker.as_deref() else { continue };
        let best = questions.iter().map(|q| q.score(words)).fold(0.0, f64::max);
        let asks = if s.text.trim_end().ends_with('?') { 0.2 } else { 0.0 };
        *totals.entry(sp).or_default() += if best >= THRESHOLD { best + asks } else { asks };
    }
    totals.into_iter().max_by(|a, b| a.1.total_cmp(&b.1)).map(|(s, _)| s.to_string())
}

/// At most `max` characters, cut at a word, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end_matches([',', ';', ' ']))
}
