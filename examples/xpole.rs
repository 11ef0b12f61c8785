use geo::{BoundingRect, Simplify, MapCoords, Area};
fn main() {
    let bytes = std::fs::read("/tmp/national/areas.geojson").unwrap();
    let raw = chargecov::io::geojson_read::read_areas(&bytes, "a").unwrap();
    let layer = chargecov::normalise::areas(raw, "a", &Default::default(), false, None).unwrap();
    let n = 4000;
    for tolf in [1e-3, 1e-2] {
      for simp in [0.0, 0.5] {
       for ours in [false, true] {
        let t = std::time::Instant::now();
        for a in layer.areas.iter().take(n) {
            let rect = a.geometry.bounding_rect().unwrap();
            let frame = chargecov::geodesy::LocalFrame::new(rect.center());
            let local = a.geometry.map_coords(|c| frame.to_local(c));
            let largest = local.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area())).unwrap();
            let r = largest.bounding_rect().unwrap();
            let extent = r.width().max(r.height());
            let tol = extent * tolf;
            let s = if simp > 0.0 { largest.simplify(tol * simp) } else { largest.clone() };
            if ours { let _ = chargecov::assess::pole_of_inaccessibility(&s, tol); } else { let _ = polylabel::polylabel(&s, &tol); }
        }
        println!("tol {tolf} simp {simp} ours {ours}: {:.1} us/area", t.elapsed().as_secs_f64() * 1e6 / n as f64);
       }
      }
    }
}
