//! Screener expressions: a small language for who may be invited, with parse errors that
//! point at the column.
//!
//! ```text
//! expr    := term ("or" term)*
//! term    := factor ("and" factor)*
//! factor  := "not" factor | "(" expr ")" | test
//! test    := FIELD OP VALUE                      role=sre, team!=platform, events>=10, last_seen<=14d
//!          | FIELD ["not"] "in" "(" VALUE ("," VALUE)* ")"   observed_role in (operations, service)
//!          | "count" "(" ARG ("," ARG)* ")" OP NUMBER        count(action="create pods/exec", within=30d) >= 3
//! OP      := "=" | "!=" | "<" | "<=" | ">" | ">=" | "~" (contains)
//! VALUE   := a word (letters, digits, - _ . @ / :) or a "quoted string"
//! ARG     := ("action" | "resource" | "namespace") "=" VALUE | "within" "=" DURATION
//! DURATION:= NUMBER ("d" | "w" | "h")
//! ```
//! Text comparisons ignore case. `last_seen` and `first_seen` compare how long ago (a
//! duration: `last_seen <= 14d` is "seen in the last 14 days"; someone never seen is
//! infinitely long ago). Fields: `email name team role manager location contact_status
//! observed_role tier events active_days sessions last_seen first_seen`, or any directory
//! attribute by its name.

use std::fmt;

use crate::error::{Error, Result};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
}

impl Op {
    /// Whether `ordering` of left against right satisfies the operator.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => ord == Equal,
            Op::Ne => ord != Equal,
            Op::Lt => ord == Less,
            Op::Le => ord != Greater,
            Op::Gt => ord == Greater,
            Op::Ge => ord != Less,
            Op::Contains => ord == Equal,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "~",
        })
    }
}

/// Filters of a `count(...)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CountFilter {
    pub action: Option<String>,
    pub resource: Option<String>,
    pub namespace: Option<String>,
    /// Within this many seconds before now; none: all time.
    pub within_s: Option<i64>,
}

/// A parsed screener expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare { field: String, column: usize, op: Op, value: String },
    In { field: String, column: usize, values: Vec<String>, negated: bool },
    Count { filter: CountFilter, op: Op, value: i64 },
}

/// A parse error: the 1-based column it points at and what was expected.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct ScreenerError {
    pub column: usize,
    pub message: String,
}

impl ScreenerError {
    /// As the core's error, naming the expression and the column.
    pub fn into_error(self, expr: &str) -> Error {
        // A long expression is quoted by its first 60 characters: the column says where.
        let shown: String = expr.chars().take(60).collect();
        let shown = if shown.len() < expr.len() { format!("{shown}…") } else { shown };
        Error::invalid(format!("--where {shown:?}, column {}", self.column), self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Op(Op),
    LParen,
    RParen,
    Comma,
    End,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("{w:?}"),
        Tok::Str(s) => format!("the string {s:?}"),
        Tok::Op(o) => format!("\"{o}\""),
        Tok::LParen => "\"(\"".into(),
        Tok::RParen => "\")\"".into(),
        Tok::Comma => "\",\"".into(),
        Tok::End => "the end".into(),
    }
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '/' | ':' | '+')
}

fn lex(src: &str) -> std::result::Result<Vec<(Tok, usize)>, ScreenerError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        let double = match (c, next) {
            ('!', Some('=')) => Some(Op::Ne),
            ('<', Some('=')) => Some(Op::Le),
            ('>', Some('=')) => Some(Op::Ge),
            ('=', Some('=')) => Some(Op::Eq),
            _ => None,
        };
        if let Some(op) = double {
            out.push((Tok::Op(op), col));
            i += 2;
            continue;
        }
        let single = match c {
            '=' => Some(Tok::Op(Op::Eq)),
            '<' => Some(Tok::Op(Op::Lt)),
            '>' => Some(Tok::Op(Op::Gt)),
            '~' => Some(Tok::Op(Op::Contains)),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(tok) = single {
            out.push((tok, col));
            i += 1;
            continue;
        }
        if c == '"' || c == '\'' {
            let quote = c;
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => {
                        return Err(ScreenerError {
                            column: col,
                            message: format!("this string has no closing {quote}"),
                        })
                    }
                    Some('\\') if chars.get(j + 1).is_some() => {
                        s.push(chars[j + 1]);
                        j += 2;
                    }
                    Some(ch) if *ch == quote => break,
                    Some(ch) => {
                        s.push(*ch);
                        j += 1;
                    }
                }
            }
            out.push((Tok::Str(s), col));
            i = j + 1;
            continue;
        }
        if word_char(c) {
            let mut j = i;
            while j < chars.len() && word_char(chars[j]) {
                j += 1;
            }
            out.push((Tok::Word(chars[i..j].iter().collect()), col));
            i = j;
            continue;
        }
        return Err(ScreenerError { column: col, message: format!("unexpected character {c:?}") });
    }
    out.push((Tok::End, chars.len() + 1));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    /// How many `(` and `not` enclose the factor being read.
    depth: usize,
}

