//! The hub's OpenAPI document: generated from the handlers, committed as
//! `docs/openapi.json`, and served at `GET /openapi.json`.
//!
//! `docs/openapi_is_current` rewrites the committed file when it differs and
//! fails, so a change to the API shows up as a diff to review and commit
//! (the next run passes).

use std::io::{Read, Write};
use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

fn generated() -> String {
    let mut json = gridline_hub::server::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}

#[test]
fn docs_openapi_is_current() {
    let path = committed_path();
    let want = generated();
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        std::fs::write(&path, &want).expect("write docs/openapi.json");
        panic!(
            "docs/openapi.json differed from the API the code serves; it has been rewritten \
             ({}): review the diff and commit it",
            path.display()
        );
    }
}

#[test]
fn document_covers_every_endpoint_and_status() {
    let api: serde_json::Value = serde_json::from_str(&generated()).unwrap();
    assert!(api["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = &api["paths"];
    for (path, method) in [
        ("/health", "get"),
        ("/metrics", "get"),
        ("/v1/enroll", "post"),
        ("/v1/sync", "post"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
    let enroll = &paths["/v1/enroll"]["post"]["responses"];
    for status in ["200", "400", "401", "413", "415", "422", "429", "500"] {
        assert!(enroll[status].is_object(), "enroll {status} missing");
    }
    let sync = &paths["/v1/sync"]["post"];
    assert!(sync["requestBody"]["content"]["application/cbor"].is_object());
    assert!(sync["responses"]["200"]["content"]["application/cbor"].is_object());
    for status in ["400", "401", "403", "413", "500"] {
        assert!(
            sync["responses"][status].is_object(),
            "sync {status} missing"
        );
    }
    assert_eq!(
        api["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[test]
fn served_document_is_the_generated_one() {
    let (_dir, hub) = gridline_test_support::hub();
    let rt = gridline_test_support::runtime();
    let (listener, _url) = gridline_test_support::listen(&rt);
    let addr = listener.local_addr().unwrap();
    gridline_test_support::serve(&rt, listener, hub);
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        conn,
        "GET /openapi.json HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    let served: serde_json::Value = serde_json::from_str(body).unwrap();
    let want: serde_json::Value = serde_json::from_str(&generated()).unwrap();
    assert_eq!(served, want);
}
