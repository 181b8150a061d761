//! The hub's own sync limits, as `docs/sync-protocol.md` and the OpenAPI
//! document state them, checked against the code's constants: the probe
//! throttle (`PROBE_LIMIT`, `PROBE_WINDOW_MINUTES`), and the budgets the
//! OpenAPI descriptions of `/v1/sync` repeat as plain numbers (they are
//! literals in `server.rs`, so nothing else keeps them true). The budgets'
//! own table is checked in `crates/sync/tests/protocol_doc.rs`.

use gridline_hub::{PROBE_LIMIT, PROBE_WINDOW_MINUTES};
use gridline_sync::{
    HEAD_HEX_BYTES, MAX_CURSOR, MAX_ENTRY_BYTES, MAX_ID_BYTES, MAX_PUSH_ENTRIES, MAX_REQUEST_BYTES,
};

#[path = "../../sync/tests/docs_text/mod.rs"]
mod docs_text;
use docs_text::{prose, read, section};

fn mib(n: usize) -> String {
    assert!(
        n.is_multiple_of(1024 * 1024),
        "{n} bytes is a whole number of MiB"
    );
    format!("{} MiB", n / (1024 * 1024))
}

#[test]
fn the_protocol_document_states_the_probe_throttle_the_hub_enforces() {
    let doc = read("docs/sync-protocol.md");
    let limits = prose(&section(&doc, "## Limits"));
    for (name, value) in [
        ("PROBE_LIMIT", PROBE_LIMIT),
        ("PROBE_WINDOW_MINUTES", PROBE_WINDOW_MINUTES),
    ] {
        let line = prose(&format!("{name} = {value}"));
        assert!(
            limits.contains(&line),
            "## Limits must say \"{line}\": a client that keeps being refused needs the number at which it must stop"
        );
    }
    let probing = prose(&section(&doc, "### Probing"));
    for fact in [
        format!("of the last {PROBE_WINDOW_MINUTES} minutes (PROBE_WINDOW_MINUTES)"),
        format!("once there are {PROBE_LIMIT} (PROBE_LIMIT)"),
        format!("the seconds until the {PROBE_LIMIT}th most recent of them is {PROBE_WINDOW_MINUTES} minutes old"),
    ] {
        let fact = prose(&fact);
        assert!(
            probing.contains(&fact),
            "### Probing must say \"{fact}\": it is how the throttle counts and how long it holds, and the code says so"
        );
    }
    let statuses = prose(&section(&doc, "## HTTP status codes and error bodies"));
    let row = prose(&format!(
        "{PROBE_LIMIT} refusals and probes from this device in {PROBE_WINDOW_MINUTES} minutes"
    ));
    assert!(
        statuses.contains(&row),
        "the 429 `throttled` row must say \"{row}\", the limit a client hits"
    );
}

#[test]
fn the_openapi_document_repeats_the_sync_limits_as_the_code_has_them() {
    // The committed file, which the openapi test keeps equal to the code's.
    let api: serde_json::Value = serde_json::from_str(&read("docs/openapi.json")).unwrap();
    let responses = &api["paths"]["/v1/sync"]["post"]["responses"];
    let says = |status: &str, fact: String| {
        let text = responses[status]["description"]
            .as_str()
            .unwrap_or_else(|| panic!("/v1/sync documents its {status}"));
        assert!(
            text.contains(&fact),
            "/v1/sync {status} must say \"{fact}\": server.rs writes the number as a literal, and the constant now says so: {text}"
        );
    };
    says(
        "429",
        format!(
            "{PROBE_LIMIT} or more of this device's pushes were refused (probes included, `missing_deps` not) in {PROBE_WINDOW_MINUTES} minutes"
        ),
    );
    says("413", format!("more than {MAX_PUSH_ENTRIES} entries"));
    says("413", format!("an entry over {}", mib(MAX_ENTRY_BYTES)));
    says("413", format!("over {}", mib(MAX_REQUEST_BYTES)));
    says("400", format!("an id over {MAX_ID_BYTES} bytes"));
    says("400", format!("{HEAD_HEX_BYTES} hex digits"));
    let next = MAX_CURSOR + 1;
    assert!(
        next.is_power_of_two(),
        "the largest cursor is 2^k-1, as the documents write it"
    );
    says("400", format!("2^{}-1", next.trailing_zeros()));
}
