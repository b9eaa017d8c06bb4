//! `ssp-conformance`: runs the conformance suite and exits with 0 (every check
//! passed), 1 (a conformance failure) or 2 (usage, configuration or connection
//! error).

use std::process::ExitCode;

use clap::Parser;
use smartservice_conformance::cli::{Cli, Command};
use smartservice_conformance::{checks, report, runner};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let Command::Run(args) = cli.command;
    if args.list_checks {
        print!("{}", checks::listing());
        return ExitCode::SUCCESS;
    }
    let config = match args.into_config(|name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(runner::run(config)) {
        Ok(report) => {
            print!("{}", report::summary::render(&report));
            if report.failed() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
