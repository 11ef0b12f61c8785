//! Geometries of binary formats, through the `geo-traits` view their
//! crates give (WKB in GeoPackage and GeoParquet, FlatGeobuf's own
//! encoding): turned into the raw records of [`raw`](crate::input::raw).

use geo_traits::{
    CoordTrait, GeometryTrait, GeometryType, LineStringTrait, MultiLineStringTrait,
    MultiPolygonTrait, PointTrait, PolygonTrait,
};

use crate::input::raw::{Position, RawGeometry, RawPoint};

fn ring<L: LineStringTrait<T = f64>>(line: &L) -> Vec<Position> {
    line.coords().map(|c| (c.x(), c.y())).collect()
}

fn polygon<P: PolygonTrait<T = f64>>(p: &P) -> Vec<Vec<Position>> {
    let mut rings: Vec<Vec<Position>> = p.exterior().iter().map(ring).collect();
    rings.extend(p.interiors().map(|r| ring(&r)));
    rings
}

/// A feature's geometry: (Multi)Polygon or (Multi)LineString, anything
/// else named.
pub fn feature_geometry<G: GeometryTrait<T = f64>>(geometry: &G) -> RawGeometry {
    match geometry.as_type() {
        GeometryType::Polygon(p) => RawGeometry::Polygon(polygon(p)),
        GeometryType::MultiPolygon(m) => {
            RawGeometry::MultiPolygon(m.polygons().map(|p| polygon(&p)).collect())
        }
        GeometryType::LineString(l) => RawGeometry::LineString(ring(l)),
        GeometryType::MultiLineString(m) => {
            RawGeometry::MultiLineString(m.line_strings().map(|l| ring(&l)).collect())
        }
        other => RawGeometry::WrongType(type_name(&other).to_owned()),
    }
}

/// A feature's geometry from WKB (GeoPackage, GeoParquet): curves and
/// surfaces, which the decoder does not know, named by their type code.
#[cfg(any(feature = "gpkg", feature = "parquet"))]
pub fn wkb_feature_geometry(bytes: &[u8]) -> RawGeometry {
    if let Some(kind) = crate::input::wkb_type::unsupported(bytes) {
        return RawGeometry::WrongType(kind.to_owned());
    }
    match wkb::reader::read_wkb(bytes) {
        Ok(g) => feature_geometry(&g),
        Err(e) => RawGeometry::Malformed(format!("geometry is not valid WKB: {e}")),
    }
}

/// A station's geometry from WKB, as [`wkb_feature_geometry`].
#[cfg(any(feature = "gpkg", feature = "parquet"))]
pub fn wkb_point(bytes: &[u8]) -> RawPoint {
    if let Some(kind) = crate::input::wkb_type::unsupported(bytes) {
        return RawPoint::WrongType(kind.to_owned());
    }
    match wkb::reader::read_wkb(bytes) {
        Ok(g) => point(&g),
        Err(e) => RawPoint::Malformed(format!("geometry is not valid WKB: {e}")),
    }
}

/// A station's geometry: a Point, anything else named.
pub fn point<G: GeometryTrait<T = f64>>(geometry: &G) -> RawPoint {
    match geometry.as_type() {
        GeometryType::Point(p) => match p.coord() {
            Some(c) => RawPoint::Point(c.x(), c.y()),
            None => RawPoint::Empty,
        },
        other => RawPoint::WrongType(type_name(&other).to_owned()),
    }
}

fn type_name<P, LS, Y, MP, ML, MY, GC, R, T, L>(
    g: &GeometryType<'_, P, LS, Y, MP, ML, MY, GC, R, T, L>,
) -> &'static str
where
    P: PointTrait,
    LS: LineStringTrait,
    Y: PolygonTrait,
    MP: geo_traits::MultiPointTrait,
    ML: geo_traits::MultiLineStringTrait,
    MY: MultiPolygonTrait,
    GC: geo_traits::GeometryCollectionTrait,
    R: geo_traits::RectTrait,
    T: geo_traits::TriangleTrait,
    L: geo_traits::LineTrait,
{
    match g {
        GeometryType::Point(_) => "Point",
        GeometryType::LineString(_) | GeometryType::Line(_) => "LineString",
        GeometryType::Polygon(_) | GeometryType::Rect(_) => "Polygon",
        GeometryType::Triangle(_) => "Triangle",
        GeometryType::MultiPoint(_) => "MultiPoint",
        GeometryType::MultiLineString(_) => "MultiLineString",
        GeometryType::MultiPolygon(_) => "MultiPolygon",
        GeometryType::GeometryCollection(_) => "GeometryCollection",
    }
}
