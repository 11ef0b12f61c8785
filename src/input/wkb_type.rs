//! The geometry type a WKB value declares, read before the geometry is
//! decoded: the `wkb` crate decodes the seven simple types, and a curve,
//! surface or TIN must be named for what it is, not taken for one of them.
//!
//! Type codes (OGC Simple Features 1.2.1 / ISO 13249-3): 1–7 the simple
//! types, 8–17 CircularString … Triangle; ISO adds 1000 for Z, 2000 for M,
//! 3000 for ZM; PostGIS's extended WKB sets high bits instead (0x80000000
//! Z, 0x40000000 M, 0x20000000 an SRID follows).

// The engine alone reads no binary format; only the names are used then.
#![cfg_attr(
    not(any(feature = "gpkg", feature = "fgb", feature = "parquet")),
    allow(dead_code)
)]

/// The names of the type codes 1–17, in order.
const NAMES: [&str; 17] = [
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
    "CircularString",
    "CompoundCurve",
    "CurvePolygon",
    "MultiCurve",
    "MultiSurface",
    "Curve",
    "Surface",
    "PolyhedralSurface",
    "TIN",
    "Triangle",
];

/// A WKB geometry's declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WkbType {
    /// The base type code, 1–17, without dimension flags.
    pub code: u32,
    /// Whether it has Z values.
    pub z: bool,
    /// Whether it has M values.
    pub m: bool,
}

impl WkbType {
    /// The type of the WKB value `bytes` begins with, when its byte order
    /// and type code can be read and the code is one of 1–17 (with any
    /// dimension).
    pub fn of(bytes: &[u8]) -> Option<WkbType> {
        let word: [u8; 4] = bytes.get(1..5)?.try_into().ok()?;
        let raw = match bytes[0] {
            0 => u32::from_be_bytes(word),
            1 => u32::from_le_bytes(word),
            _ => return None,
        };
        let (z_flag, m_flag) = (raw & 0x8000_0000 != 0, raw & 0x4000_0000 != 0);
        let iso = raw & 0x0FFF_FFFF;
        let (thousands, code) = (iso / 1000, iso % 1000);
        if thousands > 3 || !(1..=17).contains(&code) {
            return None;
        }
        Some(WkbType {
            code,
            z: z_flag || thousands == 1 || thousands == 3,
            m: m_flag || thousands == 2 || thousands == 3,
        })
    }

    /// Whether the `wkb` crate decodes it (codes 1–7).
    pub fn is_simple(self) -> bool {
        self.code <= 7
    }

    /// Its name as GDAL writes it: "CurvePolygon", "TIN".
    pub fn name(self) -> &'static str {
        name_of(self.code).unwrap_or("Geometry")
    }
}

/// The name of type code 1–17.
pub fn name_of(code: u32) -> Option<&'static str> {
    NAMES.get((code as usize).checked_sub(1)?).copied()
}

/// Whether a geometry type's name is one of a curve or a surface, which
/// chargecov does not linearise.
pub fn is_curved(name: &str) -> bool {
    NAMES[7..].contains(&name)
}

/// The geometry `bytes` declares when it is not one of the simple types
/// the `wkb` crate decodes, to be named instead of decoded.
pub fn unsupported(bytes: &[u8]) -> Option<&'static str> {
    WkbType::of(bytes)
        .filter(|t| !t.is_simple())
        .map(WkbType::name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WKB header: byte order, then the type word.
    fn header(little: bool, word: u32) -> Vec<u8> {
        let mut out = vec![u8::from(little)];
        out.extend(if little {
            word.to_le_bytes()
        } else {
            word.to_be_bytes()
        });
        out
    }

    /// Every code, in every dimension, ISO and extended, in both byte
    /// orders, reads back as written (codes and names from the OGC table
    /// in the module's header).
    #[test]
    fn every_type_code_in_every_dimension_is_read() {
        for code in 1..=17u32 {
            for (z, m) in [(false, false), (true, false), (false, true), (true, true)] {
                let iso = code + 1000 * (u32::from(z) + 2 * u32::from(m));
                let ewkb = code | if z { 0x8000_0000 } else { 0 } | if m { 0x4000_0000 } else { 0 };
                for word in [iso, ewkb, ewkb | 0x2000_0000] {
                    for little in [true, false] {
                        let t = WkbType::of(&header(little, word)).unwrap();
                        assert_eq!(t, WkbType { code, z, m }, "word {word:#x}");
                    }
                }
            }
        }
        assert_eq!(
            WkbType::of(&header(true, 10)).unwrap().name(),
            "CurvePolygon"
        );
        assert_eq!(
            WkbType::of(&header(true, 12)).unwrap().name(),
            "MultiSurface"
        );
        assert_eq!(
            WkbType::of(&header(true, 9)).unwrap().name(),
            "CompoundCurve"
        );
        assert_eq!(WkbType::of(&header(true, 16)).unwrap().name(), "TIN");
        assert_eq!(WkbType::of(&header(true, 17)).unwrap().name(), "Triangle");
    }

    #[test]
    fn only_curves_and_surfaces_are_unsupported() {
        for code in 1..=7 {
            assert_eq!(unsupported(&header(true, code + 1000)), None);
        }
        assert_eq!(unsupported(&header(false, 3010)), Some("CurvePolygon"));
        assert!(is_curved("MultiCurve") && is_curved("TIN") && !is_curved("Polygon"));
        // Not WKB: a bad byte order, a code beyond 17, too short.
        assert_eq!(WkbType::of(&[2, 3, 0, 0, 0]), None);
        assert_eq!(WkbType::of(&header(true, 18)), None);
        assert_eq!(WkbType::of(&header(true, 4018)), None);
        assert_eq!(WkbType::of(&[1, 3, 0]), None);
    }
}
