//! `ssp-codegen`: lint the Smart Service Portal spec, and print the client generated from it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
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
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Lint { list: true, .. } => {
            for (rule, doc) in lint::RULES {
                println!("{rule:18} {doc}");
            }
            ExitCode::SUCCESS
        }
        Command::Lint { spec, list: false } => run_lint(&spec),
        Command::Generate { spec, output } => run_generate(&spec, output.as_deref()),
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
        println!("{finding}");
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
        None => {
            print!("{source}");
            ExitCode::SUCCESS
        }
        Some(file) => match std::fs::write(file, source) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", file.display());
                ExitCode::from(2)
            }
        },
    }
}
