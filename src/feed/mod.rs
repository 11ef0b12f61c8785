//! What a station feed's records say beyond an id and a position: power
//! from several fields or nested arrays with their units
//! ([`power`]), which records count ([`filter`]), which site a record
//! belongs to (the pool key), and the presets for real feeds ([`preset`]).
//!
//! The readers keep, for each record, the top-level properties these need
//! ([`Feed::captures`]) as JSON values; the normaliser evaluates them.

pub mod filter;
pub mod path;
pub mod power;
pub mod preset;

use serde_json::Value;

pub use filter::{Filter, FilterError};
pub use path::{FieldPath, KeyPattern};
pub use power::{PowerSource, PowerUnit};

/// How to read a feed beyond the id, power and coordinate roles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Feed {
    power: Vec<PowerSource>,
    filters: Vec<Filter>,
    pool_key: Option<FieldPath>,
    /// Derived from the three above, once.
    captures: Vec<KeyPattern>,
}

impl Feed {
    /// Power from `power` (empty: the single power field of
    /// [`StationFieldSpecs::power`](crate::fields::StationFieldSpecs::power)),
    /// records that pass every one of `filters` (each one's removals are
    /// counted), the site a record belongs to in `pool_key`.
    pub fn new(power: Vec<PowerSource>, filters: Vec<Filter>, pool_key: Option<FieldPath>) -> Self {
        let mut captures: Vec<KeyPattern> = Vec::new();
        let mut add = |keys: Vec<KeyPattern>| {
            for k in keys {
                if !captures.contains(&k) {
                    captures.push(k);
                }
            }
        };
        for source in &power {
            add(source.path.keys());
        }
        for filter in &filters {
            add(filter.keys());
        }
        if let Some(key) = &pool_key {
            add(key.keys());
        }
        Feed {
            power,
            filters,
            pool_key,
            captures,
        }
    }

    /// Where the power is, when not the single power field.
    pub fn power(&self) -> &[PowerSource] {
        &self.power
    }

    /// The filters, in order.
    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }

    /// The site key, for pools by key.
    pub fn pool_key(&self) -> Option<&FieldPath> {
        self.pool_key.as_ref()
    }

    /// The top-level properties (names or patterns) a reader keeps for each
    /// record, in a fixed order: [`Captured`] values follow it.
    pub fn captures(&self) -> &[KeyPattern] {
        &self.captures
    }
}

/// Stores a property's value in a record's captured values, if the
/// property is one of `captures`: an exact name takes the value, a
/// pattern gathers every matching name into an object.
pub fn capture(captures: &[KeyPattern], values: &mut Vec<Value>, key: &str, value: Value) {
    let mut value = Some(value);
    for (slot, pattern) in captures.iter().enumerate() {
        if !pattern.matches(key) {
            continue;
        }
        if values.len() < captures.len() {
            values.resize(captures.len(), Value::Null);
        }
        let v = if captures[slot + 1..].iter().any(|p| p.matches(key)) {
            value.clone().unwrap_or(Value::Null)
        } else {
            value.take().unwrap_or(Value::Null)
        };
        if pattern.is_pattern() {
            if !values[slot].is_object() {
                values[slot] = Value::Object(Default::default());
            }
            if let Value::Object(map) = &mut values[slot] {
                map.insert(key.to_owned(), v);
            }
        } else {
            values[slot] = v;
        }
    }
}

/// Does any of `captures` want this property?
#[inline]
pub fn wanted(captures: &[KeyPattern], key: &str) -> bool {
    captures.iter().any(|p| p.matches(key))
}

/// The columns of a table a feed spec keeps, resolved once per layer.
#[derive(Debug, Clone, Default)]
pub struct CapturedColumns {
    /// Column positions and names, in column order.
    columns: Vec<(usize, String)>,
}

impl CapturedColumns {
    /// The columns among `names` that `captures` wants (names trimmed).
    pub fn new<S: AsRef<str>>(captures: &[KeyPattern], names: &[S]) -> Self {
        CapturedColumns {
            columns: names
                .iter()
                .enumerate()
                .filter(|(_, n)| wanted(captures, n.as_ref().trim()))
                .map(|(i, n)| (i, n.as_ref().trim().to_owned()))
                .collect(),
        }
    }

    /// The wanted columns' names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(_, n)| n.as_str())
    }

    /// One row's captured values; `cell(column)` gives a column's value
    /// (`None` or `Null` when empty).
    pub fn row(
        &self,
        captures: &[KeyPattern],
        mut cell: impl FnMut(usize, &str) -> Option<Value>,
    ) -> Vec<Value> {
        let mut values = Vec::new();
        for (column, name) in &self.columns {
            if let Some(v) = cell(*column, name).filter(|v| !v.is_null()) {
                capture(captures, &mut values, name, v);
            }
        }
        values
    }
}

/// A record's captured values, looked up by the pattern they were kept
/// under.
#[derive(Debug, Clone, Copy)]
pub struct Captured<'a> {
    captures: &'a [KeyPattern],
    values: &'a [Value],
}

impl<'a> Captured<'a> {
    /// The values `values` (possibly empty: nothing was found) kept for
    /// `captures`.
    pub fn new(captures: &'a [KeyPattern], values: &'a [Value]) -> Self {
        Captured { captures, values }
    }

    /// The value kept under `key`, if any.
    pub fn get(self, key: &KeyPattern) -> Option<&'a Value> {
        let slot = self.captures.iter().position(|c| c == key)?;
        self.values.get(slot).filter(|v| !v.is_null())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn captured_values_follow_the_capture_list() {
        let feed = Feed::new(
            vec![
                PowerSource::parse("socket:*:output").unwrap(),
                PowerSource::parse("P1 [kW]").unwrap(),
            ],
            vec![Filter::parse("access = 'yes' and \"P1 [kW]\" > 0").unwrap()],
            None,
        );
        let caps = feed.captures();
        assert_eq!(
            caps,
            vec![
                KeyPattern::parse("socket:*:output"),
                KeyPattern::exact("P1 [kW]"),
                KeyPattern::exact("access")
            ]
        );
        let mut values = Vec::new();
        for (k, v) in [
            ("socket:type2:output", json!("22 kW")),
            ("amenity", json!("charging_station")),
            ("socket:chademo:output", json!("50 kW")),
            ("access", json!("yes")),
        ] {
            capture(caps, &mut values, k, v);
        }
        let rec = Captured::new(caps, &values);
        assert_eq!(
            rec.get(&caps[0]),
            Some(&json!({"socket:type2:output": "22 kW", "socket:chademo:output": "50 kW"}))
        );
        assert_eq!(rec.get(&caps[1]), None);
        assert_eq!(rec.get(&caps[2]), Some(&json!("yes")));
        let points = power::points(feed.power(), |k| rec.get(k));
        assert_eq!(points.kw, vec![22.0, 50.0]);
        assert!(
            !feed.filters()[0].keeps(|k| rec.get(k)),
            "P1 [kW] is missing"
        );
    }
}
