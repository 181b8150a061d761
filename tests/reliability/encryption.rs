//! Encryption at rest (DESIGN §7): what a copied store file shows, and a
//! plain store from before encryption encrypted on its first open while the
//! process is SIGKILLed at random points.

use std::collections::BTreeMap;
use std::time::{Duration, Instant as Clock};

use gridline_device::{Device, NewHousehold, NewResident};
use gridline_store::cipher::{encrypting_path, file_kind, FileKind};

use super::*;

/// Whether `needle` occurs anywhere in `hay`.
fn holds(hay: &[u8], needle: &str) -> bool {
    memchr::memmem::find(hay, needle.as_bytes()).is_some()
}

/// Resident names and phones a store holds, read through its key.
fn residents(db: &rusqlite::Connection) -> Vec<String> {
    db.prepare("SELECT name, coalesce(phone, '') FROM residents ORDER BY id LIMIT 40")
        .unwrap()
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .flat_map(|(n, p)| [n, p])
        .filter(|s| s.len() >= 6)
        .collect()
}

/// `db`'s content copied into a plain SQLite file at `plain`: the form the
/// store had before encryption.
fn export_plain(db: &rusqlite::Connection, plain: &Path) {
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    db.execute(
        "ATTACH DATABASE ?1 AS plain KEY ''",
        [plain.to_string_lossy()],
    )
    .unwrap();
    db.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(()))
        .unwrap();
    db.pragma_update(Some("plain"), "user_version", version)
        .unwrap();
    db.execute("DETACH DATABASE plain", []).unwrap();
}

/// A grid worker's device with a grid of demo data (7,000-odd records).
fn seeded_device() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = cli(dir.path(), args).output().unwrap();
        assert!(out.status.success(), "gridline {args:?}: {out:?}");
    };
    run(&["device", "init", "--role", "grid-worker"]);
    run(&["demo", "seed", "--scale", "grid", "--seed", "3"]);
    dir
}

/// After a grid is seeded and while a new household is in the log, neither
/// `device.db` nor its WAL holds a resident's name, phone or ID number. The
/// same search finds them in a plain copy, so it can fail.
#[test]
fn a_copied_store_and_its_log_show_no_resident() {
    let dir = seeded_device();
    let mut d = Device::open(dir.path()).unwrap();
    let grid = d
        .user()
        .scope
        .encode()
        .trim_start_matches("grids:")
        .to_owned();
    let id_number = gridline_model::id_number::make_id_number(
        "522701",
        chrono::NaiveDate::from_ymd_opt(1961, 3, 9).unwrap(),
        417,
        true,
    );
    d.add_household(
        &NewHousehold {
            grid,
            compound: "平桥小区".into(),
            building: "9".into(),
            unit: "1".into(),
            room: "101".into(),
            head: NewResident {
                name: "欧阳秀兰".into(),
                id_number: Some(id_number.as_str().to_owned()),
                phone: Some("13985012345".into()),
                ..NewResident::default()
            },
            ..NewHousehold::default()
        },
        now(),
    )
    .unwrap();
    // The device stays open: its last save is in the WAL, not yet in the file.
    let wal = std::fs::read(dir.path().join("device.db-wal")).unwrap();
    assert!(!wal.is_empty(), "the new household is in the log");
    let file = std::fs::read(dir.path().join("device.db")).unwrap();

    let db = device_db(dir.path());
    let mut secrets = residents(&db);
    secrets.extend(["欧阳秀兰".to_owned(), "13985012345".to_owned()]);
    secrets.push(id_number.as_str().to_owned());
    assert!(secrets.len() > 20, "residents to look for: {secrets:?}");
    for s in &secrets {
        assert!(!holds(&file, s), "device.db shows {s:?} in the clear");
        assert!(!holds(&wal, s), "device.db-wal shows {s:?} in the clear");
    }
    assert!(!holds(&file, "SQLite format 3"), "no plaintext header");

    // The search works: a plain copy shows the residents' names.
    let copy = tempfile::tempdir().unwrap();
    let plain = copy.path().join("plain.db");
    export_plain(&db, &plain);
    let bytes = std::fs::read(&plain).unwrap();
    let found = secrets.iter().filter(|s| holds(&bytes, s)).count();
    assert!(
        found * 2 > secrets.len(),
        "a plain copy shows most residents ({found} of {})",
        secrets.len()
    );
    drop(d);
}

/// Row counts of every table and every document's heads: what "nothing
/// lost" compares.
type Contents = (BTreeMap<String, i64>, BTreeMap<String, String>);

