//! The diarization error rate, computed as `pyannote.metrics` computes it.
//!
//! DER = (missed speech + false alarm + speaker confusion) / total reference speech, where
//! each is summed over time and weighted by the number of speakers (overlap counts twice). A
//! collar around every reference boundary is left out of the evaluation (`collar_ms` on
//! each side: pyannote's `collar` is the total width, so `collar=0.5` is 250 ms each side).
//! Reference and hypothesis labels are paired one to one so that they overlap the most
//! (pyannote's Hungarian mapping, solved here exactly by dynamic programming over subsets).
//! Times are whole milliseconds.

use std::collections::BTreeMap;

/// A labelled stretch of speech: `[start_ms, end_ms)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    pub start_ms: i64,
    pub end_ms: i64,
    pub label: String,
}

impl Labelled {
    pub fn new(start_ms: i64, end_ms: i64, label: &str) -> Labelled {
        Labelled { start_ms, end_ms, label: label.to_string() }
    }
}

/// Reads speaker turns from RTTM (NIST's format, which pyannote and most diarization corpora
/// use): `SPEAKER file channel onset duration <NA> <NA> name <NA> <NA>`, times in seconds.
/// Other record types and `;;` comments are skipped; a bad line is an error naming it.
pub fn read_rttm(text: &str, source: &str) -> crate::Result<Vec<Labelled>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.is_empty() || f[0].starts_with(";;") || f[0] != "SPEAKER" {
            continue;
        }
        let bad = |what: &str| crate::Error::invalid(format!("{source}:{}", i + 1), what.to_string());
        if f.len() < 8 {
            return Err(bad("expected `SPEAKER file channel onset duration <NA> <NA> name ...`"));
        }
        let secs = |s: &str, what: &str| -> crate::Result<f64> {
            s.parse::<f64>()
                .ok()
                .filter(|v| {
                    v.is_finite() && *v >= 0.0 && *v * 1000.0 <= crate::transcript::MAX_TIME_MS as f64
                })
                .ok_or_else(|| {
                    bad(&format!(
                        "the {what} {s:?} is not a number of seconds from 0 to 3600000 (1,000 hours)"
                    ))
                })
        };
        let onset = secs(f[3], "onset")?;
        let dur = secs(f[4], "duration")?;
        // Both are at most 1,000 hours: the sum cannot overflow.
        let start = (onset * 1000.0).round() as i64;
        out.push(Labelled::new(start, start + (dur * 1000.0).round() as i64, f[7]));
    }
    Ok(out)
}

/// The components of a diarization error rate, in ms.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Der {
    pub total_ms: i64,
    pub missed_ms: i64,
    pub false_alarm_ms: i64,
    pub confusion_ms: i64,
    pub der: f64,
}

fn labels(items: &[Labelled]) -> Vec<String> {
    let mut l: Vec<String> = items.iter().map(|s| s.label.clone()).collect();
    l.sort();
    l.dedup();
    l
}

/// DER of `hypothesis` against `reference`, with `collar_ms` left out on each side of every
/// reference boundary.
pub fn der(reference: &[Labelled], hypothesis: &[Labelled], collar_ms: i64) -> Der {
    let end = reference.iter().chain(hypothesis).map(|s| s.end_ms).max().unwrap_or(0).max(0) as usize;
    let rl = labels(reference);
    let hl = labels(hypothesis);
    let mut scored = vec![true; end];
    for s in reference {
        for b in [s.start_ms, s.end_ms] {
            let lo = (b - collar_ms).max(0) as usize;
            let hi = ((b + collar_ms).max(0) as usize).min(end);
            scored[lo.min(end)..hi].iter_mut().for_each(|x| *x = false);
        }
    }
    let activity = |items: &[Labelled], names: &[String]| -> Vec<Vec<bool>> {
        let mut a = vec![vec![false; end]; names.len()];
        for s in items {
            let i = names.binary_search(&s.label).expect("label listed");
            let (lo, hi) = (s.start_ms.max(0) as usize, (s.end_ms.max(0) as usize).min(end));
            if lo < hi {
                a[i][lo..hi].iter_mut().for_each(|x| *x = true);
            }
        }
        a
    };
    let ra = activity(reference, &rl);
    let ha = activity(hypothesis, &hl);
    // Co-occurrence of each reference and hypothesis label on the scored time.
    let mut co = vec![vec![0i64; hl.len()]; rl.len()];
    let (mut total, mut missed, mut fa, mut both) = (0i64, 0i64, 0i64, 0i64);
    for t in 0..end {
        if !scored[t] {
            continue;
        }
        let nr = ra.iter().filter(|a| a[t]).count() as i64;
        let nh = ha.iter().filter(|a| a[t]).count() as i64;
        total += nr;
        missed += (nr - nh).max(0);
        fa += (nh - nr).max(0);
        both += nr.min(nh);
        for (i, r) in ra.iter().enumerate() {
            if r[t] {
                for (j, h) in ha.iter().enumerate() {
                    if h[t] {
                        co[i][j] += 1;
                    }
                }
            }
        }
    }
    let correct = best_mapping(&co);
    let confusion = both - correct;
    let der = if total == 0 { 0.0 } else { (missed + fa + confusion) as f64 / total as f64 };
    Der { total_ms: total, missed_ms: missed, false_alarm_ms: fa, confusion_ms: confusion, der }
}

