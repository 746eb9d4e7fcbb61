//! Comparing two versions of a guide: which questions were added, removed, reworded, moved
//! or edited (kind, time budget, probes, note), and whether the title or intro changed.
//!
//! Questions are paired first by identical text, then by word similarity (the same measure
//! the answers alignment uses), so a reworded question is one change, not a removal and an
//! addition.

use serde::Serialize;
use ts_rs::TS;

use super::align::similarity;
use super::{GuideDoc, GuideQuestion};

/// What happened to one question between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Unchanged,
    Added,
    Removed,
    Reworded,
    Moved,
    Edited,
}

/// One question's change.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QuestionChange {
    pub change: ChangeKind,
    pub section: String,
    pub old_text: Option<String>,
    pub new_text: Option<String>,
    /// What else changed: "probes", "kind", "minutes", "note", "section".
    pub details: Vec<String>,
}

/// The difference of two versions.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GuideDiff {
    pub title_changed: bool,
    pub intro_changed: bool,
    pub added: usize,
    pub removed: usize,
    pub reworded: usize,
    pub moved: usize,
    pub edited: usize,
    /// The new version's questions in order (removed ones after the question they followed).
    pub changes: Vec<QuestionChange>,
}

/// A question with its section and place in the guide.
struct Flat<'a> {
    section: &'a str,
    q: &'a GuideQuestion,
}

fn flatten(doc: &GuideDoc) -> Vec<Flat<'_>> {
    doc.sections.iter().flat_map(|s| s.questions.iter().map(move |q| Flat { section: &s.title, q })).collect()
}

/// Pairs each question of `old` with the one of `new` it became, if any.
pub fn matching(old: &GuideDoc, new: &GuideDoc) -> Vec<Option<usize>> {
    let (a, b) = (flatten(old), flatten(new));
    pair(&a, &b)
}

fn pair(a: &[Flat<'_>], b: &[Flat<'_>]) -> Vec<Option<usize>> {
    let mut to: Vec<Option<usize>> = vec![None; a.len()];
    let mut taken = vec![false; b.len()];
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    for (i, x) in a.iter().enumerate() {
        if let Some(j) = (0..b.len()).find(|&j| !taken[j] && norm(&b[j].q.text) == norm(&x.q.text)) {
            to[i] = Some(j);
            taken[j] = true;
        }
    }
    // Reworded: the most similar pairs first.
    let mut cands: Vec<(f64, usize, usize)> = Vec::new();
    for (i, x) in a.iter().enumerate().filter(|(i, _)| to[*i].is_none()) {
        for (j, y) in b.iter().enumerate().filter(|(j, _)| !taken[*j]) {
            let s = similarity(&x.q.text, &y.q.text);
            if s >= 0.4 {
                cands.push((s, i, j));
            }
        }
    }
    cands.sort_by(|x, y| y.0.total_cmp(&x.0));
    for (_, i, j) in cands {
        if to[i].is_none() && !taken[j] {
            to[i] = Some(j);
            taken[j] = true;
        }
    }
    to
}

/// Compares two versions of a guide.
pub fn diff(old: &GuideDoc, new: &GuideDoc) -> GuideDiff {
    let (a, b) = (flatten(old), flatten(new));
    let to = pair(&a, &b);
    let mut from: Vec<Option<usize>> = vec![None; b.len()];
    for (i, j) in to.iter().enumerate() {
        if let Some(j) = j {
            from[*j] = Some(i);
        }
    }
    let mut changes = Vec::new();
    let mut last_old: Option<usize> = None;
    let removed_after = |prev: Option<usize>, next: usize| {
        (prev.map(|p| p + 1).unwrap_or(0)..next).filter(|i| to[*i].is_none()).collect::<Vec<_>>()
    };
    let removed_entry = |i: usize| QuestionChange {
        change: ChangeKind::Removed,
        section: a[i].section.to_string(),
        old_text: Some(a[i].q.text.clone()),
        new_text: None,
        details: Vec::new(),
    };
    for (j, y) in b.iter().enumerate() {
        let Some(i) = from[j] else {
            changes.push(QuestionChange {
                change: ChangeKind::Added,
                section: y.section.to_string(),
                old_text: None,
                new_text: Some(y.q.text.clone()),
                details: Vec::new(),
            });
            continue;
        };
        if last_old.is_none_or(|l| i > l) {
            for r in removed_after(last_old, i) {
                changes.push(removed_entry(r));
            }
        }
        let x = &a[i];
        let mut details = Vec::new();
        if x.q.probes != y.q.probes {
            details.push("probes".to_string());
        }
        if x.q.kind != y.q.kind {
            details.push("kind".to_string());
        }
        if x.q.minutes != y.q.minutes {
            details.push("minutes".to_string());
        }
        if x.q.note != y.q.note {
            details.push("note".to_string());
        }
        if x.section != y.section {
            details.push("section".to_string());
        }
        let out_of_order = last_old.is_some_and(|l| i < l);
        let change = if x.q.text.trim() != y.q.text.trim() {
            ChangeKind::Reworded
        } else if out_of_order || x.section != y.section {
            ChangeKind::Moved
        } else if !details.is_empty() {
            ChangeKind::Edited
        } else {
            ChangeKind::Unchanged
        };
        changes.push(QuestionChange {
            change,
            section: y.section.to_string(),
            old_text: Some(x.q.text.clone()),
            new_text: Some(y.q.text.clone()),
            details,
        });
        last_old = Some(last_old.map_or(i, |l| l.max(i)));
    }
    for r in removed_after(last_old, a.len()) {
        changes.push(removed_entry(r));
    }
    let count = |k: ChangeKind| changes.iter().filter(|c| c.change == k).count();
    GuideDiff {
        title_changed: old.title.trim() != new.title.trim(),
        intro_changed: old.intro.trim() != new.intro.trim(),
        added: count(ChangeKind::Added),
        removed: count(ChangeKind::Removed),
        reworded: count(ChangeKind::Reworded),
        moved: count(ChangeKind::Moved),
        edited: count(ChangeKind::Edited),
        changes,
    }
}
