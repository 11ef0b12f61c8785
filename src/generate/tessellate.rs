//! Cells that tile the city: seeds drawn from an urban density, relaxed
//! (Lloyd), and turned into a Voronoi diagram (via spade's Delaunay
//! triangulation); the cells whose seeds lie inside the guide outline
//! become areas.
//!
//! Every seed, inside or out, gets a cell, so the outline of the city is
//! the boundary between inside and outside cells and the areas tile it
//! exactly. The inside set is repaired to be one piece without holes and
//! to have exactly the requested number of cells.

use std::collections::VecDeque;

use geo::{Contains, Coord, Distance, Euclidean, Point, Polygon, Rect};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};

use super::density::{self, Component};
use super::plane::CityFrame;
use super::rng::{self, Stream};

/// A Voronoi cell: its ring (counter-clockwise) as Voronoi vertex ids,
/// and for each ring edge `i` (from vertex `i-1` to vertex `i`) the seed
/// on the other side.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub vertices: Vec<u32>,
    pub neighbours: Vec<u32>,
}

/// Seeds, their cells and which of them are inside the city.
#[derive(Debug, Clone)]
pub struct Tessellation {
    pub seeds: Vec<Coord<f64>>,
    pub inside: Vec<bool>,
    /// Voronoi vertices (circumcentres of Delaunay triangles).
    pub vertices: Vec<Coord<f64>>,
    /// Per seed; empty for seeds outside the city.
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Copy)]
struct Site {
    position: Point2<f64>,
    index: u32,
}

impl HasPosition for Site {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.position
    }
}

/// Rounds of Lloyd relaxation: enough to avoid sliver cells, few enough
/// to keep the urban density gradient.
const LLOYD_ROUNDS: usize = 2;

/// Builds `cell_count` cells inside the frame's outline.
pub fn tessellate(frame: &CityFrame, cell_count: usize, seed: u64) -> Tessellation {
    let mut rng = rng::stream(seed, Stream::Seeds);
    let components = density::components(frame);
    let mut seeds = Vec::with_capacity(cell_count * 2);
    for _ in 0..cell_count {
        seeds.push(sample_inside(frame, &components, &mut rng));
    }
    let inside_count = seeds.len();
    seeds.extend(outside_seeds(frame, cell_count, &mut rng));
    let mut inside: Vec<bool> = (0..seeds.len()).map(|i| i < inside_count).collect();

    let mut triangulation = triangulate(&seeds);
    for _ in 0..LLOYD_ROUNDS {
        let diagram = voronoi(&triangulation, &seeds, &inside);
        for (i, cell) in diagram.cells.iter().enumerate() {
            if inside[i]
                && let Some(c) = ring_centroid(cell, &diagram.vertices)
            {
                seeds[i] = c;
            }
        }
        triangulation = triangulate(&seeds);
    }
    let neighbours = adjacency(&triangulation, seeds.len());
    // A seed lost to a duplicate position has no neighbours: not a cell.
    for (flag, list) in inside.iter_mut().zip(&neighbours) {
        if list.is_empty() {
            *flag = false;
        }
    }
    repair(&mut inside, &neighbours, &seeds, frame, cell_count);
    let mut diagram = voronoi(&triangulation, &seeds, &inside);
    diagram.inside = inside;
    diagram
}

/// A seed inside the outline, from the mixture density: a uniform base
/// plus Gaussian urban centres (see [`density`]).
fn sample_inside(frame: &CityFrame, components: &[Component], rng: &mut ChaCha8Rng) -> Coord<f64> {
    let total: f64 = components.iter().map(|c| c.mass).sum();
    let bounds = bounding_rect(&frame.outline);
    loop {
        let mut pick = rng.random::<f64>() * total;
        let component = components
            .iter()
            .find(|c| {
                pick -= c.mass;
                pick <= 0.0
            })
            .unwrap_or(&components[0]);
        let p = match component.sigma_km {
            None => Coord {
                x: bounds.min().x + rng.random::<f64>() * bounds.width(),
                y: bounds.min().y + rng.random::<f64>() * bounds.height(),
            },
            Some(sigma) => {
                // sigma > 0 by construction in `density::components`.
                let normal = Normal::new(0.0, sigma).expect("positive sigma");
                component.centre
                    + Coord {
                        x: normal.sample(rng),
                        y: normal.sample(rng),
                    }
            }
        };
        if frame.outline.contains(&Point(p)) {
            return p;
        }
    }
}

