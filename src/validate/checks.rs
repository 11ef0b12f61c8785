//! The checks `chargecov validate` runs: ids, what each means, default
//! severities, and the offender lists they fill.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use crate::issues::Severity;

/// Offenders listed per check; the rest are only counted.
pub const LISTED_PER_CHECK: usize = 1000;

/// One check of a station layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    /// Unusable geometries and coordinates.
    Geometry,
    /// Required fields present.
    RequiredFields,
    /// Ids unique.
    UniqueIds,
    /// Power values readable.
    PowerParsed,
    /// Power values plausible.
    PowerPlausible,
    /// Stations at bit-identical places.
    ExactDuplicates,
    /// Stations very close together.
    NearDuplicates,
    /// Stations in no area.
    OutsideAreas,
    /// Layers in mismatched coordinate systems.
    CrsMismatch,
}

impl CheckId {
    /// Every check, in report order.
    pub const ALL: [CheckId; 9] = [
        CheckId::Geometry,
        CheckId::RequiredFields,
        CheckId::UniqueIds,
        CheckId::PowerParsed,
        CheckId::PowerPlausible,
        CheckId::ExactDuplicates,
        CheckId::NearDuplicates,
        CheckId::OutsideAreas,
        CheckId::CrsMismatch,
    ];

    /// The check's name, as written in reports and flags.
    pub fn name(self) -> &'static str {
        match self {
            CheckId::Geometry => "geometry",
            CheckId::RequiredFields => "required-fields",
            CheckId::UniqueIds => "unique-ids",
            CheckId::PowerParsed => "power-parsed",
            CheckId::PowerPlausible => "power-plausible",
            CheckId::ExactDuplicates => "exact-duplicates",
            CheckId::NearDuplicates => "near-duplicates",
            CheckId::OutsideAreas => "outside-areas",
            CheckId::CrsMismatch => "crs-mismatch",
        }
    }

    /// What a passing check means.
    pub fn description(self) -> &'static str {
        match self {
            CheckId::Geometry => "every feature is a Point with finite coordinates in range",
            CheckId::RequiredFields => "every station has the fields named by --require",
            CheckId::UniqueIds => "no two stations share an id",
            CheckId::PowerParsed => "every power value that is present can be read as kW",
            CheckId::PowerPlausible => "every power is more than 0 and at most --max-power-kw",
            CheckId::ExactDuplicates => "no two stations at exactly the same place",
            CheckId::NearDuplicates => {
                "no two stations closer than --duplicate-m (but not identical)"
            }
            CheckId::OutsideAreas => "every station lies in one of --areas",
            CheckId::CrsMismatch => "stations and areas are in the same coordinate system",
        }
    }

    /// How much a failure matters unless set otherwise.
    pub fn default_severity(self) -> Severity {
        match self {
            CheckId::Geometry
            | CheckId::RequiredFields
            | CheckId::UniqueIds
            | CheckId::PowerPlausible => Severity::Error,
            CheckId::PowerParsed
            | CheckId::ExactDuplicates
            | CheckId::NearDuplicates
            | CheckId::OutsideAreas
            | CheckId::CrsMismatch => Severity::Warning,
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CheckId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckId::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = CheckId::ALL.iter().map(|c| c.name()).collect();
                format!("unknown check {s:?}; the checks are {}", names.join(", "))
            })
    }
}

/// A `CHECK=SEVERITY` override from the command line.
pub fn parse_override(text: &str) -> Result<(CheckId, Severity), String> {
    let (check, level) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: write CHECK=error|warning|off"))?;
    Ok((check.trim().parse()?, level.trim().parse()?))
}

/// A station that fails a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offender {
    /// Position in the file: feature index, or CSV data row (0-based);
    /// `None` for a finding about the whole layer.
    pub index: Option<usize>,
    /// The station's id, if any.
    pub id: Option<String>,
    /// What is wrong.
    pub message: String,
    /// For duplicate clusters: every member (index, id), this one first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
}

/// A member of a cluster of offenders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// Its feature index (or table data row).
    pub index: usize,
    /// Its id, if any.
    pub id: Option<String>,
}

/// The outcome of one check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// Which check.
    pub id: CheckId,
    /// How much it matters.
    pub severity: Severity,
    /// What a pass means.
    pub description: &'static str,
    /// False when the check could not run (e.g. no --areas).
    pub ran: bool,
    /// Offending stations (or clusters), all counted.
    pub count: usize,
    /// The first [`LISTED_PER_CHECK`] of them.
    pub listed: Vec<Offender>,
}

impl CheckResult {
    /// A check with no offenders yet.
    pub fn new(id: CheckId, severity: Severity) -> Self {
        CheckResult {
            id,
            severity,
            description: id.description(),
            ran: severity != Severity::Off,
            count: 0,
            listed: Vec::new(),
        }
    }

    /// Counts an offender, listing the first ones.
    pub fn add(&mut self, offender: Offender) {
        self.count += 1;
        if self.listed.len() < LISTED_PER_CHECK {
            self.listed.push(offender);
        }
    }

    /// It found something (and ran).
    pub fn failed(&self) -> bool {
        self.ran && self.count > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_overrides_parse() {
        for c in CheckId::ALL {
            assert_eq!(c.name().parse::<CheckId>().unwrap(), c);
        }
        assert_eq!(
            parse_override("near-duplicates=error").unwrap(),
            (CheckId::NearDuplicates, Severity::Error)
        );
        assert!(parse_override("near-duplicates").is_err());
        assert!(
            parse_override("nope=error")
                .unwrap_err()
                .contains("unique-ids")
        );
        assert!(parse_override("unique-ids=fatal").is_err());
    }

    #[test]
    fn only_the_first_thousand_are_listed() {
        let mut r = CheckResult::new(CheckId::UniqueIds, Severity::Error);
        for index in 0..1500 {
            r.add(Offender {
                index: Some(index),
                id: None,
                message: String::new(),
                members: vec![],
            });
        }
        assert_eq!(r.count, 1500);
        assert_eq!(r.listed.len(), LISTED_PER_CHECK);
        assert!(r.failed());
    }
}
