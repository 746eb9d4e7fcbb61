//! The CLI's progress bar: a [`Progress`] sink drawn with indicatif on stderr when stderr is a
//! terminal, and silent otherwise (so scripts and `--json` output see nothing of it).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rapport::progress::Progress;

/// What the bar counts, which decides how it reads.
#[derive(Clone, Copy)]
pub enum Unit {
    /// Items of work: `indexing [====>   ] 4096/8000 (eta)`.
    Items,
    /// Bytes of a download, with the rate; a spinner while the size is unknown.
    Bytes,
    /// Part of a whole shown as a percentage, with the time taken (transcription).
    Percent,
}

/// A progress bar on stderr, drawn only when stderr is a terminal. Messages print above it.
pub struct TermBar {
    bar: Option<ProgressBar>,
    unit: Unit,
}

impl TermBar {
    /// A bar counting `unit`, its lines starting with `prefix` (may be empty).
    pub fn new(unit: Unit, prefix: &str) -> TermBar {
        let bar = std::io::stderr().is_terminal().then(|| {
            // Hidden until the work begins, so nothing is drawn before it has a style.
            let bar = ProgressBar::hidden();
            bar.set_prefix(prefix.to_string());
            bar
        });
        TermBar { bar, unit }
    }

    /// Takes the bar off the terminal.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for TermBar {
    fn begin(&self, phase: &str, total: Option<u64>) {
        let Some(bar) = &self.bar else { return };
        let template = match (self.unit, total.is_some()) {
            (Unit::Items, _) => "{prefix}{msg:10} [{bar:40}] {pos}/{len} ({eta})",
            (Unit::Bytes, true) => {
                "{prefix} {msg:9} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
            }
            (Unit::Bytes, false) => "{prefix} {msg:9} {spinner} {bytes} {bytes_per_sec}",
            (Unit::Percent, _) => {
                "{prefix}{spinner} {msg:12} [{bar:40}] {percent:>3}%  {elapsed_precise} (eta {eta})"
            }
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        match total {
            Some(total) => bar.set_length(total),
            None => bar.unset_length(),
        }
        bar.set_message(phase.to_string());
        bar.set_position(0);
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.tick();
    }

    fn advance(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    fn message(&self, text: &str) {
        if let Some(bar) = &self.bar {
            bar.println(text);
        }
    }
}
