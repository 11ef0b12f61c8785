//! Progress reporting as a callback interface, so the library never
//! prints: the binary plugs in progress bars, tests and embedders plug in
//! nothing.

/// Receives progress of the pipeline's stages. Implementations must be
/// cheap to call from many threads at once.
pub trait Progress: Sync {
    /// A stage begins; `total` is its number of steps when known.
    fn start(&self, _stage: &'static str, _total: Option<u64>) {}
    /// `n` more steps of the current stage are done.
    fn advance(&self, _n: u64) {}
    /// The current stage is done.
    fn finish(&self) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}
