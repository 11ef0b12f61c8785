//! `chargecov completions SHELL` and `chargecov man`: clap's own
//! generators, from the same definitions as the help text.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

/// Print a shell completion script.
///
/// Install, e.g.: bash `chargecov completions bash > ~/.local/share/bash-completion/completions/chargecov`;
/// zsh `chargecov completions zsh > "${fpath[1]}/_chargecov"`;
/// fish `chargecov completions fish > ~/.config/fish/completions/chargecov.fish`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, elvish, fish, powershell or zsh.
    #[arg(value_enum)]
    pub shell: Shell,
}

impl CompletionsArgs {
    pub fn run(&self) -> anyhow::Result<ExitCode> {
        let mut command = Cli::command();
        let mut out = Vec::new();
        clap_complete::generate(self.shell, &mut command, "chargecov", &mut out);
        std::io::stdout().write_all(&out)?;
        Ok(ExitCode::SUCCESS)
    }
}

/// Print the manual page (roff) of chargecov and its subcommands.
///
/// Install, e.g.: `chargecov man > ~/.local/share/man/man1/chargecov.1`, then `man chargecov`.
#[derive(Debug, Args)]
pub struct ManArgs {}

impl ManArgs {
    pub fn run(&self) -> anyhow::Result<ExitCode> {
        let mut command = Cli::command();
        // Built, so that the subcommands carry the version too.
        command.build();
        let mut out = Vec::new();
        clap_mangen::Man::new(command.clone()).render(&mut out)?;
        // Each subcommand's page after the main one, as `git help` lists them.
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            clap_mangen::Man::new(sub.clone())
                .title(format!("chargecov-{}", sub.get_name()))
                .render(&mut out)?;
        }
        std::io::stdout().write_all(&out)?;
        Ok(ExitCode::SUCCESS)
    }
}
