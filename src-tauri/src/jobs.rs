//! Long work started from the window (model downloads, transcription): a job id per run, its
//! cancel token, and a progress sink that forwards to the call's `tauri::ipc::Channel`.
//!
//! A `*_start` command registers a job, runs the core function on a blocking thread and
//! returns the job id at once; everything after that arrives as [`JobEvent`]s on the channel,
//! ending with exactly one of `done`, `cancelled` or `failed`. A `*_cancel` command with the
//! id trips the token; the core then returns `Outcome::Cancelled`, which is not an error.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rapport::progress::{CancelToken, Outcome, Progress};
use rapport::ApiError;
use serde::Serialize;
use tauri::ipc::Channel;
use ts_rs::TS;

/// What a job reports on its channel.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobEvent {
    /// A phase started or advanced: `done` of `total` units (bytes, milliseconds of audio).
    Progress { phase: String, done: u64, total: Option<u64> },
    /// A line worth showing (a transcribed segment, a restarted download).
    Message { text: String },
    /// What the work found, sent just before `done` by a job whose caller reads it (an
    /// import's report); its shape is the starting command's.
    Result {
        #[ts(type = "unknown")]
        value: serde_json::Value,
    },
    /// The work finished; what it changed can be read again.
    Done,
    /// The work stopped because it was cancelled; nothing was changed.
    Cancelled,
    /// The work failed; nothing was changed.
    Failed { error: ApiError },
}

/// The running jobs and their cancel tokens.
#[derive(Debug, Default)]
pub struct Jobs {
    next: AtomicU64,
    running: Mutex<HashMap<u64, CancelToken>>,
}

impl Jobs {
    /// Registers a new job and returns its id and token.
    pub fn register(&self) -> (u64, CancelToken) {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let token = CancelToken::new();
        self.running.lock().unwrap_or_else(|p| p.into_inner()).insert(id, token.clone());
        (id, token)
    }

    /// Forgets a finished job.
    pub fn finish(&self, id: u64) {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }

    /// Asks a job to stop. False when no such job is running (it may have just finished).
    pub fn cancel(&self, id: u64) -> bool {
        match self.running.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}

/// Turns the result of a core call into the job's last event.
pub fn last_event<T>(result: rapport::Result<Outcome<T>>) -> JobEvent {
    match result {
        Ok(Outcome::Done(_)) => JobEvent::Done,
        Ok(Outcome::Cancelled) => JobEvent::Cancelled,
        Err(e) => JobEvent::Failed { error: e.into() },
    }
}

/// How often progress may be sent at most (messages always go through).
const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// A [`Progress`] sink that forwards to a channel, at most every [`MIN_INTERVAL`] (and always
/// when a phase starts or reaches its total).
pub struct ChannelProgress {
    channel: Channel<JobEvent>,
    state: Mutex<SinkState>,
}

struct SinkState {
    phase: String,
    total: Option<u64>,
    last_sent: Option<Instant>,
}

impl ChannelProgress {
    pub fn new(channel: Channel<JobEvent>) -> ChannelProgress {
        ChannelProgress {
            channel,
            state: Mutex::new(SinkState { phase: String::new(), total: None, last_sent: None }),
        }
    }

    /// Sends an event; a window that went away is not the work's problem.
    pub fn send(&self, event: JobEvent) {
        let _ = self.channel.send(event);
    }

    /// Sends what finished work reported as the job's `result` event (before `done`), for a
    /// caller that reads it (an import's report, a backup's); nothing for a cancelled run.
    pub fn send_result<T: serde::Serialize>(&self, outcome: &Outcome<T>) {
        if let Outcome::Done(report) = outcome {
            self.send(JobEvent::Result { value: serde_json::to_value(report).unwrap_or_default() });
        }
    }
}

impl Progress for ChannelProgress {
    fn begin(&self, phase: &str, total: Option<u64>) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.phase = phase.to_string();
        s.total = total;
        s.last_sent = Some(Instant::now());
        self.send(JobEvent::Progress { phase: phase.to_string(), done: 0, total });
    }

    fn advance(&self, done: u64) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let at_end = s.total.is_some_and(|t| done >= t);
        if !at_end && s.last_sent.is_some_and(|t| t.elapsed() < MIN_INTERVAL) {
            return;
        }
        s.last_sent = Some(Instant::now());
        self.send(JobEvent::Progress { phase: s.phase.clone(), done, total: s.total });
    }

    fn message(&self, text: &str) {
        self.send(JobEvent::Message { text: text.to_string() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancel_reaches_the_token_of_that_job_only() {
        let jobs = Jobs::default();
        let (a, ta) = jobs.register();
        let (b, tb) = jobs.register();
        assert_ne!(a, b);
        assert!(jobs.cancel(b));
        assert!(tb.is_cancelled() && !ta.is_cancelled());
        jobs.finish(a);
        assert!(!jobs.cancel(a), "a finished job can no longer be cancelled");
    }

    #[test]
    fn a_cancelled_outcome_is_not_a_failure() {
        assert!(matches!(last_event::<()>(Ok(Outcome::Cancelled)), JobEvent::Cancelled));
        assert!(matches!(last_event(Ok(Outcome::Done(1))), JobEvent::Done));
        let err = rapport::Error::not_found("model", "nope");
        assert!(matches!(last_event::<()>(Err(err)), JobEvent::Failed { .. }));
    }
}
