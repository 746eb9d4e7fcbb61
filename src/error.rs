//! The one error type of the core, and the stable codes the UI and scripts branch on.
//!
//! Every fallible core function returns [`Result`]. An [`Error`] carries its context (the
//! file, the line or field, what was expected) in its message, and maps to a small
//! [`ErrorCode`] that stays stable across releases: the desktop app sends `{code, message}`
//! over IPC, the CLI prints the message on one line and exits non-zero. Cancelling a long
//! job is not an error; it is an `Outcome::Cancelled` value where a job can be cancelled.

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable, machine-readable error categories. Add a variant only when a caller branches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The thing asked for (study, session, person, file…) does not exist.
    NotFound,
    /// Input failed validation: a bad file, line, field or argument.
    InvalidInput,
    /// Creating something whose key is already taken.
    AlreadyExists,
    /// The workspace was written by a newer Rapport; it is left untouched.
    WorkspaceNewer,
    /// The folder is not a Rapport workspace (or its database is not one).
    NotAWorkspace,
    /// Reading or writing a file failed.
    Io,
    /// SQLite failed.
    Database,
    /// A consistency check found damage (hash mismatch, broken reference).
    Integrity,
    /// The window asked for a file or folder that no dialog or drop of the user's gave it
    /// and that lies outside the open workspace; nothing was read or written.
    PathNotAllowed,
    /// A search query is malformed; `column` (1-based) says where. The search box keeps the
    /// last results and marks the query instead of showing an error.
    QuerySyntax,
    /// The user cancelled a long command-line job (Ctrl-C); nothing was changed.
    Cancelled,
    /// Something failed that is neither the input's nor the machine's fault (a bug); the
    /// message says what. Every error the CLI prints carries a code; this is the last one.
    Internal,
}

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// See [`ErrorCode::NotFound`].
    #[error("{what} not found: {key}")]
    NotFound { what: &'static str, key: String },
    /// See [`ErrorCode::InvalidInput`]; `location` names the file and line or the field.
    #[error("{location}: {message}")]
    Invalid { location: String, message: String },
    /// See [`ErrorCode::AlreadyExists`].
    #[error("{what} already exists: {key}")]
    AlreadyExists { what: &'static str, key: String },
    /// See [`ErrorCode::WorkspaceNewer`].
    #[error(
        "{}: the database is at schema version {found}, newer than this Rapport supports ({supported}); \
         open it with a newer Rapport (the file was not changed)",
        path.display()
    )]
    WorkspaceNewer { path: PathBuf, found: i64, supported: i64 },
    /// See [`ErrorCode::NotAWorkspace`].
    #[error("{}: not a Rapport workspace: {reason}", path.display())]
    NotAWorkspace { path: PathBuf, reason: String },
    /// See [`ErrorCode::Io`].
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// See [`ErrorCode::Database`].
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// See [`ErrorCode::Integrity`].
    #[error("{0}")]
    Integrity(String),
    /// See [`ErrorCode::QuerySyntax`]; `column` is 1-based, in characters.
    #[error("query, column {column}: {message}")]
    QuerySyntax { column: usize, message: String },
    /// See [`ErrorCode::Cancelled`]; the message says what was left as it was.
    #[error("cancelled; {0}")]
    Cancelled(String),
    /// See [`ErrorCode::Internal`].
    #[error("{0}")]
    Internal(String),
    /// See [`ErrorCode::PathNotAllowed`].
    #[error(
        "{}: not a file or folder you picked or dropped in this window, nor inside the open workspace; \
         choose it with the button instead",
        .0.display()
    )]
    PathNotAllowed(PathBuf),
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Invalid { .. } => ErrorCode::InvalidInput,
            Error::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            Error::WorkspaceNewer { .. } => ErrorCode::WorkspaceNewer,
            Error::NotAWorkspace { .. } => ErrorCode::NotAWorkspace,
            Error::Io { .. } => ErrorCode::Io,
            Error::Database(_) => ErrorCode::Database,
            Error::Integrity(_) => ErrorCode::Integrity,
            Error::PathNotAllowed(_) => ErrorCode::PathNotAllowed,
            Error::QuerySyntax { .. } => ErrorCode::QuerySyntax,
            Error::Cancelled(_) => ErrorCode::Cancelled,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// An invalid-input error at `location` (a file and line, or a field name).
    pub fn invalid(location: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid { location: location.into(), message: message.into() }
    }

    /// A not-found error for `what` (e.g. "study") looked up by `key`.
    pub fn not_found(what: &'static str, key: impl ToString) -> Self {
        Error::NotFound { what, key: key.to_string() }
    }

    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

/// The error as it crosses the IPC boundary or `--json` output: `{code, message}`, and for a
/// `query_syntax` error the `column` (1-based) where the query goes wrong.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub column: Option<u32>,
}

impl From<&Error> for ApiError {
    fn from(err: &Error) -> Self {
        let column = match err {
            Error::QuerySyntax { column, .. } => Some(*column as u32),
            _ => None,
        };
        ApiError { code: err.code(), message: err.to_string(), column }
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError::from(&err)
    }
}
