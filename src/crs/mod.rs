//! Coordinate reference systems: naming them, and moving coordinates
//! between them and WGS84 longitude/latitude.
//!
//! Everything downstream of `normalise` works in WGS84 lon/lat. Each input
//! layer has its own CRS — from a flag, else the GeoJSON file's old-style
//! `crs` member, else RFC 7946 WGS84 — and is converted on the way in;
//! outputs can be converted on the way out.
//!
//! Backends: China's offset systems GCJ-02 and BD-09 ([`offset`]), which
//! PROJ does not know; every EPSG code and PROJ string that proj4rs and
//! crs-definitions cover ([`proj4`], pure Rust, the default); with the
//! cargo feature `proj`, PROJ itself for anything else (`proj_lib`).
//! Axis order is always x = easting/longitude, y = northing/latitude, as in
//! GeoJSON, whatever order the EPSG definition lists.

pub mod mismatch;
pub mod offset;
pub mod proj4;
#[cfg(feature = "proj")]
pub mod proj_lib;
pub mod wkt;

use crate::error::Layer;
use std::fmt;

use geo::Coord;

/// A coordinate reference system, as a user or a file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Crs {
    /// WGS84 longitude/latitude (EPSG:4326, OGC CRS84, RFC 7946).
    Wgs84,
    /// CGCS2000 longitude/latitude (EPSG:4490): within centimetres of WGS84
    /// at this tool's scale, so used as WGS84.
    Cgcs2000,
    /// China's GCJ-02 offset lon/lat (AMap, Tencent).
    Gcj02,
    /// Baidu's BD-09 offset lon/lat.
    Bd09,
    /// Any other EPSG code.
    Epsg(u32),
    /// A PROJ string (`+proj=… `).
    Proj(String),
    /// Another authority's code, e.g. `ESRI:54009` (PROJ only).
    Authority(String),
}

/// How far from a transverse Mercator's central meridian output is still
/// trusted (UTM zones are 6° wide, Gauss–Krüger 3°; beyond about 15° the
/// scale error passes 3 %).
const MERIDIAN_REACH_DEG: f64 = 15.0;

/// Refuses a transformation that writes different places as the same
/// coordinates or cannot bring them back: sample places around the
/// world (those the system can project) must stay distinct and return
/// within a metre.
fn check_invertible(t: &Transformer) -> Result<(), String> {
    if t.is_identity() {
        return Ok(());
    }
    let mut seen: Vec<(f64, f64, f64, f64)> = Vec::new();
    for lat in [-60.0, -30.0, -1.0, 0.5, 30.0, 60.0] {
        for k in 0..24 {
            let lon = -179.0 + 15.0 * f64::from(k) + 0.37;
            if let Ok((x, y)) = t.from_wgs84(lon, lat)
                && x.is_finite()
                && y.is_finite()
            {
                seen.push((lon, lat, x, y));
            }
        }
    }
    let distinct = seen.iter().any(|a| {
        seen.iter()
            .any(|b| (a.2 - b.2).abs() + (a.3 - b.3).abs() > 1e-6)
    });
    if seen.len() >= 2 && !distinct {
        return Err(format!(
            "{} writes every place as the same coordinates ({}, {}): it cannot be inverted, \
             so the output would hold no shapes; check its parameters (a scale factor of 0?)",
            t.crs(),
            seen[0].2,
            seen[0].3
        ));
    }
    let returns = seen.iter().any(|&(lon, lat, x, y)| {
        t.to_wgs84(x, y).is_ok_and(|(lon2, lat2)| {
            crate::geodesy::distance_m(Coord { x: lon, y: lat }, Coord { x: lon2, y: lat2 }) < 1.0
        })
    });
    if !seen.is_empty() && !returns {
        return Err(format!(
            "{} cannot be inverted: no sample place comes back from it within a metre",
            t.crs()
        ));
    }
    Ok(())
}

