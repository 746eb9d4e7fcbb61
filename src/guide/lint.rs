//! The question lint: rule-based checks of every question and probe of a guide, each
//! problem with a code, a reason and a suggested rewrite.
//!
//! The rules follow how interview methodologists define a bad question, not a list of
//! example sentences: `leading` (the wording proposes the answer or the interviewer's
//! view), `double_barrelled` (two questions in one), `closed` (a yes/no form where the aim is
//! to learn; questions of kind `closed`, `rating` or `task` may be), `hypothetical` (asks to
//! predict or imagine), `solution` (asks whether they want a feature instead of about their
//! need), `vague` (a quantifier or judgement word everyone reads differently, with no anchor
//! such as "the last time"), `jargon` (an acronym or internal term the guide never explains),
//! `loaded` (emotionally charged or presumptive wording) and `too_long` (more than 25 words,
//! or more than two sentences). Everything is word matching on a normalised text, so it is
//! explainable, offline and fast. The rewrites live in [`rewrite`](super::rewrite).

use serde::Serialize;
use ts_rs::TS;

use super::rewrite;
use super::rules;
use super::{GuideDoc, QuestionKind};

/// What a lint rule found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LintCode {
    Leading,
    DoubleBarrelled,
    Closed,
    Hypothetical,
    Solution,
    Vague,
    Jargon,
    Loaded,
    TooLong,
}

/// One problem of one question.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Problem {
    pub code: LintCode,
    /// Why this is a problem, naming the words that show it.
    pub reason: String,
    /// The question rewritten without the problem.
    pub suggestion: String,
    /// The words of the question that triggered the rule, as written.
    pub words: String,
}

/// One question or probe and its problems, in the guide's order.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LintEntry {
    pub section: String,
    pub text: String,
    /// The question's number in the guide (1-based); a probe has its question's number.
    pub question: usize,
    /// The probe's number under its question (1-based), none for the question itself.
    pub probe: Option<usize>,
    pub problems: Vec<Problem>,
}

/// The lint of a whole guide.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LintReport {
    pub questions: Vec<LintEntry>,
    /// How many problems in all.
    pub problems: usize,
}

/// Lints every question and probe of a guide.
pub fn lint(doc: &GuideDoc) -> LintReport {
    let glossary = glossary_text(doc);
    let mut questions = Vec::new();
    let mut n = 0;
    for s in &doc.sections {
        for q in &s.questions {
            n += 1;
            let problems = check(&q.text, q.kind, &glossary);
            questions.push(LintEntry {
                section: s.title.clone(),
                text: q.text.clone(),
                question: n,
                probe: None,
                problems,
            });
            for (i, p) in q.probes.iter().enumerate() {
                // A probe follows up on an answer: a short yes/no check there is the kind's to say.
                let problems = check(p, QuestionKind::Open, &glossary);
                questions.push(LintEntry {
                    section: s.title.clone(),
                    text: p.clone(),
                    question: n,
                    probe: Some(i + 1),
                    problems,
                });
            }
        }
    }
    let problems = questions.iter().map(|q| q.problems.len()).sum();
    LintReport { questions, problems }
}

/// All the guide's text, where an acronym may be explained.
pub fn glossary_text(doc: &GuideDoc) -> String {
    let mut all = vec![doc.title.clone(), doc.intro.clone()];
    for s in &doc.sections {
        all.push(s.title.clone());
        all.push(s.note.clone());
        for q in &s.questions {
            all.push(q.text.clone());
            all.extend(q.probes.iter().cloned());
            all.extend(q.note.iter().cloned());
        }
    }
    all.join("\n")
}

/// A question's text, tokenised for matching.
pub struct Text {
    /// The text as written, apostrophes and quotes made plain.
    pub original: String,
    /// Lower-case words (letters, digits, inner `'` and `-`), in order.
    pub words: Vec<String>,
    /// The same words as written.
    pub raw: Vec<String>,
    /// Where each word is in `original` (byte range).
    pub offsets: Vec<(usize, usize)>,
}

