//! The nine lint rules, one function each, on a tokenised question ([`Text`]). Each returns
//! what it found (the words that show the problem) or nothing; [`check`](super::lint::check)
//! turns findings into problems with reasons and rewrites.

use super::lint::Text;
use super::words::*;

/// Openers like "So," or "And" that do not change what a question asks.
pub(super) fn opener_len(t: &Text) -> usize {
    let mut i = 0;
    while i < t.words.len()
        && ["so", "and", "okay", "ok", "now", "then", "also", "well", "but", "finally", "lastly"]
            .contains(&t.words[i].as_str())
    {
        i += 1;
    }
    i
}

pub(super) fn leading(t: &Text) -> Option<(String, String)> {
    let start = opener_len(t);
    let w = &t.words;
    // "Don't you think…", "Isn't it…", "Wouldn't it be easier…": a negative question
    // expects the answer it names.
    for i in std::iter::once(start).chain(clause_starts(t)) {
        if i + 1 < w.len() && NEGATIVE_AUX.contains(&w[i].as_str()) && SUBJECTS.contains(&w[i + 1].as_str()) {
            let words = t.span(i, 3);
            return Some((
                format!("\"{words}…\" is a negative question: it expects the answer it names. Ask neutrally what they experienced"),
                words,
            ));
        }
    }
    #[rustfmt::skip]
    const AGREE: &[&str] = &[
        "don't you think", "do you agree", "would you agree", "wouldn't you agree", "you'd agree",
        "you would agree", "don't you agree", "isn't it true", "surely", "obviously", "of course",
        "everyone knows", "everybody knows", "most people", "most users", "most developers", "most engineers",
        "most teams", "most of your colleagues", "others have told", "other people have told",
        "other teams have told", "people have told us", "i think", "i believe", "i feel", "i find",
        "in my opinion", "we think", "we believe", "we feel", "would you say that", "would you say it",
        "would you say the", "would you say your", "isn't that", "aren't they", "you must", "you probably",
        "i'm sure", "i assume", "presumably",
    ];
    if let Some((i, p)) = t.find_any(AGREE) {
        let words = t.span(i, p.split(' ').count());
        return Some((
            format!("\"{words}\" puts the interviewer's view or other people's into the question; people tend to agree with it. Ask what they think without offering a view"),
            words,
        ));
    }
    // "How much do you love…": the question assumes the feeling and asks only how strong.
    #[rustfmt::skip]
    const FEELINGS: &[&str] = &[
        "love", "like", "enjoy", "hate", "appreciate", "value", "prefer", "dislike", "adore", "loved", "liked",
        "enjoyed", "hated", "appreciated", "valued", "preferred", "disliked", "adored",
    ];
    if let Some((i, _)) =
        t.find_any(&["how much do you", "how much did you", "how much have you", "how much has your"])
    {
        if let Some(v) = w.get(i + 4).filter(|v| FEELINGS.contains(&v.as_str())) {
            let words = t.span(i, 5);
            return Some((
                format!("\"{words}\" assumes they {v} it and asks only how much; ask what their experience has been"),
                words,
            ));
        }
    }
    // "How easy was it…", "How happy are you…": the adjective is the answer offered.
    #[rustfmt::skip]
    const PRESUMED: &[&str] = &[
        "great", "good", "easy", "helpful", "useful", "simple", "intuitive", "nice", "wonderful", "amazing",
        "awesome", "smooth", "seamless", "convenient", "pleasant", "enjoyable", "satisfied", "satisfying",
        "happy", "pleased", "excited", "delighted", "bad", "hard", "difficult", "painful", "frustrating",
        "annoying", "terrible", "confusing", "complicated", "helpful", "valuable", "effortless", "slick",
        "delightful",
    ];
    for i in 0..w.len().saturating_sub(1) {
        // "How easy or hard…" offers both ends: balanced, not leading.
        let balanced = w.get(i + 2).is_some_and(|x| x == "or");
        if w[i] == "how" && PRESUMED.contains(&w[i + 1].as_str()) && !balanced {
            let words = t.span(i, 2);
            return Some((
                format!("\"{words}\" offers the answer (that it was {}) and asks only how much; ask what it was like", w[i + 1]),
                words,
            ));
        }
    }
    // A tag question: "…, right?", "…, isn't it?"
    if let Some(last) = t.original.trim_end().strip_suffix('?') {
        if let Some((_, tail)) = last.rsplit_once(',') {
            let tail = Text::new(tail);
            let tw = &tail.words;
            let tag = (tw.len() == 1
                && ["right", "correct", "true", "yes", "no", "agreed", "yeah", "ok", "okay"]
                    .contains(&tw[0].as_str()))
                || (tw.len() == 2
                    && NEGATIVE_AUX.contains(&tw[0].as_str())
                    && SUBJECTS.contains(&tw[1].as_str()));
            if tag {
                let words = tail.raw.join(" ");
                return Some((
                    format!("the tag \"{words}?\" asks them to confirm a statement; ask the question without the statement"),
                    words,
                ));
            }
        }
    }
    None
}

