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
    /// Where the generated case that failed comes in its operation's order of
    /// cases (boundary cases, then random ones by number); `None` for others.
    /// Kept failures are the first by this order, however the cases were spread
    /// over threads.
    #[serde(skip)]
    pub rank: Option<u64>,
    /// How many failures the recorder had seen before this one (set by it).
    #[serde(skip)]
    arrival: u64,
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
            rank: None,
            arrival: 0,
        }
    }

    /// Where this failure comes among the kept ones: ranked cases by rank, then
    /// the rest, each by arrival.
    fn order(&self) -> (u64, u64) {
        (self.rank.unwrap_or(u64::MAX), self.arrival)
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
        if let Some(tally) = tallies.get_mut(operation).and_then(|c| c.get_mut(check)) {
            f(tally);
            return;
        }
        f(tallies
            .entry(operation.to_string())
            .or_default()
            .entry(check.to_string())
            .or_default());
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
        let mut failure = failure.redacted(&self.secrets);
        failure.arrival = self.failures.fetch_add(1, Ordering::Relaxed);
        self.progress.note_failure(&format!(
            "{operation} / {check}: {}",
            first_line(&failure.message)
        ));
        self.with_tally(operation, check, |t| {
            t.failed += 1;
            keep_failure(&mut t.failures, failure);
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

/// Keeps the first [`KEPT_FAILURES`] distinct failures by their order: a
/// failure like a kept one replaces it if it comes earlier; otherwise it takes a
/// free place, or the place of the latest kept one if it comes before that.
fn keep_failure(kept: &mut Vec<Failure>, failure: Failure) {
    let like = |f: &Failure| f.message == failure.message && f.is_random() == failure.is_random();
    if let Some(i) = kept.iter().position(like) {
        if failure.order() < kept[i].order() {
            kept[i] = failure;
        }
    } else if kept.len() < KEPT_FAILURES {
        kept.push(failure);
    } else if let Some(last) = kept.iter().map(Failure::order).max()
        && failure.order() < last
        && let Some(i) = kept.iter().position(|f| f.order() == last)
    {
        kept[i] = failure;
    }
    kept.sort_by_key(Failure::order);
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(message: &str, rank: Option<u64>, arrival: u64) -> Failure {
        let mut f = Failure::new(message);
        f.case = rank.map(|r| format!("random case #{r}"));
        f.rank = rank;
        f.arrival = arrival;
        f
    }

    fn kept(arrivals: &[(&str, Option<u64>)]) -> Vec<(String, Option<u64>)> {
        let mut kept = Vec::new();
        for (i, (message, rank)) in arrivals.iter().enumerate() {
            keep_failure(&mut kept, failure(message, *rank, i as u64));
        }
        kept.into_iter().map(|f| (f.message, f.rank)).collect()
    }

    #[test]
    fn kept_failures_are_the_first_by_rank_whatever_the_order_of_arrival() {
        let ranked: Vec<(&str, Option<u64>)> = (1..=9)
            .map(|r| {
                (
                    ["a", "b", "c", "d", "e", "f", "g", "h", "i"][r as usize - 1],
                    Some(r),
                )
            })
            .collect();
        let mut reversed = ranked.clone();
        reversed.reverse();
        let mut shuffled = ranked.clone();
        shuffled.swap(0, 7);
        shuffled.swap(2, 5);
        let expected: Vec<(String, Option<u64>)> = ranked[..KEPT_FAILURES]
            .iter()
            .map(|(m, r)| (m.to_string(), *r))
            .collect();
        assert_eq!(kept(&ranked), expected);
        assert_eq!(kept(&reversed), expected);
        assert_eq!(kept(&shuffled), expected);
    }

    #[test]
    fn a_repeated_message_keeps_its_earliest_case_and_unranked_ones_come_last() {
        let list = kept(&[
            ("same", Some(7)),
            ("other", None),
            ("same", Some(3)),
            ("same", Some(5)),
        ]);
        assert_eq!(
            list,
            vec![("same".to_string(), Some(3)), ("other".to_string(), None)]
        );
    }
}
