//! Redaction: replaces, consistently across one whole export, the names and emails of the
//! people in the directory, any other email address, phone numbers and names the user lists,
//! with pseudonyms ("Participant 1", `participant-1@redacted.invalid`, "[phone 1]",
//! "[name 1]"), and counts each kind. Recordings are dropped from a redacted export.
//!
//! A directory person is matched by full name (any case), and by first or last name alone
//! (as written, three letters or more); the study's participants are numbered first, in the
//! order of their sessions, then everyone else in the directory.

use std::collections::{BTreeMap, HashMap};

use regex::Regex;
use rusqlite::Connection;

use super::data::{RedactionCount, StudyData};
use crate::error::Result;

/// Builds the pseudonyms for one export and rewrites text with them.
pub struct Redactor {
    names: Option<Regex>,
    name_map: HashMap<String, String>,
    email_map: HashMap<String, String>,
    listed: Option<Regex>,
    listed_map: HashMap<String, String>,
    email: Regex,
    phone: Regex,
    other_emails: HashMap<String, String>,
    phones: HashMap<String, String>,
    counts: BTreeMap<&'static str, i64>,
}

impl Redactor {
    /// A redactor for the directory of `conn`, the study's participants first, and `extra`
    /// names the user listed.
    pub fn new(conn: &Connection, participants_first: &[i64], extra: &[String]) -> Result<Redactor> {
        let mut people: Vec<(i64, String, String)> = {
            let mut stmt = conn.prepare("SELECT id, name, email FROM people ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        people.sort_by_key(|(id, _, _)| {
            participants_first.iter().position(|p| p == id).map(|i| (0, i as i64)).unwrap_or((1, *id))
        });
        let mut name_map = HashMap::new();
        let mut email_map = HashMap::new();
        let mut full_names = Vec::new();
        let mut parts = Vec::new();
        for (n, (_, name, email)) in people.iter().enumerate() {
            let pseudonym = format!("Participant {}", n + 1);
            email_map.insert(email.to_lowercase(), format!("participant-{}@redacted.invalid", n + 1));
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            name_map.entry(name.to_lowercase()).or_insert_with(|| pseudonym.clone());
            full_names.push(name.to_string());
            for part in name.split_whitespace().filter(|p| p.chars().count() >= 3) {
                name_map.entry(part.to_string()).or_insert_with(|| pseudonym.clone());
                parts.push(part.to_string());
            }
        }
        let names = alternation(&full_names, &parts)?;
        let mut listed_map = HashMap::new();
        let listed_names: Vec<String> =
            extra.iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
        for (i, n) in listed_names.iter().enumerate() {
            listed_map.insert(n.to_lowercase(), format!("[name {}]", i + 1));
        }
        let listed = alternation(&listed_names, &[])?;
        Ok(Redactor {
            names,
            name_map,
            email_map,
            listed,
            listed_map,
            email: Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b").expect("email pattern"),
            phone: Regex::new(r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}\b")
                .expect("phone pattern"),
            other_emails: HashMap::new(),
            phones: HashMap::new(),
            counts: BTreeMap::new(),
        })
    }

    /// `text` with every name, email and phone number replaced.
    pub fn text(&mut self, text: &str) -> String {
        let mut out = self.replace_emails(text);
        out = self.replace_phones(&out);
        if let Some(re) = self.listed.clone() {
            out = re
                .replace_all(&out, |c: &regex::Captures<'_>| {
                    *self.counts.entry("names you listed").or_default() += 1;
                    self.listed_map.get(&c[0].to_lowercase()).cloned().unwrap_or_else(|| "[name]".into())
                })
                .into_owned();
        }
        if let Some(re) = self.names.clone() {
            out = re
                .replace_all(&out, |c: &regex::Captures<'_>| {
                    *self.counts.entry("names of people in the directory").or_default() += 1;
                    let m = &c[0];
                    self.name_map
                        .get(&m.to_lowercase())
                        .or_else(|| self.name_map.get(m))
                        .cloned()
                        .unwrap_or_else(|| "[name]".into())
                })
                .into_owned();
        }
        out
    }

    fn replace_emails(&mut self, text: &str) -> String {
        let re = self.email.clone();
        re.replace_all(text, |c: &regex::Captures<'_>| {
            let key = c[0].to_lowercase();
            if let Some(p) = self.email_map.get(&key) {
                *self.counts.entry("emails of people in the directory").or_default() += 1;
                return p.clone();
            }
            *self.counts.entry("other email addresses").or_default() += 1;
            let n = self.other_emails.len() + 1;
            self.other_emails.entry(key).or_insert_with(|| format!("email-{n}@redacted.invalid")).clone()
        })
        .into_owned()
    }

    fn replace_phones(&mut self, text: &str) -> String {
        let re = self.phone.clone();
        re.replace_all(text, |c: &regex::Captures<'_>| {
            let m = &c[0];
            let digits = m.chars().filter(char::is_ascii_digit).count();
            let is_date = Regex::new(r"^\d{4}[-.]\d{2}[-.]\d{2}$").expect("date pattern").is_match(m);
            if !(9..=15).contains(&digits) || is_date {
                return m.to_string();
            }
            *self.counts.entry("phone numbers").or_default() += 1;
            let key: String = m.chars().filter(char::is_ascii_digit).collect();
            let n = self.phones.len() + 1;
            self.phones.entry(key).or_insert_with(|| format!("[phone {n}]")).clone()
        })
        .into_owned()
    }

    /// An optional text, redacted.
    pub fn opt(&mut self, text: &Option<String>) -> Option<String> {
        text.as_deref().map(|t| self.text(t))
    }

    /// The counts so far, for the report.
    pub fn counts(&self) -> Vec<RedactionCount> {
        self.counts
            .iter()
            .map(|(what, count)| RedactionCount { what: what.to_string(), count: *count })
            .collect()
    }
}

