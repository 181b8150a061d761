//! Photos (DESIGN §9) under faults: uploads through the fault-injecting
//! proxy, a hub that refuses a photo as too large, the CLI SIGKILLed while
//! it saves a report with photos, and `gridline device sync` SIGKILLed
//! while it uploads to a hub process, then resuming from the hub's offset.

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant as Clock};

use gridline_device::photo::{PhotoReport, PhotoState, PIECE_BYTES};
use gridline_device::{Attach, Device, NewIssue};
use gridline_photo::encode::sample_photo;
use gridline_photo::sha256_hex;

use super::proxy::{Mode, Proxy};
use super::*;

/// A camera-like JPEG with strong grain, so that its re-encoding (at most
/// 1600 px, quality 80) is larger than one upload piece: `sample_photo`'s
/// scenes shrink to well under 256 KiB. Distinct for every `seed`.
fn grainy_photo(seed: u64, width: u32, height: u32) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let n = rng.next_u64();
        let base = [
            (x * 200 / width) as i32 + 20,
            (y * 180 / height) as i32 + 30,
            ((x + y) * 120 / (width + height)) as i32 + 60,
        ];
        let mut k = 0;
        image::Rgb(base.map(|c| {
            k += 16;
            (c + ((n >> k) & 0x7f) as i32 - 64).clamp(0, 255) as u8
        }))
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(&image)
        .expect("encode a JPEG");
    out
}

/// The `k`th photo of a set: every other one grainy (several pieces), the
/// rest `sample_photo` scenes of differing sizes (one piece).
fn photo_input(k: usize) -> Vec<u8> {
    let k32 = k as u32;
    if k.is_multiple_of(2) {
        grainy_photo(
            0x9A1 + k as u64,
            800 + (k32 * 37) % 400,
            600 + (k32 * 23) % 300,
        )
    } else {
        sample_photo(900 + k32 * 11, 640 + k32 * 7)
    }
}

fn new_issue(description: &str) -> NewIssue {
    NewIssue {
        grid: Some(GRID.into()),
        household: None,
        category: "市容环境".into(),
        description: description.into(),
        location: "8栋楼下".into(),
        urgency: None,
    }
}

/// Blobs the hub holds whole (its `blobs` table, what `Hub::blob_totals`
/// counts): hash → size.
fn hub_blobs(hub_dir: &Path) -> std::collections::BTreeMap<String, u64> {
    let db = hub_db(hub_dir);
    let mut st = db.prepare("SELECT hash, size FROM blobs").unwrap();
    let rows = st
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// Every blob file under the hub's `blobs/` (not `partial/`), each checked
/// to hash to its name; returns their names.
fn hub_blob_files(hub_dir: &Path) -> Vec<String> {
    let root = hub_dir.join("blobs");
    let mut names = Vec::new();
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return names;
    };
    for d in dirs.flatten() {
        if d.file_name() == "partial" || !d.path().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(d.path()).unwrap().flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(f.path()).unwrap();
            assert_eq!(
                sha256_hex(&bytes),
                name,
                "a blob file on the hub hashes to its name"
            );
            names.push(name);
        }
    }
    names.sort();
    names
}