/// What the CLI says when a CRS is not known to the pure-Rust backend.
pub const REBUILD_HINT: &str = "rebuild chargecov with PROJ (`cargo install chargecov --features proj`, \
     which needs cmake) or reproject the layer to WGS84 first \
     (e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`)";

impl Crs {
    /// Parses a user's spelling: `EPSG:NNNN`, a PROJ string, `wgs84`,
    /// `cgcs2000`, `gcj02`, `bd09` (case and a hyphen do not matter), or
    /// the URN and URL forms of EPSG and CRS84 names.
    pub fn parse(text: &str) -> Result<Crs, String> {
        let trimmed = text.trim();
        if trimmed.starts_with('+') {
            return Ok(Crs::Proj(trimmed.to_owned()));
        }
        if ["PROJCS[", "GEOGCS[", "PROJCRS[", "GEOGCRS["]
            .iter()
            .any(|k| trimmed.to_ascii_uppercase().starts_with(k))
        {
            return match wkt::epsg_code(trimmed) {
                Some(4326) => Ok(Crs::Wgs84),
                Some(4490) => Ok(Crs::Cgcs2000),
                Some(code) => Ok(Crs::Epsg(code)),
                None => {
                    let name = trimmed.split('"').nth(1).unwrap_or(trimmed);
                    Err(format!(
                        "the WKT's coordinate system {name:?} is not one chargecov recognises \
                         (no EPSG authority, and no system of that name in the built-in table)"
                    ))
                }
            };
        }
        let key: String = trimmed
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "wgs84" | "crs84" | "ogc:crs84" => return Ok(Crs::Wgs84),
            "cgcs2000" => return Ok(Crs::Cgcs2000),
            "gcj02" | "gcj" | "mars" | "amap" => return Ok(Crs::Gcj02),
            "bd09" | "bd09ll" | "baidu" => return Ok(Crs::Bd09),
            _ => {}
        }
        if key.ends_with("crs84") || key.ends_with("crs:84") {
            return Ok(Crs::Wgs84);
        }
        if key.contains("epsg") {
            let code = key
                .rsplit([':', '/'])
                .next()
                .and_then(|c| c.parse::<u32>().ok());
            return match code {
                Some(4326) => Ok(Crs::Wgs84),
                Some(4490) => Ok(Crs::Cgcs2000),
                Some(code) => Ok(Crs::Epsg(code)),
                None => Err(format!("{text:?} has no EPSG code number")),
            };
        }
        if let Some((authority, code)) = trimmed.split_once(':')
            && !authority.is_empty()
            && authority.chars().all(|c| c.is_ascii_alphabetic())
            && !code.is_empty()
            && code.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Ok(Crs::Authority(trimmed.to_owned()));
        }
        Err(format!(
            "unknown coordinate system {text:?}; use EPSG:NNNN, a PROJ string (+proj=…), \
             wgs84, cgcs2000, gcj02 or bd09"
        ))
    }

    /// The EPSG code, for systems EPSG has (GCJ-02, BD-09 and PROJ strings
    /// have none).
    pub fn epsg(&self) -> Option<u32> {
        match self {
            Crs::Wgs84 => Some(4326),
            Crs::Cgcs2000 => Some(4490),
            Crs::Epsg(code) => Some(*code),
            _ => None,
        }
    }

    /// The WKT of an EPSG system from the built-in table (for file
    /// formats that carry their CRS as WKT beside the code).
    pub fn epsg_wkt(&self) -> Option<&'static str> {
        let code = u16::try_from(self.epsg()?).ok()?;
        crs_definitions::from_code(code).map(|d| d.wkt)
    }

    /// The PROJ.4 definition, for EPSG systems of the built-in table and
    /// PROJ strings.
    pub fn proj4_text(&self) -> Option<String> {
        match self {
            Crs::Epsg(code) => u16::try_from(*code)
                .ok()
                .and_then(crs_definitions::from_code)
                .map(|d| d.proj4.to_owned()),
            Crs::Proj(text) => Some(text.clone()),
            _ => None,
        }
    }

    /// The name written into a GeoJSON `crs` member for this system.
    pub fn geojson_name(&self) -> Option<String> {
        match self {
            Crs::Wgs84 => None,
            Crs::Cgcs2000 => Some("urn:ogc:def:crs:EPSG::4490".to_owned()),
            Crs::Gcj02 => Some("GCJ-02".to_owned()),
            Crs::Bd09 => Some("BD-09".to_owned()),
            Crs::Epsg(code) => Some(format!("urn:ogc:def:crs:EPSG::{code}")),
            Crs::Proj(text) | Crs::Authority(text) => Some(text.clone()),
        }
    }

    /// Builds the transformation between this system and WGS84.
    pub fn transformer(&self) -> Result<Transformer, String> {
        let backend = match self {
            Crs::Wgs84 | Crs::Cgcs2000 => Backend::Identity,
            Crs::Gcj02 => Backend::Gcj02,
            Crs::Bd09 => Backend::Bd09,
            Crs::Epsg(code) => match proj4::Proj4::from_epsg(*code) {
                Ok(p) => Backend::Proj4(Box::new(p)),
                Err(why) => fallback(&format!("EPSG:{code}"), why)?,
            },
            Crs::Proj(text) => match proj4::Proj4::from_proj_string(text) {
                Ok(p) => Backend::Proj4(Box::new(p)),
                Err(why) => fallback(text, why)?,
            },
            Crs::Authority(text) => fallback(text, "not an EPSG code".to_owned())?,
        };
        Ok(Transformer {
            crs: self.clone(),
            backend,
        })
    }
}

