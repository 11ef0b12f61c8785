//! A station's power from the feed's own shape: several fields (the
//! German register's `P1 [kW]` … `P4 [kW]`), paths into nested arrays
//! (OCPI's `evses[].connectors[].max_electric_power`, in watts), patterns
//! over tag names (OSM's `socket:*:output`), each with its unit.

use serde_json::Value;

use crate::feed::path::{FieldPath, KeyPattern};
use crate::power::parse_power_kw;

/// The unit a field's bare numbers are in. Text that names its own unit
/// (`"22 kW"`, `"0.15 MW"`) is read in that unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerUnit {
    /// Watts (OCPI's `max_electric_power`).
    W,
    /// Kilowatts, the default.
    KW,
    /// Megawatts.
    MW,
}

impl PowerUnit {
    /// kW per unit.
    pub fn kw(self) -> f64 {
        match self {
            PowerUnit::W => 0.001,
            PowerUnit::KW => 1.0,
            PowerUnit::MW => 1000.0,
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "w" => Some(PowerUnit::W),
            "kw" => Some(PowerUnit::KW),
            "mw" => Some(PowerUnit::MW),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            PowerUnit::W => "W",
            PowerUnit::KW => "kW",
            PowerUnit::MW => "MW",
        }
    }
}

/// One place a record gives power, and its unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PowerSource {
    /// Where the values are.
    pub path: FieldPath,
    /// What bare numbers mean.
    pub unit: PowerUnit,
}

impl PowerSource {
    /// `FIELD` or `FIELD@UNIT` (`W`, `kW`, `MW`), e.g.
    /// `evses[].connectors[].max_electric_power@W`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (path, unit) = match text.rsplit_once('@') {
            Some((path, unit)) => match PowerUnit::parse(unit) {
                Some(unit) => (path, unit),
                None => {
                    return Err(format!(
                        "{text:?}: unknown unit {unit:?} after '@' (use W, kW or MW)"
                    ));
                }
            },
            None => (text, PowerUnit::KW),
        };
        Ok(PowerSource {
            path: FieldPath::parse(path)?,
            unit,
        })
    }

    /// The power from one value, in kW; `Ok(None)` for "no value" text.
    pub fn kw(&self, value: &Value) -> Result<Option<f64>, String> {
        match value {
            Value::Number(n) => Ok(n.as_f64().map(|v| v * self.unit.kw())),
            Value::String(text) => {
                let own_unit = text.chars().any(|c| c.is_ascii_alphabetic());
                let kw = parse_power_kw(text).map_err(|e| e.to_string())?;
                Ok(kw.map(|kw| if own_unit { kw } else { kw * self.unit.kw() }))
            }
            Value::Null => Ok(None),
            Value::Bool(_) => Err(format!("{}: power is a boolean", self.path)),
            Value::Array(_) | Value::Object(_) => Err(format!(
                "{}: power is an object or array (give a path into it, e.g. {}[].power)",
                self.path, self.path
            )),
        }
    }
}

impl std::fmt::Display for PowerSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.unit {
            PowerUnit::KW => write!(f, "{}", self.path),
            unit => write!(f, "{}@{}", self.path, unit.name()),
        }
    }
}

/// A record's charging points as its power sources describe them: one
/// point per value of a plain field, per element of the first array a
/// path crosses (the strongest of the values below it: an EVSE's
/// strongest connector), per property a pattern matches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Points {
    /// Each point's power in kW, in source order.
    pub kw: Vec<f64>,
    /// Values that could not be read, each with why.
    pub unreadable: Vec<String>,
    /// Bit i: source i gave a value (sources past 64 are not tracked).
    pub sources_found: u64,
}

impl Points {
    /// The strongest point's power.
    pub fn strongest(&self) -> Option<f64> {
        self.kw.iter().copied().reduce(f64::max)
    }
}

/// Reads a record's points from `sources`; `get` looks up a captured
/// top-level property.
pub fn points<'v>(
    sources: &[PowerSource],
    get: impl Fn(&KeyPattern) -> Option<&'v Value> + Copy,
) -> Points {
    let mut out = Points::default();
    for (i, source) in sources.iter().enumerate() {
        let groups = source.path.groups(get);
        if !groups.is_empty() && i < 64 {
            out.sources_found |= 1 << i;
        }
        for group in groups {
            let mut best: Option<f64> = None;
            for value in group {
                match source.kw(value) {
                    Ok(Some(kw)) => best = Some(best.map_or(kw, |b| b.max(kw))),
                    Ok(None) => {}
                    Err(why) => out.unreadable.push(why),
                }
            }
            out.kw.extend(best);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn get<'v>(record: &'v Value) -> impl Fn(&KeyPattern) -> Option<&'v Value> + Copy + 'v {
        move |key: &KeyPattern| record.get(key.to_string())
    }

    #[test]
    fn units_scale_bare_numbers_and_text_keeps_its_own() {
        let w = PowerSource::parse("max_electric_power@W").unwrap();
        assert_eq!(w.kw(&json!(150000)).unwrap(), Some(150.0));
        assert_eq!(w.kw(&json!("22000")).unwrap(), Some(22.0));
        assert_eq!(
            w.kw(&json!("50 kW")).unwrap(),
            Some(50.0),
            "text with a unit keeps it"
        );
        assert_eq!(
            PowerSource::parse("p@MW")
                .unwrap()
                .kw(&json!(0.35))
                .unwrap(),
            Some(350.0)
        );
        assert!(PowerSource::parse("p@kWh").is_err());
        assert!(w.kw(&json!(true)).is_err());
        assert_eq!(w.to_string(), "max_electric_power@W");
    }

    #[test]
    fn each_field_value_is_a_point_and_the_strongest_counts() {
        // The German register: P1 = 22, P2 = 11, P3 empty (""), P4 absent.
        let sources: Vec<PowerSource> = ["P1 [kW]", "P2 [kW]", "P3 [kW]", "P4 [kW]"]
            .iter()
            .map(|s| PowerSource::parse(s).unwrap())
            .collect();
        let record = json!({"P1 [kW]": "22", "P2 [kW]": "11", "P3 [kW]": ""});
        let p = points(&sources, get(&record));
        assert_eq!(p.kw, vec![22.0, 11.0]);
        assert_eq!(p.strongest(), Some(22.0));
        assert!(p.unreadable.is_empty());
    }

    #[test]
    fn an_evse_is_one_point_however_many_connectors() {
        let record = json!({"evses": [
            {"connectors": [{"max_electric_power": 50000}, {"max_electric_power": 43000}]},
            {"connectors": [{"max_electric_power": "oops"}]},
            {"connectors": [{"max_electric_power": 150000}]}
        ]});
        let sources = [PowerSource::parse("evses[].connectors[].max_electric_power@W").unwrap()];
        let p = points(&sources, get(&record));
        assert_eq!(p.kw, vec![50.0, 150.0]);
        assert_eq!(p.unreadable.len(), 1);
    }
}
