//! Coverage claims as data: a claim file (TOML) names a policy's rule, the
//! document and article it comes from, when it takes effect, and what
//! station data can and cannot verify. Built-in presets are such files,
//! compiled in (`src/rules/presets/`); `--claim NAME|FILE` chooses one.
//!
//! The schema, with every key:
//!
//! ```toml
//! name = "afir-2025-core"            # lower case, digits and '-'
//! title = "EU AFIR: …"               # one line, for people
//! version = "1"                      # bump when the numbers change
//! kind = "corridor"                  # "area" or "corridor"
//! effective = "2025-12-31"           # the date the target applies from
//! verifiable = ["…"]                 # what the data can show
//! unverifiable = ["…"]               # what it cannot (said, not pretended)
//!
//! [[sources]]                        # one or more
//! document = "Regulation (EU) 2023/1804 (AFIR)"
//! article = "Art. 3(1)(a)(i)"
//! url = "https://eur-lex.europa.eu/eli/reg/2023/1804/oj"  # optional
//!
//! [rule]
//! min_power_kw = 150                 # per point; 0: any station
//! min_power_exclusive = false        # true: more than min_power_kw
//! min_points = 1                     # points of min_power_kw per site
//! min_pool_kw = 400                  # total power per site
//! pool_m = 50                        # sites: records within this many m
//! boundary_tolerance_m = 0
//! within_km = 5                      # area claims: or this close
//! spacing_km = 60                    # corridor claims: at most this apart
//! max_offset_km = 1.6                # corridor claims: sites this close to a road
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::rules::{MIN_SPACING_KM, Rule};

/// What a claim is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimKind {
    /// Every area (county, township, service area) has a qualifying site.
    Area,
    /// Qualifying sites at most `spacing_km` apart along a road network.
    Corridor,
}

impl fmt::Display for ClaimKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClaimKind::Area => "area",
            ClaimKind::Corridor => "corridor",
        })
    }
}

/// Where a claim's numbers come from.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    /// The document (law, plan, standard, article).
    pub document: String,
    /// The part of it (article, section, paragraph).
    pub article: String,
    /// Where to read it.
    #[serde(default)]
    pub url: Option<String>,
}

/// A claim's rule as written in its file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimRule {
    /// Per-point power (kW); 0: any station.
    #[serde(default)]
    pub min_power_kw: f64,
    /// More than `min_power_kw`, not at least.
    #[serde(default)]
    pub min_power_exclusive: bool,
    /// Points of `min_power_kw` per site.
    #[serde(default = "one")]
    pub min_points: u32,
    /// Total power per site (kW).
    #[serde(default)]
    pub min_pool_kw: f64,
    /// Sites are records within this many metres of each other.
    #[serde(default)]
    pub pool_m: Option<f64>,
    /// A station this close to an area's boundary counts as inside.
    #[serde(default)]
    pub boundary_tolerance_m: f64,
    /// Area claims: covered also by a qualifying site this close.
    #[serde(default)]
    pub within_km: Option<f64>,
    /// Corridor claims: qualifying sites at most this far apart.
    #[serde(default)]
    pub spacing_km: Option<f64>,
    /// Corridor claims: a site counts for a road this close to it (km).
    #[serde(default)]
    pub max_offset_km: Option<f64>,
}

fn one() -> u32 {
    1
}

/// A coverage claim: a policy target as data.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// Its short name (`--claim NAME`).
    pub name: String,
    /// One line for people.
    pub title: String,
    /// Its version: bumped whenever a number changes.
    pub version: String,
    /// Area or corridor.
    pub kind: ClaimKind,
    /// The date the target applies from (ISO 8601).
    pub effective: String,
    /// What station data can show about it.
    #[serde(default)]
    pub verifiable: Vec<String>,
    /// What station data cannot show (reported, never pretended).
    #[serde(default)]
    pub unverifiable: Vec<String>,
    /// Where the numbers come from.
    pub sources: Vec<Citation>,
    /// The rule.
    pub rule: ClaimRule,
}

/// Why a claim file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ClaimError {
    /// What is wrong, in words (TOML errors name the line).
    pub reason: String,
}

impl Claim {
    /// Parses and checks a claim file's text.
    pub fn parse(text: &str) -> Result<Claim, ClaimError> {
        let claim: Claim = toml::from_str(text).map_err(|e| ClaimError {
            reason: e.to_string().trim_end().to_owned(),
        })?;
        claim.check()?;
        Ok(claim)
    }

