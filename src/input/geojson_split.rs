//! Splits a GeoJSON FeatureCollection into batches of features without
//! parsing them, so that the features can be parsed on every core.
//!
//! A JSON text can only be cut at a feature boundary by someone who knows
//! where strings begin and end and how deep the nesting is; that much is
//! cheap — one pass over the bytes, jumping through strings with `memchr` —
//! while parsing numbers and matching keys is not. So one thread reads the
//! file in blocks and cuts it into batches of whole features, and the
//! batches are parsed in parallel with the same typed visitor as before.
//! Memory stays at a few blocks whatever the file's size.
//!
//! Everything but the features (type, crs, name, …) is handed back as a
//! small JSON text, the collection with an empty `features` array, for an
//! ordinary parse. Only the plain layout is split: a top-level object with
//! one `features` array. Anything else — or any flaw the scan notices — is
//! reported as [`Unusual`], and the caller reads the file again with the
//! serial parser, which says exactly what and where the problem is.

use std::io::Read;

use crate::input::parallel::Batch;

/// Bytes read from the input at a time.
const BLOCK: usize = 1 << 20;

/// The input is not a plain FeatureCollection, or not valid JSON: read it
/// with the serial parser instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusual;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Before the features: the top-level object's first members.
    Header,
    /// Inside the `features` array.
    Features,
    /// After it: the remaining members.
    Trailer,
}

/// A string or structural scan that can stop at the end of a block and
/// resume with the next.
#[derive(Debug, Default, Clone, Copy)]
struct Lexer {
    in_string: bool,
    escaped: bool,
}

impl Lexer {
    /// Advances over string content from `i`; returns where the string's
    /// closing quote is (exclusive end), or `None` if the block ends first.
    fn skip_string(&mut self, buf: &[u8], mut i: usize) -> Option<usize> {
        if self.escaped {
            if i >= buf.len() {
                return None;
            }
            self.escaped = false;
            i += 1;
        }
        loop {
            match memchr::memchr2(b'"', b'\\', &buf[i..]) {
                None => return None,
                Some(k) => {
                    let at = i + k;
                    if buf[at] == b'"' {
                        self.in_string = false;
                        return Some(at + 1);
                    }
                    // A backslash: skip it and the character it escapes.
                    if at + 1 >= buf.len() {
                        self.escaped = true;
                        return None;
                    }
                    i = at + 2;
                }
            }
        }
    }
}