impl Text {
    pub fn new(text: &str) -> Text {
        let original: String = text
            .chars()
            .map(|c| match c {
                '\u{2018}' | '\u{2019}' | '\u{02bc}' => '\'',
                '\u{201c}' | '\u{201d}' => '"',
                c => c,
            })
            .collect();
        let is_word =
            |c: char| c.is_alphanumeric() || c == '\'' || c == '-' || c == '_' || c == '&' || c == '/';
        let mut raw = Vec::new();
        let mut offsets = Vec::new();
        let mut start: Option<usize> = None;
        for (i, c) in original.char_indices().chain(std::iter::once((original.len(), ' '))) {
            match (is_word(c), start) {
                (true, None) => start = Some(i),
                (false, Some(s0)) => {
                    let piece = &original[s0..i];
                    let trimmed = piece.trim_start_matches(['\'', '-', '/', '&']);
                    let from = s0 + piece.len() - trimmed.len();
                    let trimmed = trimmed.trim_end_matches(['\'', '-', '/', '&']);
                    if !trimmed.is_empty() {
                        raw.push(trimmed.to_string());
                        offsets.push((from, from + trimmed.len()));
                    }
                    start = None;
                }
                _ => {}
            }
        }
        let words = raw.iter().map(|w| w.to_lowercase()).collect();
        Text { original, words, raw, offsets }
    }

    /// Where a phrase (space-separated lower-case words) starts, if it occurs.
    pub fn find(&self, phrase: &str) -> Option<usize> {
        let first = phrase.split(' ').next().unwrap_or("");
        (0..self.words.len()).find(|&i| (first == "*" || self.words[i] == first) && self.at(i, phrase))
    }

    /// Whether the phrase `p` is at word `i`, its words separated by spaces only (a phrase
    /// does not run across a comma: "What, if anything," is not "what if").
    fn at(&self, i: usize, phrase: &str) -> bool {
        let mut n = 0;
        for (k, w) in phrase.split(' ').enumerate() {
            let j = i + k;
            if j >= self.words.len() || (w != "*" && self.words[j] != w) {
                return false;
            }
            if k > 0 && !self.original[self.offsets[j - 1].1..self.offsets[j].0].trim().is_empty() {
                return false;
            }
            n += 1;
        }
        n > 0
    }

    /// The first of the phrases that occurs, with its position.
    pub fn find_any<'p>(&self, phrases: &[&'p str]) -> Option<(usize, &'p str)> {
        phrases.iter().filter_map(|p| self.find(p).map(|i| (i, *p))).min_by_key(|(i, _)| *i)
    }

    pub fn has(&self, word: &str) -> bool {
        self.words.iter().any(|w| w == word)
    }

    /// The words as written from `from`, `n` of them.
    pub fn span(&self, from: usize, n: usize) -> String {
        self.raw[from..(from + n).min(self.raw.len())].join(" ")
    }
}

/// Checks one question (or probe) of the given kind; `glossary` is the guide's whole text.
pub fn check(text: &str, kind: QuestionKind, glossary: &str) -> Vec<Problem> {
    let t = Text::new(text);
    if t.words.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut push = |code, reason: String, words: String| {
        let suggestion = rewrite::rewrite(code, &t, &words);
        out.push(Problem { code, reason, suggestion, words });
    };
    if let Some((why, words)) = rules::leading(&t) {
        push(LintCode::Leading, why, words);
    }
    if let Some((why, words)) = rules::double_barrelled(&t) {
        push(LintCode::DoubleBarrelled, why, words);
    }
    if !matches!(kind, QuestionKind::Closed | QuestionKind::Rating | QuestionKind::Task) {
        if let Some(words) = rules::closed(&t) {
            push(
                LintCode::Closed,
                format!("\"{words}…\" asks for a yes or a no; an open question (how, what, tell me about) lets people tell what happened. Mark it {{kind: closed}} if a yes/no is what you need"),
                words,
            );
        }
    }
    if let Some(words) = rules::hypothetical(&t) {
        push(
            LintCode::Hypothetical,
            format!("\"{words}\" asks people to predict or imagine; what people say they would do is a poor guide to what they do. Ask about what they did the last time"),
            words,
        );
    }
    if let Some(words) = rules::solution(&t) {
        push(
            LintCode::Solution,
            format!("\"{words}\" asks whether they want a feature; ask about the need behind it (what they do today, what got in the way) and design the solution yourself"),
            words,
        );
    }
    if let Some(words) = rules::vague(&t) {
        push(
            LintCode::Vague,
            format!("\"{words}\" means different things to different people; anchor it to something concrete, such as the last time it happened or a count over a period"),
            words,
        );
    }
    for term in rules::jargon(&t, glossary) {
        push(
            LintCode::Jargon,
            format!("\"{term}\" is an acronym or internal term the guide never explains; say what it means (e.g. \"{term} (…)\" in the question or the intro), or use plain words"),
            term,
        );
    }
    if let Some((why, words)) = rules::loaded(&t) {
        push(LintCode::Loaded, why, words);
    }
    if let Some(why) = rules::too_long(&t) {
        push(LintCode::TooLong, why, String::new());
    }
    out
}
