//! Random streams for the generator: one independent ChaCha8 stream per
//! purpose (and per key within a purpose), all derived from the user's
//! seed, so that adding randomness in one place never shifts another and
//! parallel work gives the same bytes as serial work.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a stream is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    Seeds = 1,
    Boundary = 2,
    Areas = 3,
    Names = 4,
    Stations = 5,
    Groups = 6,
    Network = 7,
}

/// The stream for `purpose`.
pub fn stream(seed: u64, purpose: Stream) -> ChaCha8Rng {
    keyed(seed, purpose, 0)
}

/// Stream number `key` of `purpose` (e.g. one per boundary or chunk).
pub fn keyed(seed: u64, purpose: Stream, key: u64) -> ChaCha8Rng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&(purpose as u64).to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(bytes);
    rng.set_stream(key);
    rng
}
