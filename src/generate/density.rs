//! How urban a place is: a uniform rural base plus Gaussian bumps at the
//! main centre, the secondary centres and every district seat. Areas are
//! drawn from this density (small where it is high), and it sets each
//! area's kind and population density.

use geo::{Area, Coord};

use super::names::{DISTRICTS, MAIN_CENTRE, SECONDARY_CENTRES};
use super::plane::CityFrame;

/// One term of the density: a uniform base (`sigma_km: None`) or a
/// Gaussian bump, with its integral (`mass`) over the plane.
#[derive(Debug, Clone, Copy)]
pub struct Component {
    pub centre: Coord<f64>,
    pub sigma_km: Option<f64>,
    pub weight: f64,
    pub mass: f64,
}

const BASE_WEIGHT: f64 = 1.0;
/// Peak weights and widths (at demo scale) of the urban bumps, chosen so
/// that the main city’s cells are about 8 km² and rural ones about 200 km²,
/// as with Chongqing's subdistricts and mountain townships.
const MAIN: (f64, f64) = (20.0, 18.0);
const SECONDARY: (f64, f64) = (10.0, 8.0);
const SEAT: (f64, f64) = (3.0, 4.0);

pub fn components(frame: &CityFrame) -> Vec<Component> {
    let mut out = vec![Component {
        centre: Coord::zero(),
        sigma_km: None,
        weight: BASE_WEIGHT,
        mass: BASE_WEIGHT * frame.outline.unsigned_area(),
    }];
    let mut bump = |seat: usize, (weight, sigma): (f64, f64)| {
        let sigma_km = sigma * frame.scale;
        out.push(Component {
            centre: frame.seats[seat],
            sigma_km: Some(sigma_km),
            weight,
            mass: weight * std::f64::consts::TAU * sigma_km * sigma_km,
        });
    };
    bump(MAIN_CENTRE, MAIN);
    for &s in &SECONDARY_CENTRES {
        bump(s, SECONDARY);
    }
    for s in 0..DISTRICTS.len() {
        bump(s, SEAT);
    }
    out
}

/// The density at `p` relative to the rural base (1 = rural).
pub fn relative(components: &[Component], p: Coord<f64>) -> f64 {
    components
        .iter()
        .map(|c| match c.sigma_km {
            None => c.weight,
            Some(sigma) => {
                let d = p - c.centre;
                c.weight * (-(d.x * d.x + d.y * d.y) / (2.0 * sigma * sigma)).exp()
            }
        })
        .sum()
}

/// Typical distance between rural seeds when `cell_count` seeds are drawn.
pub fn rural_spacing_km(frame: &CityFrame, cell_count: usize) -> f64 {
    let components = components(frame);
    let total: f64 = components.iter().map(|c| c.mass).sum();
    let per_km2 = cell_count as f64 * BASE_WEIGHT / total;
    (1.0 / per_km2).sqrt()
}
