//! Where a layer comes from — a file, standard input, or bytes a caller
//! already holds — and [`Input`], a source opened once: its format and
//! compression decided, ready to be read (and read again) as plain text.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};
use crate::input::format::{self, Compression, InputFormat};
use crate::input::limits::{Bounded, ExpansionLimits};
use crate::input::{ReadOptions, TextEncoding};

/// A layer's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file (seekable, with siblings for formats that need them).
    Path(PathBuf),
    /// Standard input (`-` on the command line); read whole once.
    Stdin,
    /// Bytes held by the caller, with a name for messages (its extension
    /// helps to tell the format).
    Bytes {
        /// A name for messages, e.g. `stations.geojson`.
        name: String,
        /// The bytes, shared: cloning a source does not copy them.
        data: Arc<[u8]>,
    },
    /// Bytes compiled into the binary (the embedded demo data), with a name.
    Embedded(&'static str, &'static [u8]),
}

impl Source {
    /// `-` means standard input, anything else a path.
    pub fn from_arg(arg: &Path) -> Self {
        if arg.as_os_str() == "-" {
            Source::Stdin
        } else {
            Source::Path(arg.to_path_buf())
        }
    }

    /// Bytes a caller already holds, named for messages.
    pub fn from_bytes(name: impl Into<String>, data: impl Into<Arc<[u8]>>) -> Self {
        Source::Bytes {
            name: name.into(),
            data: data.into(),
        }
    }

    /// The file name, if the source has one.
    pub fn file_name(&self) -> Option<&str> {
        match self {
            Source::Path(p) => p.file_name()?.to_str(),
            Source::Bytes { name, .. } => Some(name.rsplit(['/', '\\']).next().unwrap_or(name)),
            Source::Embedded(name, _) => Some(name),
            Source::Stdin => None,
        }
    }

    /// The file's path, for formats that open it themselves.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Path(p) => Some(p),
            _ => None,
        }
    }

    fn read_error(&self, error: std::io::Error) -> Error {
        Error::Read {
            source_name: self.to_string(),
            error,
        }
    }

    /// Opens the source, decides its compression and format, and keeps
    /// standard input — and any path that is not a regular file (a named
    /// pipe, `/dev/stdin`, a process substitution) — whole, so that it is
    /// read once and can be read again from memory: such a stream cannot
    /// be reopened.
    pub fn open(&self) -> Result<Input<'_>> {
        self.open_with(&ReadOptions::default())
    }

    /// As [`Source::open`], with read options (a text encoding).
    pub fn open_with(&self, options: &ReadOptions) -> Result<Input<'_>> {
        let whole = match self {
            Source::Stdin => Some(self.read_stream(std::io::stdin().lock(), options)?),
            Source::Path(path) => {
                let meta = match std::fs::metadata(path) {
                    Ok(meta) => meta,
                    Err(e) => {
                        // `archive.zip/member`: a file inside a zip.
                        if let Some((archive, member)) = zip_member(path) {
                            return Ok(Input {
                                source: self,
                                encoding: options.encoding,
                                layer: options.layer.clone(),
                                geometry_field: options.geometry_field.clone(),
                                member: Some(member),
                                archive: Some(archive),
                                limits: options.limits,
                                breached: Arc::default(),
                                whole: None,
                                compression: Compression::None,
                                format: InputFormat::Zip,
                            });
                        }
                        return Err(self.read_error(e));
                    }
                };
                if meta.is_dir() {
                    return Err(self.read_error(std::io::Error::new(
                        std::io::ErrorKind::IsADirectory,
                        "is a directory, not a file",
                    )));
                }
                if meta.is_file() {
                    None
                } else {
                    let file = std::fs::File::open(path).map_err(|e| self.read_error(e))?;
                    Some(self.read_stream(file, options)?)
                }
            }
            _ => None,
        };
        let mut input = Input {
            source: self,
            encoding: options.encoding,
            layer: options.layer.clone(),
            geometry_field: options.geometry_field.clone(),
            member: None,
            archive: None,
            limits: options.limits,
            breached: Arc::default(),
            whole,
            compression: Compression::None,
            format: InputFormat::GeoJson,
        };
        let mut raw_head = Vec::new();
        input
            .raw_reader()?
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut raw_head)
            .map_err(|e| self.read_error(e))?;
        input.compression = format::compression(&raw_head);
        let mut head = Vec::new();
        input
            .reader()?
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(|e| self.read_error(e))?;
        if head.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::EmptyFile {
                source_name: self.to_string(),
            });
        }
        let name = self.file_name().map(format::strip_compression_suffix);
        input.format = format::detect(&head, name);
        Ok(input)
    }
}

