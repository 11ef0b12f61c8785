//! Command-line interface: clap types (whose doc comments are the help
//! text) and the glue that turns flags into library configuration.

pub mod advice;
pub mod check;
pub mod claims;
pub mod corridor;
pub mod diff;
pub mod generate;
pub mod progress;
pub mod say;
pub mod shared;
pub mod shell;
pub mod suggest;
pub mod validate;

use clap::{Parser, Subcommand};

/// Check charging-infrastructure coverage claims against the map.
///
/// Exit status: 0 the claim holds, 1 it does not, 2 usage or input error.
#[derive(Debug, Parser)]
#[command(name = "chargecov", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(Box<check::CheckArgs>),
    Generate(generate::GenerateArgs),
    Validate(Box<validate::ValidateArgs>),
    Diff(Box<diff::DiffArgs>),
    Claims(claims::ClaimsArgs),
    Corridor(Box<corridor::CorridorArgs>),
    Suggest(Box<suggest::SuggestArgs>),
    Completions(shell::CompletionsArgs),
    Man(shell::ManArgs),
}
