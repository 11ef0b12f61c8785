//! Charging power as written in real station data, parsed into kilowatts.
//!
//! Open data spells power in many ways: `120`, `"120 kW"`, `"480kW"`,
//! `"0.48 MW"`, `"22+11+3,7 kW"` (one value per socket), `"7,4"` (decimal
//! comma), `"2x150kW"`. A station's power is the maximum over its sockets.
//! Anything that cannot be read without guessing is an error naming the
//! text, never a silent default: `"1,500"` could be 1.5 or 1500 kW.

/// The most power a charging point plausibly has (kW): more is taken
/// for a unit error (W read as kW) and warned about; `validate`'s
/// `power-plausible` check uses it as its default maximum.
pub const PLAUSIBLE_MAX_KW: f64 = 1500.0;

use std::fmt;

/// Why a power text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PowerParseError {
    /// The text as written.
    pub text: String,
    /// Why it cannot be read.
    pub reason: &'static str,
}

impl fmt::Display for PowerParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read power {:?}: {}", self.text, self.reason)
    }
}

impl std::error::Error for PowerParseError {}

/// Texts that mean "no value" rather than a malformed one.
const MISSING: &[&str] = &["", "-", "--", "n/a", "na", "null", "none", "unknown", "?"];

/// Parses a power text into kW. `Ok(None)` means the text says "no value".
pub fn parse_power_kw(text: &str) -> Result<Option<f64>, PowerParseError> {
    let trimmed = text.trim();
    if MISSING.iter().any(|m| trimmed.eq_ignore_ascii_case(m)) {
        return Ok(None);
    }
    let fail = |reason| PowerParseError {
        text: text.to_owned(),
        reason,
    };
    let lower: String = trimmed
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();

    // A unit written once at the end applies to every socket before it.
    let parts: Vec<&str> = lower.split(['+', '/', ';', '|']).collect();
    let mut parsed = Vec::with_capacity(parts.len());
    for part in &parts {
        if part.is_empty() {
            return Err(fail("empty value between separators"));
        }
        parsed.push(split_part(part).map_err(fail)?);
    }
    let trailing_unit = parsed.iter().rev().find_map(|(_, unit)| *unit);
    let mut max_kw: Option<f64> = None;
    for (number, unit) in parsed {
        let factor = unit.or(trailing_unit).unwrap_or(Unit::Kw).kw_factor();
        let kw = number * factor;
        max_kw = Some(max_kw.map_or(kw, |m| m.max(kw)));
    }
    Ok(max_kw)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    W,
    Kw,
    Mw,
}

impl Unit {
    fn kw_factor(self) -> f64 {
        match self {
            Unit::W => 1e-3,
            Unit::Kw => 1.0,
            Unit::Mw => 1e3,
        }
    }
}

/// Splits one socket's text (lower case, no spaces) into its number and
/// optional unit, dropping a leading count such as `2x`.
fn split_part(part: &str) -> Result<(f64, Option<Unit>), &'static str> {
    let part = strip_count(part);
    let number_end = part
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(part.len());
    let (number, unit) = part.split_at(number_end);
    let unit = match unit {
        "" => None,
        "kw" | "千瓦" => Some(Unit::Kw),
        "mw" | "兆瓦" => Some(Unit::Mw),
        "w" | "瓦" => Some(Unit::W),
        "kwh" | "mwh" | "wh" => return Err("that is energy (Wh), not power"),
        "kva" | "a" | "v" => return Err("unit is not a power in watts; convert it to kW"),
        _ => return Err("not a number with an optional unit kW, MW or W"),
    };
    Ok((parse_number(number)?, unit))
}

/// `2x150kw` → `150kw`; also `2×` and `2*`.
fn strip_count(part: &str) -> &str {
    let digits = part.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
    if digits == 0 {
        return part;
    }
    let rest = &part[digits..];
    for sep in ['x', '×', '*'] {
        if let Some(after) = rest.strip_prefix(sep)
            && after.starts_with(|c: char| c.is_ascii_digit())
        {
            return after;
        }
    }
    part
}

/// A decimal number with `.` or `,` as the decimal separator.
fn parse_number(text: &str) -> Result<f64, &'static str> {
    if text.is_empty() {
        return Err("no number found");
    }
    let has_dot = text.contains('.');
    let commas = text.matches(',').count();
    let normalised = match (has_dot, commas) {
        (_, 0) => text.to_owned(),
        (false, 1) => {
            let (int, frac) = text.split_once(',').unwrap_or((text, ""));
            // "1,500" reads as 1500 in English and as 1.5 in German.
            if frac.len() == 3 && !int.is_empty() && int != "0" {
                return Err("ambiguous: the comma may be a thousands or a decimal separator");
            }
            format!("{int}.{frac}")
        }
        _ => return Err("ambiguous mix of '.' and ',' separators"),
    };
    if normalised.starts_with('.') || normalised.ends_with('.') {
        return Err("incomplete decimal number");
    }
    normalised
        .parse::<f64>()
        .map_err(|_| "not a number with an optional unit kW, MW or W")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(text: &str) -> f64 {
        parse_power_kw(text)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"))
            .unwrap_or_else(|| panic!("{text:?} parsed as missing"))
    }

    #[test]
    fn spellings_from_the_issue() {
        assert_eq!(kw("120"), 120.0);
        assert_eq!(kw("120 kW"), 120.0);
        assert_eq!(kw("480kW"), 480.0);
        assert_eq!(kw("0.48 MW"), 480.0);
        assert_eq!(kw("22+11+3,7 kW"), 22.0);
        assert_eq!(kw("7,4"), 7.4);
    }

    #[test]
    fn more_real_world_spellings() {
        assert_eq!(kw("  60KW "), 60.0);
        assert_eq!(kw("2x150kW"), 150.0);
        assert_eq!(kw("2 × 150 kW"), 150.0);
        assert_eq!(kw("7400 W"), 7.4);
        assert_eq!(kw("120/60 kW"), 120.0);
        assert_eq!(kw("0.6 MW"), 600.0);
        assert_eq!(kw("120+60 kW"), 120.0);
        assert_eq!(kw("350千瓦"), 350.0);
        assert_eq!(kw("0,5 MW"), 500.0);
        // A unit on each socket wins over the trailing one.
        assert_eq!(kw("1 MW + 300 kW"), 1000.0);
    }

    #[test]
    fn missing_markers_are_not_errors() {
        for text in ["", "  ", "-", "N/A", "null", "unknown"] {
            assert_eq!(parse_power_kw(text), Ok(None), "{text:?}");
        }
    }

    #[test]
    fn unreadable_values_are_errors_not_guesses() {
        for text in [
            "abc", "1,500", "1,500.5", "50 kWh", "32 A", "fast", "+50", "50+", ".5",
        ] {
            let err = parse_power_kw(text).expect_err(text);
            assert_eq!(err.text, text);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_plain_number_round_trips(value in 0.0f64..10_000.0) {
            let text = format!("{value}");
            proptest::prop_assert_eq!(parse_power_kw(&text).unwrap(), Some(value));
            let with_unit = format!("{value} kW");
            proptest::prop_assert_eq!(parse_power_kw(&with_unit).unwrap(), Some(value));
        }

        #[test]
        fn never_panics(text in "\\PC{0,24}") {
            let _ = parse_power_kw(&text);
        }
    }
}