/// Splits the collection read from `reader`: `on_batch` receives batches of
/// about `batch_bytes` bytes of features, in order; the result is the
/// collection without its features (`"features":[]`). Each batch's
/// buffers come from `spare` (batches handed back once used up) when it
/// has one: memory that is already in use is cheaper than fresh pages,
/// which the system must clear first.
pub fn split(
    mut reader: impl Read,
    batch_bytes: usize,
    mut spare: impl FnMut() -> Option<Batch>,
    mut on_batch: impl FnMut(Batch),
) -> Result<Vec<u8>, Unusual> {
    let mut buf: Vec<u8> = Vec::with_capacity(batch_bytes + 2 * BLOCK);
    let mut skeleton: Vec<u8> = Vec::new();
    let mut mode = Mode::Header;
    let mut lex = Lexer::default();
    // Header state: nesting depth, whether a key is expected, the last key
    // read at depth 1 and whether its value is next.
    let mut depth = 0usize;
    let mut expect_key = false;
    let mut key_start = 0usize;
    let mut last_key: Vec<u8> = Vec::new();
    let mut after_colon = false;
    // Features state: depth inside the current feature, where it began,
    // the finished features of the batch so far, features before the batch.
    let mut inner = 0usize;
    let mut feature_start = 0usize;
    let mut features: Vec<(u32, u32)> = Vec::new();
    let mut first_index = 0usize;
    let mut seen_features = false;
    let mut pos = 0usize;
    let mut eof = false;
    let mut leading = true;

    loop {
        if pos >= buf.len() {
            if eof {
                break;
            }
            let n = (&mut reader)
                .take(BLOCK as u64)
                .read_to_end(&mut buf)
                .map_err(|_| Unusual)?;
            if n == 0 {
                eof = true;
                continue;
            }
        }
        if leading {
            // A UTF-8 byte-order mark is dropped, as when a file is read whole.
            if buf.len() < 3 && !eof {
                pos = buf.len();
                continue;
            }
            if buf.starts_with(b"\xEF\xBB\xBF") {
                buf.drain(..3);
            }
            leading = false;
            pos = 0;
            continue;
        }
        match mode {
            Mode::Header => {
                if lex.in_string {
                    match lex.skip_string(&buf, pos) {
                        Some(end) => {
                            if depth == 1 && expect_key {
                                last_key = buf[key_start..end - 1].to_vec();
                                expect_key = false;
                            }
                            pos = end;
                        }
                        None => {
                            pos = buf.len();
                            // Keep the string's bytes (a key is needed whole).
                            continue;
                        }
                    }
                    continue;
                }
                let b = buf[pos];
                pos += 1;
                if after_colon && !b.is_ascii_whitespace() {
                    after_colon = false;
                    if depth == 1 && last_key == b"features" {
                        if b != b'[' || seen_features {
                            return Err(Unusual);
                        }
                        seen_features = true;
                        skeleton.extend_from_slice(&buf[..pos]);
                        buf.drain(..pos);
                        pos = 0;
                        feature_start = 0;
                        inner = 0;
                        mode = Mode::Features;
                        continue;
                    }
                }
                match b {
                    b'"' => {
                        lex.in_string = true;
                        key_start = pos;
                    }
                    b'{' => {
                        if depth == 0 {
                            expect_key = true;
                        }
                        depth += 1;
                    }
                    b'[' => depth += 1,
                    b'}' | b']' => {
                        if depth == 0 {
                            return Err(Unusual);
                        }
                        depth -= 1;
                    }
                    b':' if depth == 1 => after_colon = true,
                    b',' if depth == 1 => expect_key = true,
                    _ if depth == 0 && !b.is_ascii_whitespace() => return Err(Unusual),
                    _ => {}
                }
                // Header bytes are kept until the features begin.
                if depth == 0 && b == b'}' {
                    // The object closed without a `features` array.
                    return Err(Unusual);
                }
            }
            Mode::Features => {
                if lex.in_string {
                    match lex.skip_string(&buf, pos) {
                        Some(end) => pos = end,
                        None => pos = buf.len(),
                    }
                    continue;
                }
                // The hot loop: structural characters only.
                while pos < buf.len() {
                    let b = buf[pos];
                    pos += 1;
                    match b {
                        b'"' => {
                            lex.in_string = true;
                            break;
                        }
                        b'{' | b'[' => inner += 1,
                        b'}' | b']' if inner > 0 => inner -= 1,
                        b',' if inner == 0 => {
                            let text = &buf[feature_start..pos - 1];
                            if text.iter().all(u8::is_ascii_whitespace) {
                                return Err(Unusual);
                            }
                            features.push((feature_start as u32, (pos - 1) as u32));
                            feature_start = pos;
                        }
                        b']' => {
                            let text = &buf[feature_start..pos - 1];
                            let blank = text.iter().all(u8::is_ascii_whitespace);
                            if blank && (first_index > 0 || !features.is_empty()) {
                                return Err(Unusual);
                            }
                            if !blank {
                                features.push((feature_start as u32, (pos - 1) as u32));
                            }
                            emit(
                                &mut buf,
                                &mut features,
                                &mut first_index,
                                pos - 1,
                                &mut spare,
                                &mut on_batch,
                            );
                            pos = 0;
                            skeleton.push(b']');
                            buf.drain(..1);
                            mode = Mode::Trailer;
                            break;
                        }
                        b'}' => return Err(Unusual),
                        _ => {}
                    }
                }
                if mode == Mode::Features {
                    // End of the block or a string to skip: cut a batch
                    // when enough whole features have gathered.
                    if let Some(&(_, end)) = features.last()
                        && end as usize >= batch_bytes
                    {
                        let cut = end as usize + 1;
                        emit(
                            &mut buf,
                            &mut features,
                            &mut first_index,
                            cut,
                            &mut spare,
                            &mut on_batch,
                        );
                        pos -= cut;
                        feature_start -= cut;
                    }
                }
            }
            Mode::Trailer => {
                skeleton.extend_from_slice(&buf[pos..]);
                buf.clear();
                pos = 0;
            }
        }
        if buf.len() > (1usize << 31) {
            // A single feature larger than 2 GiB: not a station layer.
            return Err(Unusual);
        }
    }
    if mode != Mode::Trailer || lex.in_string {
        return Err(Unusual);
    }
    Ok(skeleton)
}

