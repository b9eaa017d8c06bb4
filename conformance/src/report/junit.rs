//! The report as JUnit XML (`--junit FILE`): one test suite per operation, one
//! test case per check, failed with the kept failures as its description.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::RunReport;

/// The report as JUnit XML.
pub fn render(report: &RunReport) -> Result<String, String> {
    let mut junit = Report::new("ssp-conformance");
    junit.set_time(std::time::Duration::from_millis(report.wall_time_ms));
    for (operation, _, _) in report.by_operation() {
        let mut suite = TestSuite::new(operation.clone());
        for row in report.rows.iter().filter(|r| r.operation == operation) {
            let tally = &row.tally;
            let status = if tally.failed > 0 {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let first = tally
                    .failures
                    .first()
                    .map(|f| f.message.clone())
                    .unwrap_or_default();
                status.set_message(format!(
                    "{} of {} failed: {first}",
                    tally.failed,
                    tally.failed + tally.passed
                ));
                let details: Vec<String> = tally
                    .failures
                    .iter()
                    .map(|f| {
                        let mut text = f.message.clone();
                        for line in [&f.case, &f.curl, &f.replay].into_iter().flatten() {
                            text.push('\n');
                            text.push_str(line);
                        }
                        text
                    })
                    .collect();
                status.set_description(details.join("\n\n"));
                status
            } else if tally.passed == 0 {
                let mut status = TestCaseStatus::skipped();
                status.set_message(tally.skip_reasons.join("; "));
                status
            } else {
                TestCaseStatus::success()
            };
            let mut case = TestCase::new(row.check.clone(), status);
            case.set_classname(operation.clone());
            case.set_assertions((tally.passed + tally.failed) as usize);
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit
        .to_string()
        .map_err(|e| format!("cannot write the JUnit report: {e}"))
}
