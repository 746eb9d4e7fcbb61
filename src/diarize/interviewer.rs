//! The interviewer: the speaker whose turns ask the questions.
//!
//! A turn scores as a question when it matches a question of the session's guide (half or
//! more of the guide question's content words are in it), or else when it reads like one (it
//! ends in `?`, or starts with a question word or an inverted auxiliary: "what", "how",
//! "could you", "tell me", …). The speaker with the largest share of question turns, if it is
//! clearly ahead of the others, is the interviewer; the rest are participants.

/// Words that open a question.
const OPENERS: &[&str] = &[
    "what", "how", "why", "when", "where", "who", "which", "whose", "can", "could", "would", "will", "do",
    "does", "did", "is", "are", "was", "were", "have", "has", "should", "shall", "may",
];

const STOP: &[&str] = &[
    "the", "a", "an", "and", "or", "to", "of", "in", "on", "for", "you", "your", "is", "are", "do", "does",
    "did", "what", "how", "it", "that", "this", "with", "me", "i", "we", "at", "be", "about",
];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// True when `text` reads like a question.
pub fn question_like(text: &str) -> bool {
    let t = text.trim();
    if t.ends_with('?') {
        return true;
    }
    let w = words(t);
    match w.as_slice() {
        [first, second, ..] if first == "tell" && second == "me" => true,
        [first, ..] => OPENERS.contains(&first.as_str()),
        [] => false,
    }
}

/// True when `text` asks one of `guide` questions: half or more of its content words are in it.
pub fn asks_guide_question(text: &str, guide: &[String]) -> bool {
    let said: std::collections::HashSet<String> = words(text).into_iter().collect();
    guide.iter().any(|q| {
        let content: Vec<String> = words(q).into_iter().filter(|w| !STOP.contains(&w.as_str())).collect();
        !content.is_empty() && content.iter().filter(|w| said.contains(*w)).count() * 2 >= content.len()
    })
}

/// Which of the speakers (by index) is the interviewer, from each speaker's turns' texts.
/// `None` when no speaker asks clearly more than the others.
pub fn interviewer(turns_by_speaker: &[Vec<String>], guide: &[String]) -> Option<usize> {
    let score = |turns: &Vec<String>| -> f64 {
        if turns.is_empty() {
            return 0.0;
        }
        let q = turns
            .iter()
            .filter(|t| question_like(t) || (!guide.is_empty() && asks_guide_question(t, guide)))
            .count();
        q as f64 / turns.len() as f64
    };
    let scores: Vec<f64> = turns_by_speaker.iter().map(score).collect();
    let (best, &top) = scores.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
    let second = scores.iter().enumerate().filter(|(i, _)| *i != best).map(|(_, s)| *s).fold(0.0, f64::max);
    (top >= 0.3 && top >= second + 0.2).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_told_by_mark_opener_or_the_guide() {
        assert!(question_like("Could you walk me through it"));
        assert!(question_like("And the deploy took how long?"));
        assert!(question_like("Tell me about the last incident."));
        assert!(!question_like("I open a merge request."));
        let guide = vec!["Walk me through your last deployment".to_string()];
        assert!(asks_guide_question("so walk us through the last deployment you did", &guide));
    }

    #[test]
    fn the_speaker_asking_the_questions_is_the_interviewer() {
        let a = vec!["How do you deploy?".into(), "What fails?".into(), "Okay.".into()];
        let b = vec!["With the pipeline.".into(), "The tests, mostly.".into()];
        assert_eq!(interviewer(&[b.clone(), a.clone()], &[]), Some(1));
        assert_eq!(interviewer(&[b.clone(), b], &[]), None);
    }
}
