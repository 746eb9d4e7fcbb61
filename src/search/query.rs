//! The search syntax and its parser.
//!
//! Words (all must match, stemmed), `"exact phrases"`, `-excluded` words or phrases, `a OR b`,
//! `prefix*`, field filters `speaker:` `study:` `session:` `person:` `role:` `team:` `tag:`
//! `kind:` (a value may be quoted: `speaker:"Priya Raman"`), and dates `after:2026-01-01`
//! (from that day on) and `before:2026-02-01` (up to the day before). A malformed query is a
//! `query_syntax` error that names the column (1-based) where it goes wrong.

use crate::error::{Error, Result};

/// The kinds of document, as `kind:` accepts them.
pub const KINDS: [&str; 6] = ["segment", "note", "highlight", "finding", "nps", "feedback"];

/// Filters on a tokenized field.
pub const TEXT_FILTERS: [&str; 6] = ["speaker", "study", "person", "role", "team", "tag"];

/// One positive or negative piece of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// A bare word (matched stemmed).
    Word(String),
    /// A quoted phrase (matched word for word, case-insensitively).
    Phrase(String),
    /// `prefix*` (lowercase, at least two characters).
    Prefix(String),
    /// `field:value` on one of [`TEXT_FILTERS`].
    Field { field: String, value: String },
    /// `session:N`.
    Session(u64),
    /// `kind:K`.
    Kind(String),
    /// `after:DATE` — unix seconds of that day's start, inclusive.
    After(i64),
    /// `before:DATE` — unix seconds of that day's start, exclusive.
    Before(i64),
}

impl Clause {
    /// True for clauses that match text (words, phrases, prefixes), as opposed to filters.
    pub fn is_text(&self) -> bool {
        matches!(self, Clause::Word(_) | Clause::Phrase(_) | Clause::Prefix(_))
    }
}

/// A parsed query: every group must match (a group matches when any of its clauses does),
/// and no excluded clause may match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedQuery {
    pub groups: Vec<Vec<Clause>>,
    pub excluded: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    col: usize,
    negated: bool,
    field: Option<String>,
    value: String,
    quoted: bool,
}

fn err(col: usize, message: impl Into<String>) -> Error {
    Error::QuerySyntax { column: col, message: message.into() }
}

fn tokenize(input: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let col = i + 1;
        let mut negated = false;
        if chars[i] == '-' {
            negated = true;
            i += 1;
            if i >= chars.len() || chars[i].is_whitespace() {
                return Err(err(col, "`-` must be followed by a word or a \"phrase\" to exclude"));
            }
        }
        // An optional `field:` prefix.
        let mut field = None;
        let start = i;
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_alphabetic() {
            j += 1;
        }
        if j > start && j < chars.len() && chars[j] == ':' {
            field = Some(chars[start..j].iter().collect::<String>().to_ascii_lowercase());
            i = j + 1;
            if i >= chars.len() || chars[i].is_whitespace() {
                return Err(err(
                    col,
                    format!(
                        "`{}:` needs a value, like {}:value",
                        field.unwrap(),
                        chars[start..j].iter().collect::<String>()
                    ),
                ));
            }
        }
        let (value, quoted) = if chars[i] == '"' {
            let open = i + 1;
            let close = chars[i + 1..].iter().position(|c| *c == '"').map(|p| p + i + 1);
            let Some(close) = close else {
                return Err(err(open, "this quote is never closed; add a closing \""));
            };
            let phrase: String = chars[i + 1..close].iter().collect();
            if phrase.trim().is_empty() {
                return Err(err(open, "empty \"\" phrase"));
            }
            i = close + 1;
            (phrase, true)
        } else {
            let s = i;
            while i < chars.len() && !chars[i].is_whitespace() {
                if chars[i] == '"' {
                    return Err(err(i + 1, "a quote must start a phrase; put a space before it"));
                }
                i += 1;
            }
            (chars[s..i].iter().collect(), false)
        };
        tokens.push(Token { col, negated, field, value, quoted });
    }
    Ok(tokens)
}

fn parse_date(col: usize, field: &str, value: &str) -> Result<i64> {
    let date = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| err(col, format!("`{field}:` expects a date like 2026-01-31, found {value:?}")))?;
    Ok(date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp())
}

