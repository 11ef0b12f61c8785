//! The pure-Rust backend: proj4rs with crs-definitions' EPSG table
//! (geographic and projected systems, including Web Mercator, UTM and the
//! CGCS2000 Gauss–Krüger zones EPSG:4491–4554).

use proj4rs::Proj;

/// WGS84 longitude/latitude, the pivot.
const WGS84: &str = "+proj=longlat +datum=WGS84 +no_defs";

/// A proj4rs definition and the WGS84 pivot.
pub struct Proj4 {
    crs: Proj,
    wgs84: Proj,
}

impl Proj4 {
    /// The definition of EPSG:`code` from the built-in table.
    pub fn from_epsg(code: u32) -> Result<Proj4, String> {
        let def = u16::try_from(code)
            .ok()
            .and_then(crs_definitions::from_code)
            .ok_or_else(|| format!("EPSG:{code} is not in the built-in table"))?;
        Self::from_proj_string(def.proj4)
    }

    /// A definition written as a PROJ string (`+proj=…`).
    pub fn from_proj_string(text: &str) -> Result<Proj4, String> {
        let crs = Proj::from_proj_string(text).map_err(|e| format!("{e}"))?;
        // The pivot is a fixed, valid definition.
        let wgs84 = Proj::from_proj_string(WGS84).map_err(|e| format!("{e}"))?;
        Ok(Proj4 { crs, wgs84 })
    }

    /// Longitude/latitude (not projected)?
    pub fn is_geographic(&self) -> bool {
        self.crs.is_latlong()
    }

    fn run(from: &Proj, to: &Proj, x: f64, y: f64) -> Result<(f64, f64), String> {
        // proj4rs works in radians for geographic systems.
        let mut p = if from.is_latlong() {
            (x.to_radians(), y.to_radians(), 0.0)
        } else {
            (x, y, 0.0)
        };
        proj4rs::transform::transform(from, to, &mut p).map_err(|e| format!("{e}"))?;
        let out = if to.is_latlong() {
            (p.0.to_degrees(), p.1.to_degrees())
        } else {
            (p.0, p.1)
        };
        if out.0.is_finite() && out.1.is_finite() {
            Ok(out)
        } else {
            Err("the transformation gives no finite result (outside the system's area?)".into())
        }
    }

    /// Converts a position to WGS84 longitude/latitude in degrees.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), String> {
        Self::run(&self.crs, &self.wgs84, x, y)
    }

    /// Converts WGS84 longitude/latitude in degrees to this system.
    pub fn from_wgs84(&self, lon: f64, lat: f64) -> Result<(f64, f64), String> {
        Self::run(&self.wgs84, &self.crs, lon, lat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values computed with pyproj 3.7 (PROJ 9.5.1):
    /// `Transformer.from_crs(4326, code, always_xy=True).transform(106.55, 29.56)`.
    #[test]
    fn projects_as_proj_does() {
        for (code, x, y) in [
            (3857, 11_861_091.744_0, 3_447_116.405_1),
            (32648, 650_158.451_2, 3_271_033.575_5),
            (4545, 359_474.086_7, 3_272_217.298_6),
        ] {
            let p = Proj4::from_epsg(code).unwrap();
            let (px, py) = p.from_wgs84(106.55, 29.56).unwrap();
            assert!(
                (px - x).abs() < 0.01 && (py - y).abs() < 0.01,
                "EPSG:{code}: {px} {py}"
            );
            let (lon, lat) = p.to_wgs84(x, y).unwrap();
            assert!(
                (lon - 106.55).abs() < 1e-8 && (lat - 29.56).abs() < 1e-8,
                "{lon} {lat}"
            );
            assert!(!p.is_geographic());
        }
        assert!(Proj4::from_epsg(4490).unwrap().is_geographic());
        assert!(Proj4::from_epsg(99_999).is_err());
    }
}
