//! Text encodings of tables (CSV, a Shapefile's `.dbf`): what real
//! exports use — UTF-8 (with or without a byte-order mark), UTF-16 with a
//! byte-order mark (Excel's "Unicode text"), GBK/GB18030 (Excel and
//! ArcGIS on Chinese Windows), Windows-1252/Latin-1 (European exports such
//! as the German charger register) — detected, or named by the caller.

use std::fmt;

use encoding_rs::Encoding;

use crate::error::{Error, Result};

/// A text encoding named by the caller (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEncoding(&'static Encoding);

impl TextEncoding {
    /// An encoding by one of its usual labels: `utf-8`, `utf-16le`,
    /// `gbk`, `gb18030`, `cp936`, `latin1`, `iso-8859-1`, `cp1252`,
    /// `windows-1252`, … (the WHATWG labels plus Windows code pages).
    pub fn parse(label: &str) -> std::result::Result<TextEncoding, String> {
        let key = label.trim().to_ascii_lowercase();
        let alias = match key.as_str() {
            "cp936" | "936" => Some(encoding_rs::GBK),
            "cp1252" | "1252" | "latin-1" => Some(encoding_rs::WINDOWS_1252),
            "utf8" => Some(encoding_rs::UTF_8),
            "utf16" | "utf-16" => Some(encoding_rs::UTF_16LE),
            _ => None,
        };
        alias
            .or_else(|| Encoding::for_label(key.as_bytes()))
            .map(TextEncoding)
            .ok_or_else(|| {
                format!(
                    "unknown text encoding {label:?}; use e.g. utf-8, gbk, gb18030, latin1 or windows-1252"
                )
            })
    }

    /// Its name (WHATWG's, e.g. `GBK`, `windows-1252`).
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    pub(crate) fn get(self) -> &'static Encoding {
        self.0
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The encoding a Shapefile's `.cpg` names, in the forms GDAL accepts:
/// a WHATWG label (`UTF-8`, `windows-1250`, `CP1250`, `Big-5` loosely), a
/// bare Windows code page number (`1250`, `65001`, `936`), the same after
/// `ANSI ` (`ANSI 1250`, as ArcGIS writes it), or an ISO 8859 part
/// (`8859-2`, `88592`). `None` when it names no encoding.
pub fn code_page_label(label: &str) -> Option<&'static Encoding> {
    let key = label
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    if key.is_empty() || key.len() > 40 {
        return None;
    }
    let key = key
        .strip_prefix("ansi")
        .map_or(key.as_str(), str::trim_start);
    if let Some(part) = key.strip_prefix("8859") {
        let part = part.trim_start_matches(['-', '_']);
        return Encoding::for_label(format!("iso-8859-{part}").as_bytes());
    }
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        return match key {
            "65001" => Some(encoding_rs::UTF_8),
            "936" => Some(encoding_rs::GBK),
            "950" => Some(encoding_rs::BIG5),
            "932" => Some(encoding_rs::SHIFT_JIS),
            "949" => Some(encoding_rs::EUC_KR),
            "866" => Some(encoding_rs::IBM866),
            n => Encoding::for_label(format!("windows-{n}").as_bytes()),
        };
    }
    let alias = match key {
        "utf8" => Some(encoding_rs::UTF_8),
        "big-5" => Some(encoding_rs::BIG5),
        _ => None,
    };
    alias.or_else(|| Encoding::for_label(key.as_bytes()))
}

/// UTF-8 if the bytes are valid UTF-8; else GB18030 (a superset of GBK)
/// if they decode without error and read like Chinese text; else
/// Windows-1252 (a superset of Latin-1, which decodes anything).
///
/// Latin-1 text often decodes as GB18030 too ("Köln": `ö` and `l` make
/// one two-byte character), so decoding alone does not decide. In Chinese
/// text the common characters (GB2312's) have both bytes ≥ 0xA1, while an
/// accented European letter is a lone high byte followed by ASCII: GB18030
/// is chosen only when at most one two-byte sequence in five has an ASCII
/// second byte.
pub fn detect(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return encoding_rs::UTF_8;
    }
    let (mut high_trail, mut ascii_trail) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 || i + 1 == bytes.len() {
            i += 1;
            continue;
        }
        let trail = bytes[i + 1];
        if trail.is_ascii_digit() {
            // GB18030's four-byte form.
            high_trail += 1;
            i += 4;
        } else {
            if trail >= 0x80 {
                high_trail += 1;
            } else {
                ascii_trail += 1;
            }
            i += 2;
        }
    }
    let reads_as_chinese = high_trail > 0 && ascii_trail * 5 <= high_trail + ascii_trail;
    if reads_as_chinese
        && encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .is_some()
    {
        encoding_rs::GB18030
    } else {
        encoding_rs::WINDOWS_1252
    }
}

