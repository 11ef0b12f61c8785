//! Newline-delimited GeoJSON: one Feature per line — GeoJSON text
//! sequences (RFC 8142, each record led by the RS character), GeoJSONSeq
//! as GDAL writes it, and NDJSON. Blank lines are skipped; records are
//! numbered from 0 in order, and errors name the file line.
//!
//! Lines are independent, so the text is cut into batches of whole lines
//! and parsed on all cores; a flawed line sends the text to the serial
//! reader, which says which line and what is wrong.

use std::io::{BufRead, BufReader, Read};

use crate::error::{Error, Layer, Result};
use crate::fields::StationFieldSpecs;
use crate::input::format::InputFormat;
use crate::input::geojson::{area_feature, json_error, station_feature};
use crate::input::parallel::{self, BATCH_BYTES, Batch};
use crate::input::raw::{LayerMeta, RawFeature, RawLayer, RawStation};
use crate::input::{Chunked, Collect, Input, LayerReader};

/// The reader of newline-delimited GeoJSON.
#[derive(Debug, Clone, Copy)]
pub struct GeoJsonSeq;

impl LayerReader for GeoJsonSeq {
    fn read_features(&self, input: &Input) -> Result<RawLayer<RawFeature>> {
        let mut records: Vec<RawFeature> = Vec::new();
        let parallel = read_parallel(
            input.reader()?,
            input.byte_len(),
            |batch| {
                batch
                    .texts()
                    .enumerate()
                    .map(|(k, text)| area_feature(text, batch.first_index + k).ok())
                    .collect::<Option<Vec<RawFeature>>>()
            },
            |batch, _| records.extend(batch),
        );
        if let Some(meta) = parallel {
            return Ok(RawLayer { records, meta });
        }
        let mut records = Vec::new();
        let meta = read_serial(input, Layer::Areas, |text, index| {
            records.push(area_feature(text, index)?);
            Ok(())
        })?;
        Ok(RawLayer { records, meta })
    }

    fn read_stations<T: Send>(
        &self,
        input: &Input,
        fields: &StationFieldSpecs,
        convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &mut (dyn Collect<T> + Send),
    ) -> Result<LayerMeta> {
        let parallel = read_parallel(
            input.reader()?,
            input.byte_len(),
            |batch| {
                let mut records = Vec::with_capacity(batch.features.len());
                for (k, text) in batch.texts().enumerate() {
                    records.push(station_feature(text, batch.first_index + k, fields).ok()?);
                }
                Some(convert(records))
            },
            |batch, expected| sink.take(batch, expected),
        );
        if let Some(meta) = parallel {
            return Ok(meta);
        }
        let mut chunked = Chunked::restart(convert, sink);
        let meta = read_serial(input, Layer::Stations, |text, index| {
            chunked.push(station_feature(text, index, fields)?);
            Ok(())
        })?;
        chunked.finish(meta.records);
        Ok(meta)
    }
}

/// A line without surrounding whitespace and the RFC 8142 record
/// separator; empty for a blank line.
fn record_text(line: &[u8]) -> &[u8] {
    let line = line.trim_ascii_start();
    line.strip_prefix(b"\x1e").unwrap_or(line).trim_ascii()
}

/// Cuts the text into batches of whole lines and parses them on all cores.
fn read_parallel<T: Send>(
    reader: impl Read + Send,
    total_bytes: Option<u64>,
    parse: impl Fn(&Batch) -> Option<T> + Sync,
    take: impl FnMut(T, usize) + Send,
) -> Option<LayerMeta> {
    let (_, records) = parallel::run(
        |spare, on_batch| split_lines(reader, BATCH_BYTES, spare, on_batch),
        total_bytes,
        parse,
        take,
    )?;
    (records > 0).then(|| LayerMeta::new(InputFormat::GeoJsonSeq, records))
}

