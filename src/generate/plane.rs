//! The plane the generator works in: a sinusoidal (equal-area)
//! projection in kilometres, and the outline of the synthetic city in it.
//!
//! Working in an equal-area plane makes "an area of 80 km²" and "a
//! station density per km²" mean the same everywhere; only the finished
//! vertices are turned back into lon/lat.

use geo::{Area, Centroid, Coord, LineString, Polygon};

use super::names::DISTRICTS;

/// Mean Earth radius (IUGG), km; the sphere of the sinusoidal projection.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// The Chongqing-like outline the demo is modelled on: a hand-drawn,
/// simplified silhouette (not traced from any data set) spanning lon
/// 105.3–110.2, lat 28.18–32.2, which contains every district seat.
const OUTLINE_LONLAT: [(f64, f64); 31] = [
    (105.30, 29.45),
    (105.70, 29.15),
    (106.17, 29.08),
    (106.48, 28.72),
    (106.75, 28.20),
    (107.15, 28.98),
    (107.60, 29.15),
    (108.00, 29.00),
    (108.33, 28.42),
    (108.95, 28.18),
    (109.20, 28.60),
    (108.86, 29.21),
    (109.00, 29.60),
    (108.99, 29.91),
    (108.81, 30.31),
    (109.21, 30.53),
    (110.20, 30.95),
    (110.05, 31.40),
    (109.55, 31.70),
    (109.08, 31.52),
    (108.80, 32.20),
    (108.33, 31.72),
    (108.42, 31.35),
    (108.02, 30.92),
    (107.58, 30.79),
    (107.27, 30.48),
    (106.85, 30.12),
    (106.45, 30.18),
    (106.00, 30.40),
    (105.62, 30.15),
    (105.60, 29.82),
];

/// Chongqing's area in km² (about 82,400) and township-level count
/// (1,031): the demo keeps this density of areas at any scale.
pub const CHONGQING_KM2: f64 = 82_400.0;
pub const CHONGQING_AREAS: usize = 1031;

/// Sinusoidal projection about a central meridian, in km.
#[derive(Debug, Clone, Copy)]
pub struct Sinusoidal {
    lon0: f64,
}

impl Sinusoidal {
    pub fn forward(&self, lon: f64, lat: f64) -> Coord<f64> {
        let phi = lat.to_radians();
        Coord {
            x: EARTH_RADIUS_KM * (lon - self.lon0).to_radians() * phi.cos(),
            y: EARTH_RADIUS_KM * phi,
        }
    }

    pub fn inverse(&self, c: Coord<f64>) -> (f64, f64) {
        let phi = c.y / EARTH_RADIUS_KM;
        let lon = self.lon0 + (c.x / (EARTH_RADIUS_KM * phi.cos())).to_degrees();
        (lon, phi.to_degrees())
    }
}

/// The synthetic city's frame: projection, scaled outline and centres.
#[derive(Debug, Clone)]
pub struct CityFrame {
    pub projection: Sinusoidal,
    /// The guide outline in the plane (seeds inside it become areas).
    pub outline: Polygon<f64>,
    /// District seats in the plane, in [`DISTRICTS`] order.
    pub seats: Vec<Coord<f64>>,
    /// Linear scale against the Chongqing-sized demo (1 for the demo).
    pub scale: f64,
}

impl CityFrame {
    /// The outline scaled about its centroid so that it holds `areas`
    /// areas at Chongqing's density of areas.
    pub fn for_area_count(areas: usize) -> CityFrame {
        let lon0 = OUTLINE_LONLAT.iter().map(|p| p.0).sum::<f64>() / OUTLINE_LONLAT.len() as f64;
        let projection = Sinusoidal { lon0 };
        let ring: Vec<Coord<f64>> = OUTLINE_LONLAT
            .iter()
            .map(|&(lon, lat)| projection.forward(lon, lat))
            .collect();
        let guide = Polygon::new(LineString::new(ring), vec![]);
        let centre = guide.centroid().map(|p| p.0).unwrap_or_default();
        let target_km2 = CHONGQING_KM2 * areas as f64 / CHONGQING_AREAS as f64;
        let scale = (target_km2 / guide.unsigned_area()).sqrt();
        let place = |c: Coord<f64>| centre + (c - centre) * scale;
        let outline = Polygon::new(
            guide.exterior().coords().map(|&c| place(c)).collect(),
            vec![],
        );
        let seats = DISTRICTS
            .iter()
            .map(|d| place(projection.forward(d.seat.0, d.seat.1)))
            .collect();
        CityFrame {
            projection,
            outline,
            seats,
            scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Contains;

    #[test]
    fn sinusoidal_round_trips() {
        let p = Sinusoidal { lon0: 107.7 };
        for &(lon, lat) in &[(105.3, 28.2), (110.2, 32.2), (107.7, 30.0), (80.0, -45.0)] {
            let (lon2, lat2) = p.inverse(p.forward(lon, lat));
            assert!((lon - lon2).abs() < 1e-12 && (lat - lat2).abs() < 1e-12);
        }
    }

    #[test]
    fn demo_outline_has_chongqing_size_and_holds_every_seat() {
        let frame = CityFrame::for_area_count(CHONGQING_AREAS);
        let area = frame.outline.unsigned_area();
        assert!((area - CHONGQING_KM2).abs() < 1.0, "{area}");
        for (seat, district) in frame.seats.iter().zip(&DISTRICTS) {
            assert!(frame.outline.contains(seat), "{} outside", district.name);
        }
    }
}
