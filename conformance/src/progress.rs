//! What a run shows while it works: a progress bar on a terminal, plain lines
//! otherwise (CI logs), nothing when quiet. Everything goes to stderr, so that
//! stdout carries only the summary.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A bar when stderr is a terminal, plain lines otherwise.
    Auto,
    /// Plain lines.
    Plain,
    /// Nothing.
    Quiet,
}

/// Most failure lines printed while running (all of them are in the summary).
const PRINTED_FAILURES: u64 = 20;

/// The progress display of a run; clones share it.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    printed: Arc<AtomicU64>,
}

impl Progress {
    /// A display in `mode`.
    pub fn new(mode: ProgressMode) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let (bar, plain) = match mode {
            ProgressMode::Quiet => (None, false),
            ProgressMode::Plain => (None, true),
            ProgressMode::Auto if terminal => {
                let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                (Some(bar), false)
            }
            ProgressMode::Auto => (None, true),
        };
        Progress {
            bar,
            plain,
            printed: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A display that shows nothing.
    pub fn quiet() -> Self {
        Self::new(ProgressMode::Quiet)
    }

    /// Adds `units` pieces of work to the total.
    pub fn add_work(&self, units: u64) {
        if let Some(bar) = &self.bar {
            bar.inc_length(units);
        }
    }

    /// One piece of work is done; `line` says which.
    pub fn done(&self, line: &str) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(line.to_string());
        } else if self.plain {
            eprintln!("  done: {line}");
        }
    }

    /// A message about the run as a whole.
    pub fn say(&self, line: &str) {
        if let Some(bar) = &self.bar {
            bar.println(line);
        } else if self.plain {
            eprintln!("{line}");
        }
    }

    /// A failure, as it happens (the first few only).
    pub fn note_failure(&self, line: &str) {
        let n = self.printed.fetch_add(1, Ordering::Relaxed);
        if n < PRINTED_FAILURES {
            self.say(&format!("  FAIL {line}"));
        } else if n == PRINTED_FAILURES {
            self.say("  (more failures: see the summary)");
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