/// One regex matching any of `any_case` (case-insensitive) or `exact` (as written), whole
/// words only, longest first.
fn alternation(any_case: &[String], exact: &[String]) -> Result<Option<Regex>> {
    let mut a: Vec<&String> = any_case.iter().collect();
    a.sort_by_key(|s| std::cmp::Reverse(s.len()));
    a.dedup();
    let mut e: Vec<&String> = exact.iter().collect();
    e.sort_by_key(|s| std::cmp::Reverse(s.len()));
    e.dedup();
    let mut alts = Vec::new();
    if !a.is_empty() {
        alts.push(format!("(?i:{})", a.iter().map(|s| regex::escape(s)).collect::<Vec<_>>().join("|")));
    }
    if !e.is_empty() {
        alts.push(format!("(?:{})", e.iter().map(|s| regex::escape(s)).collect::<Vec<_>>().join("|")));
    }
    if alts.is_empty() {
        return Ok(None);
    }
    let pattern = format!(r"\b(?:{})\b", alts.join("|"));
    Regex::new(&pattern)
        .map(Some)
        .map_err(|e| crate::Error::invalid("--redact-name", format!("cannot build the name pattern: {e}")))
}

/// Redacts a gathered study in place: every text, name and email, and drops recordings.
pub fn redact(conn: &Connection, data: &mut StudyData, extra_names: &[String]) -> Result<()> {
    let first: Vec<i64> = data.participants.iter().map(|p| p.id).collect();
    let mut r = Redactor::new(conn, &first, extra_names)?;
    data.study.goal = r.opt(&data.study.goal);
    for c in &mut data.codebook {
        c.description = r.opt(&c.description);
    }
    for p in &mut data.participants {
        p.name = r.text(&p.name);
        p.email = r.text(&p.email);
        for v in p.attributes.values_mut() {
            *v = r.text(v);
        }
    }
    for s in &mut data.sessions {
        s.title = r.opt(&s.title);
        s.recordings.clear();
        for g in &mut s.segments {
            g.speaker = r.opt(&g.speaker);
            g.text = r.text(&g.text);
        }
        for n in &mut s.notes {
            n.text = r.text(&n.text);
        }
    }
    for h in &mut data.highlights {
        h.session_title = r.opt(&h.session_title);
        h.person_name = r.opt(&h.person_name);
        h.speaker = r.opt(&h.speaker);
        h.text = r.text(&h.text);
        h.comment = r.opt(&h.comment);
        for v in h.segments.iter_mut() {
            *v = r.text(v);
        }
    }
    for t in &mut data.text_sources {
        t.person_name = r.opt(&t.person_name);
        t.text = r.text(&t.text);
        for v in t.segments.iter_mut() {
            *v = r.text(v);
        }
    }
    for f in &mut data.findings {
        f.title = r.text(&f.title);
        f.body = r.opt(&f.body);
        for e in &mut f.evidence {
            e.person_name = r.text(&e.person_name);
            e.speaker = r.opt(&e.speaker);
            e.text = r.text(&e.text);
            for v in e.segments.iter_mut() {
                *v = r.text(v);
            }
        }
        for v in f.nps_segments.iter_mut() {
            *v = r.text(v);
        }
    }
    data.redacted = true;
    data.redactions = r.counts();
    Ok(())
}
