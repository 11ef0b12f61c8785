//! The `chargecov` binary: parse flags, run the library, map the outcome
//! to an exit status (0 claim holds, 1 claim fails, 2 usage or input error).

mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// mimalloc instead of the system allocator: millions of small, short-lived
/// allocations from several threads at once. On the national benchmark it
/// took the run from 2.94 to 2.57 s and the peak from 656 to 625 MB (see
/// BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Transparent huge pages off: the allocator asks for them, and the
    // kernel then clears 2 MB pages on first touch, 0.1–0.9 s of system
    // time on a national run depending on what the machine did before;
    // without them a run is steadier and faster (1.93–1.97 s against
    // 2.01–2.28 s, five runs each) and smaller (see BENCHMARKS.md). Only
    // this process is affected; if the kernel refuses, nothing changes.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // Interrupted (Ctrl-C, SIGTERM, SIGHUP): wait for outputs being put
    // in place, remove every temporary file and folder (staged outputs,
    // extracted archives), create none after, exit 130. If the handler
    // cannot be installed, the run goes on without it.
    let _ = ctrlc::set_handler(|| {
        chargecov::scratch::sweep();
        std::process::exit(130);
    });
    let cli = Cli::parse();
    if let Err(e) = cli::shared::read_limits_from_env() {
        cli::say::stderr(&format!("chargecov: error: {e}"));
        return ExitCode::from(2);
    }
    // A panic is a bug: say so, ask for a report, and exit 2 like any
    // other failure to reach a verdict (never 101 with a backtrace).
    std::panic::set_hook(Box::new(|info| {
        // A dependency's panic on corrupt input, caught and reported as
        // bad input by the library.
        if chargecov::contained::is_contained() {
            return;
        }
        cli::say::stderr(&format!(
            "chargecov: internal error: {info}\n  this is a bug in chargecov; please report it with the command that caused it"
        ));
    }));
    let result = std::panic::catch_unwind(|| match &cli.command {
        Command::Check(args) => args.run(),
        Command::Generate(args) => args.run(),
        Command::Validate(args) => args.run(),
        Command::Diff(args) => args.run(),
        Command::Claims(args) => args.run(),
        Command::Corridor(args) => args.run(),
        Command::Suggest(args) => args.run(),
        Command::Completions(args) => args.run(),
        Command::Man(args) => args.run(),
    });
    // Whatever a failure left registered goes too.
    chargecov::scratch::sweep();
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            cli::say::stderr(&format!("chargecov: error: {}", cli::advice::describe(&e)));
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
