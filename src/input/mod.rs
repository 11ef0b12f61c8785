//! One door in: every layer, of any format, is read here.
//!
//! A [`Source`] (file, standard input, bytes) is opened once into an
//! [`Input`], whose [`InputFormat`] is decided from magic bytes, then the
//! extension, then the content, with gzip undone transparently. The
//! format's [`LayerReader`] then turns the text into raw records
//! ([`raw`]) for the normalise stage: areas whole, stations streamed in
//! file order as converted batches, parsed on all cores where the format
//! allows.
//!
//! Adding a format is one file with a [`LayerReader`] and one entry in
//! [`dispatch`]. Formats that are recognised but not read (Shapefile,
//! GeoPackage, …) are refused by name, never misread.

pub mod csv;
pub mod digest;
pub mod encoding;
#[cfg(feature = "fgb")]
pub mod fgb;
pub mod format;
pub mod geojson;
mod geojson_split;
pub mod geojsonseq;
#[cfg(feature = "gpkg")]
pub mod gpkg;
pub mod limits;
pub mod lines;
pub mod names;
mod parallel;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod raw;
pub mod records;
pub mod shapefile;
pub mod source;
#[cfg(any(feature = "gpkg", feature = "fgb", feature = "parquet"))]
mod traits;
pub(crate) mod wkb_type;
pub mod zip;

pub use encoding::TextEncoding;
pub use format::{Compression, InputFormat};
pub use limits::ExpansionLimits;
pub use source::{Input, Source};

use crate::error::{Error, Result};
use crate::fields::StationFieldSpecs;
use raw::{LayerMeta, RawFeature, RawLayer, RawStation};

/// How to read a layer, beyond its format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The text encoding of a table (CSV, a Shapefile's `.dbf`), overriding
    /// a `.cpg`, a byte-order mark and detection.
    pub encoding: Option<TextEncoding>,
    /// Which layer (table) of a file that holds several, e.g. a
    /// GeoPackage's feature table.
    pub layer: Option<String>,
    /// A table's geometry column (WKT), instead of the usual names.
    pub geometry_field: Option<String>,
    /// How far compressed input may expand.
    pub limits: ExpansionLimits,
}

/// Records are handed over in batches of about this many bytes of text,
/// or this many records for formats read whole.
pub const STATION_CHUNK: usize = 1 << 16;

/// Where a station reader hands its batches: in file order, each already
/// passed through the caller's `convert` (which runs on any thread).
pub trait Collect<T> {
    /// The next batch in file order; `expected` estimates the layer's
    /// record count (at least the records handed over so far).
    fn take(&mut self, batch: T, expected: usize);
    /// Forget everything taken: the reader starts again from the first
    /// record (a parallel pass gave up and a serial one follows).
    fn restart(&mut self);
}

/// Collects converted batches into a vector, in order.
impl<T> Collect<T> for Vec<T> {
    fn take(&mut self, batch: T, _expected: usize) {
        self.push(batch);
    }
    fn restart(&mut self) {
        self.clear();
    }
}

/// A format's reader.
pub trait LayerReader {
    /// Reads an area layer whole.
    fn read_features(&self, input: &Input) -> Result<RawLayer<RawFeature>>;

    /// Reads a station layer, handing the records to `convert` in batches
    /// (on any thread) and the results to `sink` in file order. Returns
    /// what the layer said about itself.
    fn read_stations<T: Send>(
        &self,
        input: &Input,
        fields: &StationFieldSpecs,
        convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &mut (dyn Collect<T> + Send),
    ) -> Result<LayerMeta>;
}

/// A job to run with whichever reader an input's format has.
pub trait WithReader {
    /// What the job returns.
    type Output;
    /// Runs the job with `reader`.
    fn run<R: LayerReader>(self, reader: &R) -> Self::Output;
}

/// The registry: the reader of each format that has one, or the format
/// handed back when it has none.
pub fn dispatch<W: WithReader>(format: InputFormat, job: W) -> Result<W::Output, InputFormat> {
    Ok(match format {
        InputFormat::GeoJson => job.run(&geojson::GeoJson),
        InputFormat::GeoJsonSeq => job.run(&geojsonseq::GeoJsonSeq),
        InputFormat::JsonRecords => job.run(&records::JsonRecords),
        InputFormat::Csv => job.run(&csv::Csv),
        InputFormat::Zip => job.run(&zip::Zip),
        InputFormat::Shapefile => job.run(&shapefile::Shapefile),
        #[cfg(feature = "gpkg")]
        InputFormat::GeoPackage => job.run(&gpkg::GeoPackage),
        #[cfg(feature = "fgb")]
        InputFormat::FlatGeobuf => job.run(&fgb::FlatGeobuf),
        #[cfg(feature = "parquet")]
        InputFormat::GeoParquet => job.run(&parquet::Parquet),
        other => return Err(other),
    })
}