/// The largest total co-occurrence of a one-to-one pairing of rows with columns.
fn best_mapping(co: &[Vec<i64>]) -> i64 {
    let cols = co.first().map(|r| r.len()).unwrap_or(0);
    if co.is_empty() || cols == 0 {
        return 0;
    }
    // Pair the smaller side's items with subsets of the larger side.
    let transposed: Vec<Vec<i64>>;
    let co: &[Vec<i64>] = if co.len() <= cols {
        co
    } else {
        transposed = (0..cols).map(|c| co.iter().map(|row| row[c]).collect()).collect();
        &transposed
    };
    let (rows, cols) = (co.len(), co[0].len());
    let get = |r: usize, c: usize| co[r][c];
    if cols > 16 {
        return greedy_mapping(co);
    }
    let mut best: BTreeMap<u32, i64> = BTreeMap::new();
    best.insert(0, 0);
    for r in 0..rows {
        let mut next: BTreeMap<u32, i64> = BTreeMap::new();
        for (&mask, &v) in &best {
            // Row r left unpaired.
            let e = next.entry(mask).or_insert(i64::MIN);
            *e = (*e).max(v);
            for c in 0..cols {
                if mask & (1 << c) == 0 {
                    let m = mask | (1 << c);
                    let e = next.entry(m).or_insert(i64::MIN);
                    *e = (*e).max(v + get(r, c));
                }
            }
        }
        best = next;
    }
    best.values().copied().max().unwrap_or(0)
}

/// Pairs the largest co-occurrences first (for more labels than the exact search takes).
fn greedy_mapping(co: &[Vec<i64>]) -> i64 {
    let mut cells: Vec<(i64, usize, usize)> = co
        .iter()
        .enumerate()
        .flat_map(|(r, row)| row.iter().enumerate().map(move |(c, v)| (*v, r, c)))
        .collect();
    cells.sort_by(|a, b| b.cmp(a));
    let (mut rows, mut cols, mut total) = (Vec::new(), Vec::new(), 0);
    for (v, r, c) in cells {
        if !rows.contains(&r) && !cols.contains(&c) {
            rows.push(r);
            cols.push(c);
            total += v;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(s: i64, e: i64, who: &str) -> Labelled {
        Labelled::new(s, e, who)
    }

    #[test]
    fn rttm_lines_give_turns_and_a_bad_one_names_its_line() {
        let t = "SPEAKER x 1 0.50 2.25 <NA> <NA> alice <NA> <NA>\n;; comment\nSPEAKER x 1 3 1 <NA> <NA> bob <NA> <NA>\n";
        let got = read_rttm(t, "ref.rttm").unwrap();
        assert_eq!(got, vec![l(500, 2750, "alice"), l(3000, 4000, "bob")]);
        let err = read_rttm("SPEAKER x 1 zero 1 <NA> <NA> a <NA> <NA>", "ref.rttm").unwrap_err().to_string();
        assert!(err.contains("ref.rttm:1") && err.contains("onset"), "{err}");
    }

    #[test]
    fn a_perfect_hypothesis_with_other_names_has_no_error() {
        let r = [l(0, 5000, "A"), l(5000, 9000, "B")];
        let h = [l(0, 5000, "spk2"), l(5000, 9000, "spk1")];
        assert_eq!(der(&r, &h, 0).der, 0.0);
    }

    #[test]
    fn missed_false_alarm_and_confusion_add_up_over_the_reference_speech() {
        // A speaks 0–4 s, B 4–8 s. The hypothesis misses 0–1 s, calls 4–6 s A, and adds 8–9 s.
        let r = [l(0, 4000, "A"), l(4000, 8000, "B")];
        let h = [l(1000, 6000, "x"), l(6000, 9000, "y")];
        let d = der(&r, &h, 0);
        assert_eq!((d.total_ms, d.missed_ms, d.false_alarm_ms, d.confusion_ms), (8000, 1000, 1000, 2000));
        assert!((d.der - 0.5).abs() < 1e-9);
        // With a 250 ms collar around 0, 4 and 8 s, those boundaries are not scored.
        let d = der(&r, &h, 250);
        assert_eq!(d.total_ms, 8000 - 250 - 500 - 250);
    }
}
