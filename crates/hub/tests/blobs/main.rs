//! The hub's photo store (DESIGN §9), called directly and over HTTP on
//! loopback: uploads in resumable pieces from what the hub says it holds,
//! the hash checked at the end, each blob kept once, the hub's size limit,
//! the audit, orphans, and a blob served only to a device that is sent a
//! record referencing it, with one answer for "not yours" and "not there".

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use gridline_hub::blobs::BlobStatus;
use gridline_hub::{AuditQuery, Error, Hub};
use gridline_model::{GridId, Issue, IssueEvent, IssueStep, PhotoRef, PhotoStep, RecordId, User};
use gridline_sync::{PushDoc, SyncRequest, PROTOCOL_VERSION};
use gridline_test_support::{sample_hub, user};
use sha2::Digest;

const GRID_A: &str = "522701001001001";
const GRID_B: &str = "522701001002001";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// `n` bytes that differ for each `seed`, standing in for a JPEG: the hub
/// stores bytes by their hash and never decodes them.
fn blob(n: usize, seed: u8) -> Vec<u8> {
    let mut x = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// One enrolled device: its user, actor and token.
struct Dev {
    user: User,
    actor: Vec<u8>,
    token: String,
    id: String,
}

fn enrol(hub: &Hub, u: User) -> Dev {
    let code = hub.enrol_code(&u, "admin", now()).unwrap();
    let actor = uuid::Uuid::new_v4().as_bytes().to_vec();
    let id = uuid::Uuid::new_v4().to_string();
    let e = hub
        .enroll(
            &code,
            &id,
            &hex::encode(&actor),
            std::net::Ipv4Addr::LOCALHOST.into(),
            now(),
        )
        .unwrap();
    Dev {
        user: u,
        actor,
        token: e.token,
        id,
    }
}

fn worker(id: &str, grid: &str) -> User {
    user(
        id,
        gridline_model::Role::GridWorker,
        &format!("grids:{grid}"),
    )
}

/// A photo reference for `full` with thumbnail `thumb`, added by `dev`.
fn photo_ref(dev: &Dev, full: &[u8], thumb: &[u8]) -> PhotoRef {
    PhotoRef {
        hash: sha(full),
        size: full.len() as u64,
        mime: gridline_model::photo::JPEG.into(),
        thumb: sha(thumb),
        thumb_size: thumb.len() as u64,
        taken_at: now(),
        caption: "楼道积水".into(),
        step: PhotoStep::Report,
        by: dev.user.id.clone(),
    }
}

/// `dev` reports an issue in `grid` carrying `photos` and pushes it in
/// process; the hub must acknowledge it.
fn report_with_photos(hub: &Hub, dev: &Dev, grid: &str, photos: &[PhotoRef]) -> RecordId {
    let id = uuid::Uuid::now_v7();
    let issue = Issue {
        id,
        grid: GridId::parse(grid).unwrap(),
        category: "市容环境".into(),
        description: "楼道积水".into(),
        location: String::new(),
        household: None,
        urgency: 2,
        reporter: dev.user.id.clone(),
        reported_at: now(),
        events: vec![IssueEvent {
            id: uuid::Uuid::now_v7(),
            at: now(),
            author: dev.user.author(),
            step: IssueStep::Report,
        }],
    };
    let mut doc = gridline_records::new_doc(&dev.actor);
    gridline_records::issue::create(&mut doc, &issue).unwrap();
    gridline_records::photos::add(&mut doc, photos, now()).unwrap();
    let req = SyncRequest {
        v: PROTOCOL_VERSION,
        cursor: 0,
        page: 1,
        want_total: false,
        new_actor: None,
        push: vec![PushDoc {
            id: id.to_string(),
            changes: doc.save(),
            heads: doc.get_heads().iter().map(|h| h.to_string()).collect(),
        }],
        sync: Vec::new(),
        am_sync: false,
        reveals: Vec::new(),
        directory: None,
    };
    let resp = hub.sync(&dev.token, &req, now()).unwrap();
    assert!(
        resp.acks.iter().any(|a| a.id == id.to_string()),
        "the issue with its photos is accepted: {:?}",
        resp.refusals
    );
    id
}

/// Uploads `bytes` whole in pieces of `piece` bytes, directly.
fn upload(hub: &Hub, dev: &Dev, bytes: &[u8], piece: usize) -> BlobStatus {
    let hash = sha(bytes);
    let total = bytes.len() as u64;
    let mut st = hub.blob_status(&dev.token, &hash).unwrap();
    while !st.complete {
        let from = st.held as usize;
        let to = (from + piece).min(bytes.len());
        st = hub
            .put_blob_piece(&dev.token, &hash, st.held, total, &bytes[from..to], now())
            .unwrap();
    }
    st
}

/// The whole blobs under the hub's `blobs/` directory (not partial uploads).
fn whole_files(dir: &Path) -> Vec<PathBuf> {
    let root = dir.join("blobs");
    let mut out = Vec::new();
    let Ok(shards) = std::fs::read_dir(&root) else {
        return out;
    };
    for shard in shards {
        let shard = shard.unwrap().path();
        if shard.file_name().unwrap() == "partial" || !shard.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&shard).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out.sort();
    out
}

/// Files of unfinished uploads.
fn partial_files(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("blobs").join("partial"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn an_upload_resumes_from_what_the_hub_holds_and_each_blob_is_stored_once() {
    let (dir, hub) = sample_hub(now());
    let a = enrol(&hub, worker("gw-a", GRID_A));
    let b = enrol(&hub, worker("gw-b", GRID_A));
    let bytes = blob(2500, 1);
    let hash = sha(&bytes);
    let total = bytes.len() as u64;

    assert_eq!(
        hub.blob_status(&a.token, &hash).unwrap(),
        BlobStatus {
            held: 0,
            complete: false
        },
        "nothing held before the first piece"
    );
    let st = hub
        .put_blob_piece(&a.token, &hash, 0, total, &bytes[..1000], now())
        .unwrap();
    assert_eq!((st.held, st.complete), (1000, false), "one piece held");
    assert_eq!(
        hub.blob_status(&a.token, &hash).unwrap().held,
        1000,
        "a new connection (the device restarted) learns where to go on from"
    );
    // The same piece again (a retried request whose answer was lost).
    match hub.put_blob_piece(&a.token, &hash, 0, total, &bytes[..1000], now()) {
        Err(Error::BlobOffset { held }) => {
            assert_eq!(
                held, 1000,
                "a duplicated piece is told where the upload stands"
            )
        }
        other => panic!("a duplicated piece must answer BlobOffset, got {other:?}"),
    }
    match hub.put_blob_piece(&a.token, &hash, 2000, total, &bytes[2000..], now()) {
        Err(Error::BlobOffset { held }) => {
            assert_eq!(held, 1000, "a piece past the gap is refused, not stored")
        }
        other => panic!("a piece at the wrong offset must answer BlobOffset, got {other:?}"),
    }
    assert_eq!(
        hub.blob_status(&a.token, &hash).unwrap().held,
        1000,
        "neither the duplicate nor the early piece was stored"
    );
    assert_eq!(
        partial_files(dir.path()),
        1,
        "one partial upload while it is unfinished"
    );
    let st = upload(&hub, &a, &bytes, 1000);
    assert_eq!(
        (st.held, st.complete),
        (total, true),
        "the upload completes"
    );
    assert_eq!(partial_files(dir.path()), 0, "the partial became the blob");

    let files = whole_files(dir.path());
    assert_eq!(files.len(), 1, "one file for one blob: {files:?}");
    let stored = std::fs::read(&files[0]).unwrap();
    assert_eq!(stored, bytes, "the file holds exactly the bytes uploaded");
    assert_eq!(
        sha(&stored),
        files[0].file_name().unwrap().to_str().unwrap(),
        "the file is named by the hash of its bytes"
    );

    // A piece after completion changes nothing and says it is whole.
    let again = hub
        .put_blob_piece(&a.token, &hash, 0, total, &bytes[..1000], now())
        .unwrap();
    assert!(again.complete, "the sender is told the blob is whole");

    // Another device sends the same photo (the same bytes, the same hash).
    let st = upload(&hub, &b, &bytes, 700);
    assert!(st.complete, "the second device's upload completes");
    assert_eq!(
        hub.blob_totals().unwrap(),
        (1, total),
        "one blobs row for one photo sent by two devices"
    );
    assert_eq!(
        whole_files(dir.path()).len(),
        1,
        "and one file: the second copy is not kept"
    );
    assert_eq!(partial_files(dir.path()), 0, "no partial left behind");

    // Both uploads are audited, with who sent them.
    let rows = hub
        .audit(&AuditQuery {
            record: Some(hash.clone()),
            ..Default::default()
        })
        .unwrap();
    let seen: Vec<(&str, &str, Option<&str>, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.action.as_str(),
                r.user_id.as_str(),
                r.device_id.as_deref(),
                r.kind.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("photo-upload", "gw-a", Some(a.id.as_str()), "photo"),
            ("photo-upload-again", "gw-b", Some(b.id.as_str()), "photo"),
        ],
        "each completed upload is one audit row naming its user and device"
    );
    assert!(
        rows.iter().all(|r| r.detail == format!("{total} bytes")),
        "the audit says how large: {rows:?}"
    );
}

#[test]
fn a_bad_hash_at_completion_is_refused_and_the_partial_is_gone() {
    let (dir, hub) = sample_hub(now());
    let a = enrol(&hub, worker("gw-a", GRID_A));
    let bytes = blob(1500, 2);
    let named = sha(&blob(1500, 3));
    let total = bytes.len() as u64;
    hub.put_blob_piece(&a.token, &named, 0, total, &bytes[..1000], now())
        .unwrap();
    match hub.put_blob_piece(&a.token, &named, 1000, total, &bytes[1000..], now()) {
        Err(e @ Error::BlobHashMismatch { .. }) => {
            let t = e.text();
            assert!(
                t.zh.contains("与其编号不符") && t.en.contains("does not match its hash"),
                "the reason is given in both languages: {t:?}"
            );
            assert!(
                t.en.contains(&sha(&bytes)),
                "and says what the bytes hash to: {t:?}"
            );
        }
        other => panic!("a blob not hashing to its name is BlobHashMismatch, got {other:?}"),
    }
    assert_eq!(
        hub.blob_status(&a.token, &named).unwrap(),
        BlobStatus {
            held: 0,
            complete: false
        },
        "the bad upload is discarded: it starts again from 0"
    );
    assert_eq!(partial_files(dir.path()), 0, "no partial left");
    assert!(whole_files(dir.path()).is_empty(), "nothing stored");
    assert_eq!(hub.blob_totals().unwrap(), (0, 0), "no blobs row");
    assert!(
        hub.audit(&AuditQuery {
            record: Some(named),
            ..Default::default()
        })
        .unwrap()
        .is_empty(),
        "a refused upload is not audited as an upload"
    );
}

#[test]
fn a_photo_over_the_hubs_limit_is_refused_with_a_reason_and_nothing_is_stored() {
    let (dir, hub) = sample_hub(now());
    hub.set_max_blob_bytes(1000);
    assert_eq!(hub.max_blob_bytes(), 1000);
    let a = enrol(&hub, worker("gw-a", GRID_A));
    let bytes = blob(1001, 4);
    let hash = sha(&bytes);
    match hub.put_blob_piece(&a.token, &hash, 0, 1001, &bytes[..500], now()) {
        Err(
            e @ Error::BlobTooLarge {
                size: 1001,
                max: 1000,
            },
        ) => {
            let t = e.text();
            assert!(
                t.zh.contains("超过枢纽的上限") && t.zh.contains("1000"),
                "Chinese says it is over the hub's limit, and the limit: {}",
                t.zh
            );
            assert!(
                t.en.contains("over the hub's limit of 1000 bytes") && t.en.contains("smaller"),
                "English says the limit and what to do: {}",
                t.en
            );
        }
        other => panic!("over the limit is BlobTooLarge, got {other:?}"),
    }
    assert_eq!(
        hub.blob_status(&a.token, &hash).unwrap().held,
        0,
        "not one byte of it is held"
    );
    assert_eq!(partial_files(dir.path()), 0, "no partial file");
    assert_eq!(hub.blob_totals().unwrap(), (0, 0), "no blob");
    let exactly = blob(1000, 5);
    assert!(
        upload(&hub, &a, &exactly, 400).complete,
        "a photo of exactly the limit is taken"
    );
}

#[test]
fn orphans_are_the_blobs_no_stored_record_references() {
    let (_dir, hub) = sample_hub(now());
    let a = enrol(&hub, worker("gw-a", GRID_A));
    let (full, thumb, stray) = (blob(900, 6), blob(200, 7), blob(300, 8));
    for b in [&full, &thumb, &stray] {
        upload(&hub, &a, b, 1000);
    }
    let orphans = |hub: &Hub| -> Vec<String> {
        hub.orphan_blobs()
            .unwrap()
            .into_iter()
            .map(|o| o.hash)
            .collect()
    };
    let mut all = vec![sha(&full), sha(&thumb), sha(&stray)];
    all.sort();
    let mut listed = orphans(&hub);
    listed.sort();
    assert_eq!(
        listed, all,
        "uploaded before any record names them: all orphans"
    );
    report_with_photos(&hub, &a, GRID_A, &[photo_ref(&a, &full, &thumb)]);
    let left = hub.orphan_blobs().unwrap();
    assert_eq!(
        left.iter().map(|o| o.hash.clone()).collect::<Vec<_>>(),
        vec![sha(&stray)],
        "a photo and its thumbnail on a stored record are not orphans; the stray one is"
    );
    assert_eq!(left[0].size, 300, "the orphan's size is listed");
}

/// What the hub answered over HTTP.
#[derive(Debug, PartialEq)]
struct Reply {
    status: u16,
    upload_offset: Option<u64>,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

struct Live {
    served: gridline_test_support::Served,
    http: reqwest::Client,
}

impl Live {
    fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        self.served.rt.block_on(async {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let upload_offset = r
                .headers()
                .get("upload-offset")
                .map(|v| v.to_str().unwrap().parse().unwrap());
            Reply {
                status,
                upload_offset,
                body: r.bytes().await.unwrap().to_vec(),
            }
        })
    }

    fn status(&self, dev: &Dev, hash: &str) -> Reply {
        self.send(
            self.http
                .get(format!("{}/v1/blobs/{hash}/upload", self.served.url))
                .bearer_auth(&dev.token),
        )
    }

    fn put(&self, dev: &Dev, hash: &str, offset: u64, total: u64, piece: &[u8]) -> Reply {
        self.send(
            self.http
                .put(format!(
                    "{}/v1/blobs/{hash}/upload?offset={offset}&total={total}",
                    self.served.url
                ))
                .bearer_auth(&dev.token)
                .header("content-type", "application/octet-stream")
                .body(piece.to_vec()),
        )
    }

    fn get(&self, dev: &Dev, hash: &str) -> Reply {
        self.send(
            self.http
                .get(format!("{}/v1/blobs/{hash}", self.served.url))
                .bearer_auth(&dev.token),
        )
    }

    /// Uploads `bytes` whole over HTTP in pieces of `piece` bytes.
    fn upload(&self, dev: &Dev, bytes: &[u8], piece: usize) {
        let hash = sha(bytes);
        let total = bytes.len() as u64;
        let mut held = self.status(dev, &hash).json()["held"].as_u64().unwrap();
        loop {
            let to = (held as usize + piece).min(bytes.len());
            let r = self.put(dev, &hash, held, total, &bytes[held as usize..to]);
            assert_eq!(r.status, 200, "a piece at the hub's offset is taken: {r:?}");
            let v = r.json();
            if v["complete"].as_bool().unwrap() {
                return;
            }
            held = v["held"].as_u64().unwrap();
        }
    }
}

fn serve(hub: Hub) -> Live {
    Live {
        served: gridline_test_support::Served::start(hub, None),
        http: reqwest::Client::new(),
    }
}

#[test]
fn over_http_an_upload_resumes_and_refusals_have_their_status_codes() {
    let (dir, hub) = sample_hub(now());
    hub.set_max_blob_bytes(4000);
    let a = enrol(&hub, worker("gw-a", GRID_A));
    let live = serve(hub);
    let bytes = blob(3000, 9);
    let hash = sha(&bytes);

    let r = live.put(&a, &hash, 0, 3000, &bytes[..1200]);
    assert_eq!(
        (r.status, r.json()["held"].as_u64()),
        (200, Some(1200)),
        "the first piece is durable"
    );
    let r = live.put(&a, &hash, 0, 3000, &bytes[..1200]);
    assert_eq!(r.status, 409, "a duplicated piece is a conflict: {r:?}");
    assert_eq!(
        r.upload_offset,
        Some(1200),
        "with Upload-Offset saying where to go on from"
    );
    assert_eq!(r.json()["code"], "offset");
    let r = live.put(&a, &hash, 2400, 3000, &bytes[2400..]);
    assert_eq!(
        (r.status, r.upload_offset),
        (409, Some(1200)),
        "a piece past a gap is a conflict too"
    );
    let r = live.status(&a, &hash);
    assert_eq!(
        (
            r.status,
            r.json()["held"].as_u64(),
            r.json()["complete"].as_bool()
        ),
        (200, Some(1200), Some(false)),
        "the status is where the last good piece ended"
    );
    live.upload(&a, &bytes, 1200);
    let r = live.status(&a, &hash);
    assert_eq!(
        (r.json()["held"].as_u64(), r.json()["complete"].as_bool()),
        (Some(3000), Some(true)),
        "complete once the last piece landed"
    );

    // A bad hash at the end: 422, and the upload starts again from 0.
    let named = sha(&blob(1000, 10));
    let wrong = blob(1000, 11);
    let r = live.put(&a, &named, 0, 1000, &wrong);
    assert_eq!(r.status, 422, "bytes not hashing to their name: {r:?}");
    assert_eq!(r.json()["code"], "hash_mismatch");
    let r = live.status(&a, &named);
    assert_eq!(
        (r.json()["held"].as_u64(), r.json()["complete"].as_bool()),
        (Some(0), Some(false)),
        "the partial is gone"
    );

    // Over the limit: 413 with the reason in both languages.
    let big = blob(4001, 12);
    let r = live.put(&a, &sha(&big), 0, 4001, &big[..1000]);
    assert_eq!(r.status, 413, "over the hub's limit: {r:?}");
    let v = r.json();
    assert_eq!(v["code"], "too_large");
    assert!(
        v["zh"].as_str().unwrap().contains("超过枢纽的上限")
            && v["en"]
                .as_str()
                .unwrap()
                .contains("over the hub's limit of 4000 bytes"),
        "the reason in Chinese and English: {v}"
    );
    assert_eq!(
        live.status(&a, &sha(&big)).json()["held"].as_u64(),
        Some(0),
        "nothing of it is held"
    );

    let after = Hub::open(dir.path()).unwrap();
    assert_eq!(
        after.blob_totals().unwrap(),
        (1, 3000),
        "only the good upload is stored"
    );
    assert_eq!(whole_files(dir.path()).len(), 1);
    assert_eq!(
        partial_files(dir.path()),
        0,
        "no partial left of the refusals"
    );
    let audited = after
        .audit(&AuditQuery {
            record: Some(hash),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        audited
            .iter()
            .map(|r| (r.action.as_str(), r.user_id.as_str()))
            .collect::<Vec<_>>(),
        vec![("photo-upload", "gw-a")],
        "the upload over HTTP is audited"
    );
}

#[test]
fn a_blob_outside_the_devices_scope_answers_exactly_as_a_made_up_hash() {
    let (_dir, hub) = sample_hub(now());
    let a = enrol(&hub, worker("gw-a", GRID_A));
    let a2 = enrol(&hub, worker("gw-a2", GRID_A));
    let b = enrol(&hub, worker("gw-b", GRID_B));
    let staff = enrol(
        &hub,
        user(
            "cs-a",
            gridline_model::Role::CommunityStaff,
            "community:522701001001",
        ),
    );
    let (full, thumb) = (blob(2000, 13), blob(300, 14));
    report_with_photos(&hub, &a, GRID_A, &[photo_ref(&a, &full, &thumb)]);
    assert!(
        matches!(hub.blob(&b.token, &sha(&full)), Err(Error::NoSuchBlob)),
        "before the upload, out of scope: no such blob"
    );
    let live = serve(hub);
    live.upload(&a, &full, 800);
    live.upload(&a, &thumb, 800);
    let made_up = sha(b"no photo has these bytes");

    for hash in [sha(&full), sha(&thumb)] {
        let theirs = live.get(&b, &hash);
        let nothing = live.get(&b, &made_up);
        assert_eq!(theirs.status, 404, "another grid's photo is not served");
        assert_eq!(
            theirs, nothing,
            "another grid's photo answers exactly as a made-up hash, status and body"
        );
        let theirs = live.status(&b, &hash);
        let nothing = live.status(&b, &made_up);
        assert_eq!(
            theirs, nothing,
            "the upload status of another grid's photo says what a made-up hash's does"
        );
        assert_eq!(
            (
                theirs.json()["held"].as_u64(),
                theirs.json()["complete"].as_bool()
            ),
            (Some(0), Some(false)),
            "nothing held, as far as that device may know"
        );
    }
    for (who, dev) in [("the reporter", &a), ("a colleague of the grid", &a2)] {
        let r = live.get(dev, &sha(&full));
        assert_eq!(r.status, 200, "{who} is sent the record, so gets the photo");
        assert_eq!(r.body, full, "{who} gets the bytes whole");
        assert_eq!(
            live.get(dev, &sha(&thumb)).body,
            thumb,
            "{who} gets the thumbnail"
        );
    }
    let r = live.get(&staff, &sha(&full));
    assert_eq!(
        (r.status, r.body == full),
        (200, true),
        "the community's staff read the grid's issues, and their photos"
    );
    let r = live.status(&a2, &sha(&full));
    assert_eq!(
        r.json()["complete"].as_bool(),
        Some(true),
        "a device that may read the record learns the hub holds the photo"
    );
}

/// An offset near `u64::MAX` must be refused as a bad piece (400), like any
/// piece running past `total`, not crash the request.
#[test]
fn a_piece_offset_that_overflows_is_a_bad_request() {
    let (_dir, hub) = sample_hub(now());
    let a = enrol(&hub, worker("gw-a", GRID_A));
    let hash = sha(b"x");
    // The answer as text, so the closure's result stays small.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        match hub.put_blob_piece(&a.token, &hash, u64::MAX, 100, b"x", now()) {
            Err(Error::Invalid(e)) => e.field.to_string(),
            other => format!("{other:?}"),
        }
    }));
    match r {
        Ok(field) => assert_eq!(field, "offset", "refused as a bad offset"),
        Err(_) => panic!("put_blob_piece panicked on an offset near u64::MAX"),
    }
    let live = serve(hub);
    let r = live.put(&a, &hash, u64::MAX, 100, b"x");
    assert_eq!(r.status, 400, "a piece past the photo's size: {r:?}");
}

