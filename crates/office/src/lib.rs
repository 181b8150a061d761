//! Office files: what community and street offices keep in spreadsheets.
//!
//! `import` reads a household roster from what an office has (`.xlsx`,
//! `.xls`, `.ods`, CSV in UTF-8 with or without a byte-order mark, or GBK);
//! `export` writes ledgers and reports as `.xlsx` with a CSV twin each.
//!
//! Pure: bytes in, rows or bytes out. No IO, no clock.

pub mod export;
pub mod import;
pub mod ledger;
pub mod monthly;