#[cfg(not(feature = "proj"))]
fn fallback(name: &str, why: String) -> Result<Backend, String> {
    Err(format!(
        "{name}: {why}; the built-in (pure-Rust) definitions do not cover it — {REBUILD_HINT}"
    ))
}

#[cfg(feature = "proj")]
fn fallback(name: &str, why: String) -> Result<Backend, String> {
    proj_lib::ProjLib::new(name)
        .map(|p| Backend::ProjLib(Box::new(p)))
        .map_err(|e| {
            format!("{name}: neither the built-in definitions ({why}) nor PROJ ({e}) know it")
        })
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Wgs84 => write!(f, "WGS84 (EPSG:4326)"),
            Crs::Cgcs2000 => write!(f, "CGCS2000 (EPSG:4490), used as WGS84"),
            Crs::Gcj02 => write!(f, "GCJ-02 (AMap/Tencent offset)"),
            Crs::Bd09 => write!(f, "BD-09 (Baidu offset)"),
            Crs::Epsg(code) => write!(f, "EPSG:{code}"),
            Crs::Proj(text) | Crs::Authority(text) => write!(f, "{text}"),
        }
    }
}

enum Backend {
    Identity,
    Gcj02,
    Bd09,
    Proj4(Box<proj4::Proj4>),
    #[cfg(feature = "proj")]
    ProjLib(Box<proj_lib::ProjLib>),
}

/// Moves coordinates between one CRS and WGS84 lon/lat.
pub struct Transformer {
    crs: Crs,
    backend: Backend,
}

impl fmt::Debug for Transformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Transformer({})", self.crs)
    }
}

impl Transformer {
    /// The coordinate system converted from.
    pub fn crs(&self) -> &Crs {
        &self.crs
    }

    /// True when coordinates pass through unchanged.
    pub fn is_identity(&self) -> bool {
        matches!(self.backend, Backend::Identity)
    }

    /// True when the CRS's coordinates are degrees of longitude/latitude.
    pub fn is_geographic(&self) -> bool {
        match &self.backend {
            Backend::Identity | Backend::Gcj02 | Backend::Bd09 => true,
            Backend::Proj4(p) => p.is_geographic(),
            #[cfg(feature = "proj")]
            Backend::ProjLib(p) => p.is_geographic(),
        }
    }

