//! Edits to a document that moved out of the device's scope while the device
//! was offline: accepted if the device made them before it could know of the
//! move, refused (kept as a read-only copy) once it knew.

use super::store_of;
use gridline_device::HouseholdFilter;
use gridline_device::{Device, HouseholdEdit};
use gridline_hub::Hub;
use gridline_model::Role;
use gridline_sync::{PushDoc, RefusalCode, SyncRequest, DEFAULT_PAGE, PROTOCOL_VERSION};

use super::now;
use super::sync::{enrolled, hub, sync};

const GRID: &str = "522701001001001";
const OTHER: &str = "522701001001002";

fn note(d: &mut Device, id: &str, notes: &str) {
    d.edit_household(
        id,
        &HouseholdEdit {
            notes: Some(notes.into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
}

/// Community staff move a household to another grid of their community.
fn move_to_other_grid(hub: &Hub, cs: &mut Device, ct: &str, dir: &std::path::Path, id: &str) {
    sync(hub, cs, ct, now());
    let (_, bytes) = store_of(cs)
        .load(uuid::Uuid::parse_str(id).unwrap())
        .unwrap()
        .unwrap();
    let mut doc = gridline_records::load(&bytes, &cs.identity().actor).unwrap();
    let mut h = gridline_records::household::read(&doc).unwrap();
    h.grid = gridline_model::GridId::parse(OTHER).unwrap();
    gridline_records::household::update(&mut doc, &h, now()).unwrap();
    gridline_device::open_store_for_checks(dir)
        .unwrap()
        .save(
            &mut doc,
            &gridline_records::Record::Household(h),
            gridline_store::Origin::Local,
            now(),
        )
        .unwrap();
    assert_eq!(sync(hub, cs, ct, now()).acknowledged, 1, "moved");
}

#[test]
fn an_edit_made_before_the_device_knew_of_a_move_reaches_the_hub() {
    let (_h, hub) = hub();
    let (_a, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    let (b, mut cs, ct) = enrolled(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    sync(&hub, &mut gw, &gt, now());
    let id = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    // Offline, the grid worker writes a note; meanwhile the office moves the household.
    note(&mut gw, &id, "走访记录：老人住院了");
    move_to_other_grid(&hub, &mut cs, &ct, b.path(), &id);
    let r = sync(&hub, &mut gw, &gt, now());
    assert!(r.refused.is_empty(), "not refused: {:?}", r.refused);
    assert_eq!(r.acknowledged, 1, "the hub took the note");
    assert_eq!(r.removed, 1, "then the household left the device");
    assert!(gw.refused_records().unwrap().is_empty());
    sync(&hub, &mut cs, &ct, now());
    let h = cs.household(&id, now()).unwrap().household;
    assert_eq!(h.notes, "走访记录：老人住院了", "the office sees the note");
    assert_eq!(
        h.grid.as_str(),
        OTHER,
        "and the household stays where it was moved"
    );
}

#[test]
fn once_the_device_knew_of_the_move_its_edits_are_refused() {
    let (_h, hub) = hub();
    let (a, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    let (b, mut cs, ct) = enrolled(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    sync(&hub, &mut gw, &gt, now());
    let id = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    // Keep the document as the device had it before the move.
    let (_, before) = store_of(&gw)
        .load(uuid::Uuid::parse_str(&id).unwrap())
        .unwrap()
        .unwrap();
    move_to_other_grid(&hub, &mut cs, &ct, b.path(), &id);
    let r = sync(&hub, &mut gw, &gt, now());
    assert_eq!(r.removed, 1, "the device heard of the move");
    // Its next request tells the hub so: its cursor is past the move.
    sync(&hub, &mut gw, &gt, now());
    // A change made now, sent with an old cursor as if it had not heard.
    let mut doc = gridline_records::load(&before, &gw.identity().actor).unwrap();
    let heads = doc.get_heads();
    let mut h = gridline_records::household::read(&doc).unwrap();
    h.notes = "迟到的修改".into();
    gridline_records::household::update(&mut doc, &h, now()).unwrap();
    let req = SyncRequest {
        v: PROTOCOL_VERSION,
        cursor: 0,
        page: DEFAULT_PAGE,
        want_total: false,
        new_actor: None,
        push: vec![PushDoc {
            id: id.clone(),
            changes: doc.save_after(&heads),
            heads: gridline_records::heads_hex(&mut doc)
                .split(',')
                .map(str::to_owned)
                .collect(),
        }],
        sync: vec![],
        am_sync: false,
        reveals: Vec::new(),
        directory: None,
    };
    let resp = hub.sync(&gt, &req, now()).unwrap();
    assert_eq!(
        resp.refusals.len(),
        1,
        "a lower cursor does not reopen the window"
    );
    // The household is now outside what the device may read: the hub answers
    // as for an id it never held (changes on top of nothing) ...
    assert_eq!(resp.refusals[0].code, RefusalCode::MissingDeps);
    // ... and the whole document, which the device sends next, is out of scope.
    let whole = SyncRequest {
        push: vec![PushDoc {
            changes: doc.save(),
            ..req.push[0].clone()
        }],
        ..req
    };
    let resp = hub.sync(&gt, &whole, now()).unwrap();
    assert_eq!(resp.refusals.len(), 1, "refused");
    assert_eq!(resp.refusals[0].code, RefusalCode::NotPermitted);
    drop(a);
}

#[test]
fn a_device_that_did_not_know_of_the_move_still_cannot_move_the_household_on() {
    let (_h, hub) = hub();
    let (a, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    let (b, mut cs, ct) = enrolled(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    sync(&hub, &mut gw, &gt, now());
    let id = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    move_to_other_grid(&hub, &mut cs, &ct, b.path(), &id);
    // Offline and unaware, the device moves it to a third grid, which is
    // outside its scope.
    let (_, bytes) = store_of(&gw)
        .load(uuid::Uuid::parse_str(&id).unwrap())
        .unwrap()
        .unwrap();
    let mut doc = gridline_records::load(&bytes, &gw.identity().actor).unwrap();
    let mut h = gridline_records::household::read(&doc).unwrap();
    h.grid = gridline_model::GridId::parse("522701001001003").unwrap();
    gridline_records::household::update(&mut doc, &h, now()).unwrap();
    gridline_device::open_store_for_checks(a.path())
        .unwrap()
        .save(
            &mut doc,
            &gridline_records::Record::Household(h),
            gridline_store::Origin::Local,
            now(),
        )
        .unwrap();
    // The two grid values conflict. Where the device's wins the merge, the
    // push would move the household on and is refused; where the office's
    // wins (actor ids decide), the place is unchanged and the push is taken.
    let r = sync(&hub, &mut gw, &gt, now());
    assert_eq!(r.refused.len() + r.acknowledged, 1, "{r:?}");
    sync(&hub, &mut cs, &ct, now());
    assert_eq!(
        cs.household(&id, now()).unwrap().household.grid.as_str(),
        OTHER,
        "either way the household stays where the office put it"
    );
}

#[test]
fn a_device_enrolled_after_a_move_learns_nothing_of_where_the_record_was() {
    // Before, a new device's cursor 0 reached back past every move: its
    // first sync listed the ids of records that had left its grid long
    // before it existed, and it could read and edit them at their old place.
    let (_h, hub) = hub();
    let (_a, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    let (b, mut cs, ct) = enrolled(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    sync(&hub, &mut gw, &gt, now());
    let id = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    move_to_other_grid(&hub, &mut cs, &ct, b.path(), &id);
    drop(b);
    // A second grid worker of the old grid enrols after the move.
    let (_n, mut late, lt) = enrolled(&hub, "gw-2", Role::GridWorker, &format!("grids:{GRID}"));
    let r = sync(&hub, &mut late, &lt, now());
    assert_eq!(
        r.removed, 0,
        "no removal names the record that left before it came"
    );
    assert!(
        late.household(&id, now()).is_err(),
        "and it never held the moved household"
    );
    // Naming it with empty changes: judged as an unknown id, no acknowledgement.
    let req = SyncRequest {
        v: PROTOCOL_VERSION,
        cursor: 0,
        page: DEFAULT_PAGE,
        want_total: false,
        new_actor: None,
        push: vec![PushDoc {
            id: id.clone(),
            changes: Vec::new(),
            heads: vec![],
        }],
        sync: vec![],
        am_sync: false,
        reveals: Vec::new(),
        directory: None,
    };
    let resp = hub.sync(&lt, &req, now()).unwrap();
    assert!(
        resp.acks.is_empty(),
        "the hub's heads are not shown to it: {resp:?}"
    );
    assert_eq!(resp.refusals.len(), 1, "refused as no record");
    assert_eq!(resp.refusals[0].code, RefusalCode::Malformed);
    drop(gw);
}