/// Hands `on_batch` batches of about `batch_bytes` bytes, each holding the
/// non-blank lines that end in it. `None` on a read error (the serial
/// reader then reports it).
fn split_lines(
    mut reader: impl Read,
    batch_bytes: usize,
    spare: &mut dyn FnMut() -> Option<Batch>,
    on_batch: &mut dyn FnMut(Batch),
) -> Option<()> {
    let mut carry: Vec<u8> = Vec::new();
    let mut first_index = 0usize;
    let mut eof = false;
    while !eof {
        let mut batch = spare().unwrap_or_default();
        batch.data.clear();
        batch.features.clear();
        batch.data.append(&mut carry);
        // Fill to the batch size, then up to the end of a line; only the
        // new bytes are searched for one, so a long line costs one pass.
        let mut has_newline = memchr::memchr(b'\n', &batch.data).is_some();
        while batch.data.len() < batch_bytes || !has_newline {
            let start = batch.data.len();
            batch.data.resize(start + (1 << 16), 0);
            let n = loop {
                match reader.read(&mut batch.data[start..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => return None,
                }
            };
            batch.data.truncate(start + n);
            if n == 0 {
                eof = true;
                break;
            }
            has_newline |= memchr::memchr(b'\n', &batch.data[start..]).is_some();
        }
        let end = if eof {
            batch.data.len()
        } else {
            // The loop above stops only with a newline in the data.
            batch.data.iter().rposition(|&b| b == b'\n')? + 1
        };
        carry.extend_from_slice(&batch.data[end..]);
        batch.data.truncate(end);
        for line in batch.data.split(|&b| b == b'\n') {
            let text = record_text(line);
            if !text.is_empty() {
                // `text` lies within `line`, which lies within the data.
                let offset = text.as_ptr() as usize - batch.data.as_ptr() as usize;
                batch
                    .features
                    .push((offset as u32, (offset + text.len()) as u32));
            }
        }
        if batch.features.is_empty() {
            continue;
        }
        batch.first_index = first_index;
        first_index += batch.features.len();
        on_batch(batch);
    }
    Some(())
}

/// Reads line by line, handing each record's text and index to `record`;
/// the first flawed line stops the read with its file line.
fn read_serial(
    input: &Input,
    layer: Layer,
    mut record: impl FnMut(&[u8], usize) -> serde_json::Result<()>,
) -> Result<LayerMeta> {
    let name = input.name();
    let mut reader = BufReader::with_capacity(1 << 20, input.reader()?);
    let mut line = Vec::new();
    let mut line_number = 0usize;
    let mut records = 0usize;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| input.read_error(e))?;
        if n == 0 {
            break;
        }
        line_number += 1;
        let text = record_text(&line);
        if text.is_empty() {
            continue;
        }
        record(text, records).map_err(|e| line_error(&name, &e, line_number))?;
        records += 1;
    }
    if records == 0 {
        return Err(Error::EmptyLayer {
            source_name: name,
            format: InputFormat::GeoJsonSeq,
            layer,
        });
    }
    Ok(LayerMeta::new(InputFormat::GeoJsonSeq, records))
}

/// A parse error of one line, placed at that line of the file.
fn line_error(source_name: &str, e: &serde_json::Error, line_number: usize) -> Error {
    let mut error = json_error(source_name, e);
    if let Error::Json { line, hint, .. } = &mut error {
        *line = line_number;
        if e.classify() == serde_json::error::Category::Data {
            *hint = "each line of newline-delimited GeoJSON must be one GeoJSON Feature";
        }
        if e.classify() == serde_json::error::Category::Eof {
            *hint = "each line of newline-delimited GeoJSON must be one whole GeoJSON Feature; the line ends early";
        }
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Source;

    fn stations(text: &str) -> Result<RawLayer<RawStation>> {
        let source = Source::from_bytes("s.geojsonl", text.as_bytes().to_vec());
        crate::input::read_station_records(&source.open()?, &StationFieldSpecs::default())
    }

    #[test]
    fn lines_are_features_and_blank_lines_are_skipped() {
        let text = "\x1e{\"type\":\"Feature\",\"properties\":{\"id\":\"a\",\"power_kw\":120},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}\n\n  \r\n{\"type\":\"Feature\",\"geometry\":null}\r\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[3,4]}}";
        let layer = stations(text).unwrap();
        assert_eq!(layer.meta.format, InputFormat::GeoJsonSeq);
        assert_eq!(layer.records.len(), 3);
        assert_eq!(
            layer.records.iter().map(|r| r.index).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert_eq!(
            layer.records[2].geometry,
            crate::input::raw::RawPoint::Point(3.0, 4.0)
        );
    }

    #[test]
    fn a_flawed_line_is_named_by_its_file_line() {
        let err = stations("{\"type\":\"Feature\",\"geometry\":null}\n\n{\"type\":\"Feature\",\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        // Record separators and nothing else: a sequence without records.
        let err = stations("\x1e\n\x1e\n").unwrap_err().to_string();
        assert!(err.contains("no stations"), "{err}");
        let err = stations("\n\n").unwrap_err().to_string();
        assert!(err.contains("the file is empty"), "{err}");
    }

    #[test]
    fn the_parallel_split_reads_what_the_serial_reader_does() {
        // Many batches' worth of small lines, with blank lines and CRLF.
        let mut text = String::new();
        for i in 0..30_000 {
            text.push_str(&format!(
                "{{\"type\":\"Feature\",\"properties\":{{\"id\":\"s{i}\"}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{}.5,{}]}}}}{}",
                i % 170,
                i % 80,
                if i % 7 == 0 { "\r\n\n" } else { "\n" }
            ));
        }
        let mut batches: Vec<Vec<RawStation>> = Vec::new();
        let fields = StationFieldSpecs::default();
        let meta = read_parallel(
            text.as_bytes(),
            Some(text.len() as u64),
            |batch| {
                batch
                    .texts()
                    .enumerate()
                    .map(|(k, t)| station_feature(t, batch.first_index + k, &fields).ok())
                    .collect::<Option<Vec<_>>>()
            },
            |b, _| batches.push(b),
        )
        .unwrap();
        assert_eq!(meta.records, 30_000);
        let parallel: Vec<RawStation> = batches.into_iter().flatten().collect();
        let source = Source::from_bytes("s.geojsonl", text.into_bytes());
        let input = source.open().unwrap();
        let mut serial = Vec::new();
        read_serial(&input, Layer::Stations, |t, i| {
            serial.push(station_feature(t, i, &fields)?);
            Ok(())
        })
        .unwrap();
        assert_eq!(parallel, serial);
    }
}