    fn check(&self) -> Result<(), ClaimError> {
        let fail = |reason: String| Err(ClaimError { reason });
        let r = &self.rule;
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return fail(format!(
                "name {:?} must be lower-case letters, digits and '-'",
                self.name
            ));
        }
        if self.sources.is_empty() {
            return fail(
                "a claim needs at least one [[sources]] entry: where its numbers come from".into(),
            );
        }
        let finite_non_negative = |v: f64| v.is_finite() && v >= 0.0;
        for (key, v) in [
            ("min_power_kw", r.min_power_kw),
            ("min_pool_kw", r.min_pool_kw),
            ("boundary_tolerance_m", r.boundary_tolerance_m),
        ] {
            if !finite_non_negative(v) {
                return fail(format!(
                    "rule.{key} = {}: expected a number ≥ 0",
                    crate::error::shown_number(v)
                ));
            }
        }
        for (key, v) in [
            ("pool_m", r.pool_m),
            ("within_km", r.within_km),
            ("spacing_km", r.spacing_km),
            ("max_offset_km", r.max_offset_km),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && v > 0.0)
            {
                return fail(format!(
                    "rule.{key} = {}: expected a number > 0",
                    crate::error::shown_number(v)
                ));
            }
        }
        if let Some(km) = r.spacing_km
            && !(MIN_SPACING_KM..=10_000.0).contains(&km)
        {
            return fail(format!(
                "rule.spacing_km = {}: expected at least {MIN_SPACING_KM} and at most 10,000 km",
                crate::error::shown_number(km)
            ));
        }
        if r.min_points == 0 {
            return fail("rule.min_points = 0: expected 1 or more".into());
        }
        match self.kind {
            ClaimKind::Corridor if r.spacing_km.is_none() => {
                fail("a corridor claim needs rule.spacing_km".into())
            }
            ClaimKind::Area if r.spacing_km.is_some() || r.max_offset_km.is_some() => fail(
                "rule.spacing_km and rule.max_offset_km are for corridor claims; an area claim is judged per area".into(),
            ),
            _ => Ok(()),
        }
    }

    /// The rule it judges areas by (pool grouping aside: see
    /// [`ClaimRule::pool_m`]).
    pub fn rule(&self) -> Rule {
        Rule {
            min_power_kw: self.rule.min_power_kw,
            min_power_exclusive: self.rule.min_power_exclusive,
            boundary_tolerance_m: self.rule.boundary_tolerance_m,
            within_km: self.rule.within_km,
            min_points: self.rule.min_points,
            min_pool_kw: self.rule.min_pool_kw,
        }
    }
}

/// A built-in claim's file text, by name.
const PRESETS: &[(&str, &str)] = &[
    ("cn-county-any", include_str!("presets/cn-county-any.toml")),
    (
        "cn-township-any",
        include_str!("presets/cn-township-any.toml"),
    ),
    ("cn-high-power", include_str!("presets/cn-high-power.toml")),
    (
        "shenzhen-supercharging",
        include_str!("presets/shenzhen-supercharging.toml"),
    ),
    (
        "chongqing-2024-township",
        include_str!("presets/chongqing-2024-township.toml"),
    ),
    (
        "afir-2025-core",
        include_str!("presets/afir-2025-core.toml"),
    ),
    (
        "afir-2027-core",
        include_str!("presets/afir-2027-core.toml"),
    ),
    ("uk-rapid", include_str!("presets/uk-rapid.toml")),
    (
        "uk-ultra-rapid",
        include_str!("presets/uk-ultra-rapid.toml"),
    ),
    (
        "uk-motorway-services",
        include_str!("presets/uk-motorway-services.toml"),
    ),
    ("us-nevi", include_str!("presets/us-nevi.toml")),
];

/// Every built-in claim, in a fixed order.
pub fn presets() -> Vec<Claim> {
    PRESETS
        .iter()
        .map(|(name, text)| {
            let claim = Claim::parse(text)
                .unwrap_or_else(|e| panic!("built-in claim {name} does not parse: {e}"));
            assert_eq!(claim.name, *name, "preset file name and `name` differ");
            claim
        })
        .collect()
}

/// The built-in claim of this name.
pub fn preset(name: &str) -> Option<Claim> {
    PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| Claim::parse(text).expect("built-in claims parse"))
}

/// Which claim a verdict judged, for its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimRef {
    /// The claim's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `preset` for a built-in claim, else the claim file's path.
    pub origin: String,
    /// SHA-256 of the claim file's text (hex).
    pub sha256: String,
}

impl ClaimRef {
    /// `claim` read from `text` (a file at `origin`, or a preset).
    pub fn new(claim: &Claim, origin: &str, text: &str) -> Self {
        let digest = Sha256::digest(text.as_bytes());
        ClaimRef {
            name: claim.name.clone(),
            version: claim.version.clone(),
            origin: origin.to_owned(),
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }

    /// A built-in claim's reference.
    pub fn preset(name: &str) -> Option<Self> {
        let (_, text) = PRESETS.iter().find(|(n, _)| *n == name)?;
        Some(ClaimRef::new(&Claim::parse(text).ok()?, "preset", text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_cites_a_source() {
        let all = presets();
        assert_eq!(all.len(), PRESETS.len());
        for claim in &all {
            assert!(!claim.sources.is_empty(), "{}", claim.name);
            assert!(
                claim
                    .sources
                    .iter()
                    .all(|s| !s.document.is_empty() && !s.article.is_empty()),
                "{}",
                claim.name
            );
            assert!(
                !claim.verifiable.is_empty(),
                "{} says what data can verify",
                claim.name
            );
        }
    }

    #[test]
    fn malformed_claims_say_what_is_wrong() {
        let base = r#"
name = "x"
title = "t"
version = "1"
kind = "area"
effective = "2025-01-01"
[[sources]]
document = "d"
article = "a"
[rule]
min_power_kw = 50
"#;
        assert!(Claim::parse(base).is_ok());
        let e = Claim::parse(&base.replace("min_power_kw = 50", "min_power_kw = -1")).unwrap_err();
        assert!(e.reason.contains("min_power_kw"), "{e}");
        let e = Claim::parse(&base.replace("min_power_kw = 50", "min_powr_kw = 50")).unwrap_err();
        assert!(e.reason.contains("min_powr_kw"), "{e}");
        let e = Claim::parse(&base.replace("kind = \"area\"", "kind = \"corridor\"")).unwrap_err();
        assert!(e.reason.contains("spacing_km"), "{e}");
        let e = Claim::parse(&base.replace("name = \"x\"", "name = \"X Y\"")).unwrap_err();
        assert!(e.reason.contains("lower-case"), "{e}");
        let no_sources = base.replace("[[sources]]\ndocument = \"d\"\narticle = \"a\"\n", "");
        assert!(Claim::parse(&no_sources).is_err());
    }
}