/// Where clauses after the first begin (after `,` `;` `:`).
pub(super) fn clause_starts(t: &Text) -> Vec<usize> {
    let mut out = Vec::new();
    for (p, c) in t.original.char_indices() {
        if [',', ';', ':', '\u{2014}'].contains(&c) {
            if let Some(i) = t.offsets.iter().position(|(s, _)| *s > p) {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
        }
    }
    out
}

pub(super) fn double_barrelled(t: &Text) -> Option<(String, String)> {
    let w = &t.words;
    let questions = t.original.matches('?').count();
    if questions >= 2 {
        return Some((
            format!("{questions} question marks: this asks {questions} questions at once, and people answer only one. Ask them one at a time (the rest can be probes)"),
            String::new(),
        ));
    }
    // "Tell me about your last deploy. What went wrong?": a request to tell is a question of
    // its own, and a second sentence asks another.
    if let Some(request) = request_then_question(t) {
        return Some((
            format!("\"{request}…\" and the question after it are two questions; people answer one. Ask the second as a probe"),
            request,
        ));
    }
    if let Some(i) = t.find("and/or") {
        let words = t.span(i, 1);
        return Some(("\"and/or\" joins two questions; ask about each on its own".into(), words));
    }
    for i in 1..w.len().saturating_sub(1) {
        let conj = w[i].as_str();
        if !["and", "or", "but", "plus"].contains(&conj) {
            continue;
        }
        let next = w[i + 1].as_str();
        // "…, and what would you change?": a second question after the conjunction.
        let second_wh = WH.contains(&next) && !(next == "what" && w.get(i + 2).is_some_and(|x| x == "not"));
        let second_aux = conj != "or"
            && AUX.contains(&next)
            && w.get(i + 2)
                .is_some_and(|s| ["you", "it", "they", "there", "we", "your"].contains(&s.as_str()));
        // After "or" only a full second question counts ("…, or what would you…"), not "or what?".
        let or_question = w.get(i + 2).is_some_and(|s| AUX.contains(&s.as_str()));
        if second_aux || (second_wh && (conj != "or" || or_question)) {
            let words = t.span(i, 2);
            return Some((
                format!("\"{words}…\" starts a second question; people answer one of the two. Ask the second as its own question or a probe"),
                words,
            ));
        }
        // "How fast and reliable…": two qualities that can have different answers.
        let prev = w[i - 1].as_str();
        if conj != "but"
            && conj != "or"
            && QUALITIES.contains(&prev)
            && QUALITIES.contains(&next)
            && prev != next
        {
            let words = t.span(i - 1, 3);
            return Some((
                format!("\"{words}\" asks about two things at once; it can be {prev} and not {next}. Ask about one"),
                words,
            ));
        }
        // "the speed and accuracy of…": two qualities as nouns.
        if conj != "but"
            && conj != "or"
            && QUALITY_NOUNS.contains(&prev)
            && QUALITY_NOUNS.contains(&next)
            && prev != next
        {
            let words = t.span(i - 1, 3);
            return Some((
                format!("\"{words}\" asks about two qualities at once; one can be fine and the other not. Ask about one"),
                words,
            ));
        }
        // "How do you test and deploy…": two activities that can differ.
        if conj != "but"
            && ACTIONS.contains(&prev)
            && ACTIONS.contains(&next)
            && prev != next
            && i >= 2
            && w[..i - 1].iter().any(|x| x == "you")
        {
            let words = t.span(i - 1, 3);
            return Some((
                format!("\"{words}\" asks about two activities at once; they can go differently. Ask about one, then the other"),
                words,
            ));
        }
    }
    None
}

/// The opening words of a request to tell ("Tell me about…") that a later sentence follows
/// with a question of its own.
fn request_then_question(t: &Text) -> Option<String> {
    let text = t.original.trim();
    if !text.ends_with('?') || sentence_count(text) < 2 {
        return None;
    }
    let first_end = text.find(['.', '!', ';'])?;
    let first = Text::new(&text[..first_end]);
    let start = opener_len(&first);
    let rest: Vec<&str> = first.words[start..].iter().map(String::as_str).collect();
    let request = [["tell", "me"], ["walk", "me"], ["talk", "me"], ["show", "me"]]
        .iter()
        .any(|p| rest.len() >= 2 && rest[..2] == p[..])
        || rest.first().is_some_and(|w| ["describe", "explain"].contains(w));
    let asks_more = text[first_end + 1..].contains('?');
    (request && asks_more).then(|| first.span(start, 2))
}

/// The yes/no opening of a question, if it is one.
pub(super) fn closed(t: &Text) -> Option<String> {
    let w = &t.words;
    if let Some(i) = t
        .find_any(&[
            "have you ever",
            "has anyone ever",
            "did you ever",
            "have you had",
            "has it ever",
            "were you ever",
            "was there ever",
        ])
        .map(|x| x.0)
    {
        return Some(t.span(i, 3));
    }
    let mut starts = vec![opener_len(t)];
    // A yes/no main clause after an opening one: "When you deploy, do you check…?" (not
    // after a question word: "What, if anything, would you…" is open).
    let opens_with_wh = w
        .get(opener_len(t))
        .is_some_and(|x| ["what", "how", "why", "who", "which", "whom", "whose"].contains(&x.as_str()));
    if t.original.trim_end().ends_with('?') && !opens_with_wh {
        starts.extend(clause_starts(t).last().copied());
    }
    for i in starts {
        if i + 1 >= w.len() {
            continue;
        }
        let (aux, subj) = (w[i].as_str(), w[i + 1].as_str());
        if !AUX.contains(&aux) || !SUBJECTS.contains(&subj) {
            continue;
        }
        let after = w.get(i + 2).map(String::as_str).unwrap_or("");
        // "Have a look at…" is an instruction.
        if ["have", "do"].contains(&aux) && ["a", "an", "the"].contains(&subj) {
            continue;
        }
        // "Can you walk me through…", "Could you tell me…" are requests to tell.
        if ["can", "could", "would", "will"].contains(&aux) && subj == "you" && REQUEST_VERBS.contains(&after)
        {
            continue;
        }
        // "Is there anything else…", "Do you have anything to add": an open invitation.
        if w[i..].iter().take(5).any(|x| x == "anything") {
            continue;
        }
        return Some(t.span(i, 3));
    }
    None
}

pub(super) fn hypothetical(t: &Text) -> Option<String> {
    #[rustfmt::skip]
    const IMAGINE: &[&str] = &[
        "imagine", "imagining", "suppose", "supposing", "pretend", "hypothetically", "what if",
        "in an ideal world", "ideal world", "magic wand", "picture yourself", "picture a", "let's say",
        "let us say", "say we", "if you could", "if you were", "in the future", "how likely", "are you likely",
        "are you going to", "do you plan to", "do you expect to", "would you ever", "will you ever", "dream",
    ];
    if let Some((i, p)) = t.find_any(IMAGINE) {
        return Some(t.span(i, p.split(' ').count()));
    }
    let w = &t.words;
    let modal_at = |i: usize| ["would", "will", "could", "'d", "wouldn't", "won't"].contains(&w[i].as_str());
    for i in 0..w.len().saturating_sub(1) {
        let subject = w[i + 1].as_str();
        if !modal_at(i)
            || !["you", "it", "that", "this", "a", "an", "your", "people", "they", "we"].contains(&subject)
        {
            continue;
        }
        let verb = w.get(i + 2).map(String::as_str).unwrap_or("");
        // "Would you walk me through…": a polite request, not a prediction.
        let polite = i == opener_len(t) && subject == "you" && REQUEST_VERBS.contains(&verb);
        // "How would you describe…": a softened question about now.
        let softened = [
            "describe",
            "say",
            "rate",
            "characterize",
            "characterise",
            "summarize",
            "summarise",
            "explain",
            "define",
            "compare",
            "mind",
        ]
        .contains(&verb);
        // "Would you like to add anything?": an invitation to go on.
        let invitation = w[i..].iter().take(6).any(|x| x == "anything" || x == "else");
        // "Could you…" asks what is possible now, unless it is "what could you do".
        let ability = w[i] == "could" && subject == "you" && verb != "do";
        if polite || softened || invitation || ability {
            continue;
        }
        return Some(t.span(i, 3));
    }
    // "If we built X, …": a condition about something that does not exist yet.
    if let Some((i, p)) = t.find_any(&[
        "if we",
        "if there was",
        "if there were",
        "if there's",
        "if there is",
        "if it had",
        "if it was",
        "if it were",
        "if you had",
    ]) {
        let modal = w.iter().any(|x| {
            ["would", "will", "could", "wouldn't", "won't", "you'd", "it'd", "that'd"].contains(&x.as_str())
        });
        let subjunctive = p.ends_with("were")
            || w.get(i + 2).is_some_and(|v| {
                v.ends_with("ed") || ["built", "made", "had", "gave", "could"].contains(&v.as_str())
            });
        if modal || (subjunctive && !w.iter().any(|x| ["did", "was", "last"].contains(&x.as_str()))) {
            return Some(t.span(i, 3));
        }
    }
    if let Some(i) = w.iter().position(|x| ["you'd", "it'd", "that'd", "we'd"].contains(&x.as_str())) {
        let next = w.get(i + 1).map(String::as_str).unwrap_or("");
        if !["agree", "say", "describe"].contains(&next) {
            return Some(t.span(i, 2));
        }
    }
    None
}

pub(super) fn solution(t: &Text) -> Option<String> {
    #[rustfmt::skip]
    const FRAMES: &[&str] = &[
        "should we", "shall we", "could we", "can we", "do you want", "would you want", "would you like",
        "would you use", "would you pay", "would you prefer", "would it help", "would that help",
        "would this help", "would a", "would an", "would having", "how about", "what if we", "what about a",
        "what about an", "what about adding", "what do you think of a", "what do you think about a",
        "what do you think of an", "what do you think about an", "what do you think of adding",
        "what do you think about adding", "how would you feel about", "do you need a", "do you need an",
        "do you need more", "do you wish", "do you want us", "is a", "is an", "are you interested in",
        "would you be interested", "should there be", "would there be", "would it be useful", "would it be helpful", "would you find",
        "do you think a", "do you think an", "do you think we should", "we're thinking", "we are thinking",
        "we're planning", "we are planning", "we could add", "we could build", "how useful would",
        "how helpful would", "how valuable would",
    ];
    let (i, p) = t.find_any(FRAMES)?;
    let w = &t.words;
    let rest = &w[i + p.split(' ').count()..];
    // "What do you think about adding…": the frame already names a thing to build.
    if p.ends_with("adding") {
        return Some(t.span(i, p.split(' ').count() + 2));
    }
    // "How useful would a rollback button be?": the worth of a thing that does not exist.
    if p.starts_with("how ") {
        let thing = rest.first().is_some_and(|x| x == "a" || x == "an" || x == "it")
            || rest.iter().any(|x| FEATURES.contains(&x.as_str()));
        return thing.then(|| t.span(i, p.split(' ').count() + 2));
    }
    if rest.iter().take(4).any(|x| x == "anything" || x == "else") {
        return None;
    }
    if (p == "is a" || p == "is an") && i != opener_len(t) {
        return None;
    }
    #[rustfmt::skip]
    const BUILD: &[&str] = &[
        "add", "build", "make", "create", "offer", "provide", "include", "introduce", "ship", "support",
        "change", "remove", "put", "implement", "give", "automate", "replace", "have", "redesign", "rename",
    ];
    if ["should we", "shall we", "could we", "can we"].contains(&p) {
        return rest.first().filter(|v| BUILD.contains(&v.as_str())).map(|_| t.span(i, 3));
    }
    // "Do you need to…" asks about a need, not a thing.
    if rest.first().is_some_and(|x| x == "to") && p.starts_with("do you need") {
        return None;
    }
    // "Do you want to walk me through it?" is an invitation, not a feature.
    if p == "do you want"
        && rest.first().is_some_and(|x| x == "to")
        && rest.get(1).is_some_and(|v| REQUEST_VERBS.contains(&v.as_str()))
    {
        return None;
    }
    let feature = rest.iter().any(|x| FEATURES.contains(&x.as_str()))
        || rest.iter().take(3).any(|x| {
            [
                "adding",
                "add",
                "build",
                "building",
                "having",
                "introducing",
                "offering",
                "automatic",
                "automated",
                "new",
                "another",
                "more",
            ]
            .contains(&x.as_str())
        });
    feature.then(|| t.span(i, p.split(' ').count() + 2))
}

pub(super) fn vague(t: &Text) -> Option<String> {
    if t.find_any(ANCHORS).is_some() || t.words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())) {
        return None;
    }
    // A follow-up about one past event ("What was difficult about it?") is anchored by it.
    let past =
        t.words.iter().any(|w| ["was", "were", "did", "had", "happened", "went"].contains(&w.as_str()));
    let that_event = t.words.iter().any(|w| ["it", "that", "then"].contains(&w.as_str()));
    if past && that_event {
        return None;
    }
    let w = &t.words;
    for (i, word) in w.iter().enumerate() {
        let prev = if i > 0 { w[i - 1].as_str() } else { "" };
        let next = w.get(i + 1).map(String::as_str).unwrap_or("");
        let skip = match word.as_str() {
            "well" => prev == "as" || next == "as" || i < opener_len(t),
            "much" | "many" => prev == "how" || prev == "too" || prev == "so",
            "fine" => next.starts_with("grain"),
            "best" | "better" => next == "understand" || prev == "had",
            _ => false,
        };
        if !skip && VAGUE.contains(&word.as_str()) {
            return Some(t.span(i, 1));
        }
    }
    for p in [
        "a lot",
        "a bit",
        "a little",
        "a few",
        "these days",
        "most of the time",
        "in general",
        "a long time",
        "a while",
        "for long",
    ] {
        // "Tell me a little about…" sets how much to tell, not a quantity to report.
        if let Some(i) = t.find(p).filter(|&i| !(i > 0 && w[i - 1] == "me")) {
            return Some(t.span(i, p.split(' ').count()));
        }
    }
    None
}