/// Seeds around the city at the rural density, then a coarse frame far
/// out, so that every inside cell is bounded and the outline's cells are
/// rural-sized.
fn outside_seeds(frame: &CityFrame, cell_count: usize, rng: &mut ChaCha8Rng) -> Vec<Coord<f64>> {
    let spacing = density::rural_spacing_km(frame, cell_count);
    let bounds = bounding_rect(&frame.outline);
    let margin = 4.0 * spacing;
    let band = Rect::new(
        bounds.min() - Coord::from((margin, margin)),
        bounds.max() + Coord::from((margin, margin)),
    );
    let band_cells = (band.width() * band.height() / (spacing * spacing)).ceil() as usize;
    let mut out = Vec::with_capacity(band_cells + 64);
    for _ in 0..band_cells {
        let p = Coord {
            x: band.min().x + rng.random::<f64>() * band.width(),
            y: band.min().y + rng.random::<f64>() * band.height(),
        };
        if !frame.outline.contains(&Point(p)) {
            out.push(p);
        }
    }
    // Frame: a ring of points twice as far out.
    let far = Rect::new(
        band.min() - Coord::from((margin, margin)),
        band.max() + Coord::from((margin, margin)),
    );
    let per_side = 16;
    for k in 0..per_side {
        let t = k as f64 / per_side as f64;
        let (w, h) = (far.width(), far.height());
        let (x0, y0, x1, y1) = (far.min().x, far.min().y, far.max().x, far.max().y);
        out.push(Coord {
            x: x0 + t * w,
            y: y0,
        });
        out.push(Coord {
            x: x1,
            y: y0 + t * h,
        });
        out.push(Coord {
            x: x1 - t * w,
            y: y1,
        });
        out.push(Coord {
            x: x0,
            y: y1 - t * h,
        });
    }
    out
}

pub(crate) fn bounding_rect(polygon: &Polygon<f64>) -> Rect<f64> {
    use geo::BoundingRect;
    // A polygon built from a non-empty ring always has bounds.
    polygon.bounding_rect().expect("non-empty outline")
}

fn triangulate(seeds: &[Coord<f64>]) -> DelaunayTriangulation<Site> {
    let sites = seeds
        .iter()
        .enumerate()
        .map(|(i, c)| Site {
            position: Point2::new(c.x, c.y),
            index: i as u32,
        })
        .collect();
    // Seeds are finite and never all collinear (the frame alone spans a box).
    DelaunayTriangulation::bulk_load(sites).expect("finite, non-degenerate seeds")
}

fn adjacency(triangulation: &DelaunayTriangulation<Site>, n: usize) -> Vec<Vec<u32>> {
    let mut neighbours = vec![Vec::new(); n];
    for v in triangulation.vertices() {
        let i = v.data().index as usize;
        neighbours[i] = v.out_edges().map(|e| e.to().data().index).collect();
    }
    neighbours
}

/// The Voronoi cells of the inside seeds.
fn voronoi(
    triangulation: &DelaunayTriangulation<Site>,
    seeds: &[Coord<f64>],
    inside: &[bool],
) -> Tessellation {
    let mut vertex_of_face = vec![u32::MAX; triangulation.num_all_faces()];
    let mut vertices = Vec::new();
    let mut cells = vec![Cell::default(); seeds.len()];
    for v in triangulation.vertices() {
        let i = v.data().index as usize;
        if !inside[i] {
            continue;
        }
        // Out-edges run counter-clockwise; the triangle left of edge k
        // (towards neighbour k) has the cell's ring vertex k as its
        // circumcentre, and ring edge k (vertex k-1 to k) is the bisector
        // shared with neighbour k.
        let mut cell = Cell::default();
        for edge in v.out_edges() {
            let Some(face) = edge.face().as_inner() else {
                // A seed on the hull has an unbounded cell; the far frame
                // keeps every inside seed off the hull.
                cell = Cell::default();
                break;
            };
            let slot = &mut vertex_of_face[face.fix().index()];
            if *slot == u32::MAX {
                let c = face.circumcenter();
                *slot = vertices.len() as u32;
                vertices.push(Coord { x: c.x, y: c.y });
            }
            cell.vertices.push(*slot);
            cell.neighbours.push(edge.to().data().index);
        }
        canonical_start(&mut cell);
        cells[i] = cell;
    }
    Tessellation {
        seeds: seeds.to_vec(),
        inside: inside.to_vec(),
        vertices,
        cells,
    }
}

/// Rotates a ring to start at its smallest neighbour, so that output does
/// not depend on where spade's edge iteration happened to begin.
fn canonical_start(cell: &mut Cell) {
    if let Some((k, _)) = cell.neighbours.iter().enumerate().min_by_key(|(_, n)| **n) {
        cell.neighbours.rotate_left(k);
        cell.vertices.rotate_left(k);
    }
}

