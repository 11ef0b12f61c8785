//! The map as a PNG, rasterised in pure Rust (resvg).

use resvg::{tiny_skia, usvg};

/// Rasterises an SVG document; the second value is false when no system
/// font was found (the legend's labels are then missing).
pub fn rasterise(svg: &str) -> Result<(Vec<u8>, bool), String> {
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let fonts = !options.fontdb.is_empty();
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| "the map has no size".to_owned())?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let png = pixmap.encode_png().map_err(|e| e.to_string())?;
    Ok((png, fonts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_what_the_svg_says() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="10" height="10" fill="#ff0000"/></svg>"##;
        let (png, _) = rasterise(svg).unwrap();
        let pixmap = tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (20, 10));
        let red = pixmap.pixel(2, 2).unwrap();
        assert_eq!(
            (red.red(), red.green(), red.blue(), red.alpha()),
            (255, 0, 0, 255)
        );
        assert_eq!(
            pixmap.pixel(15, 5).unwrap().alpha(),
            0,
            "outside the rect: transparent"
        );
        assert!(rasterise("<svg").is_err());
    }
}
