//! Numbers as people read them, one way everywhere: no spurious `.0`,
//! metres as kilometres with a fixed number of decimals (so reports diff
//! cleanly), a dash where there is no value.

/// `180` rather than `180.0`, `2.5` as is.
pub fn trim_float(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Metres as kilometres with `decimals` decimals and the unit: `12.35 km`.
pub fn km(m: f64, decimals: usize) -> String {
    format!("{:.*} km", decimals, m / 1000.0)
}

/// As [`km`], or a dash for no value.
pub fn km_or_dash(m: Option<f64>, decimals: usize) -> String {
    m.map_or_else(|| "—".to_owned(), |m| km(m, decimals))
}

/// Metres as kilometres, the number alone (for a column headed in km),
/// or a dash for no value.
pub fn km_number(m: Option<f64>, decimals: usize) -> String {
    m.map_or_else(
        || "—".to_owned(),
        |m| format!("{:.*}", decimals, m / 1000.0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kilometres_and_plain_numbers() {
        assert_eq!(trim_float(180.0), "180");
        assert_eq!(trim_float(2.5), "2.5");
        assert_eq!(km(12_345.0, 2), "12.35 km");
        assert_eq!(km_or_dash(Some(12_345.0), 1), "12.3 km");
        assert_eq!(km_or_dash(None, 1), "—");
        assert_eq!(km_number(Some(500.0), 2), "0.50");
        assert_eq!(km_number(None, 2), "—");
    }
}
