//! Where a value sits in a record: a property name, a path into nested
//! objects and arrays (`evses[].connectors[].max_electric_power`), or a
//! pattern over property names (`socket:*:output`).

use serde_json::Value;

/// A property name, or a pattern with one `*` standing for any text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyPattern {
    prefix: String,
    /// After the `*`; `None` for an exact name.
    suffix: Option<String>,
}

impl KeyPattern {
    /// An exact property name.
    pub fn exact(name: impl Into<String>) -> Self {
        KeyPattern {
            prefix: name.into(),
            suffix: None,
        }
    }

    /// `a*b` matches every name that starts with `a` and ends with `b`;
    /// text without `*` is an exact name.
    pub fn parse(text: &str) -> Self {
        match text.split_once('*') {
            Some((prefix, suffix)) => KeyPattern {
                prefix: prefix.to_owned(),
                suffix: Some(suffix.to_owned()),
            },
            None => KeyPattern::exact(text),
        }
    }

    /// Does a property name match?
    #[inline]
    pub fn matches(&self, key: &str) -> bool {
        match &self.suffix {
            None => key == self.prefix,
            Some(suffix) => {
                key.len() >= self.prefix.len() + suffix.len()
                    && key.starts_with(&self.prefix)
                    && key.ends_with(suffix.as_str())
            }
        }
    }

    /// A pattern rather than one name: what it captures is an object of
    /// every matching name and its value.
    pub fn is_pattern(&self) -> bool {
        self.suffix.is_some()
    }
}

impl std::fmt::Display for KeyPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.suffix {
            None => f.write_str(&self.prefix),
            Some(s) => write!(f, "{}*{}", self.prefix, s),
        }
    }
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A member of an object.
    Member(String),
    /// Every element of an array.
    Each,
}

/// A reference to values in a record: a top-level property (exact name or
/// pattern), then optionally members and `[]` array steps below it.
///
/// `Connections[].PowerKW` is the `PowerKW` of every element of the
/// `Connections` array. A name that is itself a property (`P1 [kW]`,
/// `addr.city`) is read as that property first: only when the record has
/// no such property is it taken for a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    text: String,
    head: KeyPattern,
    steps: Vec<Step>,
}

