//! A street hub's store encrypted at rest (`hub init --encrypt`, DESIGN §7).

use gridline_hub::cipher::{is_encrypted, HubKey};
use gridline_hub::{Hub, STORE_FILE};
use gridline_test_support::{SAMPLE, STREET};

fn now() -> gridline_model::Instant {
    chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00+08:00")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// Heads of household, ID numbers and phones in the sample spreadsheet.
fn sample_secrets() -> Vec<String> {
    let text = std::str::from_utf8(SAMPLE)
        .unwrap()
        .trim_start_matches('\u{feff}');
    text.lines()
        .skip(1)
        .flat_map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            [cells[6], cells[7], cells[8]].map(str::to_owned)
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Everything the hub keeps on disk: the store, its log and its index.
fn bytes_on_disk(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for f in [STORE_FILE, "hub.db-wal", "hub.db-shm"] {
        if let Ok(b) = std::fs::read(dir.join(f)) {
            all.extend(b);
        }
    }
    all
}

fn found(hay: &[u8], secrets: &[String]) -> Vec<String> {
    secrets
        .iter()
        .filter(|s| hay.windows(s.len()).any(|w| w == s.as_bytes()))
        .cloned()
        .collect()
}

#[test]
fn an_encrypted_hub_keeps_no_resident_readable_on_disk_and_a_plain_one_does() {
    let secrets = sample_secrets();
    assert_eq!(
        secrets.len(),
        24 * 3,
        "a head, an ID number and a phone per household"
    );

    let plain_dir = tempfile::tempdir().unwrap();
    let plain = Hub::init(plain_dir.path(), STREET, "测试街道").unwrap();
    plain.import_households(SAMPLE, "admin", now()).unwrap();
    assert!(!plain.is_encrypted());
    // The search can fail: a plain hub shows the names it holds.
    let shown = found(&bytes_on_disk(plain_dir.path()), &secrets);
    assert!(!shown.is_empty(), "a plain hub.db shows residents");

    let dir = tempfile::tempdir().unwrap();
    let key = HubKey::random().unwrap();
    let hub = Hub::init_encrypted(dir.path(), STREET, "测试街道", &key).unwrap();
    let report = hub.import_households(SAMPLE, "admin", now()).unwrap();
    assert_eq!(report.households, 24);
    assert!(hub.is_encrypted());
    assert!(is_encrypted(&dir.path().join(STORE_FILE)).unwrap());
    // The hub is still open: its last writes are in the log.
    let leaked = found(&bytes_on_disk(dir.path()), &secrets);
    assert!(leaked.is_empty(), "an encrypted hub shows {leaked:?}");
    let listing = hub
        .admin_households(&gridline_hub::admin::AdminQuery::default(), "admin", now())
        .unwrap();
    assert_eq!(listing.total, 24, "and reads them back");
}

#[test]
fn an_encrypted_hub_is_made_once_and_refuses_a_second_init() {
    let dir = tempfile::tempdir().unwrap();
    let key = HubKey::random().unwrap();
    drop(Hub::init_encrypted(dir.path(), STREET, "测试街道", &key).unwrap());
    let err = Hub::init_encrypted(dir.path(), STREET, "测试街道", &key)
        .err()
        .unwrap();
    assert!(
        matches!(err, gridline_hub::Error::AlreadyInitialised { .. }),
        "{err}"
    );
}
