//! Progress sinks and cancel tokens for long work (transcription, imports, indexing,
//! downloads). The caller passes them in: the CLI draws a progress bar, the app forwards
//! to a `tauri::ipc::Channel`, tests collect. Nothing here is global.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Receives progress from long work. Implementations must be cheap: they are called often.
pub trait Progress: Send + Sync {
    /// A phase starts; `total` is the amount of work in its own unit, when known.
    fn begin(&self, phase: &str, total: Option<u64>);
    /// `done` units of the current phase are finished (an absolute count, not a delta).
    fn advance(&self, done: u64);
    /// A line worth showing (a transcribed segment, a warning).
    fn message(&self, _text: &str) {}
}

/// A sink that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _phase: &str, _total: Option<u64>) {}
    fn advance(&self, _done: u64) {}
}

/// A shared flag that asks long work to stop. Cloning shares the flag.
#[derive(Debug, Default, Clone)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Asks the work to stop at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// True once [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The result of work that can be cancelled. Cancelling is not an error.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// The work finished with this value.
    Done(T),
    /// The work stopped because its token was cancelled; nothing was changed.
    Cancelled,
}

impl<T> Outcome<T> {
    /// The value of finished work; `None` when it was cancelled.
    pub fn done(self) -> Option<T> {
        match self {
            Outcome::Done(value) => Some(value),
            Outcome::Cancelled => None,
        }
    }
}
