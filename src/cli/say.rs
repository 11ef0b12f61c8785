//! Writing to the terminal without panicking: `print!` and `eprintln!`
//! panic when the stream is closed or full (`| head`, `> /dev/full`).
//! Results on stdout end quietly on a broken pipe (the reader has what it
//! wanted, as with grep) and are an error on any other failure; messages
//! on stderr are best effort (if stderr is gone there is nobody to tell).

use std::io::Write;

/// Writes a result to standard output.
pub fn stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("cannot write to standard output: {e}"))
        }
        _ => Ok(()),
    }
}

/// Writes one line to standard error, ignoring failure; control
/// characters from the input (in an id, a name) are escaped.
pub fn stderr(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", chargecov::output::printable(line.to_owned()));
}