fn contents(db: &rusqlite::Connection) -> Contents {
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let counts = tables
        .into_iter()
        .map(|t| {
            let n = db
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect();
    let heads = db
        .prepare("SELECT id, heads FROM documents")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (counts, heads)
}

/// A device from before encryption: `documents` of a seeded grid in a plain
/// `device.db` (in the returned directory), and what it holds.
fn plain_store(documents: usize) -> (tempfile::TempDir, Contents) {
    let dir = seeded_device();
    let template = tempfile::tempdir().unwrap();
    let db = device_db(dir.path());
    db.execute_batch(&format!(
        "DELETE FROM documents WHERE id NOT IN (SELECT id FROM documents ORDER BY id LIMIT {documents}); VACUUM;"
    ))
    .unwrap();
    export_plain(&db, &template.path().join("device.db"));
    let expected = contents(&db);
    (template, expected)
}

/// Puts the plain store back as a device from before encryption: no key
/// file, no log, no half-made copy.
fn reset(work: &Path, plain: &Path) {
    for f in [
        "device.db-wal",
        "device.db-shm",
        "key.json",
        "device.db.encrypting",
        "device.db.encrypting-journal",
    ] {
        let _ = std::fs::remove_file(work.join(f));
    }
    std::fs::copy(plain, work.join("device.db")).unwrap();
}

/// A plain store (1,500 documents of a seeded grid) is encrypted on its
/// first open (`gridline device show`),
/// killed at random points ≥ 100 times. After each kill the next open
/// finishes the job: integrity ok, every table's rows and every document's
/// heads as before, no copy left over.
#[test]
fn kill_the_device_while_it_encrypts_a_plain_store() {
    let seed = seed("encrypt-plain");
    let mut rng = Rng::new(seed);
    // 1,500 of the grid's documents: enough pages for kills to land in the
    // copy, few enough for 100 rounds in a test.
    let (template, expected) = plain_store(1500);
    let plain = template.path().join("device.db");
    assert_eq!(file_kind(&plain).unwrap(), FileKind::Plain);
    // The identity (meta) comes along: the plain store is a whole device.
    assert!(expected.0["meta"] > 0 && expected.1.len() == 1500);

    let work = tempfile::tempdir().unwrap();
    let store = work.path().join("device.db");
    let open = || Proc::spawn(&mut cli(work.path(), &["device", "show"]));
    // Three unkilled encryptions bound the kill delays.
    let mut full_ms = u64::MAX;
    for _ in 0..3 {
        reset(work.path(), &plain);
        let started = Clock::now();
        let out = open().0.take().unwrap().wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "an unkilled first open encrypts: {out:?}"
        );
        full_ms = full_ms.min(started.elapsed().as_millis() as u64);
        assert_eq!(file_kind(&store).unwrap(), FileKind::Encrypted);
    }
    let full_ms = full_ms.max(10);

    let (mut kills, mut mid_copy, mut finished) = (0usize, 0usize, 0usize);
    let mut budget = Budget::new(100, Duration::from_secs(240));
    while budget.tick() {
        let n = budget.done;
        reset(work.path(), &plain);
        let mut p = open();
        std::thread::sleep(Duration::from_millis(rng.below(full_ms * 11 / 10)));
        let out = p.kill();
        if was_killed(&out.status) {
            kills += 1;
            // Killed while the encrypted copy was being made or checked.
            mid_copy += usize::from(
                encrypting_path(&store).exists() && file_kind(&store).unwrap() == FileKind::Plain,
            );
        } else {
            assert!(
                out.status.success(),
                "an open that was not killed succeeds (iteration {n}, seed {seed})"
            );
        }
        finished += usize::from(file_kind(&store).unwrap() == FileKind::Encrypted);
        // Whatever the kill left, the next open gives the whole store, encrypted.
        let out = cli(work.path(), &["device", "show"]).output().unwrap();
        assert!(
            out.status.success(),
            "the store opens after a kill (iteration {n}, seed {seed}): {out:?}"
        );
        assert_eq!(
            file_kind(&store).unwrap(),
            FileKind::Encrypted,
            "iteration {n}"
        );
        assert!(
            !encrypting_path(&store).exists(),
            "no copy is left (iteration {n})"
        );
        let db = device_db(work.path());
        assert_eq!(
            integrity(&db),
            "ok",
            "integrity after kill {n} (seed {seed})"
        );
        assert!(
            contents(&db) == expected,
            "every row and document kept (iteration {n}, seed {seed})"
        );
    }
    eprintln!("encrypt kills: {kills} kills, {mid_copy} mid-copy, {finished} finished, full {full_ms} ms, {:?}", budget.elapsed());
    assert!(
        budget.done >= 100,
        "100 kill iterations within the time bound, got {}",
        budget.done
    );
    assert!(
        mid_copy > 0,
        "some kills must land while the copy is made ({kills} kills, {finished} already encrypted, seed {seed})"
    );
    assert!(kills > 0);
}

/// Two processes open the same plain store at once (the app and a command,
/// say) 10 times over: one encrypts it, the other waits its turn and opens
/// the result; both succeed and nothing is lost.
#[test]
fn two_processes_opening_a_plain_store_at_once_both_get_it_whole() {
    let (template, expected) = plain_store(800);
    let plain = template.path().join("device.db");
    let work = tempfile::tempdir().unwrap();
    for n in 0..10 {
        reset(work.path(), &plain);
        let a = cli(work.path(), &["device", "show"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let b = cli(work.path(), &["device", "show"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        for (who, p) in [("first", a), ("second", b)] {
            let out = p.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "the {who} open succeeds (round {n}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(
            file_kind(&work.path().join("device.db")).unwrap(),
            FileKind::Encrypted
        );
        let db = device_db(work.path());
        assert_eq!(integrity(&db), "ok");
        assert!(
            contents(&db) == expected,
            "every row and document kept (round {n})"
        );
    }
}