fn ring_centroid(cell: &Cell, vertices: &[Coord<f64>]) -> Option<Coord<f64>> {
    let n = cell.vertices.len();
    if n < 3 {
        return None;
    }
    let (mut a2, mut cx, mut cy) = (0.0, 0.0, 0.0);
    let origin = vertices[cell.vertices[0] as usize];
    for k in 0..n {
        let p = vertices[cell.vertices[k] as usize] - origin;
        let q = vertices[cell.vertices[(k + 1) % n] as usize] - origin;
        let cross = p.x * q.y - q.x * p.y;
        a2 += cross;
        cx += (p.x + q.x) * cross;
        cy += (p.y + q.y) * cross;
    }
    (a2.abs() > 0.0).then(|| {
        origin
            + Coord {
                x: cx / (3.0 * a2),
                y: cy / (3.0 * a2),
            }
    })
}

/// Makes the inside set one piece without holes, with exactly `target`
/// cells, changing as few cells as possible near the outline.
fn repair(
    inside: &mut [bool],
    neighbours: &[Vec<u32>],
    seeds: &[Coord<f64>],
    frame: &CityFrame,
    target: usize,
) {
    fill_holes(inside, neighbours);
    keep_largest_piece(inside, neighbours);
    // Signed distance from the guide outline: negative inside.
    let exterior = frame.outline.exterior();
    let signed = |i: usize| {
        let p = Point(seeds[i]);
        let d = Euclidean.distance(&p, exterior);
        if frame.outline.contains(&p) { -d } else { d }
    };
    let mut refused = vec![false; inside.len()];
    loop {
        let count = inside.iter().filter(|&&x| x).count();
        if count == target {
            return;
        }
        let grow = count < target;
        // Cells on the outline that could change side, best first.
        let candidate = (0..inside.len())
            .filter(|&i| inside[i] != grow && !refused[i] && !neighbours[i].is_empty())
            .filter(|&i| neighbours[i].iter().any(|&j| inside[j as usize] == grow))
            .min_by(|&a, &b| {
                let (da, db) = (signed(a), signed(b));
                let order = if grow {
                    da.total_cmp(&db)
                } else {
                    db.total_cmp(&da)
                };
                order.then(a.cmp(&b))
            });
        let Some(i) = candidate else {
            return; // Nothing left to change: the caller checks the count.
        };
        inside[i] = grow;
        let ok = if grow {
            !has_holes(inside, neighbours)
        } else {
            is_one_piece(inside, neighbours)
        };
        if !ok {
            inside[i] = !grow;
            refused[i] = true;
        }
    }
}

/// Flood fill over seeds with `inside == side`, from `start`.
fn reach(inside: &[bool], neighbours: &[Vec<u32>], side: bool, start: &[usize]) -> Vec<bool> {
    let mut seen = vec![false; inside.len()];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for &s in start {
        if inside[s] == side && !seen[s] {
            seen[s] = true;
            queue.push_back(s);
        }
    }
    while let Some(i) = queue.pop_front() {
        for &j in &neighbours[i] {
            let j = j as usize;
            if inside[j] == side && !seen[j] {
                seen[j] = true;
                queue.push_back(j);
            }
        }
    }
    seen
}

/// The last seeds are the far frame: outside by construction.
fn frame_seeds(inside: &[bool]) -> Vec<usize> {
    (inside.len().saturating_sub(64)..inside.len()).collect()
}

fn has_holes(inside: &[bool], neighbours: &[Vec<u32>]) -> bool {
    let outer = reach(inside, neighbours, false, &frame_seeds(inside));
    (0..inside.len()).any(|i| !inside[i] && !outer[i] && !neighbours[i].is_empty())
}

fn fill_holes(inside: &mut [bool], neighbours: &[Vec<u32>]) {
    let outer = reach(inside, neighbours, false, &frame_seeds(inside));
    for i in 0..inside.len() {
        if !inside[i] && !outer[i] && !neighbours[i].is_empty() {
            inside[i] = true;
        }
    }
}

fn is_one_piece(inside: &[bool], neighbours: &[Vec<u32>]) -> bool {
    let Some(first) = inside.iter().position(|&x| x) else {
        return true;
    };
    let piece = reach(inside, neighbours, true, &[first]);
    (0..inside.len()).all(|i| !inside[i] || piece[i])
}

fn keep_largest_piece(inside: &mut [bool], neighbours: &[Vec<u32>]) {
    let mut label = vec![usize::MAX; inside.len()];
    let mut sizes = Vec::new();
    for i in 0..inside.len() {
        if inside[i] && label[i] == usize::MAX {
            let piece = reach(inside, neighbours, true, &[i]);
            let id = sizes.len();
            let mut size = 0;
            for (j, &in_piece) in piece.iter().enumerate() {
                if in_piece {
                    label[j] = id;
                    size += 1;
                }
            }
            sizes.push(size);
        }
    }
    let Some(largest) = (0..sizes.len()).max_by_key(|&k| (sizes[k], usize::MAX - k)) else {
        return;
    };
    for i in 0..inside.len() {
        if inside[i] && label[i] != largest {
            inside[i] = false;
        }
    }
}
