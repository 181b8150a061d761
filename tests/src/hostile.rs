//! What the hub and devices do with bytes from outside, as functions that
//! panic when a property breaks: the fuzz targets in `fuzz/` call them on
//! generated input, and `tests/scenarios/hostile.rs` replays the committed
//! corpus and every crasher ever found through them.

use automerge::AutoCommit;
use chrono::NaiveDate;

/// A sync request from the network: decoding never panics, and what decodes
/// encodes back to something that decodes to the same request.
///
/// What decodes is also within every budget (the hub does no work on a
/// request that is not), and one CBOR item with bytes after it never decodes.
pub fn sync_request(data: &[u8]) {
    if let Ok(req) = gridline_sync::decode_request(data) {
        req.check_budget()
            .expect("a decoded request is within the budgets");
        assert!(
            req.push.len() + req.sync.len() <= gridline_sync::MAX_PUSH_ENTRIES,
            "at most {} entries decode",
            gridline_sync::MAX_PUSH_ENTRIES
        );
        let bytes = gridline_sync::encode(&req);
        let again = gridline_sync::decode_request(&bytes)
            .expect("a decoded request re-encodes to a decodable one");
        assert_eq!(again, req, "decode ∘ encode is the identity");
        let mut trailing = bytes;
        trailing.push(0);
        assert!(
            gridline_sync::decode_request(&trailing).is_err(),
            "a byte after the item is refused"
        );
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

/// An enrolment code as someone typed it: normalising never panics; what it
/// accepts is the canonical `XXXX-XXXX-XXXX` of the code alphabet, and
/// normalising that again gives the same.
pub fn enrol_code(data: &[u8]) {
    use gridline_sync::enrol_code::{normalise, ALPHABET, LEN};
    let Ok(typed) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(code) = normalise(typed) {
        let letters: String = code.chars().filter(|c| *c != '-').collect();
        assert_eq!(letters.chars().count(), LEN, "{LEN} letters: {code}");
        assert!(
            letters.chars().all(|c| ALPHABET.contains(c)),
            "only the code alphabet: {code}"
        );
        assert_eq!(code.len(), LEN + 2, "grouped by four: {code}");
        assert_eq!(
            normalise(&code).as_deref(),
            Ok(code.as_str()),
            "the canonical form is a fixed point"
        );
    }
}

/// A small valid household document, the base the changes apply to.
fn base_household() -> AutoCommit {
    const BASE: &[u8] = include_bytes!("../fixtures/hostile/household.automerge");
    AutoCommit::load(BASE).expect("the fixture is a valid document")
}
