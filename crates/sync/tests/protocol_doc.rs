//! `docs/sync-protocol.md` states every budget and width of a sync request in
//! two places: one row per constant in the table under "### Budgets", and
//! one `NAME = value` line under "## Limits". Both are checked here against
//! the constants in `gridline_sync`, written the way the document writes
//! them ("500", "1 MiB", "50 ms", "20,000", "2^63−1"): change a constant
//! without the document, or the document without the code, and this fails.
//!
//! The hub's own numbers (the probe throttle) are checked in
//! `crates/hub/tests/protocol_doc.rs`; this crate does not depend on the hub.

use gridline_sync::{
    DEFAULT_PAGE, HEAD_HEX_BYTES, MAX_CHANGES_PER_REQUEST, MAX_CURSOR, MAX_ENTRY_BYTES, MAX_HEADS,
    MAX_ID_BYTES, MAX_PUSH_ENTRIES, MAX_REPLY_BYTES, MAX_REQUEST_BYTES, PUSH_STEP_MILLIS,
};

mod docs_text;
use docs_text::{prose, read, section};

fn doc() -> String {
    read("docs/sync-protocol.md")
}

/// A count as the document writes it: `500`, `2,000`, `20,000`.
fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A size as the document writes it: `1 MiB`, `16 KiB`, `64 bytes`.
fn size(n: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    match n {
        n if n >= MIB && n.is_multiple_of(MIB) => format!("{} MiB", n / MIB),
        n if n >= KIB && n.is_multiple_of(KIB) => format!("{} KiB", n / KIB),
        n => format!("{} bytes", count(n)),
    }
}

/// The largest cursor as the document writes it: `2^63−1` (a minus sign).
fn power_of_two_less_one(n: u64) -> String {
    let next = n
        .checked_add(1)
        .expect("the largest cursor is below 2^64−1");
    assert!(
        next.is_power_of_two(),
        "MAX_CURSOR is one less than a power of two, so the document can give it as 2^k−1: {n}"
    );
    format!("2^{}−1", next.trailing_zeros())
}

/// Every budget and width, with its value as the document must write it.
fn budgets() -> Vec<(&'static str, String)> {
    vec![
        ("MAX_REQUEST_BYTES", size(MAX_REQUEST_BYTES)),
        ("MAX_PUSH_ENTRIES", count(MAX_PUSH_ENTRIES)),
        ("MAX_ENTRY_BYTES", size(MAX_ENTRY_BYTES)),
        ("MAX_ID_BYTES", size(MAX_ID_BYTES)),
        ("MAX_HEADS", count(MAX_HEADS)),
        (
            "HEAD_HEX_BYTES",
            format!("{} hex digits", count(HEAD_HEX_BYTES)),
        ),
        ("MAX_CURSOR", power_of_two_less_one(MAX_CURSOR)),
        ("DEFAULT_PAGE", count(DEFAULT_PAGE as usize)),
        ("MAX_CHANGES_PER_REQUEST", count(MAX_CHANGES_PER_REQUEST)),
        ("PUSH_STEP_MILLIS", format!("{PUSH_STEP_MILLIS} ms")),
        ("MAX_REPLY_BYTES", size(MAX_REPLY_BYTES)),
    ]
}

/// The rows of the Markdown tables in `text`: first cell (code marks
/// removed) → second cell.
fn rows(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|-") && !l.starts_with("|--"))
        .filter_map(|l| {
            let mut cells = l.trim_matches('|').split('|').map(str::trim);
            let name = cells.next()?.replace('`', "");
            let value = cells.next()?.to_owned();
            Some((name, value))
        })
        .collect()
}

#[test]
fn the_budgets_table_gives_each_constant_its_value() {
    let table = rows(&section(&doc(), "### Budgets"));
    for (name, value) in budgets() {
        let found: Vec<&String> = table
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "### Budgets must have exactly one row for {name}, so a client writer finds each limit once: {found:?}"
        );
        assert_eq!(
            found[0].replace('`', ""),
            value,
            "### Budgets gives {name} as {:?}, but the code's constant is {value}: a client built from the document would be refused (or would hold back for nothing)",
            found[0]
        );
    }
}

#[test]
fn the_limits_list_states_each_budget_as_the_code_does() {
    let limits = prose(&section(&doc(), "## Limits"));
    for (name, value) in budgets() {
        let line = prose(&format!("{name} = {value}"));
        assert!(
            limits.contains(&line),
            "## Limits must say \"{line}\": it is the one list of every number a client must respect, and the code's constant says {value}"
        );
    }
}

#[test]
fn the_request_table_names_the_widths_it_relies_on() {
    let doc = doc();
    let request = prose(&section(&doc, "### Request (`SyncRequest`)"));
    for (what, text) in [
        ("the largest cursor", power_of_two_less_one(MAX_CURSOR)),
        (
            "the page clamp",
            format!("1..={}", count(DEFAULT_PAGE as usize)),
        ),
        ("the entries per request", count(MAX_PUSH_ENTRIES)),
        ("an entry's bytes", size(MAX_ENTRY_BYTES)),
    ] {
        assert!(
            request.contains(&prose(&text)),
            "the request table must state {what} ({text}), as the code enforces it, beside the field it bounds"
        );
    }
}

/// What the document once said that the code no longer does.
const STALE: &[(&str, &str)] = &[
    (
        "replies have no size limit",
        "a page ends at MAX_REPLY_BYTES of documents",
    ),
    (
        "one lock for the whole hub",
        "pushes and pages take separate connections, each for one bounded step",
    ),
    (
        "runs the whole round trip in one sqlite transaction",
        "the pushes commit in one transaction, the page is read in another",
    ),
    (
        "if it belongs to another device, the reply is 401",
        "an actor owned elsewhere is 400: the token is fine",
    ),
    (
        "documents per request (device side)",
        "the hub enforces the 500 entries itself (MAX_PUSH_ENTRIES)",
    ),
    (
        "413 bodies and panicked are plain text",
        "a panic answers the JSON error body",
    ),
];

#[test]
fn the_document_no_longer_says_what_the_code_stopped_doing() {
    let text = prose(&doc());
    for (stale, now) in STALE {
        assert!(
            !text.contains(stale),
            "docs/sync-protocol.md still says \"{stale}\", but now {now}"
        );
    }
}
