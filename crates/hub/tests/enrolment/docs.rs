//! The README, the OpenAPI document and the protocol document state the
//! enrolment limits in the same words, built here from the code's constants:
//! change a constant without the documents and this fails.

use gridline_hub::server::MAX_ENROL_BYTES;
use gridline_hub::{
    BAD_CODES_HUB_CEILING, BAD_CODES_PER_CODE, BAD_CODES_PER_SOURCE, BAD_CODE_WINDOW_MINUTES,
};
use gridline_sync::enrol_code::{ALPHABET, EXAMPLE, LEN};

#[path = "../../../sync/tests/docs_text/mod.rs"]
mod docs_text;
use docs_text::{prose, read};

/// Every string in a JSON document, one after another.
fn strings(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// What all three documents say, in these words.
fn facts() -> Vec<String> {
    let w = BAD_CODE_WINDOW_MINUTES;
    vec![
        format!("{BAD_CODES_PER_SOURCE} bad codes in {w} minutes from one address lock that address"),
        format!("the same wrong code failing {BAD_CODES_PER_CODE} times in {w} minutes is refused from every address"),
        format!("{BAD_CODES_HUB_CEILING} bad codes in {w} minutes from all addresses together lock enrolment for the whole hub"),
        "gridline hub enrol-unlock".into(),
        "retry-after".into(),
        "seconds until fewer than the limit remain in the window".into(),
        format!("{LEN} characters of {ALPHABET}"),
        EXAMPLE.into(),
        "without counting".into(),
        "--trusted-proxy".into(),
        "x-forwarded-for".into(),
    ]
}

/// What the documents once said that is no longer true.
const STALE: &[&str] = &[
    "five bad enrolment codes",
    "lock enrolment for ten minutes",
    "until the oldest ages out",
    "from anywhere",
    "hub enrol-code",
    "grid_worker",
    "the hyphens are required",
];

fn check(name: &str, text: &str, extra: &[String]) {
    let text = prose(text);
    for fact in facts().iter().chain(extra) {
        let fact = prose(fact);
        assert!(
            text.contains(&fact),
            "{name} must say \"{fact}\", as the code's constants do"
        );
    }
    for stale in STALE {
        assert!(
            !text.contains(stale),
            "{name} still says \"{stale}\", which the code no longer does"
        );
    }
}

#[test]
fn the_readme_states_the_enrolment_limits_the_code_enforces() {
    check("README.md", &read("README.md"), &[]);
}

#[test]
fn the_openapi_document_states_the_enrolment_limits_the_code_enforces() {
    // The committed file, which the openapi test keeps equal to the code's.
    let api: serde_json::Value = serde_json::from_str(&read("docs/openapi.json")).unwrap();
    let mut text = String::new();
    strings(&api["paths"]["/v1/enroll"], &mut text);
    strings(&api["components"]["schemas"]["EnrollRequest"], &mut text);
    strings(&api["components"]["schemas"]["EnrollResponse"], &mut text);
    let limit = format!("{} KiB", MAX_ENROL_BYTES / 1024);
    check(
        "docs/openapi.json (/v1/enroll)",
        &text,
        &[limit, "gridline hub enroll".into()],
    );
    for status in ["200", "400", "401", "413", "415", "422", "429", "500"] {
        assert!(
            api["paths"]["/v1/enroll"]["post"]["responses"][status].is_object(),
            "every status /v1/enroll answers is documented: {status}"
        );
    }
    assert!(
        api["paths"]["/v1/enroll"]["post"]["responses"]["429"]["headers"]["Retry-After"]
            .is_object(),
        "the 429 documents its Retry-After header"
    );
}

#[test]
fn the_protocol_document_states_the_enrolment_limits_the_code_enforces() {
    let doc = read("docs/sync-protocol.md");
    let section = |title: &str| {
        let start = doc.find(title).unwrap_or_else(|| panic!("no {title}"));
        let rest = &doc[start + title.len()..];
        let end = rest.find("\n## ").unwrap_or(rest.len());
        rest[..end].to_owned()
    };
    let enrolment = section("\n## Enrolment\n");
    let limit = format!("{} KiB", MAX_ENROL_BYTES / 1024);
    check(
        "docs/sync-protocol.md (## Enrolment)",
        &enrolment,
        &[limit.clone(), "429".into()],
    );
    let limits = section("\n## Limits\n");
    for (name, value) in [
        (
            "BAD_CODE_WINDOW_MINUTES",
            BAD_CODE_WINDOW_MINUTES.to_string(),
        ),
        ("BAD_CODES_PER_SOURCE", BAD_CODES_PER_SOURCE.to_string()),
        ("BAD_CODES_PER_CODE", BAD_CODES_PER_CODE.to_string()),
        ("BAD_CODES_HUB_CEILING", BAD_CODES_HUB_CEILING.to_string()),
        ("MAX_ENROL_BYTES", limit),
    ] {
        let line = prose(&format!("{name} = {value}"));
        assert!(
            prose(&limits).contains(&line),
            "## Limits must say \"{line}\", as the code does"
        );
    }
}