impl FieldPath {
    /// Parses `name`, `a.b`, `a[].b`, `a[][]`, `socket:*:output`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("a field name is empty".into());
        }
        // Split at `.` and `[]` outside of nothing fancier: names with
        // other brackets (`P1 [kW]`) stay whole.
        let mut parts: Vec<Step> = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '[' if chars.peek() == Some(&']') => {
                    chars.next();
                    if !current.is_empty() {
                        parts.push(Step::Member(std::mem::take(&mut current)));
                    }
                    parts.push(Step::Each);
                }
                '.' => {
                    if !current.is_empty() {
                        parts.push(Step::Member(std::mem::take(&mut current)));
                    } else if !matches!(parts.last(), Some(Step::Each)) {
                        return Err(format!("{text:?} has an empty name before a '.'"));
                    }
                }
                c => current.push(c),
            }
        }
        if !current.is_empty() {
            parts.push(Step::Member(current));
        } else if text.ends_with('.') {
            return Err(format!("{text:?} ends with a '.'"));
        }
        let mut steps = parts.into_iter();
        let head = match steps.next() {
            Some(Step::Member(name)) => KeyPattern::parse(&name),
            _ => return Err(format!("{text:?} does not start with a property name")),
        };
        let steps: Vec<Step> = steps.collect();
        if head.is_pattern() && !steps.is_empty() {
            return Err(format!(
                "{text:?}: a '*' pattern can only be a whole property name"
            ));
        }
        Ok(FieldPath {
            text: text.to_owned(),
            head,
            steps,
        })
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The top-level properties a reader must keep for this path: the
    /// whole text as a name, and the path's first name if different.
    pub fn keys(&self) -> Vec<KeyPattern> {
        let whole = KeyPattern::parse(&self.text);
        if whole == self.head {
            vec![whole]
        } else {
            vec![whole, self.head.clone()]
        }
    }

    /// Does the path go into nested values (rather than naming one property)?
    pub fn is_nested(&self) -> bool {
        !self.steps.is_empty()
    }

    /// Whether the path steps into an array (`[]`): each element, or each
    /// matching property of a pattern, is then a value of its own.
    pub fn is_multiple(&self) -> bool {
        self.head.is_pattern() || self.steps.contains(&Step::Each)
    }

    /// The values the path reaches, grouped by the first array level it
    /// crosses (or by matching property, for a pattern): one group per
    /// element, each with the values found below it. Missing members and
    /// `null` are left out; an empty result means "no value".
    ///
    /// `get` looks up a captured top-level property by its pattern.
    pub fn groups<'v>(
        &self,
        get: impl Fn(&KeyPattern) -> Option<&'v Value>,
    ) -> Vec<Vec<&'v Value>> {
        let mut out = Vec::new();
        let whole = KeyPattern::parse(&self.text);
        if self.is_nested()
            && let Some(v) = get(&whole).filter(|v| !v.is_null())
        {
            out.push(vec![v]);
            return out;
        }
        let Some(root) = get(&self.head) else {
            return out;
        };
        if self.head.is_pattern() {
            // Captured as an object of every matching property.
            if let Value::Object(map) = root {
                for v in map.values().filter(|v| !v.is_null()) {
                    out.push(vec![v]);
                }
            }
            return out;
        }
        match self.steps.iter().position(|s| *s == Step::Each) {
            None => {
                let mut found = Vec::new();
                walk(root, &self.steps, &mut found);
                if !found.is_empty() {
                    out.push(found);
                }
            }
            Some(first) => {
                let mut arrays = Vec::new();
                walk(root, &self.steps[..first], &mut arrays);
                for array in arrays {
                    let Value::Array(items) = array else { continue };
                    for item in items {
                        let mut found = Vec::new();
                        walk(item, &self.steps[first + 1..], &mut found);
                        if !found.is_empty() {
                            out.push(found);
                        }
                    }
                }
            }
        }
        out
    }

    /// Every value the path reaches, in order.
    pub fn values<'v>(&self, get: impl Fn(&KeyPattern) -> Option<&'v Value>) -> Vec<&'v Value> {
        self.groups(get).into_iter().flatten().collect()
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Follows `steps` from `value`, pushing every non-null value reached.
fn walk<'v>(value: &'v Value, steps: &[Step], out: &mut Vec<&'v Value>) {
    match steps.split_first() {
        None => {
            if !value.is_null() {
                out.push(value);
            }
        }
        Some((Step::Member(name), rest)) => {
            if let Value::Object(map) = value
                && let Some(v) = map.get(name)
            {
                walk(v, rest, out);
            }
        }
        Some((Step::Each, rest)) => {
            if let Value::Array(items) = value {
                for item in items {
                    walk(item, rest, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lookup<'v>(record: &'v Value) -> impl Fn(&KeyPattern) -> Option<&'v Value> + Copy + 'v {
        move |key: &KeyPattern| {
            let map = record.as_object()?;
            if key.is_pattern() {
                None
            } else {
                map.get(&key.to_string())
            }
        }
    }

    #[test]
    fn patterns_match_by_prefix_and_suffix() {
        let p = KeyPattern::parse("socket:*:output");
        assert!(p.matches("socket:type2_combo:output"));
        assert!(p.matches("socket::output"));
        assert!(!p.matches("socket:type2_combo"));
        assert!(
            !p.matches("socket:output"),
            "prefix and suffix may not overlap"
        );
        assert!(KeyPattern::parse("power").matches("power"));
        assert!(!KeyPattern::parse("power").matches("Power"));
    }

    #[test]
    fn names_with_brackets_or_dots_stay_whole_when_the_record_has_them() {
        let p = FieldPath::parse("P1 [kW]").unwrap();
        assert!(!p.is_nested());
        let record = json!({"P1 [kW]": 22});
        assert_eq!(p.values(lookup(&record)), vec![&json!(22)]);
        let dotted = FieldPath::parse("addr.city").unwrap();
        assert!(dotted.is_nested());
        let flat = json!({"addr.city": "Mannheim"});
        assert_eq!(dotted.values(lookup(&flat)), vec![&json!("Mannheim")]);
        let nested = json!({"addr": {"city": "Karlsruhe"}});
        assert_eq!(dotted.values(lookup(&nested)), vec![&json!("Karlsruhe")]);
    }

    #[test]
    fn the_first_array_level_groups_the_values() {
        // Two EVSEs: the first with two connectors, the second with one
        // whose power is null (left out), so two groups: [50000, 22000]
        // and [] (dropped) → one group; then a third EVSE with 150000.
        let record = json!({"evses": [
            {"connectors": [{"max_electric_power": 50000}, {"max_electric_power": 22000}]},
            {"connectors": [{"max_electric_power": null}]},
            {"connectors": [{"max_electric_power": 150000}]}
        ]});
        let p = FieldPath::parse("evses[].connectors[].max_electric_power").unwrap();
        let groups = p.groups(lookup(&record));
        assert_eq!(
            groups,
            vec![vec![&json!(50000), &json!(22000)], vec![&json!(150000)]]
        );
        assert_eq!(
            p.keys(),
            vec![
                KeyPattern::exact("evses[].connectors[].max_electric_power"),
                KeyPattern::exact("evses")
            ]
        );
    }

    #[test]
    fn malformed_paths_are_refused() {
        assert!(FieldPath::parse("").is_err());
        assert!(FieldPath::parse("a.").is_err());
        assert!(FieldPath::parse(".a").is_err());
        assert!(FieldPath::parse("[].a").is_err());
        assert!(FieldPath::parse("a*.b").is_err());
        assert!(FieldPath::parse("a[]").unwrap().is_multiple());
    }
}
