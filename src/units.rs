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

/// A number as an id or a name reads it: integers as their digits (beyond
/// 64 bits too), a whole float without a spurious `.0` (`1054.0` →
/// `"1054"`), any other float as Rust writes it.
pub fn id_text(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        float_id_text(n.as_f64().unwrap_or(f64::NAN))
    }
}

/// A float as an id reads it: see [`id_text`].
pub fn float_id_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_as_written_without_a_spurious_point_zero() {
        let n = |text: &str| serde_json::from_str::<serde_json::Number>(text).unwrap();
        assert_eq!(id_text(&n("1054")), "1054");
        assert_eq!(id_text(&n("1054.0")), "1054");
        assert_eq!(id_text(&n("-7")), "-7");
        assert_eq!(id_text(&n("18446744073709551615")), "18446744073709551615");
        assert_eq!(id_text(&n("1.5")), "1.5");
        // At and beyond 1e15 a whole float is written by Rust's own rule.
        assert_eq!(float_id_text(1e15), "1000000000000000");
        assert_eq!(float_id_text(999_999_999_999_999.0), "999999999999999");
    }

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
