//! Coordinate reference systems of input layers.
//!
//! Everything downstream works in WGS84 longitude/latitude. For now a layer
//! may be WGS84 (RFC 7946, OGC CRS84, EPSG:4326) or CGCS2000 (EPSG:4490,
//! within centimetres of WGS84 at the scale of this tool); any other
//! declared system is refused with a clear message rather than read as
//! degrees and silently misplaced.

use crate::error::{Error, Result};

/// A supported geographic CRS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    Wgs84,
    Cgcs2000,
}

impl Crs {
    /// The name shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            Crs::Wgs84 => "WGS84 (EPSG:4326)",
            Crs::Cgcs2000 => "CGCS2000 (EPSG:4490), used as WGS84",
        }
    }
}

/// Resolves a GeoJSON file's old-style `crs` name; `None` means RFC 7946.
pub fn from_declared(declared: Option<&str>, source_name: &str) -> Result<Crs> {
    let Some(name) = declared else {
        return Ok(Crs::Wgs84);
    };
    let upper = name.to_ascii_uppercase();
    if upper.ends_with("CRS84") || upper.ends_with("CRS:84") {
        return Ok(Crs::Wgs84);
    }
    let code = upper
        .rsplit([':', '/'])
        .next()
        .and_then(|c| c.parse::<u32>().ok());
    match (upper.contains("EPSG"), code) {
        (true, Some(4326)) => Ok(Crs::Wgs84),
        (true, Some(4490)) => Ok(Crs::Cgcs2000),
        _ => Err(Error::Layer {
            source_name: source_name.to_owned(),
            message: format!("declares the coordinate system {name:?}, which chargecov cannot transform yet"),
            hint: "reproject the layer to WGS84 longitude/latitude (e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`)".into(),
        }),
    }
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
            "http://www.opengis.net/def/crs/EPSG/0/4326",
        ] {
            assert_eq!(
                from_declared(Some(name), "t").unwrap(),
                Crs::Wgs84,
                "{name}"
            );
        }
        assert_eq!(
            from_declared(Some("urn:ogc:def:crs:EPSG::4490"), "t").unwrap(),
            Crs::Cgcs2000
        );
        assert_eq!(from_declared(None, "t").unwrap(), Crs::Wgs84);
    }

    #[test]
    fn refuses_what_it_cannot_transform() {
        let err = from_declared(Some("urn:ogc:def:crs:EPSG::3857"), "a.geojson")
            .unwrap_err()
            .to_string();
        assert!(err.contains("a.geojson") && err.contains("3857") && err.contains("reproject"));
    }
}
