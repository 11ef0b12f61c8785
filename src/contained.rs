//! Panics of dependencies on corrupt input, contained: some decoders (the
//! `parquet` crate's page decoding) index into data a corrupt file
//! controls and panic instead of returning an error. [`contained`] runs
//! such a decoder and turns its panic into an error message, and marks
//! the thread meanwhile so that a program's panic hook can stay quiet
//! ([`is_contained`]): the panic is expected, and reported as bad input.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is inside [`contained`] (for panic hooks).
pub fn is_contained() -> bool {
    CONTAINED.with(Cell::get)
}

/// Runs `f`; a panic in it becomes `Err` with its message.
pub fn contained<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let was = CONTAINED.with(|c| c.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a decoder failed".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let result: Result<(), String> = contained(|| panic!("index out of range"));
        std::panic::set_hook(hook);
        assert_eq!(result, Err("index out of range".to_owned()));
        assert_eq!(contained(|| 7), Ok(7));
        assert!(!is_contained());
    }
}
