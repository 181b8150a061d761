//! Photos and locations as evidence (DESIGN §9), the pure part.
//!
//! - [`encode`]: a taken photo's bytes in; the re-encoded photo (upright,
//!   at most 1600 px, JPEG, no EXIF) and its thumbnail out, each named by its
//!   SHA-256.
//! - [`geo`]: WGS-84 to GCJ-02, for handing a stored location to a Chinese
//!   map app.
//!
//! No IO: the device stores the files, the hub keeps the blobs.

pub mod encode;
pub mod geo;

pub use encode::{is_sha256_hex, reencode, sha256_hex, EncodeError, Encoded};
