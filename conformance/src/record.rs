//! The results of a run: for every (operation, check) pair, how often the check
//! passed, failed or was skipped, with the first distinct failures in detail.
//! Everything stored here is redacted first.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::checks::CheckSelection;
use crate::progress::Progress;
use crate::secrets::Secrets;

/// How many distinct failures are kept per (operation, check) pair.
const KEPT_FAILURES: usize = 5;

/// One failed check, with what it takes to reproduce it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Failure {
    /// What is wrong, in one or a few sentences.
    pub message: String,
    /// The (minimal) request as a curl command, keys taken from the environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curl: Option<String>,
    /// The status the server answered, if it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The start of the response body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The generated case (e.g. `negative: /body/plz: pattern`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// The command line that replays this failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<String>,
}

impl Failure {
    /// A failure with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            curl: None,
            status: None,
            body: None,
            case: None,
            replay: None,
        }
    }

    /// Whether the failure came from a random (shrunk) case; one of those is kept
    /// beside a boundary case with the same message.
    fn is_random(&self) -> bool {
        self.case
            .as_deref()
            .is_some_and(|c| c.contains("random case"))
    }

    fn redacted(mut self, secrets: &Secrets) -> Self {
        self.message = secrets.redact(&self.message);
        self.curl = self.curl.map(|c| secrets.redact(&c));
        self.body = self.body.map(|b| secrets.redact(&b));
        self.case = self.case.map(|c| secrets.redact(&c));
        self
    }
}

/// The tally of one (operation, check) pair.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    /// How often the check passed.
    pub passed: u64,
    /// How often it failed.
    pub failed: u64,
    /// How often it could not be run.
    pub skipped: u64,
    /// The first distinct failures.
    pub failures: Vec<Failure>,
    /// The distinct reasons for skipping.
    pub skip_reasons: Vec<String>,
}

/// Collects results from every phase of a run; shared between tasks.
#[derive(Debug)]
pub struct Recorder {
    selection: CheckSelection,
    secrets: Secrets,
    /// Operation -> check -> tally (nested, so recording needs no allocation).
    tallies: Mutex<BTreeMap<String, BTreeMap<String, Tally>>>,
    progress: Progress,
    failures: AtomicU64,
    notes: Mutex<std::collections::BTreeSet<String>>,
}

impl Recorder {
    /// A recorder that keeps results of the `selection`ed checks.
    pub fn new(selection: CheckSelection, secrets: Secrets, progress: Progress) -> Self {
        Recorder {
            selection,
            secrets,
            tallies: Mutex::new(BTreeMap::new()),
            progress,
            failures: AtomicU64::new(0),
            notes: Mutex::new(std::collections::BTreeSet::new()),
        }
    }

    /// Whether the check named `check` is part of this run.
    pub fn is_selected(&self, check: &str) -> bool {
        self.selection.contains(check)
    }

    /// The progress display.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    fn with_tally(&self, operation: &str, check: &str, f: impl FnOnce(&mut Tally)) {
        if !self.is_selected(check) {
            return;
        }
        let mut tallies = self.tallies.lock().unwrap_or_else(|e| e.into_inner());
        if !tallies.contains_key(operation) {
            tallies.insert(operation.to_string(), BTreeMap::new());
        }
        let Some(checks) = tallies.get_mut(operation) else {
            return;
        };
        if !checks.contains_key(check) {
            checks.insert(check.to_string(), Tally::default());
        }
        if let Some(tally) = checks.get_mut(check) {
            f(tally);
        }
    }

    /// Records a pass.
    pub fn pass(&self, operation: &str, check: &str) {
        self.with_tally(operation, check, |t| t.passed += 1);
    }

    /// Records a failure.
    pub fn fail(&self, operation: &str, check: &str, failure: Failure) {
        if !self.is_selected(check) {
            return;
        }
        let failure = failure.redacted(&self.secrets);
        self.failures.fetch_add(1, Ordering::Relaxed);
        self.progress.note_failure(&format!(
            "{operation} / {check}: {}",
            first_line(&failure.message)
        ));
        self.with_tally(operation, check, |t| {
            t.failed += 1;
            if t.failures.len() < KEPT_FAILURES
                && !t
                    .failures
                    .iter()
                    .any(|f| f.message == failure.message && f.is_random() == failure.is_random())
            {
                t.failures.push(failure);
            }
        });
    }

    /// Records that the check could not run here, and why.
    pub fn skip(&self, operation: &str, check: &str, reason: impl Into<String>) {
        let reason = self.secrets.redact(&reason.into());
        self.with_tally(operation, check, |t| {
            t.skipped += 1;
            if t.skip_reasons.len() < KEPT_FAILURES && !t.skip_reasons.contains(&reason) {
                t.skip_reasons.push(reason);
            }
        });
    }

    /// Records a [`Verdict`].
    pub fn record(
        &self,
        operation: &str,
        check: &str,
        verdict: Verdict,
        context: impl FnOnce() -> Failure,
    ) {
        match verdict {
            Verdict::Pass => self.pass(operation, check),
            Verdict::Skip(reason) => self.skip(operation, check, reason),
            Verdict::NotApplicable => {}
            Verdict::Fail(message) => {
                let mut failure = context();
                failure.message = message;
                self.fail(operation, check, failure);
            }
        }
    }

    /// How many failures were recorded so far.
    pub fn failure_count(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Keeps a note for the report (something accepted that a reader should
    /// know about, e.g. a documented legacy spelling); duplicates are kept once.
    pub fn note(&self, note: String) {
        self.notes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(self.secrets.redact(&note));
    }

    /// The notes, sorted.
    pub fn notes(&self) -> Vec<String> {
        self.notes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Every tally, sorted by operation and check.
    pub fn tallies(&self) -> BTreeMap<(String, String), Tally> {
        let tallies = self.tallies.lock().unwrap_or_else(|e| e.into_inner());
        let mut flat = BTreeMap::new();
        for (operation, checks) in tallies.iter() {
            for (check, tally) in checks {
                flat.insert((operation.clone(), check.clone()), tally.clone());
            }
        }
        flat
    }
}

/// What one application of a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The implementation did what the contract says.
    Pass,
    /// It did not; the message says how.
    Fail(String),
    /// The check could not be run here; the reason says why (counted as skipped).
    Skip(String),
    /// The check has nothing to look at here (e.g. a body schema check on a
    /// response documented without a body); not counted at all.
    NotApplicable,
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}
