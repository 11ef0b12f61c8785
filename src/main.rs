//! The `chargecov` binary: parse flags, run the library, map the outcome
//! to an exit status (0 claim holds, 1 claim fails, 2 usage or input error).

mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Check(args) => args.run(),
        Command::Generate(args) => args.run(),
        Command::Validate(args) => args.run(),
        Command::Diff(args) => args.run(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("chargecov: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
