//! Replays every committed fuzz input through the same properties the fuzz
//! targets check (`gridline_tests::hostile`): the seed corpus of each target
//! and every crasher ever found (`fuzz/regressions/`). Also posts the sync
//! corpus to a live hub, which must answer each with a 4xx, never a 5xx,
//! and keep serving.

use std::path::{Path, PathBuf};

use gridline_tests::hostile;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for dir in [
        root.join("corpus").join(target),
        root.join("regressions").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_file() {
                let bytes = std::fs::read(&p).unwrap();
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    out
}

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let all = inputs(target);
    assert!(
        !all.is_empty(),
        "fuzz/corpus/{target} must hold a seed corpus (none found)"
    );
    for (path, bytes) in &all {
        let r = std::panic::catch_unwind(|| check(bytes));
        assert!(r.is_ok(), "{} breaks the {target} property", path.display());
    }
    all.len()
}

#[test]
fn sync_request_corpus_replays_clean() {
    assert!(replay("sync_request", hostile::sync_request) >= 3);
}

#[test]
fn document_corpus_replays_clean() {
    assert!(replay("document", hostile::document) >= 3);
}

#[test]
fn enrol_code_corpus_replays_clean() {
    assert!(replay("enrol_code", hostile::enrol_code) >= 3);
}

#[test]
fn household_import_corpus_replays_clean() {
    assert!(replay("household_import", hostile::household_import) >= 3);
}

/// A few real requests: what the seed corpus of `sync_request` was made from.
fn seed_requests() -> Vec<Vec<u8>> {
    use gridline_sync::{PushDoc, SyncRequest, PROTOCOL_VERSION};
    let empty = SyncRequest {
        v: PROTOCOL_VERSION,
        cursor: 0,
        page: 2000,
        want_total: true,
        new_actor: None,
        push: Vec::new(),
        sync: Vec::new(),
        am_sync: false,
        reveals: Vec::new(),
        directory: None,
    };
    let household = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hostile/household.automerge"),
    )
    .unwrap();
    let push = SyncRequest {
        cursor: 7400,
        want_total: false,
        push: vec![PushDoc {
            id: "017d6a35-5f64-7544-b0b6-a6ac01e7dcec".into(),
            changes: household,
            heads: vec!["00".repeat(32)],
        }],
        am_sync: true,
        ..empty.clone()
    };
    let refused_actor = SyncRequest {
        new_actor: Some("ab".repeat(16)),
        ..empty.clone()
    };
    // The budgets' edges: the largest cursor, exactly 500 entries, and (made
    // below) two concatenated requests and 501 entries, which must not decode.
    let edge = SyncRequest {
        cursor: gridline_sync::MAX_CURSOR,
        push: (0..gridline_sync::MAX_PUSH_ENTRIES)
            .map(|i| PushDoc {
                id: format!("{i:08}-0000-7000-8000-000000000000"),
                changes: vec![0x85, 0x6f, 0x4a, 0x83],
                heads: vec!["ab".repeat(32)],
            })
            .collect(),
        ..empty.clone()
    };
    let over = SyncRequest {
        push: (0..=gridline_sync::MAX_PUSH_ENTRIES)
            .map(|_| PushDoc {
                id: "x".into(),
                changes: vec![],
                heads: vec![],
            })
            .collect(),
        ..empty.clone()
    };
    let mut out: Vec<Vec<u8>> = [&empty, &push, &refused_actor, &edge, &over]
        .into_iter()
        .map(gridline_sync::encode)
        .collect();
    let mut twice = out[0].clone();
    twice.extend_from_slice(&out[0].clone());
    out.push(twice);
    out
}

#[test]
fn seed_requests_hold_the_property_and_match_the_committed_corpus() {
    let committed: Vec<Vec<u8>> = inputs("sync_request").into_iter().map(|(_, b)| b).collect();
    for (i, r) in seed_requests().iter().enumerate() {
        hostile::sync_request(r);
        if std::env::var_os("GRIDLINE_WRITE_SEEDS").is_some() {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/sync_request");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(format!("seed-{i}.cbor")), r).unwrap();
        } else {
            assert!(
                committed.contains(r),
                "seed {i} is not in fuzz/corpus/sync_request; regenerate with GRIDLINE_WRITE_SEEDS=1"
            );
        }
    }
}