    /// This CRS → WGS84 lon/lat.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), String> {
        match &self.backend {
            Backend::Identity => Ok((x, y)),
            Backend::Gcj02 => Ok(offset::gcj02_to_wgs84(x, y)),
            Backend::Bd09 => Ok(offset::bd09_to_wgs84(x, y)),
            Backend::Proj4(p) => p.to_wgs84(x, y),
            #[cfg(feature = "proj")]
            Backend::ProjLib(p) => p.to_wgs84(x, y),
        }
    }

    /// WGS84 lon/lat → this CRS.
    pub fn from_wgs84(&self, lon: f64, lat: f64) -> Result<(f64, f64), String> {
        match &self.backend {
            Backend::Identity => Ok((lon, lat)),
            Backend::Gcj02 => Ok(offset::wgs84_to_gcj02(lon, lat)),
            Backend::Bd09 => Ok(offset::wgs84_to_bd09(lon, lat)),
            Backend::Proj4(p) => p.from_wgs84(lon, lat),
            #[cfg(feature = "proj")]
            Backend::ProjLib(p) => p.from_wgs84(lon, lat),
        }
    }
}

/// The coordinate system outputs are written in (`--output-crs`).
#[derive(Debug)]
pub struct OutputCrs {
    /// `None`: WGS84, as RFC 7946 asks.
    transformer: Option<Transformer>,
}

impl OutputCrs {
    /// Plain WGS84 lon/lat (RFC 7946): no conversion.
    pub fn wgs84() -> OutputCrs {
        OutputCrs { transformer: None }
    }

    /// Output in `crs`; the error says why it cannot be written. Systems
    /// that would destroy the coordinates are refused: geocentric ones
    /// (X, Y, Z from the Earth's centre are not a map) and ones that are
    /// not invertible (different places written as the same coordinates,
    /// e.g. a scale factor of 0).
    pub fn new(crs: &Crs) -> Result<OutputCrs, String> {
        if crs
            .proj4_text()
            .is_some_and(|t| t.contains("+proj=geocent"))
        {
            return Err(format!(
                "{crs} is geocentric (X, Y, Z from the Earth's centre), not a map; \
                 choose a geographic or projected system"
            ));
        }
        let transformer = crs.transformer()?;
        check_invertible(&transformer)?;
        Ok(OutputCrs {
            transformer: (!transformer.is_identity() || *crs != Crs::Wgs84).then_some(transformer),
        })
    }

    /// A warning when a layer spanning longitudes `west..=east` lies far
    /// from the central meridian of a transverse Mercator output (UTM,
    /// Gauss–Krüger), where its coordinates are badly distorted: such a
    /// system is meant for a strip a few degrees wide.
    pub fn distortion_warning(&self, west: f64, east: f64) -> Option<String> {
        let crs = self.crs();
        let text = crs.proj4_text()?;
        let param = |name: &str| {
            text.split_whitespace()
                .find_map(|p| p.strip_prefix(&format!("+{name}=")))
                .map(str::to_owned)
        };
        let central = match param("proj").as_deref() {
            Some("utm") => param("zone")?.parse::<f64>().ok()? * 6.0 - 183.0,
            Some("tmerc" | "etmerc") => param("lon_0").map_or(Some(0.0), |v| v.parse().ok())?,
            _ => return None,
        };
        let far = (west - central).abs().max((east - central).abs());
        (far > MERIDIAN_REACH_DEG).then(|| {
            format!(
                "the areas reach {far:.0}° from the central meridian ({central}°) of {crs}, \
                 a transverse Mercator meant for a strip a few degrees wide: their output \
                 coordinates are distorted; choose a system made for the region"
            )
        })
    }

