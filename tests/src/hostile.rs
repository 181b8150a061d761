//! What the hub and devices do with bytes from outside, as functions that
//! panic when a property breaks: the fuzz targets in `fuzz/` call them on
//! generated input, and `tests/scenarios/hostile.rs` replays the committed
//! corpus and every crasher ever found through them.

use automerge::AutoCommit;
use chrono::NaiveDate;

/// A sync request from the network: decoding never panics, and what decodes
/// encodes back to something that decodes to the same request.
pub fn sync_request(data: &[u8]) {
    if let Ok(req) = gridline_sync::decode_request(data) {
        let again = gridline_sync::decode_request(&gridline_sync::encode(&req))
            .expect("a decoded request re-encodes to a decodable one");
        assert_eq!(again, req, "decode ∘ encode is the identity");
    }
}

/// Document bytes received from the network, whole (a first push or a
/// pulled document) or as changes on top of a document the hub holds:
/// loading and reading them as a record never panics, whatever their shape.
pub fn document(data: &[u8]) {
    if let Ok(doc) = gridline_records::load(data, &[7u8; 16]) {
        let _ = gridline_records::Record::read(&doc);
    }
    let mut base = base_household();
    if base.load_incremental(data).is_ok() {
        let _ = gridline_records::Record::read(&base);
    }
}

/// A household spreadsheet as a community office saves it: parsing never
/// panics, and every reported problem names a line.
pub fn household_import(data: &[u8]) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date");
    if let Err(errors) = gridline_hub::import::parse(data, today) {
        assert!(!errors.is_empty(), "a refused import says why");
    }
}

/// A small valid household document, the base the changes apply to.
fn base_household() -> AutoCommit {
    const BASE: &[u8] = include_bytes!("../fixtures/hostile/household.automerge");
    AutoCommit::load(BASE).expect("the fixture is a valid document")
}