/// The most parentheses and `not`s one expression may nest: the parser is recursive, and a
/// typed criterion never nests this deep.
pub const MAX_NESTING: usize = 64;

type PResult<T> = std::result::Result<T, ScreenerError>;

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }
    fn col(&self) -> usize {
        self.toks[self.pos].1
    }
    fn next(&mut self) -> (Tok, usize) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
    fn fail<T>(&self, expected: &str) -> PResult<T> {
        Err(ScreenerError {
            column: self.col(),
            message: format!("expected {expected}, found {}", describe(self.peek())),
        })
    }

    fn expr(&mut self) -> PResult<Expr> {
        let mut left = self.term()?;
        while self.keyword("or") {
            self.next();
            left = Expr::Or(Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> PResult<Expr> {
        let mut left = self.factor()?;
        while self.keyword("and") {
            self.next();
            left = Expr::And(Box::new(left), Box::new(self.factor()?));
        }
        Ok(left)
    }

    fn factor(&mut self) -> PResult<Expr> {
        if (self.keyword("not") || *self.peek() == Tok::LParen) && self.depth >= MAX_NESTING {
            return Err(ScreenerError {
                column: self.col(),
                message: format!(
                    "more than {MAX_NESTING} nested parentheses or \"not\"s; simplify the criterion"
                ),
            });
        }
        if self.keyword("not") {
            self.next();
            self.depth += 1;
            let inner = self.factor()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        if *self.peek() == Tok::LParen {
            self.next();
            self.depth += 1;
            let e = self.expr()?;
            self.depth -= 1;
            if *self.peek() != Tok::RParen {
                return self.fail("\")\" to close the parenthesis");
            }
            self.next();
            return Ok(e);
        }
        if self.keyword("count") && self.toks.get(self.pos + 1).map(|t| &t.0) == Some(&Tok::LParen) {
            return self.count();
        }
        let (field, column) = match self.next() {
            (Tok::Word(w), c) if !is_keyword(&w) => (w.to_ascii_lowercase(), c),
            (t, c) => {
                return Err(ScreenerError {
                    column: c,
                    message: format!(
                        "expected a field (role, team, observed_role, tier…), found {}",
                        describe(&t)
                    ),
                })
            }
        };
        let negated = if self.keyword("not") {
            self.next();
            if !self.keyword("in") {
                return self.fail("\"in\" after \"not\"");
            }
            true
        } else {
            false
        };
        if self.keyword("in") {
            self.next();
            let values = self.list()?;
            return Ok(Expr::In { field, column, values, negated });
        }
        let op = match self.peek() {
            Tok::Op(op) => *op,
            _ => return self.fail(&format!("an operator (=, !=, <, <=, >, >=, ~ or in) after {field:?}")),
        };
        self.next();
        let value = self.value(&format!("a value after \"{op}\""))?;
        Ok(Expr::Compare { field, column, op, value })
    }

    fn value(&mut self, expected: &str) -> PResult<String> {
        match self.peek().clone() {
            Tok::Word(w) if !is_keyword(&w) => {
                self.next();
                Ok(w)
            }
            Tok::Str(s) => {
                self.next();
                Ok(s)
            }
            _ => self.fail(expected),
        }
    }

    fn list(&mut self) -> PResult<Vec<String>> {
        if *self.peek() != Tok::LParen {
            return self.fail("\"(\" to start the list of values");
        }
        self.next();
        let mut values = vec![self.value("a value in the list")?];
        loop {
            match self.peek() {
                Tok::Comma => {
                    self.next();
                    values.push(self.value("a value after \",\"")?);
                }
                Tok::RParen => {
                    self.next();
                    return Ok(values);
                }
                _ => return self.fail("\",\" or \")\" in the list"),
            }
        }
    }

    fn count(&mut self) -> PResult<Expr> {
        self.next();
        self.next();
        let mut filter = CountFilter::default();
        loop {
            let (name, col) = match self.next() {
                (Tok::Word(w), c) => (w.to_ascii_lowercase(), c),
                (t, c) => {
                    return Err(ScreenerError {
                        column: c,
                        message: format!(
                            "expected action=, resource=, namespace= or within=, found {}",
                            describe(&t)
                        ),
                    })
                }
            };
            if *self.peek() != Tok::Op(Op::Eq) {
                return self.fail(&format!("\"=\" after {name:?}"));
            }
            self.next();
            let vcol = self.col();
            let value = self.value(&format!("a value for {name}"))?;
            match name.as_str() {
                "action" => filter.action = Some(value),
                "resource" => filter.resource = Some(value),
                "namespace" => filter.namespace = Some(value),
                "within" => {
                    filter.within_s = Some(duration_s(&value).ok_or(ScreenerError {
                        column: vcol,
                        message: format!("expected a duration like 30d, 2w or 12h, found {value:?}"),
                    })?)
                }
                _ => {
                    return Err(ScreenerError {
                        column: col,
                        message: format!(
                            "count() takes action, resource, namespace and within, not {name:?}"
                        ),
                    })
                }
            }
            match self.peek() {
                Tok::Comma => {
                    self.next();
                }
                Tok::RParen => {
                    self.next();
                    break;
                }
                _ => return self.fail("\",\" or \")\" in count()"),
            }
        }
        let op = match self.peek() {
            Tok::Op(op) if *op != Op::Contains => *op,
            _ => return self.fail("a comparison (>=, >, =, <, <=, !=) after count()"),
        };
        self.next();
        let col = self.col();
        let text = self.value("a number after the comparison")?;
        let value = text.parse::<i64>().map_err(|_| ScreenerError {
            column: col,
            message: format!("expected a whole number, found {text:?}"),
        })?;
        Ok(Expr::Count { filter, op, value })
    }
}

fn is_keyword(w: &str) -> bool {
    ["and", "or", "not", "in"].iter().any(|k| w.eq_ignore_ascii_case(k))
}

/// A duration like `14d`, `2w`, `12h` (or a bare number of days) in seconds.
pub fn duration_s(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    let (num, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&t[..i], &t[i..]),
        None => (t.as_str(), "d"),
    };
    let n: i64 = num.parse().ok()?;
    let per = match unit {
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        "h" | "hour" | "hours" => 3_600,
        _ => return None,
    };
    Some(n * per)
}

/// Parses a screener expression.
pub fn parse(src: &str) -> std::result::Result<Expr, ScreenerError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0, depth: 0 };
    if *p.peek() == Tok::End {
        return p.fail("a condition such as role=sre");
    }
    let e = p.expr()?;
    if *p.peek() != Tok::End {
        return p.fail("\"and\", \"or\" or the end");
    }
    Ok(e)
}