/// The text as UTF-8: in the `forced` encoding if one is named (an error
/// if the bytes are not valid in it), else by its byte-order mark, else
/// detected. Returns the text and the encoding it was read in.
pub fn to_utf8(
    bytes: Vec<u8>,
    forced: Option<TextEncoding>,
    source_name: &str,
) -> Result<(Vec<u8>, &'static Encoding)> {
    let encoding = match forced {
        Some(e) => e.get(),
        None => match Encoding::for_bom(&bytes) {
            Some((e, _)) => e,
            None => detect(&bytes),
        },
    };
    if encoding == encoding_rs::UTF_8 && forced.is_none() {
        // Valid UTF-8 (detected): no copy.
        return Ok((bytes, encoding));
    }
    let (text, used, had_errors) = encoding.decode(&bytes);
    if had_errors {
        let valid_up_to = first_invalid(&bytes, used);
        return Err(Error::Encoding {
            source_name: source_name.to_owned(),
            encoding: used.name(),
            byte: valid_up_to,
            line: 1 + memchr::memchr_iter(b'\n', &bytes[..valid_up_to.min(bytes.len())]).count(),
            named: forced.is_some(),
        });
    }
    Ok((text.into_owned().into_bytes(), used))
}

/// The offset of the first byte that is not valid in `encoding`.
fn first_invalid(bytes: &[u8], encoding: &'static Encoding) -> usize {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = vec![
        0u8;
        decoder
            .max_utf8_buffer_length(bytes.len())
            .unwrap_or(bytes.len() * 3)
    ];
    let (result, read, _) = decoder.decode_to_utf8_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, _) => read - usize::from(bad),
        _ => read,
    }
}

#[cfg(test)]
mod tests {

    /// `.cpg` values as other tools write them (ArcGIS `ANSI 1250`, QGIS
    /// `UTF-8`, GDAL `CP1250`, bare numbers, ISO parts) name the encoding
    /// GDAL would use (its CPG handling: numbers are Windows code pages);
    /// an HTML page saved as `.cpg` names none.
    #[test]
    fn code_page_labels_are_read_as_gdal_reads_them() {
        let cases: [(&str, &Encoding); 13] = [
            ("ANSI 1250", encoding_rs::WINDOWS_1250),
            ("ansi 1251\r\n", encoding_rs::WINDOWS_1251),
            ("1250", encoding_rs::WINDOWS_1250),
            ("CP1250", encoding_rs::WINDOWS_1250),
            ("windows-1250", encoding_rs::WINDOWS_1250),
            ("UTF8", encoding_rs::UTF_8),
            ("\u{feff}UTF-8\n", encoding_rs::UTF_8),
            ("65001", encoding_rs::UTF_8),
            ("936", encoding_rs::GBK),
            ("Big-5", encoding_rs::BIG5),
            ("8859-2", encoding_rs::ISO_8859_2),
            ("88595", encoding_rs::ISO_8859_5),
            ("ISO-8859-1", encoding_rs::WINDOWS_1252),
        ];
        for (label, expected) in cases {
            assert_eq!(code_page_label(label), Some(expected), "{label:?}");
        }
        for label in [
            "",
            "<!DOCTYPE html><html><head>",
            "ANSI",
            "12345678",
            "klingon",
        ] {
            assert_eq!(code_page_label(label), None, "{label:?}");
        }
    }

    use super::*;

    /// "南山区" in GBK (each character two bytes, as GB2312 tables give:
    /// 南 C4CF, 山 C9BD, 区 C7F8) and "Köln" in Latin-1 (ö = F6).
    const NANSHAN_GBK: &[u8] = &[0xC4, 0xCF, 0xC9, 0xBD, 0xC7, 0xF8];

    #[test]
    fn detected_from_the_bytes() {
        assert_eq!(detect("南山区".as_bytes()), encoding_rs::UTF_8);
        assert_eq!(detect(NANSHAN_GBK), encoding_rs::GB18030);
        assert_eq!(detect(b"K\xF6ln\xFF"), encoding_rs::WINDOWS_1252);
        // Valid GB18030 too (F6 6C is one character), but reads as Latin-1.
        assert_eq!(detect(b"K\xF6ln S\xFCd"), encoding_rs::WINDOWS_1252);
        let (text, _) = to_utf8(NANSHAN_GBK.to_vec(), None, "t").unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), "南山区");
        let (text, used) = to_utf8(b"K\xF6ln\xFF".to_vec(), None, "t").unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), "Köln\u{ff}");
        assert_eq!(used, encoding_rs::WINDOWS_1252);
    }

    #[test]
    fn byte_order_marks_decide() {
        // "id" in UTF-16LE and UTF-16BE with their marks.
        let le = vec![0xFF, 0xFE, b'i', 0, b'd', 0];
        let be = vec![0xFE, 0xFF, 0, b'i', 0, b'd'];
        for bytes in [le, be] {
            let (text, _) = to_utf8(bytes, None, "t").unwrap();
            assert_eq!(text, b"id");
        }
    }

    #[test]
    fn a_named_encoding_is_used_and_checked() {
        let latin1 = TextEncoding::parse("latin1").unwrap();
        let (text, _) = to_utf8(b"K\xF6ln".to_vec(), Some(latin1), "t").unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), "Köln");
        // GBK bytes are not UTF-8: named wrongly, an error at the first
        // bad byte, not mojibake.
        let utf8 = TextEncoding::parse("UTF-8").unwrap();
        let err = to_utf8(NANSHAN_GBK.to_vec(), Some(utf8), "t.csv")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("t.csv") && err.contains("line 1 is not valid UTF-8 (byte 0)"),
            "{err}"
        );
        assert_eq!(TextEncoding::parse("cp936").unwrap().name(), "GBK");
        assert!(TextEncoding::parse("klingon").is_err());
    }
}
