//! The rule a claim is judged by: which stations qualify, and when an
//! area counts as covered; the judge turns per-area facts into a verdict.
//! Claims as data — claim files and the built-in presets that set a rule —
//! are in [`claims`].

pub mod claims;

use serde::Serialize;

use crate::units::trim_float;

use crate::assess::AreaFacts;
use crate::model::Station;

/// The shortest spacing a corridor claim is judged at (100 m): closing
/// its gaps places a site every spacing, so below this a long network
/// would need millions of sites, and no claim is that dense.
pub const MIN_SPACING_KM: f64 = 0.1;

/// The rule an area is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rule {
    /// A station qualifies when its power is at least this (0: all do,
    /// including stations whose power is unknown).
    pub min_power_kw: f64,
    /// More than `min_power_kw` rather than at least (China's "more than
    /// 250 kW per gun").
    pub min_power_exclusive: bool,
    /// A station this close to an area's boundary counts as inside it.
    pub boundary_tolerance_m: f64,
    /// An area is also covered when a qualifying station is this close.
    pub within_km: Option<f64>,
    /// A site (a pool, or a record of several points) qualifies only with
    /// at least this many points of `min_power_kw` or more (1: one will do).
    pub min_points: u32,
    /// ... and at least this much power over all its points (kW; 0: any).
    pub min_pool_kw: f64,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            min_power_kw: 0.0,
            min_power_exclusive: false,
            boundary_tolerance_m: 0.0,
            within_km: None,
            min_points: 1,
            min_pool_kw: 0.0,
        }
    }
}

impl Rule {
    /// Refuses a rule with impossible numbers (negative, not finite).
    pub fn check(&self) -> crate::error::Result<()> {
        use crate::error::Setting;
        let at_least_0 = |v: f64| v >= 0.0;
        Setting::MinPowerKw.require(self.min_power_kw, at_least_0, "a number ≥ 0")?;
        Setting::BoundaryToleranceM.require(
            self.boundary_tolerance_m,
            at_least_0,
            "a number ≥ 0",
        )?;
        Setting::MinPoolKw.require(self.min_pool_kw, at_least_0, "a number ≥ 0")?;
        if let Some(km) = self.within_km {
            Setting::WithinKm.require(km, at_least_0, "a number ≥ 0")?;
        }
        Ok(())
    }

    /// Does this station count towards coverage?
    pub fn qualifies(&self, station: &Station) -> bool {
        if self.has_pool_terms() {
            // A site's power is the per-point power at which it meets the
            // pool terms, 0 when it meets them at none (see `pools`).
            return station
                .power_kw()
                .is_some_and(|kw| kw > 0.0 && self.enough(kw));
        }
        if self.min_power_kw <= 0.0 && !self.min_power_exclusive {
            return true;
        }
        station.power_kw().is_some_and(|kw| self.enough(kw))
    }

    /// Does one point's power meet the threshold?
    pub fn enough(&self, kw: f64) -> bool {
        if self.min_power_exclusive {
            kw > self.min_power_kw
        } else {
            kw >= self.min_power_kw
        }
    }

    /// "at least 150 kW" or "more than 250 kW".
    fn threshold_words(&self) -> String {
        format!(
            "{} {} kW",
            if self.min_power_exclusive {
                "more than"
            } else {
                "at least"
            },
            trim_float(self.min_power_kw)
        )
    }

    /// Does the rule ask more of a site than one point's power?
    pub fn has_pool_terms(&self) -> bool {
        self.min_points > 1 || self.min_pool_kw > 0.0
    }

    /// Is an area with these facts covered?
    pub fn covers(&self, facts: &AreaFacts) -> bool {
        if facts.qualifying_inside > 0 {
            return true;
        }
        match (self.within_km, facts.boundary) {
            (Some(km), Some(b)) => b.distance_m <= km * 1000.0,
            _ => false,
        }
    }

