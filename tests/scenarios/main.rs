//! Cross-crate scenarios: several devices editing the same records apart and
//! exchanging documents; exported documents read by another Automerge.

mod client;
mod hostile;
mod interop;
mod matrix;
mod mediation;
mod merge_households;
mod photos;
mod probes;
mod revocation;
mod street_limits;
mod sync;
mod sync_fallback;
mod sync_moved;
mod sync_overruled;
mod sync_wish_scope;
mod two_devices;
mod wipe;

use chrono::{TimeZone, Utc};
use gridline_device::{Device, NewHousehold, NewResident};
use gridline_model::{Instant, Role};
use gridline_test_support::{user, Served};

pub const GRID: &str = "522701001001001";

/// A second connection to a device's store: scenarios look at what only the
/// store shows (sync states, tokens, raw documents), which the device keeps to itself.
pub fn store_of(d: &Device) -> gridline_store::Store {
    gridline_device::open_store_for_checks(d.dir()).unwrap()
}

pub fn now() -> Instant {
    Utc.with_ymd_and_hms(2026, 11, 28, 6, 0, 0).unwrap()
}

pub fn device(id: &str, role: Role, scope: &str) -> (tempfile::TempDir, Device) {
    let dir = tempfile::tempdir().unwrap();
    let d = Device::init(dir.path(), user(id, role, scope)).unwrap();
    (dir, d)
}

pub fn zhang_san() -> NewHousehold {
    NewHousehold {
        grid: GRID.into(),
        compound: "水花都小区".into(),
        building: "8栋".into(),
        unit: "1单元".into(),
        room: "401".into(),
        phone: Some("18517374590".into()),
        tags: vec!["独居老人".into()],
        head: NewResident {
            name: "张三".into(),
            id_number: Some("522701198706182382".into()),
            ..Default::default()
        },
        members: Vec::new(),
        notes: "腿脚不便".into(),
    }
}