/// Every sync corpus input, and a few hostile bodies, posted to a live hub on
/// loopback with a valid token: each is refused with a 4xx and the hub keeps
/// answering.
#[test]
fn a_live_hub_refuses_the_sync_corpus_with_4xx_and_keeps_serving() {
    let (_dir, hub) = gridline_test_support::hub();
    let user = gridline_model::User {
        id: "gw-1".into(),
        name: "gw-1".into(),
        role: gridline_model::Role::GridWorker,
        scope: gridline_model::Scope::parse("grids:522701001001001").unwrap(),
    };
    let code = hub.enrol_code(&user, "admin", chrono::Utc::now()).unwrap();
    let served = super::Served::start(hub, None);
    let (rt, url) = (&served.rt, served.url.clone());
    let http = reqwest::Client::new();
    let token = rt.block_on(async {
        let body =
            serde_json::json!({"code": code, "device_id": "dev-1", "actor": "11".repeat(16)});
        let r = http
            .post(format!("{url}/v1/enroll"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let v: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        v["token"].as_str().unwrap().to_owned()
    });
    // Content the app would refuse, pushed by a bound device: an enormous
    // note is refused as invalid (and the same record with a short note is
    // accepted, so it is the note that was refused).
    let actor = [0x11u8; 16];
    let base = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hostile/household.automerge"),
    )
    .unwrap();
    let mut h =
        gridline_records::household::read(&automerge::AutoCommit::load(&base).unwrap()).unwrap();
    h.grid = gridline_model::GridId::parse("522701001001001").unwrap();
    let push = |h: &gridline_model::Household| {
        let mut doc = gridline_records::new_doc(&actor);
        gridline_records::household::create(&mut doc, h, super::now()).unwrap();
        let req = gridline_sync::SyncRequest {
            v: gridline_sync::PROTOCOL_VERSION,
            cursor: 0,
            page: 1,
            want_total: false,
            new_actor: None,
            push: vec![gridline_sync::PushDoc {
                id: h.id.to_string(),
                changes: doc.save(),
                heads: doc.get_heads().iter().map(|x| x.to_string()).collect(),
            }],
            sync: Vec::new(),
            am_sync: false,
            reveals: Vec::new(),
            directory: None,
        };
        rt.block_on(async {
            let r = http
                .post(format!("{url}/v1/sync"))
                .bearer_auth(&token)
                .header("content-type", "application/cbor")
                .body(gridline_sync::encode(&req))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
            gridline_sync::decode_response(&r.bytes().await.unwrap()).unwrap()
        })
    };
    h.id = uuid::Uuid::now_v7();
    h.notes = "长".repeat(100_000);
    let resp = push(&h);
    assert_eq!(resp.refusals.len(), 1, "{:?}", resp.acks);
    assert_eq!(resp.refusals[0].code, gridline_sync::RefusalCode::Malformed);
    assert!(
        resp.refusals[0].reason.contains("5000"),
        "{}",
        resp.refusals[0].reason
    );
    h.id = uuid::Uuid::now_v7();
    h.notes = "腿脚不便".into();
    let resp = push(&h);
    assert_eq!((resp.acks.len(), resp.refusals.len()), (1, 0), "{resp:?}");

    // Invalid UTF-8 inside a CBOR text string (the pushed document's id).
    let mut bad = gridline_sync::encode(&gridline_sync::SyncRequest {
        v: gridline_sync::PROTOCOL_VERSION,
        cursor: 0,
        page: 1,
        want_total: false,
        new_actor: Some("zzzzzzzz".into()),
        push: Vec::new(),
        sync: Vec::new(),
        am_sync: false,
        reveals: Vec::new(),
        directory: None,
    });
    let at = bad.windows(8).position(|w| w == b"zzzzzzzz").unwrap();
    bad[at] = 0xff;

    let mut bodies: Vec<Vec<u8>> = inputs("sync_request").into_iter().map(|(_, b)| b).collect();
    bodies.push(bad);
    bodies.extend(inputs("document").into_iter().map(|(_, b)| b));
    bodies.push(vec![0xff; 1024]); // not CBOR
    bodies.push([0x81u8; 4096].to_vec()); // arrays nested 4,096 deep
    bodies.push(Vec::new());
    let mut statuses = Vec::new();
    rt.block_on(async {
        for b in &bodies {
            let r = http
                .post(format!("{url}/v1/sync"))
                .bearer_auth(&token)
                .header("content-type", "application/cbor")
                .body(b.clone())
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        let health = http.get(format!("{url}/health")).send().await.unwrap();
        assert!(health.status().is_success(), "the hub still serves");
    });
    // Valid seed requests from an enrolled device are answered (200); the
    // rest are refused as bad input (4xx); none is a server error.
    assert!(statuses.iter().all(|s| *s < 500), "{statuses:?}");
    assert!(
        statuses.iter().filter(|s| (400..500).contains(*s)).count() >= 3,
        "{statuses:?}"
    );
    served.stop();
}
