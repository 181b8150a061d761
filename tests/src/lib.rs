//! Cross-crate scenarios live in tests/scenarios/; `hostile` holds the
//! properties the fuzz targets and the corpus replay share.

pub mod hostile;
