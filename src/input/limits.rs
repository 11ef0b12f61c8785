//! How far an input may grow as it is read: compressed text (gzip, zip
//! members) and streams read whole into memory. A 10 MB archive can hold
//! 10 GiB of spaces; without a bound it fills the disk or the memory
//! before any parser sees a byte it can refuse. The bounds are stated
//! here, overridable by the caller, and named in the refusal.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, SizeLimit};

/// Text up to this size is never refused for its compression ratio: a
/// small, very repetitive file is no threat.
pub const RATIO_FLOOR_BYTES: u64 = 16 << 20;

/// The bounds on what an input may expand to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpansionLimits {
    /// The most bytes of text a compressed input (or a stream read whole)
    /// may give. Default 1 GiB: far above any real boundary or station
    /// layer in a zip or gzip, and low enough that a hostile input stays
    /// within 2 GB of memory.
    pub max_bytes: u64,
    /// The most bytes of text per compressed byte, above
    /// [`RATIO_FLOOR_BYTES`]. Default 100: GeoJSON, CSV and Shapefiles
    /// compress 3–20 times; a compression bomb of spaces or zeros about
    /// 1,000 times.
    pub max_ratio: u64,
}

impl Default for ExpansionLimits {
    fn default() -> Self {
        ExpansionLimits {
            max_bytes: 1 << 30,
            max_ratio: 100,
        }
    }
}

impl ExpansionLimits {
    /// The most text `compressed_bytes` of compressed input may give, and
    /// which limit sets it.
    pub fn allowance(&self, compressed_bytes: u64) -> (u64, SizeLimit) {
        let by_ratio = compressed_bytes
            .saturating_mul(self.max_ratio)
            .max(RATIO_FLOOR_BYTES);
        if by_ratio < self.max_bytes {
            (by_ratio, SizeLimit::Ratio(self.max_ratio))
        } else {
            (self.max_bytes, SizeLimit::Expanded)
        }
    }

    /// The refusal of `source_name` for giving more than its allowance.
    pub fn refusal(&self, source_name: String, compressed_bytes: Option<u64>) -> Error {
        let (limit_bytes, limit) = match compressed_bytes {
            Some(c) => self.allowance(c),
            None => (self.max_bytes, SizeLimit::Stream),
        };
        Error::TooLarge {
            source_name,
            limit_bytes,
            limit,
            compressed_bytes,
        }
    }
}

/// A reader that gives at most `allowed` bytes and then fails, noting
/// the breach where its input can find it after the failure has passed
/// through a parser (which words it as its own error).
pub struct Bounded<R> {
    inner: R,
    left: u64,
    breached: Arc<AtomicBool>,
}

impl<R: Read> Bounded<R> {
    /// `inner`, allowed `allowed` bytes; a breach sets `breached`.
    pub fn new(inner: R, allowed: u64, breached: Arc<AtomicBool>) -> Self {
        Bounded {
            inner,
            left: allowed,
            breached,
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // One byte more than allowed means too much.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.breached.store(true, Ordering::Relaxed);
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                "the input expands beyond its size limit",
            ));
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// A small text file (a `.prj`, a `.cpg`, a claim) read whole, refused
/// with [`io::ErrorKind::FileTooLarge`] beyond `max_bytes` (a device or a
/// pipe that never ends is not read to the end of memory).
pub fn read_small_text(path: &std::path::Path, max_bytes: u64) -> io::Result<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "larger than {} KB, too large for what it should hold",
                max_bytes / 1024
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_binds_small_inputs_and_the_size_large_ones() {
        let limits = ExpansionLimits {
            max_bytes: 1 << 30,
            max_ratio: 100,
        };
        // 1 MB compressed: 100 MB by the ratio.
        assert_eq!(
            limits.allowance(1 << 20),
            (100 << 20, SizeLimit::Ratio(100))
        );
        // 1 KB compressed: the floor, not 100 KB.
        assert_eq!(
            limits.allowance(1 << 10),
            (RATIO_FLOOR_BYTES, SizeLimit::Ratio(100))
        );
        // 100 MB compressed: the size limit is lower than 10 GB.
        assert_eq!(limits.allowance(100 << 20), (1 << 30, SizeLimit::Expanded));
        // No overflow at the ends.
        assert_eq!(limits.allowance(u64::MAX).0, 1 << 30);
    }

    #[test]
    fn exactly_the_allowance_reads_and_one_byte_more_fails() {
        let breached = Arc::new(AtomicBool::new(false));
        let mut out = Vec::new();
        Bounded::new(&[7u8; 10][..], 10, breached.clone())
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 10);
        assert!(!breached.load(Ordering::Relaxed));
        let err = Bounded::new(&[7u8; 11][..], 10, breached.clone())
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert!(breached.load(Ordering::Relaxed));
    }
}