/// A hash learned (from a device that left a grid, say) and named on a
/// record of one's own opens nothing: a reference counts only when its
/// adder sent the bytes. Found by review: it used to serve the photo.
#[test]
fn a_learned_hash_named_on_ones_own_record_opens_nothing() {
    let (_dir, hub) = sample_hub(now());
    let a = enrol(&hub, worker("gw-a", GRID_A));
    let b = enrol(&hub, worker("gw-b", GRID_B));
    let (full, thumb) = (blob(2000, 13), blob(300, 14));
    report_with_photos(&hub, &a, GRID_A, &[photo_ref(&a, &full, &thumb)]);
    upload(&hub, &a, &full, 800);
    upload(&hub, &a, &thumb, 800);
    let made_up = sha(b"never uploaded");
    for h in [sha(&full), sha(&thumb)] {
        assert!(matches!(hub.blob(&b.token, &h), Err(Error::NoSuchBlob)));
    }
    // B names both hashes on an issue of its own grid, in its own name.
    let mut named = photo_ref(&b, &full, &thumb);
    named.by = b.user.id.clone();
    report_with_photos(&hub, &b, GRID_B, &[named]);
    for h in [sha(&full), sha(&thumb)] {
        assert!(
            matches!(hub.blob(&b.token, &h), Err(Error::NoSuchBlob)),
            "grid B fetched grid A's blob {h} by naming its hash"
        );
        assert_eq!(
            hub.blob_status(&b.token, &h).unwrap(),
            hub.blob_status(&b.token, &made_up).unwrap(),
            "the status says no more than for a made-up hash"
        );
    }
    // A still gets its own, and so does anyone who may read A's issue.
    assert_eq!(hub.blob(&a.token, &sha(&full)).unwrap(), full);
    let a2 = enrol(&hub, worker("gw-a2", GRID_A));
    assert_eq!(hub.blob(&a2.token, &sha(&full)).unwrap(), full);
    // Had B the bytes, sending them would make its reference count.
    upload(&hub, &b, &full, 800);
    assert_eq!(hub.blob(&b.token, &sha(&full)).unwrap(), full);
}