    /// What qualifies a site, as a noun phrase: "a site with a point of
    /// at least 150 kW and at least 400 kW in all", "a station of at
    /// least 480 kW", "a station".
    pub fn describe_site(&self) -> String {
        let mut text = String::new();
        if self.has_pool_terms() {
            text.push_str("a site with ");
            let points = if self.min_points == 1 {
                "a point".to_owned()
            } else {
                format!("{} points", self.min_points)
            };
            text.push_str(&points);
            if self.min_power_kw > 0.0 {
                text.push_str(&format!(
                    " of at least {} kW",
                    trim_float(self.min_power_kw)
                ));
            }
            if self.min_pool_kw > 0.0 {
                text.push_str(&format!(
                    " and at least {} kW in all",
                    trim_float(self.min_pool_kw)
                ));
            }
        } else if self.min_power_kw > 0.0 || self.min_power_exclusive {
            text.push_str(&format!("a station of {}", self.threshold_words()));
        } else {
            text.push_str("a station");
        }
        text
    }

    /// One line saying what the claim is, for reports.
    pub fn describe(&self) -> String {
        let mut text = format!("every area has {}", self.describe_site());
        text.push_str(" inside it or on its boundary");
        if self.boundary_tolerance_m > 0.0 {
            text.push_str(&format!(
                " (tolerance {} m)",
                trim_float(self.boundary_tolerance_m)
            ));
        }
        if let Some(km) = self.within_km {
            text.push_str(&format!(", or within {} km of it", trim_float(km)));
        }
        text
    }
}

/// The outcome of judging every area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Every area is covered.
    pub claim_holds: bool,
    /// Positions (into the area list) of the uncovered areas, in order.
    pub uncovered: Vec<usize>,
}

/// Judges all areas: the claim holds when every one is covered.
pub fn judge(rule: &Rule, facts: &[AreaFacts]) -> (Vec<bool>, Verdict) {
    let covered: Vec<bool> = facts.iter().map(|f| rule.covers(f)).collect();
    let uncovered: Vec<usize> = covered
        .iter()
        .enumerate()
        .filter(|(_, c)| !**c)
        .map(|(i, _)| i)
        .collect();
    let verdict = Verdict {
        claim_holds: uncovered.is_empty(),
        uncovered,
    };
    (covered, verdict)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Coord;

    fn station(power_kw: Option<f64>) -> Station {
        Station::new(0, None, Coord { x: 0.0, y: 0.0 }, power_kw)
    }

    #[test]
    fn threshold_zero_admits_unknown_power() {
        let rule = Rule::default();
        assert!(rule.qualifies(&station(None)));
        let strict = Rule {
            min_power_kw: 180.0,
            ..Rule::default()
        };
        assert!(!strict.qualifies(&station(None)));
        assert!(!strict.qualifies(&station(Some(179.9))));
        assert!(strict.qualifies(&station(Some(180.0))));
    }

    #[test]
    fn describes_itself() {
        let rule = Rule {
            min_power_kw: 480.0,
            boundary_tolerance_m: 5.0,
            within_km: Some(2.5),
            ..Rule::default()
        };
        assert_eq!(
            rule.describe(),
            "every area has a station of at least 480 kW inside it or on its boundary (tolerance 5 m), or within 2.5 km of it"
        );
        let afir = Rule {
            min_power_kw: 150.0,
            min_pool_kw: 400.0,
            ..Rule::default()
        };
        assert_eq!(
            afir.describe(),
            "every area has a site with a point of at least 150 kW and at least 400 kW in all inside it or on its boundary"
        );
    }

    #[test]
    fn a_site_that_misses_the_pool_terms_never_qualifies() {
        // Under pool terms a site's power is 0 when it meets them at no
        // threshold, and unknown when no point's power is known: neither
        // counts, even with no per-point threshold.
        let rule = Rule {
            min_points: 2,
            ..Rule::default()
        };
        assert!(!rule.qualifies(&station(Some(0.0))));
        assert!(!rule.qualifies(&station(None)));
        assert!(rule.qualifies(&station(Some(3.7))));
    }
}