impl Source {
    /// A stream read whole into memory, up to the limit on streams.
    fn read_stream(&self, stream: impl Read, options: &ReadOptions) -> Result<Vec<u8>> {
        let max = options.limits.max_bytes;
        let mut bytes = Vec::new();
        stream
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| self.read_error(e))?;
        if bytes.len() as u64 > max {
            return Err(options.limits.refusal(self.to_string(), None));
        }
        Ok(bytes)
    }
}

/// Splits `dir/a.zip/b/c.shp` into the archive `dir/a.zip` and the member
/// `b/c.shp`, when such an archive exists.
fn zip_member(path: &Path) -> Option<(PathBuf, String)> {
    let text = path.to_str()?;
    let lower = text.to_ascii_lowercase();
    let at = lower.find(".zip/")? + ".zip".len();
    let archive = PathBuf::from(&text[..at]);
    archive
        .is_file()
        .then(|| (archive, text[at + 1..].to_owned()))
}

/// How much of an input is looked at to tell its format.
const HEAD_BYTES: usize = 1 << 16;

/// A UTF-8 byte-order mark: dropped wherever text starts.
const BOM: &[u8] = b"\xEF\xBB\xBF";

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Path(p) => write!(f, "{}", p.display()),
            Source::Stdin => write!(f, "<stdin>"),
            Source::Bytes { name, .. } => write!(f, "{name}"),
            Source::Embedded(name, _) => write!(f, "{name} (embedded)"),
        }
    }
}

/// A source opened for reading: its format known, its text available as
/// often as a reader needs it (the parallel readers fall back to serial
/// ones that read again).
#[derive(Debug)]
pub struct Input<'s> {
    source: &'s Source,
    encoding: Option<TextEncoding>,
    layer: Option<String>,
    geometry_field: Option<String>,
    /// The member of a zip archive named in the path (`a.zip/b.shp`).
    member: Option<String>,
    /// The archive, when the path names a member inside one.
    archive: Option<PathBuf>,
    /// How far compressed text may expand.
    limits: ExpansionLimits,
    /// Set when the text expanded beyond `limits` (see [`Input::breach`]).
    breached: Arc<AtomicBool>,
    /// Standard input, read whole.
    whole: Option<Vec<u8>>,
    compression: Compression,
    format: InputFormat,
}

