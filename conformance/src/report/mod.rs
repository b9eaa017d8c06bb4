//! What a run reports: the [`RunReport`] (every operation x check tally), and its
//! renderings: the terminal summary ([`summary`]), JUnit XML ([`junit`]), JSON
//! ([`json`]) and a Markdown pull-request comment ([`markdown`]).

pub mod json;
pub mod junit;
pub mod markdown;
pub mod summary;

use serde::Serialize;

use crate::record::Tally;

/// The results of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// What was tested (base URL, or the embedded sandbox).
    pub target: String,
    /// The seed that replays the run's generated cases.
    pub seed: u64,
    /// Random cases per operation and kind.
    pub cases: u32,
    /// Requests sent to the target.
    pub requests: u64,
    /// Wall time of the whole run, in milliseconds.
    pub wall_time_ms: u64,
    /// Every (operation, check) pair with results.
    pub rows: Vec<Row>,
    /// Things accepted that a reader should know (e.g. legacy spellings).
    pub notes: Vec<String>,
}

/// The results of one check on one operation.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The operation id (`taskSubmitted` for webhook calls, `(scenarios)`, `(api)`).
    pub operation: String,
    /// The check name.
    pub check: String,
    /// Its tally.
    #[serde(flatten)]
    pub tally: Tally,
}

/// Counts over a set of rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Passed applications.
    pub passed: u64,
    /// Failed applications.
    pub failed: u64,
    /// Skipped applications.
    pub skipped: u64,
}

impl Totals {
    fn add(&mut self, tally: &Tally) {
        self.passed += tally.passed;
        self.failed += tally.failed;
        self.skipped += tally.skipped;
    }
}

impl RunReport {
    /// Counts over every row.
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for row in &self.rows {
            totals.add(&row.tally);
        }
        totals
    }

    /// Counts per operation, in first-seen order.
    pub fn by_operation(&self) -> Vec<(String, Totals, Vec<String>)> {
        let mut out: Vec<(String, Totals, Vec<String>)> = Vec::new();
        for row in &self.rows {
            let index = match out.iter().position(|(op, _, _)| *op == row.operation) {
                Some(i) => i,
                None => {
                    out.push((row.operation.clone(), Totals::default(), Vec::new()));
                    out.len() - 1
                }
            };
            out[index].1.add(&row.tally);
            if row.tally.failed > 0 {
                out[index].2.push(row.check.clone());
            }
        }
        out
    }

    /// Counts per check, in the registry's order.
    pub fn by_check(&self) -> Vec<(&'static str, Totals, Vec<String>)> {
        crate::checks::ALL
            .iter()
            .filter_map(|check| {
                let rows: Vec<&Row> = self.rows.iter().filter(|r| r.check == check.name).collect();
                if rows.is_empty() {
                    return None;
                }
                let mut totals = Totals::default();
                let mut failing = Vec::new();
                for row in rows {
                    totals.add(&row.tally);
                    if row.tally.failed > 0 {
                        failing.push(row.operation.clone());
                    }
                }
                Some((check.name, totals, failing))
            })
            .collect()
    }

    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.rows.iter().any(|r| r.tally.failed > 0)
    }

    /// The names of the checks that failed anywhere.
    pub fn failing_checks(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.tally.failed > 0)
            .map(|r| r.check.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}
