//! Reading CSV files with error messages that name the file, the line and the column.
//!
//! Every CSV importer goes through [`Table`]: it checks the header for required columns
//! up front, and each [`Record`] knows its line so a bad value is reported where it is.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// A parsed CSV file: its header and its records.
#[derive(Debug)]
pub struct Table {
    source: String,
    headers: Vec<String>,
    records: Vec<Record>,
}

/// One CSV record with the line it started on.
#[derive(Debug)]
pub struct Record {
    source: String,
    line: u64,
    values: BTreeMap<String, String>,
}

impl Table {
    /// Parses CSV text with a header row. `source` names the file in errors.
    pub fn parse(text: &str, source: &str) -> Result<Table> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| Error::invalid(format!("{source}:1"), format!("unreadable header row: {e}")))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        let mut records = Vec::new();
        for result in reader.records() {
            let rec = result.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                let what = match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        format!("expected {expected_len} fields like the header, found {len}")
                    }
                    _ => e.to_string(),
                };
                Error::invalid(format!("{source}:{line}"), what)
            })?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            if let Some((i, field)) = rec.iter().enumerate().find(|(_, f)| f.len() > crate::limits::FIELD) {
                let column = headers.get(i).map(String::as_str).unwrap_or("?");
                return Err(Error::invalid(
                    format!("{source}:{line}"),
                    format!(
                        "the field `{column}` is {} bytes; fields are read up to {} bytes (1 MiB)",
                        field.len(),
                        crate::limits::FIELD
                    ),
                ));
            }
            let values = headers.iter().cloned().zip(rec.iter().map(str::to_string)).collect();
            records.push(Record { source: source.to_string(), line, values });
        }
        Ok(Table { source: source.to_string(), headers, records })
    }

    /// Fails unless every column in `names` is in the header.
    pub fn require_columns(&self, names: &[&str]) -> Result<()> {
        let missing: Vec<&str> =
            names.iter().copied().filter(|n| !self.headers.iter().any(|h| h == n)).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid(
                format!("{}:1", self.source),
                format!(
                    "missing column(s) {}; the header has: {}",
                    missing.join(", "),
                    self.headers.join(", ")
                ),
            ))
        }
    }

    /// The file name given to [`Table::parse`].
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The header's column names.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The records in file order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }
}

impl Record {
    /// The line the record starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// `file:line`, for messages.
    pub fn location(&self) -> String {
        format!("{}:{}", self.source, self.line)
    }

    /// An error at this record about `column`.
    pub fn error(&self, column: &str, message: impl std::fmt::Display) -> Error {
        Error::invalid(self.location(), format!("column `{column}`: {message}"))
    }

    /// The value of `column`, `None` when absent or empty.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.values.get(column).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The value of `column`; an error naming the line when it is empty.
    pub fn required(&self, column: &str) -> Result<&str> {
        self.get(column).ok_or_else(|| self.error(column, "expected a value, found none"))
    }

    /// `column` parsed as an integer.
    pub fn int(&self, column: &str) -> Result<i64> {
        let v = self.required(column)?;
        v.parse().map_err(|_| self.error(column, format!("expected a whole number, found {v:?}")))
    }

    /// `column` as an RFC 3339 timestamp (or a bare `YYYY-MM-DD`), normalised to UTC text.
    pub fn time(&self, column: &str) -> Result<String> {
        let v = self.required(column)?;
        crate::timefmt::normalise(v).ok_or_else(|| {
            self.error(column, format!("expected a time like 2026-03-04T14:30:00Z, found {v:?}"))
        })
    }

    /// All columns and values.
    pub fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }
}