impl<'s> Input<'s> {
    /// The source this input was opened from.
    pub fn source(&self) -> &'s Source {
        self.source
    }

    /// Its format.
    pub fn format(&self) -> InputFormat {
        self.format
    }

    /// The layer (table) named for it, if any.
    pub fn layer(&self) -> Option<&str> {
        self.layer.as_deref()
    }

    /// How to find a table's WKT geometry column.
    pub fn geometry_field(&self) -> crate::fields::FieldSpec {
        crate::fields::FieldSpec::from_option(
            self.geometry_field.as_deref(),
            crate::fields::defaults::GEOMETRY,
        )
    }

    /// The text encoding named for it, if any.
    pub fn encoding(&self) -> Option<TextEncoding> {
        self.encoding
    }

    /// Its compression (undone by [`Input::reader`]).
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The source's name for messages.
    pub fn name(&self) -> String {
        self.source.to_string()
    }

    /// The file to read, for formats that open it themselves (the archive
    /// when the path names a member of one).
    pub fn path(&self) -> Option<&Path> {
        self.archive.as_deref().or(self.source.path())
    }

    /// The file a format that reads files in place (with siblings, or as
    /// a database) opens; an error naming `format` for streams, bytes and
    /// compressed input.
    pub fn file_path(&self, format: InputFormat) -> Result<&Path> {
        self.path()
            .filter(|_| self.compression == Compression::None)
            .ok_or_else(|| Error::NeedsFile {
                source_name: self.name(),
                format,
            })
    }

    /// The member of a zip archive named in the path, if any.
    pub fn member(&self) -> Option<&str> {
        self.member.as_deref()
    }

    /// The geometry column named for a table, if any.
    pub fn geometry_field_name(&self) -> Option<&str> {
        self.geometry_field.as_deref()
    }

    /// The error for an I/O failure while reading this input.
    pub fn read_error(&self, error: std::io::Error) -> Error {
        self.source.read_error(error)
    }

    fn raw_reader(&self) -> Result<Box<dyn Read + Send + '_>> {
        Ok(match (self.source, &self.whole) {
            (_, Some(bytes)) => Box::new(bytes.as_slice()),
            (Source::Path(path), None) => Box::new(
                std::fs::File::open(self.archive.as_deref().unwrap_or(path))
                    .map_err(|e| self.source.read_error(e))?,
            ),
            (Source::Bytes { data, .. }, None) => Box::new(&data[..]),
            (Source::Embedded(_, data), None) => Box::new(*data),
            (Source::Stdin, None) => {
                unreachable!("standard input is read whole when opened")
            }
        })
    }

    /// The input's text from the start, decompressed and without a UTF-8
    /// byte-order mark. May be called again for another pass.
    pub fn reader(&self) -> Result<Box<dyn Read + Send + '_>> {
        // A pass that ran into the limits: the next would only run into
        // them again.
        if let Some(refusal) = self.breach() {
            return Err(refusal);
        }
        let raw = self.raw_reader()?;
        let mut reader: Box<dyn Read + Send> = match self.compression {
            Compression::None => raw,
            Compression::Gzip => {
                let (allowed, _) = self.limits.allowance(self.stored_len().unwrap_or(0));
                Box::new(Bounded::new(
                    flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(
                        1 << 16,
                        raw,
                    )),
                    allowed,
                    self.breached.clone(),
                ))
            }
        };
        let mut head = Vec::with_capacity(3);
        (&mut reader)
            .take(3)
            .read_to_end(&mut head)
            .map_err(|e| self.read_error(e))?;
        if head == BOM {
            head.clear();
        }
        Ok(Box::new(std::io::Cursor::new(head).chain(reader)))
    }

    /// The limits on how far its text may expand.
    pub fn limits(&self) -> ExpansionLimits {
        self.limits
    }

    /// The refusal for text that expanded beyond the limits, once a read
    /// has run into them (whatever error the reader then gave).
    pub fn breach(&self) -> Option<Error> {
        self.breached
            .load(Ordering::Relaxed)
            .then(|| self.limits.refusal(self.name(), self.stored_len()))
    }

    /// The length of the text [`Input::reader`] gives, where it is known
    /// before reading (not for compressed input).
    pub fn byte_len(&self) -> Option<u64> {
        if self.compression != Compression::None {
            return None;
        }
        self.stored_len()
    }

    /// The length of the bytes as stored (compressed or not).
    fn stored_len(&self) -> Option<u64> {
        match (self.source, &self.whole) {
            (_, Some(bytes)) => Some(bytes.len() as u64),
            (Source::Path(path), None) => {
                std::fs::metadata(self.archive.as_deref().unwrap_or(path))
                    .ok()
                    .map(|m| m.len())
            }
            (Source::Bytes { data, .. }, None) => Some(data.len() as u64),
            (Source::Embedded(_, data), None) => Some(data.len() as u64),
            (Source::Stdin, None) => None,
        }
    }

    /// The whole text, decompressed and without a byte-order mark.
    pub fn read_all(&self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        if let Some(len) = self.byte_len() {
            bytes.reserve(len as usize);
        }
        self.reader()?
            .read_to_end(&mut bytes)
            .map_err(|e| self.read_error(e))?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        out.write_all(bytes).unwrap();
        out.finish().unwrap()
    }

    #[test]
    fn bytes_are_read_as_often_as_asked_without_a_bom() {
        let source = Source::from_bytes("s.csv", &b"\xEF\xBB\xBFlon,lat\n1,2\n"[..]);
        let input = source.open().unwrap();
        assert_eq!(input.format(), InputFormat::Csv);
        assert_eq!(input.read_all().unwrap(), b"lon,lat\n1,2\n");
        assert_eq!(input.read_all().unwrap(), b"lon,lat\n1,2\n");
    }

    #[test]
    fn gzip_is_undone_and_the_inner_format_detected() {
        let text =
            b"{\"type\":\"Feature\",\"geometry\":null}\n{\"type\":\"Feature\",\"geometry\":null}\n";
        let source = Source::from_bytes("s.geojson.gz", gzip(text));
        let input = source.open().unwrap();
        assert_eq!(input.compression(), Compression::Gzip);
        assert_eq!(input.format(), InputFormat::GeoJsonSeq);
        assert_eq!(input.byte_len(), None);
        assert_eq!(input.read_all().unwrap(), text);
        // No telling name: the content decides.
        let source = Source::from_bytes("upload", gzip(b"id,lon,lat\n1,2,3\n"));
        assert_eq!(source.open().unwrap().format(), InputFormat::Csv);
    }

    #[test]
    fn a_missing_file_names_itself() {
        let err = Source::Path("/nonexistent/x.geojson".into())
            .open()
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/x.geojson"), "{err}");
    }
}
