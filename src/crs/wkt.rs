//! Which EPSG system an OGC or ESRI WKT text (a Shapefile's `.prj`)
//! describes, for every system the built-in table (crs-definitions)
//! knows: by the text's own `AUTHORITY["EPSG", …]` when it has one, else
//! by its name, matched against the table's names after both are
//! normalised the way ESRI and EPSG spell the same system differently
//! ("DHDN_3_Degree_Gauss_Zone_3" is "DHDN / 3-degree Gauss-Kruger zone
//! 3"), and confirmed by the central meridian and false easting where the
//! text gives them.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The EPSG code `wkt` describes, or `None` when it cannot be told.
pub fn epsg_code(wkt: &str) -> Option<u32> {
    let wkt = wkt.trim();
    if let Some(code) = outer_authority(wkt) {
        return Some(code);
    }
    let name = first_name(wkt)?;
    let key = normalise(&name);
    if let Some(&code) = ALIASES.iter().find(|(k, _)| *k == key).map(|(_, c)| c) {
        return Some(code);
    }
    let candidates = names().get(&key)?;
    let meridian = parameter(wkt, "central_meridian");
    let easting = parameter(wkt, "false_easting");
    candidates
        .iter()
        .copied()
        .find(|&code| {
            let Some(def) = crs_definitions::from_code(code as u16) else {
                return false;
            };
            agrees(def.proj4, "+lon_0=", meridian) && agrees(def.proj4, "+x_0=", easting)
        })
        .or_else(|| candidates.first().copied())
}

/// ESRI names whose EPSG names differ beyond normalisation.
const ALIASES: [(&str, u32); 3] = [
    ("wgs84webmercatorauxiliarysphere", 3857),
    ("wgs84webmercator", 3857),
    ("chinageodeticcoordinatesystem2000", 4490),
];

/// Does the proj4 text's `key` value equal `value` (when both are known)?
fn agrees(proj4: &str, key: &str, value: Option<f64>) -> bool {
    let Some(value) = value else { return true };
    let Some(start) = proj4.find(key) else {
        return value == 0.0;
    };
    let rest = &proj4[start + key.len()..];
    let number = rest.split_whitespace().next().unwrap_or("");
    number
        .parse::<f64>()
        .is_ok_and(|v| (v - value).abs() < 1e-6 * value.abs().max(1.0))
}