fn clause(tok: &Token) -> Result<Clause> {
    let Some(field) = &tok.field else {
        if tok.quoted {
            return Ok(Clause::Phrase(tok.value.clone()));
        }
        if let Some(stem) = tok.value.strip_suffix('*') {
            if stem.contains('*') || stem.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
                return Err(err(tok.col, "a prefix needs at least two letters before a single trailing `*`"));
            }
            return Ok(Clause::Prefix(stem.to_lowercase()));
        }
        if tok.value.contains('*') {
            return Err(err(tok.col, "`*` is only allowed at the end of a word (prefix search)"));
        }
        return Ok(Clause::Word(tok.value.clone()));
    };
    let value = tok.value.trim().to_string();
    match field.as_str() {
        "session" => value
            .parse::<u64>()
            .map(Clause::Session)
            .map_err(|_| err(tok.col, format!("`session:` expects a session id (a number), found {value:?}"))),
        "kind" => {
            let v = value.to_lowercase();
            if KINDS.contains(&v.as_str()) {
                Ok(Clause::Kind(v))
            } else {
                Err(err(tok.col, format!("`kind:` expects one of {}, found {value:?}", KINDS.join(", "))))
            }
        }
        "after" => Ok(Clause::After(parse_date(tok.col, "after", &value)?)),
        "before" => Ok(Clause::Before(parse_date(tok.col, "before", &value)?)),
        f if TEXT_FILTERS.contains(&f) => Ok(Clause::Field { field: f.to_string(), value }),
        other => Err(err(
            tok.col,
            format!(
                "unknown filter `{other}:`; filters are {}, session:, kind:, after:, before: (quote text with a colon)",
                TEXT_FILTERS.map(|f| format!("{f}:")).join(", ")
            ),
        )),
    }
}

/// Parses a query string.
pub fn parse(input: &str) -> Result<ParsedQuery> {
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return Err(err(1, "the query is empty; type words to search for"));
    }
    let mut parsed = ParsedQuery::default();
    let mut join_next = false;
    for (idx, tok) in tokens.iter().enumerate() {
        let is_or = tok.field.is_none() && !tok.quoted && tok.value == "OR";
        if is_or {
            if tok.negated {
                return Err(err(tok.col, "`-OR` is not a thing; OR joins two words"));
            }
            if parsed.groups.is_empty() || join_next || idx + 1 == tokens.len() {
                return Err(err(tok.col, "OR must stand between two words or filters"));
            }
            join_next = true;
            continue;
        }
        let c = clause(tok)?;
        if tok.negated {
            if join_next {
                return Err(err(tok.col, "an excluded term cannot be one side of OR"));
            }
            parsed.excluded.push(c);
        } else if join_next {
            parsed.groups.last_mut().expect("checked non-empty").push(c);
            join_next = false;
        } else {
            parsed.groups.push(vec![c]);
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_filters_or_and_exclusions_parse() {
        let q = parse(r#"rollback "circuit breaker" speaker:"Priya Raman" gate OR gates -flaky deploy* after:2026-01-01"#).unwrap();
        assert_eq!(q.groups.len(), 6);
        assert_eq!(q.groups[0], vec![Clause::Word("rollback".into())]);
        assert_eq!(q.groups[1], vec![Clause::Phrase("circuit breaker".into())]);
        assert_eq!(q.groups[2], vec![Clause::Field { field: "speaker".into(), value: "Priya Raman".into() }]);
        assert_eq!(q.groups[3], vec![Clause::Word("gate".into()), Clause::Word("gates".into())]);
        assert_eq!(q.groups[4], vec![Clause::Prefix("deploy".into())]);
        assert_eq!(q.groups[5], vec![Clause::After(1_767_225_600)]);
        assert_eq!(q.excluded, vec![Clause::Word("flaky".into())]);
    }

    #[test]
    fn an_unclosed_quote_names_its_column() {
        let e = parse(r#"deploy "circuit breaker"#).unwrap_err().to_string();
        assert_eq!(e, "query, column 8: this quote is never closed; add a closing \"");
    }

    #[test]
    fn an_unknown_filter_and_a_bad_date_name_their_columns() {
        assert!(parse("gates colour:red")
            .unwrap_err()
            .to_string()
            .starts_with("query, column 7: unknown filter `colour:`"));
        assert!(parse("after:yesterday")
            .unwrap_err()
            .to_string()
            .contains("column 1: `after:` expects a date"));
        assert!(parse("kind:podcast").unwrap_err().to_string().contains("`kind:` expects one of segment"));
    }

    #[test]
    fn or_must_stand_between_two_terms() {
        assert!(parse("OR gates").is_err());
        assert!(parse("gates OR").is_err());
        assert!(parse("gates OR OR rollbacks").is_err());
        assert!(parse("   ").is_err());
    }
}
