//! Where a layer comes from: a file path or standard input (`-`).

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// An input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Path(PathBuf),
    Stdin,
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

    /// The lower-case file extension, if any (standard input has none).
    pub fn extension(&self) -> Option<String> {
        let name = match self {
            Source::Path(p) => p.file_name()?.to_str()?.to_owned(),
            Source::Embedded(name, _) => (*name).to_owned(),
            Source::Stdin => return None,
        };
        let (_, ext) = name.rsplit_once('.')?;
        Some(ext.to_ascii_lowercase())
    }

    /// Opens a file or embedded input for reading in pieces, without a UTF-8
    /// byte-order mark. Standard input cannot be read twice: read it whole.
    pub fn open(&self) -> Result<Box<dyn Read + Send + 'static>> {
        let read_error = |error| Error::Read {
            source_name: self.to_string(),
            error,
        };
        let mut reader: Box<dyn Read + Send> = match self {
            Source::Path(path) => Box::new(std::fs::File::open(path).map_err(read_error)?),
            Source::Embedded(_, data) => Box::new(*data),
            Source::Stdin => {
                return Err(read_error(std::io::Error::other(
                    "standard input is read whole, not opened",
                )));
            }
        };
        let mut head = Vec::with_capacity(3);
        (&mut reader)
            .take(3)
            .read_to_end(&mut head)
            .map_err(read_error)?;
        if head == b"\xEF\xBB\xBF" {
            head.clear();
        }
        Ok(Box::new(std::io::Cursor::new(head).chain(reader)))
    }

    /// The input's length in bytes, where it is known before reading.
    pub fn byte_len(&self) -> Option<u64> {
        match self {
            Source::Path(path) => std::fs::metadata(path).ok().map(|m| m.len()),
            Source::Stdin => None,
            Source::Embedded(_, data) => Some(data.len() as u64),
        }
    }

    /// Reads the whole input, without a UTF-8 byte-order mark.
    pub fn read_all(&self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        let result = match self {
            Source::Path(path) => std::fs::File::open(path).and_then(|mut f| {
                if let Ok(meta) = f.metadata() {
                    bytes.reserve(meta.len() as usize);
                }
                f.read_to_end(&mut bytes)
            }),
            Source::Stdin => std::io::stdin().lock().read_to_end(&mut bytes),
            Source::Embedded(_, data) => {
                bytes.extend_from_slice(data);
                Ok(data.len())
            }
        };
        result.map_err(|error| Error::Read {
            source_name: self.to_string(),
            error,
        })?;
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        Ok(bytes)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Path(p) => write!(f, "{}", p.display()),
            Source::Stdin => write!(f, "<stdin>"),
            Source::Embedded(name, _) => write!(f, "{name} (embedded)"),
        }
    }
}
