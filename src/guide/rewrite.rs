//! Suggested rewrites for the lint's problems: the question said without the problem, so
//! the editor can apply it in one click. Rewrites keep the question's own topic (the noun
//! phrase it is about, the action after "to") and turn it into an open question about
//! something that happened: "Tell me about the last time…", "How do you…", "What was it
//! like to…". They are suggestions; the researcher can edit them like any question.

use super::lint::{LintCode, Text};
use super::words::*;

/// The rewrite of `t` for one problem; `words` are the words that showed it.
pub fn rewrite(code: LintCode, t: &Text, words: &str) -> String {
    let s = match code {
        LintCode::Leading => leading(t),
        LintCode::DoubleBarrelled => double_barrelled(t, words),
        LintCode::Closed => closed(t),
        LintCode::Hypothetical => hypothetical(t),
        LintCode::Solution => solution(t),
        LintCode::Vague => vague(t),
        LintCode::Jargon => jargon(t, words),
        LintCode::Loaded => loaded(t),
        LintCode::TooLong => too_long(t),
    };
    tidy(&s)
}

/// Capital first letter, single spaces, no space before punctuation.
fn tidy(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let s = s.replace(" ,", ",").replace(" ?", "?").replace(" .", ".").replace(",?", "?").replace(",.", ".");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

/// Lower-cases the first letter unless the first word is "I" or an acronym.
fn lower_first(s: &str) -> String {
    let first = s.split_whitespace().next().unwrap_or("");
    if first == "I"
        || first.starts_with("I'")
        || (first.len() > 1 && first.chars().all(|c| !c.is_lowercase()))
    {
        return s.to_string();
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The first noun phrase that starts with a determiner at or after word `from`, as written.
fn noun_phrase(t: &Text, from: usize) -> Option<String> {
    let w = &t.words;
    let start = (from..w.len()).find(|&i| {
        DETERMINERS.contains(&w[i].as_str())
            // "agree that the pipeline…": "that" joins a clause; the phrase is after it.
            && !(["that", "this"].contains(&w[i].as_str())
                && w.get(i + 1).is_some_and(|n| DETERMINERS.contains(&n.as_str()) || STOPS.contains(&n.as_str())))
    })?;
    let mut end = start + 1;
    let stop = |x: &str| STOPS.contains(&x) || QUALITIES.contains(&x) || VAGUE.contains(&x);
    while end < w.len() && !stop(&w[end]) && end - start < 7 {
        end += 1;
    }
    (end > start + 1).then(|| {
        let mut np = t.span(start, end - start);
        if w[start] == "my" {
            np = format!("your{}", &np[2..]);
        }
        if w[start] == "our" {
            np = format!("the{}", &np[3..]);
        }
        np
    })
}

/// The words after the first "to" at or after `from` (an action), as written.
fn to_clause(t: &Text, from: usize) -> Option<String> {
    let i = (from..t.words.len()).find(|&i| t.words[i] == "to")?;
    (i + 1 < t.words.len()).then(|| t.span(i + 1, t.words.len() - i - 1))
}

/// The raw text from word `i` to the end, without the final punctuation.
fn rest_from(t: &Text, i: usize) -> String {
    match t.offsets.get(i) {
        Some((s, _)) => t.original[*s..].trim_end_matches(['?', '.', '!', ' ']).to_string(),
        None => String::new(),
    }
}

fn experience_with(t: &Text, from: usize) -> String {
    if let Some(np) = noun_phrase(t, from) {
        return format!("What has your experience been with {np}?");
    }
    // No determiner: the plain words after `from` ("waiting for approvals", "on-call").
    let w = &t.words;
    let mut i = from;
    while i < w.len()
        && ["most", "about", "for", "of", "with", "really", "so", "the", "to"].contains(&w[i].as_str())
    {
        i += 1;
    }
    if i < w.len() && !STOPS.contains(&w[i].as_str()) {
        return experience_with_or_words(t, i);
    }
    "Tell me about the last time this came up.".to_string()
}

fn past_of_participle(word: &str) -> String {
    PARTICIPLES
        .iter()
        .find(|(p, _)| *p == word)
        .map(|(_, past)| past.to_string())
        .unwrap_or_else(|| word.to_string())
}

fn past_of_verb(verb: &str) -> String {
    #[rustfmt::skip]
    const IRREGULAR: &[(&str, &str)] = &[
        ("use", "used"), ("need", "needed"), ("want", "wanted"), ("pay", "paid"), ("buy", "bought"),
        ("switch", "switched"), ("adopt", "adopted"), ("choose", "chose"), ("try", "tried"), ("go", "went"),
        ("do", "did"), ("have", "had"), ("make", "made"), ("find", "found"), ("get", "got"), ("see", "saw"),
        ("run", "ran"), ("write", "wrote"), ("take", "took"), ("give", "gave"), ("think", "thought"),
        ("feel", "felt"), ("keep", "kept"), ("stop", "stopped"), ("ship", "shipped"), ("roll", "rolled"),
        ("tell", "told"), ("say", "said"), ("know", "knew"), ("send", "sent"), ("spend", "spent"), ("build", "built"),
        ("bring", "brought"), ("begin", "began"), ("break", "broke"), ("come", "came"), ("leave", "left"),
        ("lose", "lost"), ("mean", "meant"), ("meet", "met"), ("put", "put"), ("read", "read"), ("set", "set"),
        ("speak", "spoke"), ("teach", "taught"), ("understand", "understood"), ("skip", "skipped"), ("plan", "planned"),
    ];
    if let Some((_, p)) = IRREGULAR.iter().find(|(v, _)| *v == verb) {
        return p.to_string();
    }
    if verb.ends_with('e') {
        format!("{verb}d")
    } else if verb.ends_with('y') && !verb.ends_with("ay") && !verb.ends_with("ey") {
        format!("{}ied", &verb[..verb.len() - 1])
    } else {
        format!("{verb}ed")
    }
}

fn leading(t: &Text) -> String {
    let w = &t.words;
    // "…, right?": ask the statement as a question.
    if let Some(last) = t.original.trim_end().strip_suffix('?') {
        if let Some((stmt, tail)) = last.rsplit_once(',') {
            if tail.split_whitespace().count() <= 2 && !stmt.trim().is_empty() {
                return format!("Tell me about how {}.", lower_first(stmt.trim()));
            }
        }
    }
    // "Wouldn't it be easier to roll back…", "How easy was it to find…": the action.
    if let Some(i) = w.iter().position(|x| x == "it") {
        if w.get(i + 1).is_some_and(|x| ["be", "is", "was"].contains(&x.as_str()))
            || w.get(i.wrapping_sub(1)).is_some_and(|x| ["was", "is"].contains(&x.as_str()))
        {
            if let Some(action) = to_clause(t, i) {
                let tense = if w.iter().any(|x| x == "was") { "was" } else { "is" };
                return format!("What {tense} it like to {action}?");
            }
            if let Some(k) = w.iter().position(|x| x == "if" || x == "when") {
                return experience_with_or_words(t, k + 1);
            }
        }
    }
    let frame_end = ["think", "agree", "love", "like", "enjoy", "hate", "say", "believe", "feel", "find"]
        .iter()
        .filter_map(|v| w.iter().position(|x| x == v))
        .min()
        .map(|i| i + 1)
        .unwrap_or(0);
    experience_with(t, frame_end)
}

/// The noun phrase from `from`, or the plain words when it has no determiner ("deploys").
fn experience_with_or_words(t: &Text, from: usize) -> String {
    let w = &t.words;
    let mut end = from;
    let inside = |x: &str| ["for", "of", "on", "in", "with", "at", "from"].contains(&x);
    while end < w.len()
        && (end == from || inside(&w[end]) || !STOPS.contains(&w[end].as_str()))
        && end - from < 7
    {
        end += 1;
    }
    if end == from {
        return "Tell me about the last time this came up.".to_string();
    }
    let mut np = t.span(from, end - from);
    if w[from] == "my" {
        np = format!("your{}", &np[2..]);
    }
    format!("What has your experience been with {np}?")
}

fn double_barrelled(t: &Text, words: &str) -> String {
    let o = &t.original;
    if words.is_empty() {
        // Several question marks: the first question.
        let end = o.find('?').map(|i| i + 1).unwrap_or(o.len());
        return o[..end].to_string();
    }
    if words.eq_ignore_ascii_case("and/or") {
        return o.replacen("and/or", "or", 1);
    }
    let parts: Vec<&str> = words.split(' ').collect();
    let Some(i) = (0..t.raw.len()).find(|&i| t.span(i, parts.len()) == words) else { return o.clone() };
    let end_mark = if o.trim_end().ends_with('?') { "?" } else { "." };
    if ["and", "or", "but", "plus"].contains(&t.words[i].as_str()) {
        // "…, and what would you change?": keep the first question.
        let cut = t.offsets[i].0;
        return format!("{}{end_mark}", o[..cut].trim_end().trim_end_matches([',', ';', ' ']));
    }
    // "fast and reliable": keep the first of the two.
    let (from, to) = (t.offsets[i + 1].0, t.offsets[i + 2].1);
    format!("{}{}", o[..from].trim_end(), &o[to..])
}

fn closed(t: &Text) -> String {
    let w = &t.words;
    if let Some(e) = w.iter().position(|x| x == "ever") {
        let who = if w[..e].iter().any(|x| x == "anyone" || x == "anybody") { "someone" } else { "you" };
        if let Some(pp) = t.raw.get(e + 1) {
            let rest = rest_from(t, e + 2);
            let pp = pp.to_lowercase();
            // "Do you ever skip…" has a plain verb; "Have you ever skipped…" a participle.
            let base_verb = e > 0 && ["do", "does", "did"].contains(&w[e.saturating_sub(2)].as_str());
            let past = if base_verb { past_of_verb(&pp) } else { past_of_participle(&pp) };
            return format!("Tell me about the last time {who} {past} {rest}.");
        }
    }
    let Some(i) = (0..w.len().saturating_sub(1)).find(|&i| AUX.contains(&w[i].as_str())) else {
        return experience_with(t, 0);
    };
    let (aux, subj) = (w[i].as_str(), w[i + 1].as_str());
    let verb = w.get(i + 2).map(String::as_str).unwrap_or("");
    let lead = if i > 0 { format!("{} ", t.original[..t.offsets[i].0].trim_end()) } else { String::new() };
    let lead = if lead.trim().is_empty() { String::new() } else { lead };
    match aux {
        "have" | "has" | "had" if subj == "you" && !verb.is_empty() => {
            format!(
                "{lead}Tell me about the last time you {} {}.",
                past_of_participle(verb),
                rest_from(t, i + 3)
            )
        }
        "do" | "does" | "did" | "don't" | "doesn't" | "didn't" if subj == "you" => {
            let tense = if aux.starts_with("did") { "did" } else { "do" };
            if ["like", "love", "enjoy", "hate", "think", "feel", "agree", "find", "prefer", "trust"]
                .contains(&verb)
            {
                let about = if ["think", "feel", "agree", "find"].contains(&verb) {
                    noun_phrase(t, i + 3)
                } else {
                    Some(rest_from(t, i + 3))
                };
                match about.filter(|a| !a.is_empty()) {
                    Some(a) => format!("{lead}What {tense} you think of {a}?"),
                    None => format!("{lead}What {tense} you think about it?"),
                }
            } else if verb == "have" {
                format!(
                    "{lead}What {tense} you have for {}?",
                    rest_from(t, i + 3).trim_start_matches("a ").trim_start_matches("any ")
                )
            } else {
                format!("{lead}How {tense} you {}?", rest_from(t, i + 2))
            }
        }
        "do" | "does" | "did" => format!("{lead}How {aux} {}?", rest_from(t, i + 1)),
        "can" | "could" | "will" | "would" | "can't" | "couldn't" | "won't" | "wouldn't" if subj == "you" => {
            format!("{lead}How do you {}?", rest_from(t, i + 2))
        }
        "is" | "are" | "was" | "were" | "isn't" | "aren't" | "wasn't" | "weren't" => {
            let tense = if aux.starts_with("was") || aux.starts_with("were") { "was" } else { "is" };
            if subj == "there" {
                return format!(
                    "{lead}What {} there {}?",
                    if tense == "was" { "was" } else { "is" },
                    rest_from(t, i + 2)
                        .trim_start_matches("a ")
                        .trim_start_matches("an ")
                        .trim_start_matches("any ")
                );
            }
            match to_clause(t, i) {
                Some(action) => format!("{lead}What {tense} it like to {action}?"),
                None => format!("{lead}{}", experience_with(t, i + 1)),
            }
        }
        _ => format!("{lead}{}", experience_with(t, i + 1)),
    }
}

fn hypothetical(t: &Text) -> String {
    let w = &t.words;
    // "What would you change about X", "If you could change one thing about X".
    if let Some(a) = w.iter().position(|x| x == "about") {
        if w.iter().any(|x| x == "change" || x == "improve" || x == "fix") {
            let np = noun_phrase(t, a + 1).unwrap_or_else(|| rest_from(t, a + 1));
            let np = np.split(',').next().unwrap_or("").trim().to_string();
            if !np.is_empty() {
                return format!("Tell me about the last time {np} got in your way.");
            }
            return "Tell me about the last time something got in your way.".into();
        }
    }
    // "Would you use X", "How likely are you to use X": the last time they did it or needed it.
    let object = |from: usize| -> Option<String> {
        let rest = rest_from(t, from);
        let rest = rest.split(" if ").next().unwrap_or("").split(',').next().unwrap_or("").trim().to_string();
        (!rest.is_empty()).then_some(rest)
    };
    let verb_at = (0..w.len()).find_map(|i| {
        let x = w[i].as_str();
        if ["would", "will"].contains(&x) && w.get(i + 1).is_some_and(|s| s == "you") {
            Some(i + 2)
        } else if ["you'd", "you'll"].contains(&x) {
            Some(i + 1)
        } else {
            None
        }
    });
    if let Some(v) = verb_at.filter(|&v| v < w.len()) {
        let verb = w[v].as_str();
        if let Some(obj) = object(v + 1) {
            let need = ["use", "want", "pay", "like", "buy", "need", "be"].contains(&verb);
            let obj = if need { obj.trim_start_matches("for ").to_string() } else { obj };
            let v = if need { "needed".to_string() } else { past_of_verb(verb) };
            return format!("Tell me about the last time you {v} {obj}.");
        }
    }
    if let Some(l) = w.iter().position(|x| x == "likely") {
        // "How likely are you to adopt X": the verb right after "to".
        if let Some(k) = (l + 1..(l + 4).min(w.len())).find(|&k| w[k] == "to") {
            if let Some(verb) = w.get(k + 1).filter(|v| !DETERMINERS.contains(&v.as_str())) {
                return format!(
                    "Tell me about the last time you {} {}.",
                    past_of_verb(verb),
                    rest_from(t, k + 2)
                );
            }
        }
    }
    match noun_phrase(t, 0) {
        Some(np) => format!("Tell me about the last time you needed {np}."),
        None => "Tell me about the last time this happened.".into(),
    }
}

fn solution(t: &Text) -> String {
    let w = &t.words;
    // The words naming what the feature is for: "a rollback button" -> "rollback".
    #[rustfmt::skip]
    const FRAME: &[&str] = &[
        "add", "adding", "build", "building", "having", "want", "use", "like", "need", "about", "of", "more",
        "new", "another", "automatic",
    ];
    let topic = w.iter().position(|x| FEATURES.contains(&x.as_str())).and_then(|f| {
        let mut s0 = f;
        while s0 > 0
            && !DETERMINERS.contains(&w[s0 - 1].as_str())
            && !STOPS.contains(&w[s0 - 1].as_str())
            && !FRAME.contains(&w[s0 - 1].as_str())
        {
            s0 -= 1;
        }
        (s0 < f).then(|| t.span(s0, f - s0))
    });
    match topic.filter(|x| !x.is_empty() && x.chars().all(|c| !c.is_uppercase())) {
        Some(topic) => format!("Walk me through how you handle {} today.", topic.to_lowercase()),
        None => match noun_phrase(t, 0) {
            Some(np) => format!("Walk me through what you do today when you need {np}."),
            None => "Walk me through how you do this today.".into(),
        },
    }
}

/// Present auxiliaries in their past form, for "the last time" rewrites.
fn to_past(word: &str) -> Option<&'static str> {
    Some(match word {
        "do" | "does" => "did",
        "is" => "was",
        "are" => "were",
        "don't" | "doesn't" => "didn't",
        "isn't" => "wasn't",
        "aren't" => "weren't",
        "have" | "has" => "had",
        "can" => "could",
        _ => return None,
    })
}

fn vague(t: &Text) -> String {
    #[rustfmt::skip]
    const ADVERBS: &[&str] = &[
        "often", "usually", "normally", "typically", "generally", "frequently", "regularly", "sometimes",
        "occasionally", "rarely", "seldom", "recently", "lately", "nowadays",
    ];
    const PHRASES: &[&str] = &["these days", "in general", "most of the time", "a lot", "lots"];
    let w = &t.words;
    let how_often = t.find("how often");
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    let mut shifted = false;
    while i < w.len() {
        if Some(i) == how_often {
            out.push("how many times".into());
            i += 2;
            continue;
        }
        if let Some(p) = PHRASES.iter().find(|p| {
            let n = p.split(' ').count();
            i + n <= w.len() && w[i..i + n].join(" ") == **p
        }) {
            i += p.split(' ').count();
            continue;
        }
        if ADVERBS.contains(&w[i].as_str()) {
            i += 1;
            continue;
        }
        let after_to = i > 0
            && ["to", "would", "will", "could", "should", "can", "might", "must"]
                .contains(&w[i - 1].as_str());
        if !shifted && !after_to && AUX.contains(&w[i].as_str()) {
            if let Some(p) = to_past(&w[i]) {
                out.push(p.to_string());
                shifted = true;
                i += 1;
                continue;
            }
        }
        out.push(t.raw[i].clone());
        i += 1;
    }
    let body = out.join(" ");
    let question = t.original.trim_end().ends_with('?');
    let end = if question { "?" } else { "." };
    if how_often.is_some() {
        return format!("In the last month, {}{end}", lower_first(&body));
    }
    format!("Thinking of the last time, {}{end}", lower_first(&body))
}

fn jargon(t: &Text, term: &str) -> String {
    let unquoted = t.original.replace(&format!("`{term}`"), term);
    let o = &unquoted;
    let Some(at) = o.find(term) else { return o.to_string() };
    let replacement = match EXPANSIONS.iter().find(|(a, _)| *a == term) {
        Some((_, e)) => format!("{e} ({term})"),
        None => format!("{term} (…)"),
    };
    format!("{}{}{}", &o[..at], replacement, &o[at + term.len()..])
}

fn loaded(t: &Text) -> String {
    let w = &t.words;
    if let Some(i) = t
        .find_any(&["wrong with", "bad about", "worst", "pain points", "pain point", "problems", "problem"])
        .map(|x| x.0)
    {
        if let Some(k) = (i..w.len()).find(|&k| ["with", "about", "in", "of"].contains(&w[k].as_str())) {
            if k + 1 < w.len() {
                return experience_with_or_words(t, k + 1);
            }
        }
        if let Some(np) = noun_phrase(t, i) {
            return format!("What has your experience been with {np}?");
        }
    }
    if w.first().is_some_and(|x| x == "why") {
        if let Some(np) = noun_phrase(t, 1) {
            return format!("What has your experience been with {np}?");
        }
    }
    let imperative = w
        .first()
        .is_some_and(|x| ["tell", "walk", "describe", "show", "talk", "share"].contains(&x.as_str()));
    if imperative {
        // Drop the charged word (and "most", "so", "really" before it).
        let charged: Vec<usize> = (0..w.len()).filter(|&i| super::rules::check_charged(&w[i])).collect();
        let mut out = Vec::new();
        for (i, word) in w.iter().enumerate() {
            let before_charged = charged.contains(&(i + 1))
                && ["most", "so", "really", "very", "how", "more", "least"].contains(&word.as_str());
            if !charged.contains(&i) && !before_charged {
                out.push(t.raw[i].clone());
            }
        }
        let end = if t.original.trim_end().ends_with('?') { "?" } else { "." };
        return format!("{}{end}", out.join(" "));
    }
    let after_charged =
        (0..w.len()).find(|&i| super::rules::check_charged(&w[i])).map(|i| i + 1).unwrap_or(0);
    experience_with(t, after_charged)
}

fn too_long(t: &Text) -> String {
    let o = &t.original;
    // Without parentheses, then the sentence that asks.
    let mut plain = String::new();
    let mut depth = 0;
    for c in o.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            c if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let mut sentences: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in plain.chars() {
        cur.push(c);
        if ['.', '?', '!'].contains(&c) {
            sentences.push(cur.trim().to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        sentences.push(cur.trim().to_string());
    }
    let pick =
        sentences.iter().rev().find(|s| s.ends_with('?')).or(sentences.last()).cloned().unwrap_or_default();
    let words: Vec<&str> = pick.split_whitespace().collect();
    if words.len() <= 25 {
        return pick;
    }
    // Still long: the first clause.
    let first = pick.split([',', ';']).next().unwrap_or(&pick).trim().to_string();
    let mark = if pick.ends_with('?') { "?" } else { "." };
    let first_words: Vec<&str> = first.split_whitespace().collect();
    if first_words.len() <= 25 {
        format!("{}{mark}", first.trim_end_matches(['?', '.']))
    } else {
        format!("{}{mark}", first_words[..20].join(" "))
    }
}