/// Bytes held in the hub's partial uploads.
fn partial_bytes(hub_dir: &Path) -> u64 {
    std::fs::read_dir(hub_dir.join("blobs").join("partial"))
        .map(|d| {
            d.flatten()
                .filter_map(|f| f.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn device_photo_file(data: &Path, hash: &str) -> std::path::PathBuf {
    data.join("photos")
        .join(&hash[..2])
        .join(format!("{hash}.jpg"))
}

fn photo_pass(rt: &tokio::runtime::Runtime, d: &mut Device, at: Instant) -> PhotoReport {
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(120), d.sync_photos(at))
            .await
            .expect("a photo pass must never hang (120 s)")
    })
    .expect("a photo pass reports faults, it does not fail")
}

/// 50 photos in five reports through the proxy at random faults: records
/// and photos keep syncing until nothing waits. Every photo and thumbnail
/// is on the hub once, hash-correct; no record is lost; resent bytes come
/// only from faulted requests (an upload resumes, it never restarts).
#[test]
fn photos_upload_through_a_faulty_network() {
    let seed = seed("photo-faults");
    let rt = runtime();
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (listener, _) = listen(&rt);
    let proxy = Proxy::start(&rt, listener.local_addr().unwrap(), seed, Mode::Clean);
    let (dev_dir, mut d) = enrolled_device(&hub, "gw-photo-net", &proxy.url);
    serve(&rt, listener, hub);
    sync_http(&rt, &mut d).expect("a clean first sync");

    let started = Clock::now();
    let mut expected: BTreeSet<String> = BTreeSet::new();
    let (mut photo_bytes, mut multi_piece) = (0u64, 0usize);
    let mut records = Vec::new();
    for r in 0..5 {
        let mut attach = Vec::new();
        for k in r * 10..r * 10 + 10 {
            let p = d.take_photo(&photo_input(k), now()).unwrap();
            photo_bytes += p.size + p.thumb_size;
            multi_piece += usize::from(p.size > PIECE_BYTES as u64);
            expected.insert(p.hash.clone());
            expected.insert(p.thumb.clone());
            attach.push(Attach {
                hash: p.hash,
                caption: format!("第{k}张"),
            });
        }
        let c = d
            .report_issue_with_photos(&new_issue(&format!("照片事件 {r}")), None, &attach, now())
            .unwrap();
        records.push(c.id.to_string());
    }
    assert_eq!(
        expected.len(),
        100,
        "50 distinct photos and 50 distinct thumbnails"
    );
    assert!(
        multi_piece >= 10,
        "several photos need more than one {PIECE_BYTES}-byte piece: {multi_piece} do"
    );
    let made = started.elapsed();

    proxy.set_mode(Mode::Random);
    let mut total = PhotoReport::default();
    let (mut rounds, mut record_failures) = (0usize, 0usize);
    // Each round's `now` is two hours on, past any backoff (at most an
    // hour), so every photo still waiting is due again.
    let mut at = now();
    let unsent_records = || unsent(&device_db(dev_dir.path()));
    loop {
        rounds += 1;
        assert!(
            rounds <= 80,
            "everything moved within 80 faulty rounds (seed {seed}); {} photos waiting, last error {:?}",
            d.photo_queue().unwrap().waiting,
            total.last_error
        );
        at += chrono::Duration::hours(2);
        if sync_http(&rt, &mut d).is_err() {
            record_failures += 1;
        }
        let r = photo_pass(&rt, &mut d, at);
        total.uploaded += r.uploaded;
        total.failed += r.failed;
        total.later += r.later;
        total.bytes_sent += r.bytes_sent;
        if r.last_error.is_some() {
            total.last_error = r.last_error;
        }
        if d.photo_queue().unwrap().waiting == 0 && unsent_records() == 0 {
            break;
        }
    }
    let faulty = proxy.counters().summary();
    let faults = proxy.counters().faults();
    println!(
        "[photo-faults] proxy: {faulty}; {rounds} rounds (record syncs failed {record_failures})"
    );

    let states: Vec<_> = d.all_photos(100).unwrap();
    assert_eq!(states.len(), 50, "the device lists the 50 photos");
    let not_up: Vec<_> = states
        .iter()
        .filter(|p| p.state != PhotoState::Uploaded)
        .map(|p| (&p.photo.hash[..12], p.state.key()))
        .collect();
    assert!(
        not_up.is_empty(),
        "every photo is uploaded (seed {seed}): {not_up:?}"
    );
    assert_eq!(total.failed, 0, "no photo was refused for a network fault");
    // A clean pass: nothing is left to send, so nothing is sent.
    proxy.set_mode(Mode::Clean);
    let again = photo_pass(&rt, &mut d, at + chrono::Duration::hours(2));
    assert_eq!(again.bytes_sent, 0, "a finished queue sends nothing more");
    sync_http(&rt, &mut d).expect("a clean sync");
    drop(d);
    assert_converged(
        "records with photos, after the faults",
        dev_dir.path(),
        hub_dir.path(),
    );

    let held = hub_blobs(hub_dir.path());
    let held_hashes: BTreeSet<String> = held.keys().cloned().collect();
    assert_eq!(
        held_hashes, expected,
        "the hub holds exactly the 50 photos and 50 thumbnails (seed {seed})"
    );
    let files = hub_blob_files(hub_dir.path());
    assert_eq!(
        files.len(),
        100,
        "each blob is stored once, as one file named by its hash"
    );
    assert_eq!(
        files.into_iter().collect::<BTreeSet<_>>(),
        expected,
        "the files are the blobs the table names"
    );
    assert_eq!(
        held.values().sum::<u64>(),
        photo_bytes,
        "sizes match the device's"
    );
    assert_eq!(
        partial_bytes(hub_dir.path()),
        0,
        "no partial upload is left behind"
    );

    // Bytes put on the wire: the pieces' bodies the device sent
    // (PhotoReport.bytes_sent; headers are not in it). A fault can waste at
    // most the piece in flight, so resent bytes stay within one piece per
    // injected fault; an upload that restarted from zero would break this.
    let wasted = total.bytes_sent.saturating_sub(photo_bytes);
    println!(
        "[photo-faults] photos+thumbs {:.1} MB ({multi_piece} photos over one piece), bodies sent {:.1} MB = {:.3}× \
         (resent {:.1} MB over {faults} faults), photo passes with a retry {}, made in {:.1} s, {:.1} s in all",
        photo_bytes as f64 / 1e6,
        total.bytes_sent as f64 / 1e6,
        total.bytes_sent as f64 / photo_bytes as f64,
        wasted as f64 / 1e6,
        total.later,
        made.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(faults > 0, "faults were injected");
    assert!(
        total.bytes_sent >= photo_bytes,
        "every byte of every blob was sent at least once"
    );
    assert!(
        wasted <= faults as u64 * PIECE_BYTES as u64,
        "resent bytes ({wasted}) within one piece per fault ({faults} faults): uploads resume from the hub's offset"
    );
}

/// Photos on a clean network: the pieces' bodies are the photos' bytes
/// exactly, and with the request heads (counted by the proxy: one status
/// request per blob and one request per piece) within 1.1× of them.
#[test]
fn photo_bytes_on_a_clean_network() {
    let rt = runtime();
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (listener, _) = listen(&rt);
    let proxy = Proxy::start(&rt, listener.local_addr().unwrap(), 3, Mode::Clean);
    let (_dev_dir, mut d) = enrolled_device(&hub, "gw-photo-clean", &proxy.url);
    serve(&rt, listener, hub);
    sync_http(&rt, &mut d).unwrap();
    let mut attach = Vec::new();
    let mut bytes = 0u64;
    for k in 0..10 {
        let p = d.take_photo(&photo_input(50 + k), now()).unwrap();
        bytes += p.size + p.thumb_size;
        attach.push(Attach {
            hash: p.hash,
            caption: String::new(),
        });
    }
    d.report_issue_with_photos(&new_issue("十张照片"), None, &attach, now())
        .unwrap();
    sync_http(&rt, &mut d).unwrap();
    let before = proxy
        .counters()
        .requests
        .load(std::sync::atomic::Ordering::SeqCst);
    let r = photo_pass(&rt, &mut d, now());
    let requests = proxy
        .counters()
        .requests
        .load(std::sync::atomic::Ordering::SeqCst)
        - before;
    assert_eq!(
        r.uploaded, 10,
        "all ten photos uploaded: {:?}",
        r.last_error
    );
    assert_eq!(
        r.bytes_sent, bytes,
        "each byte sent once on a clean network"
    );
    // A request head as reqwest sends it: request line with the hash and
    // offsets, host, authorization with the token, content type and length
    // (≈ 250 B), and the hub's reply head and small JSON body (≈ 200 B).
    let per_request = 450u64;
    let wire = r.bytes_sent + requests as u64 * per_request;
    println!(
        "[photo-clean] {:.2} MB of photos+thumbs, {} requests, bodies {:.2} MB, with ≈{per_request} B heads a request {:.3}×",
        bytes as f64 / 1e6,
        requests,
        r.bytes_sent as f64 / 1e6,
        wire as f64 / bytes as f64
    );
    assert!(
        wire as f64 <= 1.1 * bytes as f64,
        "photo bytes on the wire within 1.1× the photos' ({wire} for {bytes})"
    );
}

/// A hub whose limit is below one photo's size: the record syncs, that
/// photo is failed with the hub's words about the limit, and the device's
/// other photos still upload.
#[test]
fn a_photo_over_the_hub_limit_fails_alone() {
    let rt = runtime();
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (listener, url) = listen(&rt);
    let (dev_dir, mut d) = enrolled_device(&hub, "gw-photo-big", &url);
    let big = d.take_photo(&grainy_photo(77, 1600, 1200), now()).unwrap();
    let small: Vec<_> = (0..3)
        .map(|k| d.take_photo(&sample_photo(640 + k, 480), now()).unwrap())
        .collect();
    let limit = big.size - 1;
    assert!(
        small.iter().all(|s| s.size < limit && s.thumb_size < limit) && big.thumb_size < limit,
        "only the big photo is over the limit"
    );
    hub.set_max_blob_bytes(limit);
    serve(&rt, listener, hub);
    sync_http(&rt, &mut d).unwrap();

    let with_big = d
        .report_issue_with_photos(
            &new_issue("大照片"),
            None,
            &[
                Attach {
                    hash: big.hash.clone(),
                    caption: "太大".into(),
                },
                Attach {
                    hash: small[0].hash.clone(),
                    caption: String::new(),
                },
            ],
            now(),
        )
        .unwrap();
    let other = d
        .report_issue_with_photos(
            &new_issue("小照片"),
            None,
            &small[1..]
                .iter()
                .map(|s| Attach {
                    hash: s.hash.clone(),
                    caption: String::new(),
                })
                .collect::<Vec<_>>(),
            now(),
        )
        .unwrap();
    sync_http(&rt, &mut d).unwrap();
    let r = photo_pass(&rt, &mut d, now());
    assert_eq!(
        (r.uploaded, r.failed),
        (3, 1),
        "three uploaded, one refused: {r:?}"
    );

    let views = d.photos_of(&with_big.id.to_string()).unwrap();
    let big_view = views.iter().find(|v| v.photo.hash == big.hash).unwrap();
    let PhotoState::Failed { reason } = &big_view.state else {
        panic!("the big photo is failed, not {:?}", big_view.state);
    };
    println!(
        "[photo-too-big] limit {limit} B, photo {} B: {} / {}",
        big.size, reason.zh, reason.en
    );
    assert!(
        !reason.zh.is_empty() && !reason.en.is_empty(),
        "the hub's reason in both languages"
    );
    assert!(
        reason.zh.contains(&limit.to_string()) && reason.en.contains(&limit.to_string()),
        "the reason names the limit ({limit}): {reason:?}"
    );
    assert!(
        reason.en.contains("limit") && reason.zh.contains("上限"),
        "the reason says it is the hub's limit: {reason:?}"
    );
    for id in [with_big.id.to_string(), other.id.to_string()] {
        for v in d.photos_of(&id).unwrap() {
            if v.photo.hash != big.hash {
                assert_eq!(v.state, PhotoState::Uploaded, "the other photos uploaded");
            }
        }
    }
    // The failed photo stays failed: a later pass does not send it again.
    let later = photo_pass(&rt, &mut d, now() + chrono::Duration::hours(3));
    assert_eq!(
        later.bytes_sent, 0,
        "a refused photo is not sent again by itself"
    );
    drop(d);
    assert_converged(
        "a record whose photo was refused",
        dev_dir.path(),
        hub_dir.path(),
    );
    let held = hub_blobs(hub_dir.path());
    assert!(
        !held.contains_key(&big.hash),
        "the hub did not store the big photo"
    );
    assert!(
        held.contains_key(&big.thumb),
        "the big photo's thumbnail is within the limit and stored"
    );
}

/// The entries of `gridline photo list --json` (all records).
fn listed_photos(data: &Path) -> Vec<serde_json::Value> {
    let out = cli(data, &["photo", "list", "--limit", "10000"])
        .output()
        .expect("run photo list");
    assert!(out.status.success(), "photo list succeeds");
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .expect("photo list prints JSON")
        .as_array()
        .expect("a list")
        .clone()
}

/// Kills `gridline issue report … --photo F --photo G` at random moments.
/// After each kill every photo a saved issue references is on disk whole
/// (photo and thumbnail, hash-correct), and every save that printed its id
/// is there with both photos.
#[test]
fn kill_the_device_while_saving_photos() {
    let seed = seed("photo-saves");
    let mut rng = Rng::new(seed);
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (dev_dir, mut d) = enrolled_device(&hub, "gw-photo-saves", "in-process");
    sync_in_process(&hub, &mut d);
    drop(d);
    let data = dev_dir.path();
    let inputs = tempfile::tempdir().unwrap();
    let files: Vec<String> = (0..6)
        .map(|k| {
            let path = inputs.path().join(format!("p{k}.jpg"));
            std::fs::write(&path, photo_input(k)).unwrap();
            path.display().to_string()
        })
        .collect();
    let save = |n: usize, f: &str, g: &str| {
        let description = format!("照片保存 {n}");
        let mut cmd = cli(
            data,
            &[
                "issue",
                "report",
                "--category",
                "市容环境",
                "--grid",
                GRID,
                "--description",
                &description,
                "--photo",
                f,
                "--photo",
                g,
            ],
        );
        Proc::spawn(cmd.stderr(Stdio::piped()))
    };
    let mut full_ms = u64::MAX;
    let mut returned: BTreeSet<String> = BTreeSet::new();
    for k in 0..2 {
        let started = Clock::now();
        let out = save(1000 + k, &files[0], &files[1])
            .0
            .take()
            .unwrap()
            .wait_with_output()
            .unwrap();
        assert!(
            out.status.success(),
            "an unkilled save succeeds: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        full_ms = full_ms.min(started.elapsed().as_millis() as u64);
        returned.insert(saved_id(&out.stdout).expect("the save printed its id"));
    }
    let full_ms = full_ms.max(10);

    let store = data.join("device.db");
    let (mut kills, mut mid_save, mut completed, mut checked) = (0usize, 0usize, 0usize, 0usize);
    let mut budget = Budget::new(40, Duration::from_secs(45));
    while budget.tick() {
        let n = budget.done;
        // Two different photos: one step never holds the same photo twice.
        let i = rng.below(files.len() as u64) as usize;
        let j = (i + 1 + rng.below(files.len() as u64 - 1) as usize) % files.len();
        let (f, g) = (&files[i], &files[j]);
        let mut p = save(n, f, g);
        // Up to half again the quickest save: most kills land inside one,
        // some just after it printed its id.
        std::thread::sleep(Duration::from_millis(rng.below(full_ms * 3 / 2)));
        let began = holds_open(p.child().id(), &store);
        let out = p.kill();
        if was_killed(&out.status) {
            kills += 1;
            mid_save += usize::from(began && saved_id(&out.stdout).is_none());
        } else {
            assert!(
                out.status.success(),
                "a save not killed succeeds (seed {seed})"
            );
            completed += 1;
        }
        if let Some(id) = saved_id(&out.stdout) {
            returned.insert(id);
        }
        // After every kill: whatever a record references is here, whole.
        let listed = listed_photos(data);
        for p in &listed {
            for key in ["hash", "thumb"] {
                let hash = p[key].as_str().unwrap();
                let bytes = std::fs::read(device_photo_file(data, hash)).unwrap_or_else(|_| {
                    panic!("a saved record references {key} {hash}, whose file is missing (seed {seed}, iteration {n})")
                });
                assert_eq!(
                    sha256_hex(&bytes),
                    hash,
                    "a referenced {key} file is whole (seed {seed}, iteration {n})"
                );
                checked += 1;
            }
            assert_eq!(p["full_here"], true, "a photo taken here is here");
            assert_eq!(p["thumb_here"], true, "its thumbnail is here");
        }
        let per_record = listed.iter().fold(
            std::collections::BTreeMap::<String, usize>::new(),
            |mut m, p| {
                *m.entry(p["record"].as_str().unwrap().to_owned())
                    .or_default() += 1;
                m
            },
        );
        for id in &returned {
            assert_eq!(
                per_record.get(id),
                Some(&2),
                "save {id} printed its id, so it is there with both photos (seed {seed})"
            );
        }
        assert!(
            per_record.values().all(|&c| c == 2),
            "a report is saved with both its photos or not at all: {per_record:?}"
        );
    }
    assert!(
        mid_save > 0,
        "some kills landed inside a save (store open, no id printed): {kills} kills (seed {seed})"
    );
    let db = device_db(data);
    assert_eq!(integrity(&db), "ok", "SQLite integrity after {kills} kills");
    drop(db);
    println!(
        "[photo-saves] iterations {}, killed {kills} (mid-save {mid_save}), finished {completed}, \
         saves returned {}, files checked {checked}, full save {full_ms} ms, {:.1} s",
        budget.done,
        returned.len(),
        budget.elapsed().as_secs_f64()
    );
}

fn start_hub(dir: &Path, port: u16) -> Proc {
    let mut cmd = std::process::Command::new(gridline_bin());
    cmd.arg("--data")
        .arg(dir)
        .args(["hub", "serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut p = Proc::spawn(&mut cmd);
    let started = Clock::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = p.child().try_wait().unwrap() {
            panic!("the hub exited at start: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the hub listens within 20 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    p
}

/// Kills `gridline device sync` after at least one piece of a large photo
/// reached the hub process; the next sync resumes from the hub's offset
/// (sends less than the photos' bytes) and the hub holds each photo whole.
#[test]
fn kill_the_device_while_uploading() {
    let seed = seed("photo-upload-kill");
    let hub_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let (dev_dir, d) = {
        let hub = new_hub(hub_dir.path());
        enrolled_device(&hub, "gw-photo-kill", &url)
    };
    drop(d);
    let data = dev_dir.path();
    let _hub = start_hub(hub_dir.path(), port);
    let partial = hub_dir.path().join("blobs").join("partial");

    let (mut attempts, mut missed) = (0usize, Vec::new());
    // Every photo taken here, over all attempts: an attempt whose sync
    // finished, or was killed before a piece landed, leaves its photos
    // uploaded or waiting, and the next sync moves those too.
    let mut sizes = std::collections::BTreeMap::new();
    let held = loop {
        attempts += 1;
        assert!(
            attempts <= 8,
            "a kill landed mid-upload within 8 attempts (seed {seed}): {missed:?}"
        );
        // Large photos, new each attempt (one finished before the kill is
        // on the hub and cannot be interrupted again).
        let mut d = Device::open(data).unwrap();
        let mut attach = Vec::new();
        for k in 0..6 {
            let p = d
                .take_photo(
                    &grainy_photo(seed ^ (attempts * 10 + k) as u64, 1600, 1200),
                    now(),
                )
                .unwrap();
            sizes.insert(p.hash.clone(), p.size);
            sizes.insert(p.thumb.clone(), p.thumb_size);
            attach.push(Attach {
                hash: p.hash,
                caption: String::new(),
            });
        }
        d.report_issue_with_photos(&new_issue("上传中断"), None, &attach, now())
            .unwrap();
        drop(d);
        let mut p = Proc::spawn(&mut cli(data, &["device", "sync"]));
        let watch = Clock::now();
        let mut landed = false;
        while watch.elapsed() < Duration::from_secs(60) {
            if partial_bytes(hub_dir.path()) >= PIECE_BYTES as u64 {
                landed = true;
                break;
            }
            if p.child().try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        let out = p.kill();
        if !(landed && was_killed(&out.status)) {
            missed.push(if was_killed(&out.status) {
                "killed before a piece landed"
            } else {
                "the sync ended first"
            });
            continue;
        }
        // The piece in flight when the device died is taken whole or not
        // at all; let the hub finish with it before reading its offset.
        std::thread::sleep(Duration::from_millis(200));
        let held = partial_bytes(hub_dir.path());
        if held >= PIECE_BYTES as u64 {
            break held;
        }
    };
    let total: u64 = sizes.values().sum();
    let partials: Vec<_> = std::fs::read_dir(&partial).unwrap().flatten().collect();
    let on_hub_before: u64 = hub_blobs(hub_dir.path())
        .iter()
        .filter(|(h, _)| sizes.contains_key(*h))
        .map(|(_, s)| s)
        .sum();

    let out = cli(data, &["device", "sync"]).output().unwrap();
    assert!(out.status.success(), "the next sync succeeds");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sent = v["photos"]["bytes_sent"]
        .as_u64()
        .expect("bytes_sent printed");
    println!(
        "[photo-upload-kill] attempts {attempts} (missed: {missed:?}); at the kill the hub held {held} B in {} partial upload(s) and {on_hub_before} B whole \
         of {total} B; the next sync sent {sent} B (uploaded {}, error {})",
        partials.len(),
        v["photos"]["uploaded"],
        v["photos"]["error"]
    );
    assert!(
        v["photos"]["error"].is_null(),
        "the photos all moved: {}",
        v["photos"]["error"]
    );
    assert!(
        sent <= total - held - on_hub_before,
        "the upload resumed from the hub's offset: sent {sent} of {total} B, the hub held {held} B in pieces and {on_hub_before} B whole"
    );
    assert!(
        sent < total,
        "less than the photos' bytes went the second time"
    );
    let blobs = hub_blobs(hub_dir.path());
    for (hash, size) in &sizes {
        assert_eq!(blobs.get(hash), Some(size), "the hub holds {hash} whole");
    }
    hub_blob_files(hub_dir.path()); // each hashes to its name
    assert_eq!(
        partial_bytes(hub_dir.path()),
        0,
        "no partial upload is left"
    );
}

/// The id a `--json` save printed.
fn saved_id(stdout: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(stdout).ok()?;
    v["id"].as_str().map(str::to_owned)
}
