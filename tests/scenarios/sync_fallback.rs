//! When the device's and the hub's heads disagree (a push refused with
//! `missing_deps`): Automerge's own sync messages as the fallback, and the
//! older path (the hub's whole copy) for a device that does not answer them.

use super::store_of;
use gridline_device::{Device, HouseholdEdit};
use gridline_device::{HouseholdFilter, SyncState};
use gridline_model::Role;
use gridline_sync::RefusalCode;

use super::now;
use super::sync::{enrolled, hub, sync};

const GRID: &str = "522701001001001";

fn edit(d: &mut Device, id: &str, notes: &str) {
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

/// The device believes the hub holds its latest change, which the hub never
/// got (as after the hub was restored from an older backup); then it edits
/// again, so its next push depends on a change the hub lacks.
fn heads_disagree(dir: &std::path::Path, d: &mut Device, id: &str) {
    edit(d, id, "第一次修改：这次修改没有到达枢纽");
    let db = gridline_device::open_store_for_checks(dir).unwrap();
    db.connection()
        .execute(
            "UPDATE documents SET acked_heads = heads WHERE id = ?1",
            [id],
        )
        .unwrap();
    edit(d, id, "第二次修改");
}

fn device_heads(d: &Device, id: &str) -> String {
    let (_, bytes) = store_of(d)
        .load(uuid::Uuid::parse_str(id).unwrap())
        .unwrap()
        .unwrap();
    gridline_records::heads_hex(&mut gridline_records::load(&bytes, &[1; 16]).unwrap())
}

#[test]
fn a_push_the_hub_cannot_place_is_completed_with_automerge_sync_messages() {
    let (_h, hub) = hub();
    let (dir, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    sync(&hub, &mut gw, &gt, now());
    let id = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    heads_disagree(dir.path(), &mut gw, &id);

    let req = gw.sync_request(false).unwrap();
    assert!(
        req.am_sync,
        "a device with pushes says it answers sync messages"
    );
    let resp = hub.sync(&gt, &req, now()).unwrap();
    assert_eq!(resp.refusals.len(), 1);
    assert_eq!(resp.refusals[0].code, RefusalCode::MissingDeps);
    assert_eq!(resp.sync.len(), 1, "the hub sends its sync message");
    assert!(
        resp.docs.iter().all(|d| d.id != id),
        "and not its whole copy"
    );
    let whole = hub_bytes(&hub, &id);
    assert!(
        resp.sync[0].msg.len() < whole,
        "the hub's message ({} B) is smaller than its copy ({whole} B)",
        resp.sync[0].msg.len()
    );
    let mut report = Default::default();
    gw.apply_sync(&req, resp, now(), &mut report).unwrap();
    assert!(gw.has_more_to_say().unwrap(), "an answer is due");

    let answer = gw.sync_request(false).unwrap();
    assert!(
        answer.push.is_empty(),
        "the document travels as a sync message, not a push"
    );
    assert_eq!(answer.sync.len(), 1);
    let resp = hub.sync(&gt, &answer, now()).unwrap();
    assert!(resp.refusals.is_empty(), "{:?}", resp.refusals);
    assert_eq!(resp.acks.len(), 1, "the hub took both edits");
    gw.apply_sync(&answer, resp, now(), &mut report).unwrap();
    assert!(!gw.has_more_to_say().unwrap());
    assert!(report.refused.is_empty(), "nothing kept as refused");

    let mine = device_heads(&gw, &id);
    assert_eq!(hub.heads(&id).unwrap().as_deref(), Some(mine.as_str()));
    assert_eq!(
        store_of(&gw)
            .sync_state(uuid::Uuid::parse_str(&id).unwrap())
            .unwrap(),
        Some(SyncState::Synced)
    );
    // Another device receives both edits.
    let (_o, mut other, ot) = enrolled(&hub, "gw-2", Role::GridWorker, &format!("grids:{GRID}"));
    sync(&hub, &mut other, &ot, now());
    assert_eq!(
        other.household(&id, now()).unwrap().household.notes,
        "第二次修改"
    );
    assert_eq!(device_heads(&other, &id), mine);
}

#[test]
fn one_sync_call_resolves_disagreeing_heads() {
    let (_h, hub) = hub();
    let (dir, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    sync(&hub, &mut gw, &gt, now());
    let ids: Vec<String> = gw
        .households(&HouseholdFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| r.id.to_string())
        .collect();
    for id in &ids {
        heads_disagree(dir.path(), &mut gw, id);
    }
    let r = sync(&hub, &mut gw, &gt, now());
    assert_eq!(r.round_trips, 2, "one refused push, one answer");
    assert!(r.refused.is_empty());
    for id in &ids {
        assert_eq!(
            hub.heads(id).unwrap().as_deref(),
            Some(device_heads(&gw, id).as_str())
        );
    }
}

#[test]
fn a_device_that_does_not_answer_sync_messages_gets_the_hubs_copy() {
    let (_h, hub) = hub();
    let (dir, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    sync(&hub, &mut gw, &gt, now());
    let id = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    heads_disagree(dir.path(), &mut gw, &id);
    // As an older device sends it: no `am_sync`.
    let mut req = gw.sync_request(false).unwrap();
    req.am_sync = false;
    let bytes = gridline_sync::encode(&req);
    assert!(
        !bytes.windows(7).any(|w| w == b"am_sync"),
        "an unset flag is not on the wire"
    );
    let resp = hub.sync(&gt, &req, now()).unwrap();
    assert_eq!(resp.refusals[0].code, RefusalCode::MissingDeps);
    assert!(resp.sync.is_empty(), "no sync message for it");
    assert!(
        resp.docs.iter().any(|d| d.id == id),
        "the hub's copy instead"
    );
    let mut report = Default::default();
    gw.apply_sync(&req, resp, now(), &mut report).unwrap();
    let r = sync(&hub, &mut gw, &gt, now());
    assert_eq!(r.acknowledged, 1, "the next push goes from the hub's heads");
    assert_eq!(
        hub.heads(&id).unwrap().as_deref(),
        Some(device_heads(&gw, &id).as_str())
    );
}

fn hub_bytes(hub: &gridline_hub::Hub, id: &str) -> usize {
    let (_d, mut reader, t) = enrolled(hub, "ss-r", Role::StreetStaff, "street:522701001");
    sync(hub, &mut reader, &t, now());
    store_of(&reader)
        .load(uuid::Uuid::parse_str(id).unwrap())
        .unwrap()
        .unwrap()
        .1
        .len()
}
