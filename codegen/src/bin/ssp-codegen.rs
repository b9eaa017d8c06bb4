//! `ssp-codegen`: lint the Smart Service Portal spec, print the client generated from
//! it, and compare two versions of it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use smartservice_codegen::diff::render::{self, Format};
use smartservice_codegen::diff::source::Source;
use smartservice_codegen::diff::{Level, Report, rules};
use smartservice_codegen::{Spec, generate, lint};

/// Lints, generates from and compares the Smart Service Portal OpenAPI spec.
#[derive(Parser)]
#[command(name = "ssp-codegen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the spec; print each finding as `POINTER: [rule] message`.
    ///
    /// Exit status: 0 clean, 1 findings, 2 the spec cannot be read.
    Lint {
        /// The spec to check.
        #[arg(default_value = "spec/openapi.yaml")]
        spec: PathBuf,
        /// List the rules and exit.
        #[arg(long)]
        list: bool,
    },
    /// Print the Rust client progenitor generates from the spec (as build.rs does).
    Generate {
        /// The spec to generate from.
        #[arg(default_value = "spec/openapi.yaml")]
        spec: PathBuf,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Compare two versions of the spec: what the change breaks for vendors written
    /// against OLD, and what it changes in the generated client.
    ///
    /// OLD and NEW are files, or files at a git revision as REV:path (for example
    /// origin/main:spec/openapi.yaml; a path that exists as a file wins).
    ///
    /// Exit status: 0, or 1 when --fail-on is given and a change at or above that level
    /// exists; 2 when a spec cannot be read.
    Diff {
        /// The spec before the change (file or REV:path).
        #[arg(required_unless_present = "list_rules")]
        old: Option<String>,
        /// The spec after the change (file or REV:path).
        #[arg(required_unless_present = "list_rules")]
        new: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Exit with status 1 when a change at or above this level exists.
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// Also diff the Rust client generated from each side (default for markdown).
        #[arg(long, overrides_with = "no_client_diff")]
        client_diff: bool,
        /// Leave out the generated client's diff.
        #[arg(long, overrides_with = "client_diff")]
        no_client_diff: bool,
        /// List the rules (id, level, description) and exit.
        #[arg(long)]
        list_rules: bool,
    },
}

/// The formats of `diff`.
#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// For a terminal.
    Text,
    /// A pull-request comment.
    Markdown,
    /// A stable JSON document (docs/diff-json.md).
    Json,
    /// GitHub Actions annotations.
    Githubactions,
}

/// The levels `diff --fail-on` accepts.
#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    /// Fail on breaking changes.
    Breaking,
    /// Fail on breaking changes and warnings.
    Warning,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Lint { list: true, .. } => {
            for (rule, doc) in lint::RULES {
                if let Err(code) = write_stdout(&format!("{rule:18} {doc}\n")) {
                    return code;
                }
            }
            ExitCode::SUCCESS
        }
        Command::Lint { spec, list: false } => run_lint(&spec),
        Command::Generate { spec, output } => run_generate(&spec, output.as_deref()),
        Command::Diff {
            list_rules: true, ..
        } => {
            let listing: String = rules::catalogue()
                .into_iter()
                .map(|rule| format!("{:52} {:9} {}\n", rule.id, rule.level.as_str(), rule.doc))
                .collect();
            match write_stdout(&listing) {
                Ok(()) => ExitCode::SUCCESS,
                Err(code) => code,
            }
        }
        Command::Diff {
            old,
            new,
            format,
            fail_on,
            client_diff,
            no_client_diff,
            list_rules: false,
        } => {
            let format = match format {
                DiffFormat::Text => Format::Text,
                DiffFormat::Markdown => Format::Markdown,
                DiffFormat::Json => Format::Json,
                DiffFormat::Githubactions => Format::GithubActions,
            };
            let with_client = if client_diff {
                true
            } else if no_client_diff {
                false
            } else {
                format == Format::Markdown
            };
            let fail_on = fail_on.map(|f| match f {
                FailOn::Breaking => Level::Breaking,
                FailOn::Warning => Level::Warning,
            });
            // clap guarantees both without --list-rules.
            run_diff(
                &old.unwrap_or_default(),
                &new.unwrap_or_default(),
                format,
                with_client,
                fail_on,
            )
        }
    }
}

fn run_diff(
    old: &str,
    new: &str,
    format: Format,
    with_client: bool,
    fail_on: Option<Level>,
) -> ExitCode {
    let read = |arg: &str, side: &str| {
        Source::read(arg).map_err(|e| {
            eprintln!("error: cannot read the {side} spec: {e}");
            ExitCode::from(2)
        })
    };
    let (old, new) = match (read(old, "old"), read(new, "new")) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let report = Report::build(old, new, with_client);
    if let Err(code) = write_stdout(&render::render(&report, format)) {
        return code;
    }
    let summary = report.summary();
    eprintln!("spec diff: {}", render::summary_line(&summary));
    match (fail_on, summary.highest()) {
        (Some(threshold), Some(highest)) if highest >= threshold => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// Writes `text` to standard output. A reader that stopped reading (`| head`) is no
/// error; any other write error is reported, and gives exit status 2.
fn write_stdout(text: &str) -> Result<(), ExitCode> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            Err(ExitCode::from(2))
        }
    }
}

fn load(path: &std::path::Path) -> Result<Spec, ExitCode> {
    Spec::load(path).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

fn run_lint(path: &std::path::Path) -> ExitCode {
    let spec = match load(path) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let findings = lint::lint(&spec);
    for finding in &findings {
        if let Err(code) = write_stdout(&format!("{finding}\n")) {
            return code;
        }
    }
    if findings.is_empty() {
        eprintln!("{}: clean ({} rules)", path.display(), lint::RULES.len());
        ExitCode::SUCCESS
    } else {
        eprintln!("{}: {} finding(s)", path.display(), findings.len());
        ExitCode::from(1)
    }
}

fn run_generate(path: &std::path::Path, output: Option<&std::path::Path>) -> ExitCode {
    let spec = match load(path) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let source = match generate::generate_client_source(&spec) {
        Ok(source) => source,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    match output {
        None => match write_stdout(&source) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Some(file) => match std::fs::write(file, source) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", file.display());
                ExitCode::from(2)
            }
        },
    }
}