    /// True for longitude/latitude systems (column names say lon/lat).
    pub fn is_geographic(&self) -> bool {
        self.transformer
            .as_ref()
            .is_none_or(Transformer::is_geographic)
    }

    /// The name for a GeoJSON `crs` member; `None` for WGS84.
    pub fn geojson_name(&self) -> Option<String> {
        self.transformer
            .as_ref()
            .and_then(|t| t.crs().geojson_name())
    }

    /// The output system.
    pub fn crs(&self) -> Crs {
        self.transformer
            .as_ref()
            .map_or(Crs::Wgs84, |t| t.crs().clone())
    }

    /// A WGS84 position in the output system.
    pub fn convert(&self, c: Coord<f64>) -> Result<Coord<f64>, String> {
        match &self.transformer {
            None => Ok(c),
            Some(t) => t
                .from_wgs84(c.x, c.y)
                .map(|(x, y)| Coord { x, y })
                .map_err(|why| {
                    format!(
                        "[{}, {}] cannot be converted to {}: {why}",
                        c.x,
                        c.y,
                        t.crs()
                    )
                }),
        }
    }
}

/// Where a layer's CRS came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrsOrigin {
    /// `--areas-crs` / `--stations-crs`.
    Flag,
    /// The GeoJSON file's `crs` member.
    Declared,
    /// Nothing said: RFC 7946 WGS84.
    Default,
}

/// A layer's CRS with what it takes to read its coordinates.
#[derive(Debug)]
pub struct LayerCrs {
    /// Converts the layer's coordinates to WGS84.
    pub transformer: Transformer,
    /// Where the choice came from.
    pub origin: CrsOrigin,
    /// Which layer it is (the report's label names the flag that set it).
    pub layer: Layer,
}

/// Why a layer's coordinate system cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrsRefusal {
    /// It was declared in the file (else given by the caller).
    pub declared: bool,
    /// Why.
    pub reason: String,
}

impl LayerCrs {
    /// Chooses the layer's CRS: the flag, else the declared `crs` name,
    /// else WGS84.
    pub fn choose(
        given: Option<&Crs>,
        declared: Option<&str>,
        layer: Layer,
    ) -> Result<LayerCrs, CrsRefusal> {
        let (crs, origin) = match (given, declared) {
            (Some(crs), _) => (crs.clone(), CrsOrigin::Flag),
            (None, Some(name)) => (
                Crs::parse(name).map_err(|why| CrsRefusal {
                    declared: true,
                    reason: format!("the file's `crs` member: {why}"),
                })?,
                CrsOrigin::Declared,
            ),
            (None, None) => (Crs::Wgs84, CrsOrigin::Default),
        };
        let transformer = crs.transformer().map_err(|reason| CrsRefusal {
            declared: origin == CrsOrigin::Declared,
            reason,
        })?;
        Ok(LayerCrs {
            transformer,
            origin,
            layer,
        })
    }

    /// The label shown in reports, with where it came from.
    pub fn label(&self) -> String {
        let crs = self.transformer.crs();
        match self.origin {
            // The report's documented wording names the flag.
            CrsOrigin::Flag => format!("{crs}, from --{}-crs", self.layer),
            CrsOrigin::Declared => format!("{crs}, declared in the file"),
            CrsOrigin::Default => crs.to_string(),
        }
    }