/// The acronyms and internal terms of a question the guide does not explain.
pub(super) fn jargon(t: &Text, glossary: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in &t.raw {
        let term = raw.trim_end_matches("'s").trim_end_matches('s');
        let term = if term.len() >= 2
            && term.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "&/-".contains(c))
        {
            term
        } else {
            raw.as_str()
        };
        if term == "I"
            || term.starts_with("I'")
            || COMMON_TERMS.contains(&term)
            || out.iter().any(|o| o == term)
        {
            continue;
        }
        let letters = term.chars().filter(|c| c.is_alphabetic()).count();
        let upper = term.chars().filter(|c| c.is_uppercase()).count();
        let acronym = upper >= 2 && term.chars().all(|c| !c.is_lowercase() || c == 's') && letters >= 2;
        let camel = letters >= 4
            && term.chars().skip(1).any(|c| c.is_uppercase())
            && term.chars().any(|c| c.is_lowercase());
        let digits = term.chars().any(|c| c.is_ascii_digit());
        let mixed = digits && letters > 0 && !is_ordinal_or_unit(term);
        let code = term.contains('_');
        let camel = camel && !term.contains('\'');
        let known = |g: &str| explained(term, g) || explained(&format!("{term}s"), g);
        if (acronym || camel || mixed || code) && !known(glossary) && !known(&t.original) {
            out.push(term.to_string());
        }
    }
    // Two or more capitalised words inside the sentence name an internal thing ("the Paved
    // Road", "Deploy Gate"), unless the guide says what it is.
    let capital = |i: usize| {
        let r = &t.raw[i];
        r.chars().next().is_some_and(char::is_uppercase)
            && r.chars().skip(1).all(|c| c.is_lowercase() || c == '-')
            && r.len() > 1
            && !COMMON_TERMS.contains(&r.as_str())
    };
    let mut i = 1;
    while i < t.raw.len() {
        let sentence_start = t.original[..t.offsets[i].0].trim_end().ends_with(['.', '?', '!', ':']);
        if capital(i) && !sentence_start {
            let mut j = i;
            while j + 1 < t.raw.len() && capital(j + 1) {
                j += 1;
            }
            if j > i {
                let name = t.original[t.offsets[i].0..t.offsets[j].1].to_string();
                if !explained(&name, glossary) && !explained(&name, &t.original) && !out.contains(&name) {
                    out.push(name);
                }
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    // `backticked` names are code or internal names.
    for (k, part) in t.original.split('`').enumerate() {
        if k % 2 == 1
            && !part.trim().is_empty()
            && !explained(part.trim(), glossary)
            && !out.iter().any(|o| o == part.trim())
        {
            out.push(part.trim().to_string());
        }
    }
    out
}

pub(super) fn is_ordinal_or_unit(term: &str) -> bool {
    let lower = term.to_lowercase();
    let digits: String = lower.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = &lower[digits.len()..];
    !digits.is_empty()
        && [
            "st", "nd", "rd", "th", "s", "am", "pm", "h", "m", "min", "mins", "k", "x", "d", "w", "ms", "gb",
            "mb", "tb", "kb", "%",
        ]
        .contains(&rest)
}

/// Whether the guide says what a term means: "SLO (service level objective)",
/// "service level objective (SLO)", "SLO: …", "SLO means…", "SLO — …".
pub fn explained(term: &str, glossary: &str) -> bool {
    let forms = [
        format!("{term} ("),
        format!("({term})"),
        format!("{term}:"),
        format!("{term} -"),
        format!("{term} \u{2014}"),
        format!("{term} \u{2013}"),
        format!("{term} means"),
        format!("{term} stands for"),
        format!("{term} is short for"),
        format!("{term}, i.e."),
        format!("{term} ="),
        format!("{term}, which is"),
        format!("{term}, meaning"),
    ];
    forms.iter().any(|f| glossary.contains(f.as_str()))
}

/// Whether a word is emotionally charged.
pub fn check_charged(word: &str) -> bool {
    CHARGED.contains(&word)
}

pub(super) fn loaded(t: &Text) -> Option<(String, String)> {
    if let Some((i, p)) = t.find_any(PRESUMPTIONS) {
        let words = t.span(i, p.split(' ').count());
        return Some((
            format!("\"{words}\" presumes there is something wrong (or bad) before they have said so; ask what their experience is"),
            words,
        ));
    }
    let w = &t.words;
    // "Why is the old deploy system so frustrating?": the question states the judgement.
    if w.first().is_some_and(|x| x == "why")
        && w.get(1).is_some_and(|x| ["is", "are", "was", "were", "does", "do"].contains(&x.as_str()))
    {
        if let Some(so) = w.iter().position(|x| x == "so").filter(|&s| s + 1 < w.len() && s > 2) {
            let words = t.span(so, 2);
            return Some((
                format!("\"why … {words}\" states a judgement as a fact and asks them to explain it; ask what their experience is"),
                words,
            ));
        }
    }
    for (i, word) in w.iter().enumerate() {
        if CHARGED.contains(&word.as_str()) {
            let words = t.span(i, 1);
            return Some((
                format!("\"{words}\" is emotionally charged; it tells people how to feel about the topic. Use neutral words"),
                words,
            ));
        }
    }
    None
}

pub(super) fn too_long(t: &Text) -> Option<String> {
    let words = t.words.len();
    let sentences = sentence_count(&t.original);
    if words > 25 {
        Some(format!("{words} words: past about 25, people lose the question before it ends. Keep the question short and move context to the interviewer note"))
    } else if sentences > 2 {
        Some(format!("{sentences} sentences in one question; people answer the last one they heard. Keep one short set-up and one question"))
    } else {
        None
    }
}

/// Sentences: ends of `.`, `?` or `!` followed by more text (abbreviations like "e.g." aside).
pub fn sentence_count(text: &str) -> usize {
    let cleaned =
        text.replace("e.g.", "eg").replace("i.e.", "ie").replace("etc.", "etc").replace("vs.", "vs");
    let mut n = 0;
    let chars: Vec<char> = cleaned.trim().chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if ['.', '?', '!'].contains(c) {
            let next = chars.get(i + 1);
            if next.is_none() || next.is_some_and(|n| n.is_whitespace()) {
                n += 1;
            }
        }
    }
    let ends_open = chars.last().is_some_and(|c| !['.', '?', '!'].contains(c));
    n + usize::from(ends_open || n == 0)
}