fn unsupported(input: &Input, format: InputFormat) -> Error {
    Error::UnsupportedFormat {
        source_name: input.name(),
        format,
    }
}

/// Reads an area layer in whatever format it is.
pub fn read_features(input: &Input) -> Result<RawLayer<RawFeature>> {
    struct Areas<'a, 's>(&'a Input<'s>);
    impl WithReader for Areas<'_, '_> {
        type Output = Result<RawLayer<RawFeature>>;
        fn run<R: LayerReader>(self, reader: &R) -> Self::Output {
            reader.read_features(self.0)
        }
    }
    dispatch(input.format(), Areas(input))
        .unwrap_or_else(|f| Err(unsupported(input, f)))
        .map_err(|e| input.breach().unwrap_or(e))
}

/// Reads a station layer in whatever format it is (see
/// [`LayerReader::read_stations`]).
pub fn read_stations<T: Send>(
    input: &Input,
    fields: &StationFieldSpecs,
    convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
    sink: &mut (dyn Collect<T> + Send),
) -> Result<LayerMeta> {
    struct Stations<'a, 's, T> {
        input: &'a Input<'s>,
        fields: &'a StationFieldSpecs,
        convert: &'a (dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &'a mut (dyn Collect<T> + Send),
    }
    impl<T: Send> WithReader for Stations<'_, '_, T> {
        type Output = Result<LayerMeta>;
        fn run<R: LayerReader>(self, reader: &R) -> Self::Output {
            reader.read_stations(self.input, self.fields, self.convert, self.sink)
        }
    }
    let job = Stations {
        input,
        fields,
        convert,
        sink,
    };
    dispatch(input.format(), job)
        .unwrap_or_else(|f| Err(unsupported(input, f)))
        .map_err(|e| input.breach().unwrap_or(e))
}

/// Reads a whole station layer into records (for tests and small layers).
pub fn read_station_records(
    input: &Input,
    fields: &StationFieldSpecs,
) -> Result<RawLayer<RawStation>> {
    let mut batches: Vec<Vec<RawStation>> = Vec::new();
    let meta = read_stations(input, fields, &|records| records, &mut batches)?;
    Ok(RawLayer {
        records: batches.into_iter().flatten().collect(),
        meta,
    })
}

/// Hands records read one at a time (by a serial reader) to `convert` in
/// chunks, and the results to `sink`, in order.
pub(crate) struct Chunked<'a, T> {
    chunk: Vec<RawStation>,
    convert: &'a (dyn Fn(Vec<RawStation>) -> T + Sync),
    sink: &'a mut (dyn Collect<T> + Send),
}

impl<'a, T> Chunked<'a, T> {
    /// Starts the layer again: `sink` forgets what it took.
    pub(crate) fn restart(
        convert: &'a (dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &'a mut (dyn Collect<T> + Send),
    ) -> Self {
        sink.restart();
        Chunked {
            chunk: Vec::new(),
            convert,
            sink,
        }
    }

    /// The next record.
    pub(crate) fn push(&mut self, record: RawStation) {
        self.chunk.push(record);
        if self.chunk.len() == STATION_CHUNK {
            let n = self.chunk.len();
            self.sink
                .take((self.convert)(std::mem::take(&mut self.chunk)), n);
        }
    }

    /// The last records; `records` is the layer's count.
    pub(crate) fn finish(self, records: usize) {
        self.sink.take((self.convert)(self.chunk), records);
    }
}

/// Hands records read whole to `convert` in chunks on all cores, and the
/// results to `sink` in order.
pub(crate) fn convert_in_chunks<T: Send>(
    records: Vec<RawStation>,
    convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
    sink: &mut (dyn Collect<T> + Send),
) {
    use rayon::prelude::*;
    let total = records.len();
    let mut records = records.into_iter();
    let mut chunks = Vec::new();
    loop {
        let chunk: Vec<RawStation> = records.by_ref().take(STATION_CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let converted: Vec<T> = chunks.into_par_iter().map(convert).collect();
    for batch in converted {
        sink.take(batch, total);
    }
}
