//! The `proj` feature: PROJ itself (the `proj` crate, bundled build) for
//! coordinate systems the pure-Rust backend does not cover.
//!
//! A PROJ object belongs to one thread, so each thread builds its own
//! pair of transformations on first use and keeps them.

use std::cell::RefCell;
use std::collections::HashMap;

use proj::Proj;

/// A CRS known to PROJ, by its definition.
pub struct ProjLib {
    definition: String,
    geographic: bool,
}

type Pair = (Proj, Proj);

thread_local! {
    static PAIRS: RefCell<HashMap<String, Pair>> = RefCell::new(HashMap::new());
}

fn pair(definition: &str) -> Result<Pair, String> {
    let to = Proj::new_known_crs(definition, "EPSG:4326", None).map_err(|e| e.to_string())?;
    let from = Proj::new_known_crs("EPSG:4326", definition, None).map_err(|e| e.to_string())?;
    Ok((to, from))
}

impl ProjLib {
    /// A transformation from the system PROJ knows as `name` to WGS84.
    pub fn new(name: &str) -> Result<ProjLib, String> {
        let mut definition = name.trim().to_owned();
        if definition.starts_with('+') && !definition.contains("+type=crs") {
            definition.push_str(" +type=crs");
        }
        let crs = Proj::new(&definition).map_err(|e| e.to_string())?;
        let json = crs
            .to_projjson(Some(false), None, None)
            .map_err(|e| e.to_string())?;
        // The top-level type; a projected CRS names its geographic base inside.
        let parsed: serde_json::Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        let geographic = parsed["type"] == "GeographicCRS";
        pair(&definition)?;
        Ok(ProjLib {
            definition,
            geographic,
        })
    }

    /// Longitude/latitude (not projected)?
    pub fn is_geographic(&self) -> bool {
        self.geographic
    }

    fn with_pair<T>(&self, f: impl FnOnce(&Pair) -> Result<T, String>) -> Result<T, String> {
        PAIRS.with(|cell| {
            let mut map = cell.borrow_mut();
            if !map.contains_key(&self.definition) {
                map.insert(self.definition.clone(), pair(&self.definition)?);
            }
            // Inserted just above when missing.
            f(map.get(&self.definition).expect("cached pair"))
        })
    }

    /// Converts a position to WGS84 longitude/latitude in degrees.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), String> {
        self.with_pair(|(to, _)| to.convert((x, y)).map_err(|e| e.to_string()))
    }

    /// Converts WGS84 longitude/latitude in degrees to this system.
    pub fn from_wgs84(&self, lon: f64, lat: f64) -> Result<(f64, f64), String> {
        self.with_pair(|(_, from)| from.convert((lon, lat)).map_err(|e| e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ESRI:54009 (world Mollweide) is not an EPSG code, so only PROJ
    /// knows it. Reference values from pyproj 3.7.2 (PROJ 9.5.1):
    /// `Transformer.from_crs("ESRI:54009", 4326, always_xy=True)`.
    #[test]
    fn proj_converts_what_only_it_knows() {
        let p = ProjLib::new("ESRI:54009").unwrap();
        assert!(!p.is_geographic());
        let (lon, lat) = p.to_wgs84(10_000_000.0, 3_600_000.0).unwrap();
        assert!(
            (lon - 108.820_432_7).abs() < 1e-7 && (lat - 29.625_629_0).abs() < 1e-7,
            "{lon} {lat}"
        );
        let (x, y) = p.from_wgs84(106.55, 29.56).unwrap();
        assert!(
            (x - 9_795_319.642).abs() < 0.01 && (y - 3_592_305.881).abs() < 0.01,
            "{x} {y}"
        );
        assert!(ProjLib::new("EPSG:4490").unwrap().is_geographic());
    }
}
