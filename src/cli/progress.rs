//! Progress bars on stderr, shown only on a terminal and without --quiet.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use chargecov::progress::Progress;

/// indicatif bars, one per stage, or nothing at all; with the
/// environment variable `CHARGECOV_TIMINGS` set, each stage's wall time
/// (and, on Linux, the resident memory and its peak so far) is printed on
/// stderr when it ends (for benchmarks and profiles).
pub struct Bars {
    enabled: bool,
    current: Mutex<Option<ProgressBar>>,
    /// The open stage and when it began, when timings are asked for.
    timing: Option<Mutex<Option<(&'static str, Instant)>>>,
    began: Instant,
}

impl Bars {
    pub fn new(quiet: bool) -> Self {
        Bars {
            enabled: !quiet && std::io::stderr().is_terminal(),
            current: Mutex::new(None),
            timing: std::env::var_os("CHARGECOV_TIMINGS").map(|_| Mutex::new(None)),
            began: Instant::now(),
        }
    }

    /// Ends the open stage's timing and opens `next` (if any).
    fn time_stage(&self, next: Option<&'static str>) {
        let Some(timing) = &self.timing else { return };
        if let Ok(mut open) = timing.lock() {
            if let Some((stage, since)) = open.take() {
                super::say::stderr(&format!(
                    "chargecov: timing: {stage:<28} {:>8.3} s{}",
                    since.elapsed().as_secs_f64(),
                    memory()
                ));
            }
            *open = next.map(|stage| (stage, Instant::now()));
        }
    }

    /// Prints the time since the bars were made, when timings are asked for.
    pub fn total(&self) {
        if self.timing.is_some() {
            self.time_stage(None);
            super::say::stderr(&format!(
                "chargecov: timing: {:<28} {:>8.3} s{}",
                "total",
                self.began.elapsed().as_secs_f64(),
                memory()
            ));
        }
    }

    fn with_current(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        if let Ok(mut guard) = self.current.lock() {
            f(&mut guard);
        }
    }
}

/// The resident memory now and its peak so far, where the system tells
/// (Linux `/proc/self/status`); empty elsewhere.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(now), Some(peak)) => {
            format!("   rss {:>5} MB   peak {:>5} MB", now / 1024, peak / 1024)
        }
        _ => String::new(),
    }
}

/// A stage left open (an error returned mid-stage) leaves no stale bar or
/// spinner line behind: it is cleared when the bars go.
impl Drop for Bars {
    fn drop(&mut self) {
        self.with_current(|current| {
            if let Some(bar) = current.take() {
                bar.finish_and_clear();
            }
        });
    }
}

impl Progress for Bars {
    fn start(&self, stage: &'static str, total: Option<u64>) {
        self.time_stage(Some(stage));
        if !self.enabled {
            return;
        }
        let bar = match total {
            Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr())
                .with_style(
                    ProgressStyle::with_template(
                        "{msg:>18} [{bar:30}] {pos}/{len} ({elapsed} so far, eta {eta})",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                ),
            None => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                    .with_style(
                        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                bar.enable_steady_tick(Duration::from_millis(100));
                bar
            }
        };
        bar.set_message(stage);
        self.with_current(|current| {
            if let Some(old) = current.replace(bar) {
                old.finish_and_clear();
            }
        });
    }

    fn advance(&self, n: u64) {
        if !self.enabled {
            return;
        }
        self.with_current(|current| {
            if let Some(bar) = current {
                bar.inc(n);
            }
        });
    }

    fn finish(&self) {
        self.time_stage(None);
        self.with_current(|current| {
            if let Some(bar) = current.take() {
                bar.finish_and_clear();
            }
        });
    }
}
