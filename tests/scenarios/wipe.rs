//! A remote wipe on a live hub (HTTP on loopback, DESIGN §7): the device
//! erases its store and key only once the hub holds everything it had, and
//! a revoked device never erases anything.

use gridline_device::wipe::{confirm_wipe, WipeCheck};
use gridline_device::{Device, HouseholdFilter, NewVisit};
use gridline_hub::wipe::WipeState;
use gridline_hub::{AuditQuery, Hub};
use gridline_model::{Instant, Role};

use super::{device, Served, GRID};

fn enrolled(
    served: &Served,
    hub: &Hub,
    id: &str,
    now: Instant,
) -> (tempfile::TempDir, Device, String) {
    let scope = format!("grids:{GRID}");
    let code = hub
        .enrol_code(
            &gridline_test_support::user(id, Role::GridWorker, &scope),
            "admin",
            now,
        )
        .unwrap();
    let (dir, mut d) = device(id, Role::GridWorker, &scope);
    served
        .rt
        .block_on(gridline_device::sync::enroll(
            &mut d,
            &served.url,
            &code,
            None,
        ))
        .unwrap();
    let device_id = hub
        .devices()
        .unwrap()
        .into_iter()
        .find(|r| r.user.id == id)
        .unwrap()
        .id;
    (dir, d, device_id)
}

fn visit(d: &mut Device, note: &str, now: Instant) -> String {
    let household = d.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    d.log_visit(
        &NewVisit {
            household,
            notes: note.into(),
            ..Default::default()
        },
        now,
    )
    .unwrap()
    .to_string()
}

fn hub_holds(hub_dir: &std::path::Path, id: &str) -> bool {
    let db = rusqlite::Connection::open(hub_dir.join(gridline_hub::STORE_FILE)).unwrap();
    db.query_row("SELECT count(*) FROM documents WHERE id = ?1", [id], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap()
        == 1
}

#[test]
fn a_wiped_device_erases_its_store_and_key_only_once_the_hub_holds_everything() {
    let now = chrono::Utc::now();
    let (hub_dir, hub) = gridline_test_support::sample_hub(now);
    let admin = Hub::open(hub_dir.path()).unwrap();
    let served = Served::start(hub, None);
    let (dir, mut d, device_id) = enrolled(&served, &admin, "gw-wipe", now);
    served
        .rt
        .block_on(gridline_device::sync::sync(&mut d, |_| {}))
        .unwrap();
    assert_eq!(d.wipe_check().unwrap(), WipeCheck::NotRequested);

    // Work done offline, then the admin asks for the wipe.
    let first = visit(&mut d, "反映楼道灯坏了", now);
    admin.request_wipe(&device_id, "admin-li", now).unwrap();
    assert!(matches!(
        admin.wipe_state(&device_id).unwrap(),
        WipeState::Requested(_)
    ));

    // Refused while anything is unsent: nothing is touched.
    assert!(!hub_holds(hub_dir.path(), &first));
    drop(d);
    let d = {
        let err = Device::open(dir.path())
            .unwrap()
            .erase_for_wipe()
            .unwrap_err();
        assert!(
            err.text().en.contains("no wipe asked for"),
            "not heard of yet: {}",
            err.text().en
        );
        Device::open(dir.path()).unwrap()
    };
    let mut d = d;
    // The sync that hears of it also pushes the visit; a second visit made
    // after it keeps the wipe waiting.
    let r = served
        .rt
        .block_on(gridline_device::sync::sync(&mut d, |_| {}))
        .unwrap();
    assert!(r.wipe_requested);
    assert!(
        hub_holds(hub_dir.path(), &first),
        "the visit reached the hub"
    );
    let second = visit(&mut d, "下周跟进", now);
    let waiting = d.wipe_check().unwrap();
    assert!(
        matches!(waiting, WipeCheck::Waiting { unsent: 1, .. }),
        "{waiting:?}"
    );
    drop(d);
    let err = Device::open(dir.path())
        .unwrap()
        .erase_for_wipe()
        .unwrap_err();
    assert!(
        err.text().en.contains("nothing is lost"),
        "{}",
        err.text().en
    );
    assert!(dir.path().join("device.db").exists() && dir.path().join("key.json").exists());
    let mut d = Device::open(dir.path()).unwrap();
    assert_eq!(
        d.wipe_check().unwrap(),
        waiting,
        "the request is remembered across a restart"
    );

    // Once the hub holds the second visit too, the wipe goes ahead.
    served
        .rt
        .block_on(gridline_device::sync::sync(&mut d, |_| {}))
        .unwrap();
    assert!(hub_holds(hub_dir.path(), &second));
    assert_eq!(d.wipe_check().unwrap(), WipeCheck::Ready);
    let erased = d.erase_for_wipe().unwrap();
    for f in ["device.db", "device.db-wal", "key.json"] {
        assert!(!dir.path().join(f).exists(), "{f} is erased");
    }
    assert!(matches!(
        Device::open(dir.path()),
        Err(gridline_device::Error::NotInitialised { .. })
    ));
    served.rt.block_on(confirm_wipe(&erased)).unwrap();
    assert!(matches!(
        admin.wipe_state(&device_id).unwrap(),
        WipeState::Wiped(_)
    ));
    let audit = admin
        .audit(&AuditQuery {
            device: Some(device_id.clone()),
            ..Default::default()
        })
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"wipe-request") && actions.contains(&"wiped"),
        "{actions:?}"
    );
    // The token is retired: a second confirmation is refused as revoked.
    let again = served.rt.block_on(confirm_wipe(&erased)).unwrap_err();
    assert!(again.text().en.contains("revoked"), "{}", again.text().en);
}

#[test]
fn a_revoked_device_never_hears_of_a_wipe_and_keeps_its_work() {
    let now = chrono::Utc::now();
    let (hub_dir, hub) = gridline_test_support::sample_hub(now);
    let admin = Hub::open(hub_dir.path()).unwrap();
    let served = Served::start(hub, None);
    let (dir, mut d, device_id) = enrolled(&served, &admin, "gw-revoked", now);
    served
        .rt
        .block_on(gridline_device::sync::sync(&mut d, |_| {}))
        .unwrap();

    admin.request_wipe(&device_id, "admin-li", now).unwrap();
    admin.revoke_as(&device_id, "admin-li", now).unwrap();
    let kept = visit(&mut d, "未同步的走访", now);
    let err = served
        .rt
        .block_on(gridline_device::sync::sync(&mut d, |_| {}))
        .unwrap_err();
    assert!(err.text().en.contains("revoked"), "{}", err.text().en);
    assert_eq!(d.wipe_check().unwrap(), WipeCheck::NotRequested);
    drop(d);
    let d = Device::open(dir.path()).unwrap();
    assert!(
        d.visits(None, None, None)
            .unwrap()
            .iter()
            .any(|v| v.id.to_string() == kept),
        "the visit is kept"
    );
    // And a wipe of a revoked device is refused at the hub, saying why.
    let err = admin.request_wipe(&device_id, "admin-li", now).unwrap_err();
    assert!(
        err.text().en.contains("export-unsynced"),
        "{}",
        err.text().en
    );
}
