//! Where each feature of a GeoJSON FeatureCollection starts: its 1-based
//! line, for annotations that point a CI run at the offending feature
//! (`file=…,line=…`). One pass over the bytes that knows strings and
//! nesting, nothing parsed.

use std::io::{self, BufRead};

/// The line of each feature's opening brace, in feature order; empty when
/// the text is not a plain FeatureCollection (an object with a top-level
/// `features` array). The text is assumed to have been read as GeoJSON
/// already: a malformed one gives lines for what the scan could follow.
pub fn feature_lines(reader: impl BufRead) -> io::Result<Vec<u32>> {
    let mut lines = Vec::new();
    let mut line: u32 = 1;
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    // The last string closed at depth 1 (a top-level key) and whether it
    // was "features"; the depth of the features array once inside it.
    let mut string = Vec::new();
    let mut key_is_features = false;
    let mut features_depth: Option<usize> = None;
    for byte in reader.bytes() {
        let b = byte?;
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if depth == 1 {
                    key_is_features = string == b"features";
                }
            } else if depth == 1 && string.len() <= 8 {
                string.push(b);
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                string.clear();
            }
            b'{' | b'[' => {
                if b == b'{' && features_depth.is_some_and(|d| depth == d) {
                    lines.push(line);
                }
                depth += 1;
                if b == b'[' && depth == 2 && key_is_features {
                    features_depth = Some(2);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 1 && features_depth.is_some() && b == b']' {
                    features_depth = None;
                }
            }
            b',' if depth == 1 => key_is_features = false,
            _ => {}
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_feature_line() {
        // Feature 0 on line 3, feature 1 on line 5 after a property whose
        // text holds braces, brackets, quotes and a "features" key of its
        // own; a nested "features" key inside properties is not the array.
        let text = r#"{"type": "FeatureCollection",
"name": "x", "features": [
  {"type": "Feature", "properties": {"note": "a { [ \" features", "features": [{"a": 1}]},
   "geometry": null},
  {"type": "Feature",
   "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}}
], "crs": {"features": [{}]}}"#;
        assert_eq!(feature_lines(text.as_bytes()).unwrap(), vec![3, 5]);
        // One feature per line, as chargecov and ogr2ogr write them.
        let text = "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\"},\n{\"type\":\"Feature\"}\n]}";
        assert_eq!(feature_lines(text.as_bytes()).unwrap(), vec![2, 3]);
        assert!(feature_lines(&b"[1, 2]"[..]).unwrap().is_empty());
    }
}