    /// Checks a position against the layer's CRS and converts it to WGS84;
    /// the error says what the numbers look like and what would fix it.
    pub fn position(&self, x: f64, y: f64) -> Result<Coord<f64>, String> {
        if !x.is_finite() || !y.is_finite() {
            return Err(format!("coordinate [{x}, {y}] is not a finite number"));
        }
        let t = &self.transformer;
        let (x, y) = if t.is_geographic() {
            snap_to_limits(x, y)
        } else {
            (x, y)
        };
        if t.is_geographic() {
            check_lon_lat(x, y).map_err(|why| {
                if x.abs() > 1000.0 || y.abs() > 1000.0 {
                    format!(
                        "{why}; if the layer is projected, name its coordinate system (e.g. EPSG:3857)"
                    )
                } else {
                    why
                }
            })?;
        } else if x.abs() <= 360.0 && y.abs() <= 90.0 {
            return Err(format!(
                "coordinate [{x}, {y}] looks like degrees, but the layer's CRS {} is projected (metres); \
                 if the layer is longitude/latitude, read it as wgs84",
                t.crs()
            ));
        }
        if t.is_identity() {
            return Ok(Coord { x, y });
        }
        let (lon, lat) = t.to_wgs84(x, y).map_err(|why| {
            format!(
                "coordinate [{}, {}] cannot be converted from {}: {why}",
                num(x),
                num(y),
                t.crs()
            )
        })?;
        let (lon, lat) = snap_to_limits(lon, lat);
        check_lon_lat(lon, lat).map_err(|why| {
            format!(
                "coordinate [{}, {}] converted from {} gives {why}; is that the layer's coordinate system?",
                num(x),
                num(y),
                t.crs()
            )
        })?;
        Ok(Coord {
            x: snap(lon),
            y: snap(lat),
        })
    }
}

/// Converted coordinates are rounded to 1e-9° (about 0.1 mm). A datum
/// step inside a transformation can leave float noise (1e-16°) that
/// depends on the other coordinate, so two points on one meridian in the
/// source system — a station on a shared boundary and the boundary's
/// vertices — would no longer coincide exactly; rounding far below any
/// survey's accuracy restores that.
fn snap(degrees: f64) -> f64 {
    (degrees * 1e9).round() / 1e9
}