/// The code of the last `AUTHORITY["EPSG", N]` at the outermost level
/// (in WKT 1 a system's own authority closes its definition).
fn outer_authority(wkt: &str) -> Option<u32> {
    let mut depth = 0i32;
    let mut found = None;
    let bytes = wkt.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'(' => depth += 1,
            b']' | b')' => depth -= 1,
            _ if depth == 1 && wkt[i..].starts_with("AUTHORITY[") => {
                let inner = &wkt[i + "AUTHORITY[".len()..];
                let end = inner.find(']')?;
                let mut parts = inner[..end].split(',');
                let authority = parts.next()?.trim().trim_matches('"');
                let code = parts.next()?.trim().trim_matches('"');
                if authority.eq_ignore_ascii_case("EPSG") {
                    found = code.parse().ok();
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The name of the outermost system: `PROJCS["name", …` or `GEOGCS[…`.
fn first_name(wkt: &str) -> Option<String> {
    let start = wkt.find('"')? + 1;
    let end = start + wkt[start..].find('"')?;
    Some(wkt[start..end].to_owned())
}

/// A `PARAMETER["name", value]` of the text, by case-insensitive name.
fn parameter(wkt: &str, name: &str) -> Option<f64> {
    let lower = wkt.to_ascii_lowercase();
    let at = lower.find(&format!("parameter[\"{name}\""))?;
    let rest = &wkt[at..];
    let comma = rest.find(',')?;
    let end = rest[comma + 1..].find(']')?;
    rest[comma + 1..comma + 1 + end].trim().parse().ok()
}

/// A name as both ESRI and EPSG spell it: lower case, letters and digits
/// only, the usual spellings made one.
fn normalise(name: &str) -> String {
    let mut key: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    if let Some(rest) = key.strip_prefix("gcs") {
        key = rest.to_owned();
    }
    for (from, to) in [
        ("gausskruger", "gk"),
        ("gauss", "gk"),
        ("wgs1984", "wgs84"),
        ("etrs1989", "etrs89"),
        ("nad1983", "nad83"),
        ("nad1927", "nad27"),
        ("metre", "m"),
    ] {
        key = key.replace(from, to);
    }
    key
}

/// Every name in the built-in table, normalised, with its codes (lowest
/// first); built once.
fn names() -> &'static HashMap<String, Vec<u32>> {
    static NAMES: OnceLock<HashMap<String, Vec<u32>>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: HashMap<String, Vec<u32>> = HashMap::new();
        for code in 0..=u16::MAX {
            if let Some(def) = crs_definitions::from_code(code)
                && let Some(name) = first_name(def.wkt)
            {
                names
                    .entry(normalise(&name))
                    .or_default()
                    .push(u32::from(code));
            }
        }
        names
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `.prj` of the BKG's VG5000 districts (its text, as shipped).
    const DHDN_PRJ: &str = r#"PROJCS["DHDN_3_Degree_Gauss_Zone_3",GEOGCS["GCS_Deutsches_Hauptdreiecksnetz",DATUM["D_Deutsches_Hauptdreiecksnetz",SPHEROID["Bessel_1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",3500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",9.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0],AUTHORITY["EPSG",31467]]"#;

    #[test]
    fn the_outer_authority_decides() {
        assert_eq!(epsg_code(DHDN_PRJ), Some(31467));
        // The inner GEOGCS authority is not the system's.
        let table = crs_definitions::from_code(4547).unwrap().wkt;
        assert_eq!(epsg_code(table), Some(4547));
    }

    /// ESRI's own names, without an authority, as ArcGIS writes them; the
    /// expected codes are the EPSG registry's for these systems, and the
    /// table's own names (EPSG's spelling) are shown beside them.
    #[test]
    fn esri_names_without_an_authority() {
        let without_authority = DHDN_PRJ.replace(",AUTHORITY[\"EPSG\",31467]", "");
        // EPSG:31467 "DHDN / 3-degree Gauss-Kruger zone 3" (the same
        // system as the deprecated 31463, whose table name says
        // "(deprecated)" and so does not match).
        assert_eq!(epsg_code(&without_authority), Some(31467));
        let esri = |name: &str, params: &str| {
            format!(
                r#"PROJCS["{name}",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000"],PROJECTION["Gauss_Kruger"],{params}UNIT["Meter",1.0]]"#
            )
        };
        // EPSG:4547 "CGCS2000 / 3-degree Gauss-Kruger CM 114E".
        assert_eq!(
            epsg_code(&esri(
                "CGCS2000_3_Degree_GK_CM_114E",
                r#"PARAMETER["False_Easting",500000.0],PARAMETER["Central_Meridian",114.0],"#
            )),
            Some(4547)
        );
        // EPSG:4526 "CGCS2000 / 3-degree Gauss-Kruger zone 38".
        assert_eq!(
            epsg_code(&esri(
                "CGCS2000_3_Degree_GK_Zone_38",
                r#"PARAMETER["False_Easting",38500000.0],PARAMETER["Central_Meridian",114.0],"#
            )),
            Some(4526)
        );
        // EPSG:32650 "WGS 84 / UTM zone 50N"; EPSG:25832 "ETRS89 / UTM zone 32N".
        assert_eq!(epsg_code(&esri("WGS_1984_UTM_Zone_50N", "")), Some(32650));
        assert_eq!(epsg_code(&esri("ETRS_1989_UTM_Zone_32N", "")), Some(25832));
        assert_eq!(
            epsg_code(
                r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#
            ),
            Some(4326)
        );
        assert_eq!(
            epsg_code(
                r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000"]]"#
            ),
            Some(4490)
        );
        assert_eq!(
            epsg_code(&esri("WGS_1984_Web_Mercator_Auxiliary_Sphere", "")),
            Some(3857)
        );
        assert_eq!(epsg_code(&esri("Made_Up_Local_Grid", "")), None);
        assert_eq!(epsg_code("not wkt at all"), None);
    }

    #[test]
    fn the_table_names_the_codes_the_tests_expect() {
        // Independent of the matcher: the table's names for the codes
        // above, as EPSG spells them.
        let name = |code| first_name(crs_definitions::from_code(code).unwrap().wkt).unwrap();
        assert_eq!(name(31467), "DHDN / 3-degree Gauss-Kruger zone 3");
        assert_eq!(name(4547), "CGCS2000 / 3-degree Gauss-Kruger CM 114E");
        assert_eq!(name(4526), "CGCS2000 / 3-degree Gauss-Kruger zone 38");
        assert_eq!(name(32650), "WGS 84 / UTM zone 50N");
        assert_eq!(name(25832), "ETRS89 / UTM zone 32N");
    }
}