/// Hands the finished features (all before `cut`) over as a batch and
/// keeps the bytes from `cut` on.
fn emit(
    buf: &mut Vec<u8>,
    features: &mut Vec<(u32, u32)>,
    first_index: &mut usize,
    cut: usize,
    spare: &mut impl FnMut() -> Option<Batch>,
    on_batch: &mut impl FnMut(Batch),
) {
    if features.is_empty() {
        buf.drain(..cut);
        return;
    }
    let (mut rest, mut next_features) = match spare() {
        Some(used) => (used.data, used.features),
        None => (Vec::with_capacity(buf.capacity()), Vec::new()),
    };
    rest.clear();
    rest.extend_from_slice(&buf[cut..]);
    buf.truncate(cut);
    next_features.clear();
    let batch = Batch {
        first_index: *first_index,
        data: std::mem::replace(buf, rest),
        features: std::mem::replace(features, next_features),
    };
    *first_index += batch.features.len();
    on_batch(batch);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `text` read in pieces of `chunk` bytes (to cross block edges
    /// anywhere); returns the features' texts and the skeleton.
    fn run(text: &str, batch_bytes: usize, chunk: usize) -> Result<(Vec<String>, String), Unusual> {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut texts = Vec::new();
        let mut next = 0;
        let skeleton = split(
            Trickle(text.as_bytes(), chunk),
            batch_bytes,
            || None,
            |b| {
                assert_eq!(b.first_index, next);
                next += b.features.len();
                texts.extend(
                    b.texts()
                        .map(|t| String::from_utf8(t.to_vec()).unwrap().trim().to_owned()),
                );
            },
        )?;
        Ok((texts, String::from_utf8(skeleton).unwrap()))
    }

    const TEXT: &str = r#"{"type":"FeatureCollection","name":"a \"quoted\" [name]",
        "features":[ {"type":"Feature","properties":{"id":"x,]}\\","p":[1,{"a":2}]},"geometry":null} ,
        {"type":"Feature","properties":{"id":"y"}},7,"s",[1,2]],
        "crs":{"type":"name","properties":{"name":"EPSG:4326"}}}"#;

    #[test]
    fn features_and_skeleton_whatever_the_block_and_batch_sizes() {
        let expected = vec![
            r#"{"type":"Feature","properties":{"id":"x,]}\\","p":[1,{"a":2}]},"geometry":null}"#
                .to_owned(),
            r#"{"type":"Feature","properties":{"id":"y"}}"#.to_owned(),
            "7".to_owned(),
            r#""s""#.to_owned(),
            "[1,2]".to_owned(),
        ];
        for chunk in [1, 2, 3, 7, 64, 4096] {
            for batch in [1, 10, 1 << 20] {
                let (texts, skeleton) = run(TEXT, batch, chunk).unwrap();
                assert_eq!(texts, expected, "chunk {chunk} batch {batch}");
                let v: serde_json::Value = serde_json::from_str(&skeleton).unwrap();
                assert_eq!(v["features"], serde_json::json!([]));
                assert_eq!(v["crs"]["properties"]["name"], "EPSG:4326");
                assert_eq!(v["name"], "a \"quoted\" [name]");
            }
        }
    }

    #[test]
    fn a_byte_order_mark_and_an_empty_array() {
        let (texts, skeleton) = run(
            "\u{feff}{\"features\": [ ], \"type\": \"FeatureCollection\"}",
            10,
            1,
        )
        .unwrap();
        assert!(texts.is_empty());
        assert!(skeleton.starts_with('{'));
    }

    #[test]
    fn unusual_layouts_are_refused() {
        for text in [
            r#"[{"type":"Feature"}]"#,
            r#"{"type":"Feature","geometry":null}"#,
            r#"{"features":{"a":1}}"#,
            r#"{"features":[1,,2]}"#,
            r#"{"features":[1,2,]}"#,
            r#"{"features":[1,2"#,
            r#"{"features":[{"a":"unterminated]}"#,
            r#"{"features":[1}"#,
        ] {
            assert_eq!(run(text, 4, 3), Err(Unusual), "{text}");
        }
    }
}