/// A number for a message: huge or tiny ones in exponent form.
fn num(v: f64) -> String {
    if v != 0.0 && !(1e-6..1e9).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// How far beyond ±180° or ±90° a degree value may lie and still be the
/// limit written with a float's rounding error (Natural Earth writes
/// 180.00000000000006, two units in the last place); 1e-9° is 0.1 mm.
/// Farther out is a real excursion and refused.
pub const LIMIT_NOISE_DEG: f64 = 1e-9;

/// A lon/lat position with float noise beyond the limits taken as the
/// limits (within [`LIMIT_NOISE_DEG`]); anything else unchanged.
pub fn snap_to_limits(x: f64, y: f64) -> (f64, f64) {
    let snap = |v: f64, limit: f64| {
        if v.abs() > limit && v.abs() <= limit + LIMIT_NOISE_DEG {
            limit.copysign(v)
        } else {
            v
        }
    };
    (snap(x, 180.0), snap(y, 90.0))
}

/// Checks a WGS84-like lon/lat position; the message says what the numbers
/// look like.
pub fn check_lon_lat(x: f64, y: f64) -> Result<(), String> {
    if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) {
        return Ok(());
    }
    let (xs, ys) = (num(x), num(y));
    if !x.is_finite() || !y.is_finite() {
        return Err(format!("coordinate [{xs}, {ys}] is not a finite number"));
    }
    let range = if (-180.0..=180.0).contains(&x) {
        format!("latitude {ys} is outside ±90")
    } else {
        format!("longitude {xs} is outside ±180")
    };
    let guess = if x.abs() > 1000.0 || y.abs() > 1000.0 {
        "; the values look like projected metres, not degrees"
    } else if (-90.0..=90.0).contains(&x) && (-180.0..=180.0).contains(&y) {
        "; longitude and latitude look swapped"
    } else {
        ""
    };
    Err(format!("coordinate [{xs}, {ys}]: {range}{guess}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_common_spellings() {
        for name in [
            "urn:ogc:def:crs:OGC:1.3:CRS84",
            "urn:ogc:def:crs:EPSG::4326",
            "EPSG:4326",
            "epsg:4326",
            "http://www.opengis.net/def/crs/EPSG/0/4326",
            "WGS84",
            "wgs-84",
        ] {
            assert_eq!(Crs::parse(name).unwrap(), Crs::Wgs84, "{name}");
        }
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:EPSG::4490").unwrap(),
            Crs::Cgcs2000
        );
        assert_eq!(Crs::parse("CGCS2000").unwrap(), Crs::Cgcs2000);
        assert_eq!(Crs::parse("GCJ-02").unwrap(), Crs::Gcj02);
        assert_eq!(Crs::parse("gcj02").unwrap(), Crs::Gcj02);
        assert_eq!(Crs::parse("BD-09").unwrap(), Crs::Bd09);
        assert_eq!(Crs::parse("EPSG:3857").unwrap(), Crs::Epsg(3857));
        assert_eq!(
            Crs::parse(" +proj=utm +zone=49 +datum=WGS84 ").unwrap(),
            Crs::Proj("+proj=utm +zone=49 +datum=WGS84".into())
        );
        assert_eq!(
            Crs::parse("ESRI:54009").unwrap(),
            Crs::Authority("ESRI:54009".into())
        );
        let err = Crs::parse("mercator").unwrap_err();
        assert!(err.contains("EPSG:NNNN") && err.contains("gcj02"), "{err}");
    }

    #[test]
    fn geojson_names_read_back() {
        for crs in [Crs::Cgcs2000, Crs::Gcj02, Crs::Bd09, Crs::Epsg(4545)] {
            let name = crs.geojson_name().unwrap();
            assert_eq!(Crs::parse(&name).unwrap(), crs, "{name}");
        }
    }

    #[test]
    fn positions_are_explained() {
        let wgs = LayerCrs::choose(None, None, Layer::Stations).unwrap();
        assert!(wgs.position(106.5, 29.5).is_ok());
        assert!(wgs.position(180.0, -90.0).is_ok());
        assert!(wgs.position(f64::NAN, 0.0).unwrap_err().contains("finite"));
        let projected = wgs.position(1.2e7, 3.4e6).unwrap_err();
        assert!(projected.contains("projected") && projected.contains("EPSG:3857"));
        assert!(wgs.position(29.5, 106.5).unwrap_err().contains("swapped"));
        assert!(wgs.position(1e308, 0.0).unwrap_err().contains("projected"));
        assert!(wgs.position(200.0, 100.0).unwrap_err().contains("outside"));

        let mercator = LayerCrs::choose(Some(&Crs::Epsg(3857)), None, Layer::Areas).unwrap();
        let degrees = mercator.position(106.5, 29.5).unwrap_err();
        assert!(degrees.contains("looks like degrees") && degrees.contains("wgs84"));
        let p = mercator.position(11_855_000.0, 3_445_000.0).unwrap();
        // pyproj: Transformer.from_crs(3857, 4326, always_xy=True) gives
        // (106.495277, 29.543461).
        assert!(
            (p.x - 106.495_277).abs() < 1e-6 && (p.y - 29.543_461).abs() < 1e-6,
            "{p:?}"
        );
    }

    #[test]
    fn declared_names_are_honoured_and_flags_win() {
        let declared =
            LayerCrs::choose(None, Some("urn:ogc:def:crs:EPSG::3857"), Layer::Areas).unwrap();
        assert_eq!(declared.transformer.crs(), &Crs::Epsg(3857));
        assert_eq!(declared.origin, CrsOrigin::Declared);
        let flagged = LayerCrs::choose(
            Some(&Crs::Gcj02),
            Some("urn:ogc:def:crs:EPSG::3857"),
            Layer::Areas,
        )
        .unwrap();
        assert_eq!(flagged.transformer.crs(), &Crs::Gcj02);
        assert!(flagged.label().contains("--areas-crs"));
        let bad = LayerCrs::choose(None, Some("made-up"), Layer::Areas).unwrap_err();
        assert!(bad.declared && bad.reason.contains("made-up"), "{bad:?}");
    }
}
