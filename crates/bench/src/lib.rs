//! What `gridline bench store|sync|peer|soak|photos` measure, as figures for the
//! CLI to print: the device store on a demo grid ([`store`]), a hub process
//! and devices over loopback ([`sync`], [`soak`]), and Gridline beside
//! automerge-repo ([`peer`]), and photos: re-encoding, uploads, thumbnails
//! ([`photos`]). Each run works in a scratch directory of its
//! own under the one it is given, and removes it.
//!
//! ```no_run
//! # fn main() -> gridline_bench::Result<()> {
//! // Encrypted stores (SQLCipher), without the street-scale seed.
//! let b = gridline_bench::store::run(&std::env::temp_dir(), false, true, chrono::Utc::now())?;
//! println!("search: median {:?} ({} runs)", b.search.median, b.search.runs);
//! # Ok(()) }
//! ```
//!
//! The hub runs as its own process ([`HubProcess`], `gridline hub serve` on
//! 127.0.0.1:0), so its time and memory are its own; many simulated devices
//! push through one [`PushClient`] each. Use a release build for numbers.

mod error;
mod hub_process;
pub mod peer;
pub mod photos;
mod push;
pub mod soak;
pub mod store;
pub mod sync;

use std::time::Duration;

pub(crate) use error::check;
pub use error::{Error, Result};
pub use hub_process::HubProcess;
pub use push::{hub_counter, PushClient, Pushed};
pub use store::{Sample, StoreBench};

/// The `p`th percentile of `xs` (sorted here); `xs` must not be empty.
fn percentile(xs: &mut [Duration], p: usize) -> Duration {
    xs.sort();
    xs[(xs.len() * p / 100).min(xs.len() - 1)]
}