/// Parses several `--where` expressions, all of which must hold.
pub fn parse_all(sources: &[String]) -> Result<Option<Expr>> {
    let mut out: Option<Expr> = None;
    for s in sources.iter().filter(|s| !s.trim().is_empty()) {
        let e = parse(s).map_err(|e| e.into_error(s))?;
        out = Some(match out {
            Some(prev) => Expr::And(Box::new(prev), Box::new(e)),
            None => e,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_thousand_nested_parentheses_are_an_error_not_a_stack_overflow() {
        let deep = format!("{}team = x{}", "(".repeat(10_000), ")".repeat(10_000));
        let err = parse(&deep).unwrap_err();
        assert!(err.message.contains("nested"), "{}", err.message);
        let nots = format!("{}team = x", "not ".repeat(10_000));
        assert!(parse(&nots).unwrap_err().message.contains("nested"));
        let ok = format!("{}team = x{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert!(parse(&ok).is_ok(), "{MAX_NESTING} levels are allowed");
    }

    #[test]
    fn the_issue_examples_parse() {
        for src in [
            "role=sre",
            "team!=platform",
            "observed_role in (operations, service)",
            "count(action=\"create pods/exec\", within=30d) >= 3",
            "last_seen <= 14d",
            "tier in (power, regular) and not (team = platform or role ~ manager)",
        ] {
            parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        }
    }

    #[test]
    fn errors_point_at_the_column() {
        assert_eq!(parse("role=").unwrap_err().column, 6);
        assert_eq!(parse("role=sre and").unwrap_err().column, 13);
        assert_eq!(parse("tier in (power regular)").unwrap_err().column, 16);
        assert_eq!(parse("count(action=x, within=3y) > 1").unwrap_err().column, 24);
        assert_eq!(parse("(role=sre").unwrap_err().column, 10);
        assert_eq!(parse("role = \"sre").unwrap_err().column, 8);
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let e = parse("a=1 or b=2 and c=3").unwrap();
        assert!(matches!(e, Expr::Or(_, _)), "or at the top: {e:?}");
    }
}
