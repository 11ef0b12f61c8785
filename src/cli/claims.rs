//! `chargecov claims`: the built-in claims, with where their numbers come
//! from and what station data can and cannot verify; and the resolution
//! of `--claim NAME|FILE` for `check`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use chargecov::rules::claims::{self, Claim, ClaimRef};
use chargecov::units::trim_float;

use super::say;

/// List the built-in claims (policy targets as data), or show one.
///
/// Each names its source document and article, the date it applies from,
/// its rule, and what station data can and cannot verify. `check --claim
/// NAME` judges one; `check --claim FILE.toml` judges your own (the schema
/// is in the README, "Claims as data").
#[derive(Debug, Clone, Args)]
pub struct ClaimsArgs {
    /// A built-in claim's name, or a claim file, to show in full.
    #[arg(value_name = "NAME|FILE")]
    pub claim: Option<String>,

    /// Format of the listing.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

impl ClaimsArgs {
    pub fn run(&self) -> anyhow::Result<ExitCode> {
        let chosen: Vec<Claim> = match &self.claim {
            Some(arg) => vec![resolve(arg)?.0],
            None => claims::presets(),
        };
        let text = match self.format {
            Format::Json => serde_json::to_string_pretty(&chosen)? + "\n",
            Format::Text if self.claim.is_some() => {
                chargecov::output::printable(detail(&chosen[0]))
            }
            Format::Text => chargecov::output::printable(listing(&chosen)),
        };
        say::stdout(&text)?;
        Ok(ExitCode::SUCCESS)
    }
}

/// `--claim`, when given: the claim and its reference (see [`resolve`]).
pub fn resolve_flag(arg: Option<&str>) -> anyhow::Result<(Option<Claim>, Option<ClaimRef>)> {
    match arg {
        Some(arg) => {
            let (claim, reference) = resolve(arg)?;
            Ok((Some(claim), Some(reference)))
        }
        None => Ok((None, None)),
    }
}

/// A built-in claim by name, else a claim file by path; with its reference
/// for the report's provenance.
pub fn resolve(arg: &str) -> anyhow::Result<(Claim, ClaimRef)> {
    if let Some(claim) = claims::preset(arg) {
        let reference = ClaimRef::preset(arg).expect("a preset has a reference");
        return Ok((claim, reference));
    }
    let path = PathBuf::from(arg);
    if !path.exists() {
        let names: Vec<String> = claims::presets().into_iter().map(|c| c.name).collect();
        bail!(
            "--claim {arg:?} is neither a built-in claim nor a file; built-in: {} (see `chargecov claims`)",
            names.join(", ")
        );
    }
    // A claim is a few lines of TOML; a device or an endless pipe is not
    // read to the end of memory.
    let text = chargecov::input::limits::read_small_text(&path, 1 << 20)
        .with_context(|| format!("cannot read the claim file {}", path.display()))?;
    let claim = Claim::parse(&text)
        .map_err(|e| anyhow::anyhow!("{}: not a usable claim file: {e}", path.display()))?;
    let reference = ClaimRef::new(&claim, &display(&path), &text);
    Ok((claim, reference))
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn rule_line(claim: &Claim) -> String {
    let r = &claim.rule;
    let mut parts = Vec::new();
    if r.min_power_kw > 0.0 || r.min_power_exclusive {
        parts.push(format!(
            "point {} {} kW",
            if r.min_power_exclusive { ">" } else { "≥" },
            trim_float(r.min_power_kw)
        ));
    } else {
        parts.push("any station".to_owned());
    }
    if r.min_points > 1 {
        parts.push(format!("{} such points per site", r.min_points));
    }
    if r.min_pool_kw > 0.0 {
        parts.push(format!("site ≥ {} kW in all", trim_float(r.min_pool_kw)));
    }
    if let Some(m) = r.pool_m {
        parts.push(format!("sites: records within {} m", trim_float(m)));
    }
    if let Some(km) = r.within_km {
        parts.push(format!("or within {} km", trim_float(km)));
    }
    if let Some(km) = r.spacing_km {
        parts.push(format!("every {} km along the corridor", trim_float(km)));
    }
    if let Some(km) = r.max_offset_km {
        parts.push(format!("sites within {} km of the road", trim_float(km)));
    }
    parts.join("; ")
}

fn listing(all: &[Claim]) -> String {
    let mut out = String::new();
    let width = all.iter().map(|c| c.name.len()).max().unwrap_or(4).max(4);
    let _ = writeln!(
        out,
        "{:width$}  {:8}  {:10}  title",
        "name", "kind", "effective"
    );
    for c in all {
        let _ = writeln!(
            out,
            "{:width$}  {:8}  {:10}  {}",
            c.name,
            c.kind.to_string(),
            c.effective,
            c.title
        );
        let _ = writeln!(out, "{:width$}  rule: {}", "", rule_line(c));
        for s in &c.sources {
            let _ = writeln!(out, "{:width$}  source: {}, {}", "", s.document, s.article);
        }
        for v in &c.verifiable {
            let _ = writeln!(out, "{:width$}  can verify: {v}", "");
        }
        for u in &c.unverifiable {
            let _ = writeln!(out, "{:width$}  unverifiable: {u}", "");
        }
    }
    let _ = writeln!(
        out,
        "\n`chargecov claims NAME` shows one in full; `chargecov check --claim NAME` judges it."
    );
    out
}

fn detail(c: &Claim) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} (version {}): {}", c.name, c.version, c.title);
    let _ = writeln!(out, "kind        {}", c.kind);
    let _ = writeln!(out, "effective   {}", c.effective);
    let _ = writeln!(out, "rule        {}", rule_line(c));
    for s in &c.sources {
        let _ = writeln!(out, "source      {}", s.document);
        let _ = writeln!(out, "            {}", s.article);
        if let Some(url) = &s.url {
            let _ = writeln!(out, "            {url}");
        }
    }
    for v in &c.verifiable {
        let _ = writeln!(out, "verifiable  {v}");
    }
    for u in &c.unverifiable {
        let _ = writeln!(out, "UNVERIFIABLE {u}");
    }
    out
}
