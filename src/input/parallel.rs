//! The machinery of the parallel readers: one thread cuts the text into
//! [`Batch`]es of whole features, the batches are parsed on any core, and
//! the results are taken back in file order as soon as those before them
//! are in, so that only the batches in flight are held twice.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::mpsc;

/// A run of consecutive features' texts.
#[derive(Debug, Default)]
pub struct Batch {
    /// Index of the first feature in the layer.
    pub first_index: usize,
    /// The text the features are cut from.
    pub data: Vec<u8>,
    /// Byte ranges of the features in `data`.
    pub features: Vec<(u32, u32)>,
}

impl Batch {
    /// The features' texts, in order.
    pub fn texts(&self) -> impl Iterator<Item = &[u8]> {
        self.features
            .iter()
            .map(|&(s, e)| &self.data[s as usize..e as usize])
    }
}

/// Bytes of text per batch.
pub const BATCH_BYTES: usize = 1 << 20;

/// Runs `split` on its own thread — it gets a source of used batches to
/// fill again and a sink for full ones — parses each batch with `parse`
/// on any core (`None` gives up), and hands the results to `take` in file
/// order with an estimate of the layer's feature count (from
/// `total_bytes`, when known, and the bytes per feature so far).
///
/// Returns what `split` returned and the number of features, or `None`
/// when the splitter or any parse gave up.
pub fn run<S: Send, T: Send>(
    split: impl FnOnce(&mut dyn FnMut() -> Option<Batch>, &mut dyn FnMut(Batch)) -> Option<S> + Send,
    total_bytes: Option<u64>,
    parse: impl Fn(&Batch) -> Option<T> + Sync,
    take: impl FnMut(T, usize) + Send,
) -> Option<(S, usize)> {
    use rayon::iter::{ParallelBridge, ParallelIterator};

    let in_order = Mutex::new(InOrder {
        next: 0,
        bytes: 0,
        total_bytes: total_bytes.unwrap_or(0),
        waiting: BTreeMap::new(),
        take,
    });
    let (tx, rx) = mpsc::sync_channel::<Batch>(rayon::current_num_threads());
    // Parsed batches go back to the splitter to be filled again.
    let (used_tx, used_rx) = mpsc::channel::<Batch>();
    let (split_result, parsed) = std::thread::scope(|scope| {
        let splitter = scope.spawn(move || {
            split(&mut || used_rx.try_recv().ok(), &mut |batch| {
                // A closed channel means the parsers gave up; stop quietly.
                let _ = tx.send(batch);
            })
        });
        let parsed = rx.into_iter().par_bridge().try_for_each(|batch| {
            let parsed = parse(&batch)?;
            in_order.lock().ok()?.offer(
                batch.first_index,
                batch.features.len(),
                batch.data.len(),
                parsed,
            );
            let _ = used_tx.send(batch);
            Some(())
        });
        (splitter.join(), parsed)
    });
    let split_result = split_result.ok()??;
    parsed?;
    let in_order = in_order.into_inner().ok()?;
    if !in_order.waiting.is_empty() {
        return None;
    }
    Some((split_result, in_order.next))
}

/// Puts batches that finish in any order back into file order.
struct InOrder<T, F> {
    /// Index of the first feature not yet handed over.
    next: usize,
    /// Bytes of the batches handed over, and of the whole text (0 when
    /// unknown).
    bytes: usize,
    total_bytes: u64,
    /// Finished batches that wait for an earlier one: by first feature,
    /// with their feature count and bytes. Batches are never empty.
    waiting: BTreeMap<usize, (usize, usize, T)>,
    take: F,
}

impl<T, F: FnMut(T, usize)> InOrder<T, F> {
    fn offer(&mut self, first: usize, features: usize, bytes: usize, item: T) {
        self.waiting.insert(first, (features, bytes, item));
        while let Some((features, bytes, item)) = self.waiting.remove(&self.next) {
            self.next += features;
            self.bytes += bytes;
            let expected = (self.total_bytes as f64 * self.next as f64 / self.bytes.max(1) as f64)
                .max(self.next as f64) as usize;
            (self.take)(item, expected);
        }
    }
}
