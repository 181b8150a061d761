//! Revocation and enrolment over HTTP on loopback: bad codes rate-limited
//! (429), a revoked device refused at once, a captured request replayed with
//! a revoked token refused; and a revoked device's unsynced work exported and
//! imported by an admin (DESIGN §5, the one audited exception).

use gridline_device::HouseholdEdit;
use gridline_device::HouseholdFilter;
use gridline_hub::{AuditQuery, Hub};
use gridline_model::{Role, Scope, User};

use super::sync::{enrolled, hub, sync};
use super::*;

fn worker(id: &str) -> User {
    User {
        id: id.into(),
        name: id.into(),
        role: Role::GridWorker,
        scope: Scope::parse(&format!("grids:{GRID}")).unwrap(),
    }
}

#[test]
fn bad_codes_over_http_are_rate_limited_with_429_and_a_clear_message() {
    let (_h, hub) = hub();
    let good = hub
        .enrol_code(&worker("gw-1"), "admin", chrono::Utc::now())
        .unwrap();
    let served = Served::start(hub, None);
    let enrol = |code: &str| {
        let body = serde_json::json!({"code": code, "device_id": "dev-1", "actor": "aa01"});
        served.post(
            "/v1/enroll",
            body.to_string().into_bytes(),
            "application/json",
            None,
        )
    };
    for i in 0..gridline_hub::BAD_CODES_PER_SOURCE {
        let (status, _) = enrol(&format!("WRNG-CDXE-ZZZ{}", (b'A' + i as u8) as char));
        assert_eq!(status, 401, "bad code {i} is simply wrong");
    }
    let (status, body) = enrol(&good);
    assert_eq!(
        status, 429,
        "past the limit for this address, even the right code waits"
    );
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["code"], "too_many_attempts");
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains("注册码错误次数过多") && msg.contains("try again in"),
        "bilingual, says when: {msg}"
    );
    let health = served.rt.block_on(async {
        reqwest::get(format!("{}/health", served.url))
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(health, 200, "the hub keeps serving");
}

#[test]
fn a_captured_request_replayed_with_a_revoked_token_is_refused() {
    let (h, hub) = hub();
    let (_a, mut gw, token) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    sync(&hub, &mut gw, &token, now());
    let id = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    gw.edit_household(
        &id,
        &HouseholdEdit {
            room: Some("901".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    // Captured on the wire: the CBOR body and its bearer token.
    let captured = gridline_sync::encode(&gw.sync_request(false).unwrap());
    let served = Served::start(hub, None);
    let admin = Hub::open(h.path()).unwrap();
    let (status, _) = served.post(
        "/v1/sync",
        captured.clone(),
        "application/cbor",
        Some(&token),
    );
    assert_eq!(status, 200, "accepted while the device is enrolled");
    let heads = admin.heads(&id).unwrap();
    gw.edit_household(
        &id,
        &HouseholdEdit {
            room: Some("902".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    let later = gridline_sync::encode(&gw.sync_request(false).unwrap());
    admin
        .revoke_as(&gw.identity().device_id, "李主任", now())
        .unwrap();
    for (what, body) in [("the replayed request", captured), ("a new request", later)] {
        let (status, text) = served.post("/v1/sync", body, "application/cbor", Some(&token));
        assert_eq!(status, 403, "{what} is refused at once");
        assert!(text.contains("revoked"), "{text}");
    }
    assert_eq!(
        admin.heads(&id).unwrap(),
        heads,
        "nothing applied after the revocation"
    );
}

#[test]
fn the_audit_lists_each_pushed_change_with_its_user_and_device() {
    let (_h, hub) = hub();
    let scope = format!("grids:{GRID}");
    let (_a, mut one, t1) = enrolled(&hub, "gw-1", Role::GridWorker, &scope);
    let (_b, mut two, t2) = enrolled(&hub, "gw-2", Role::GridWorker, &scope);
    sync(&hub, &mut one, &t1, now());
    sync(&hub, &mut two, &t2, now());
    let ids: Vec<String> = one
        .households(&HouseholdFilter::default())
        .unwrap()
        .into_iter()
        .map(|h| h.id.to_string())
        .collect();
    let later = now() + chrono::Duration::minutes(5);
    let edit = |d: &mut gridline_device::Device, id: &str, room: &str| {
        d.edit_household(
            id,
            &HouseholdEdit {
                room: Some(room.into()),
                ..Default::default()
            },
            later,
        )
        .unwrap();
    };
    edit(&mut one, &ids[0], "101");
    edit(&mut two, &ids[1], "202");
    edit(&mut two, &ids[0], "303");
    sync(&hub, &mut one, &t1, later);
    sync(&hub, &mut two, &t2, later);
    sync(&hub, &mut one, &t1, later); // nothing new: audits nothing
    let (d1, d2) = (
        one.identity().device_id.clone(),
        two.identity().device_id.clone(),
    );
    let rows = hub
        .audit(&AuditQuery {
            since: Some(later),
            ..Default::default()
        })
        .unwrap();
    let mut got: Vec<(&str, &str, Option<&str>, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.action.as_str(),
                r.user_id.as_str(),
                r.device_id.as_deref(),
                r.record.as_str(),
                r.kind.as_str(),
            )
        })
        .collect();
    let mut want = vec![
        (
            "push",
            "gw-1",
            Some(d1.as_str()),
            ids[0].as_str(),
            "household",
        ),
        (
            "push",
            "gw-2",
            Some(d2.as_str()),
            ids[1].as_str(),
            "household",
        ),
        (
            "push",
            "gw-2",
            Some(d2.as_str()),
            ids[0].as_str(),
            "household",
        ),
    ];
    assert_eq!(got[0], want[0], "gw-1 synced first");
    got.sort();
    want.sort();
    assert_eq!(
        got, want,
        "exactly the changes pushed, each with its user and device"
    );
    assert!(rows.iter().all(|r| r.at == "2026-11-28T06:05:00.000Z"));
    assert!(
        rows[0].detail.contains(&one.identity().actor_hex()),
        "the actor whose changes were applied: {}",
        rows[0].detail
    );
    // Filters: one record's history begins with the hub's import.
    let record = hub
        .audit(&AuditQuery {
            record: Some(ids[0].clone()),
            ..Default::default()
        })
        .unwrap();
    let actions: Vec<(&str, &str)> = record
        .iter()
        .map(|r| (r.action.as_str(), r.user_id.as_str()))
        .collect();
    assert_eq!(
        actions,
        vec![("hub-write", "admin"), ("push", "gw-1"), ("push", "gw-2")]
    );
    let by_device = hub
        .audit(&AuditQuery {
            device: Some(d2.clone()),
            limit: Some(2),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_device.len(), 2, "the two most recent");
    assert!(by_device
        .iter()
        .all(|r| r.action == "push" && r.user_id == "gw-2"));
    let enrolments = hub
        .audit(&AuditQuery {
            user: Some("gw-1".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(enrolments[0].action, "enrol");
    assert_eq!(enrolments[0].device_id.as_deref(), Some(d1.as_str()));
}

/// A household the hub holds outside `grid`, changed as `actor` would: a
/// change the device's binding could never have made.
fn forged_edit(hub_dir: &std::path::Path, actor: &[u8]) -> serde_json::Value {
    let c = rusqlite::Connection::open(hub_dir.join(gridline_hub::STORE_FILE)).unwrap();
    let (id, bytes): (String, Vec<u8>) = c
        .query_row(
            "SELECT id, bytes FROM documents WHERE kind = 'household' AND grid != ?1 LIMIT 1",
            [GRID],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut doc = gridline_records::load(&bytes, actor).unwrap();
    let heads = doc.get_heads();
    let mut h = gridline_records::household::read(&doc).unwrap();
    h.address.room = "666".into();
    gridline_records::household::update(&mut doc, &h, now()).unwrap();
    let changes = doc.save_after(&heads);
    assert!(!changes.is_empty());
    serde_json::json!({"id": id, "kind": "household", "heads": [], "acked_heads": [],
        "changes": changes.iter().map(|b| format!("{b:02x}")).collect::<String>(), "actors": []})
}

#[test]
fn a_revoked_devices_unsynced_work_is_exported_reviewed_and_imported_once() {
    let (h, hub) = hub();
    let scope = format!("grids:{GRID}");
    let (_a, mut one, t1) = enrolled(&hub, "gw-1", Role::GridWorker, &scope);
    let (_b, mut two, t2) = enrolled(&hub, "gw-2", Role::GridWorker, &scope);
    sync(&hub, &mut one, &t1, now());
    sync(&hub, &mut two, &t2, now());
    let edited = one.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    // Offline work: an edit and a new household (household + private part).
    one.edit_household(
        &edited,
        &HouseholdEdit {
            room: Some("501".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    let added = one.add_household(&zhang_san(), now()).unwrap().to_string();
    // A reveal of ID numbers made offline is unsent work too (DESIGN §7).
    let revealed = one
        .reveal_id_numbers(
            &added,
            Some("核对身份"),
            gridline_device::reveal::Via::App,
            now(),
        )
        .unwrap()
        .entry
        .expect("the new household has an ID number");
    let later = now() + chrono::Duration::minutes(10);
    hub.revoke_as(&one.identity().device_id, "李主任", later)
        .unwrap();
    let req = one.sync_request(false).unwrap();
    assert!(matches!(
        hub.sync(&t1, &req, later),
        Err(gridline_hub::Error::Revoked)
    ));

    let export = one.export_unsynced(later).unwrap();
    assert_eq!(export.format, "gridline-unsynced");
    assert_eq!(export.device_id, one.identity().device_id);
    assert_eq!(export.user.id, "gw-1");
    assert!(export.actors.contains(&one.identity().actor_hex()));
    assert_eq!(
        export.docs.len(),
        3,
        "the edit, the new household and its private part"
    );
    assert!(export
        .docs
        .iter()
        .any(|d| d.id == edited && !d.acked_heads.is_empty()));
    assert!(export
        .docs
        .iter()
        .any(|d| d.id == added && d.acked_heads.is_empty()));
    assert_eq!(
        export
            .reveals
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        vec![revealed.to_string().as_str()],
        "the unsent reveal travels in the export"
    );
    // The same file with a change this binding could never have made.
    let mut file = serde_json::to_value(&export).unwrap();
    let forged = forged_edit(h.path(), &one.identity().actor);
    let forged_id = forged["id"].as_str().unwrap().to_owned();
    file["docs"].as_array_mut().unwrap().push(forged);
    let bytes = serde_json::to_vec(&file).unwrap();

    let (docs, counter) = (hub.document_count().unwrap(), hub.counter().unwrap());
    let review = hub.import_changes(&bytes, "李主任", true, later).unwrap();
    assert!(review.dry_run);
    assert_eq!(
        (review.applied(), review.already(), review.refused()),
        (3, 0, 1)
    );
    assert_eq!(
        (hub.document_count().unwrap(), hub.counter().unwrap()),
        (docs, counter),
        "a review keeps nothing"
    );
    let audited = |action: &str| {
        hub.audit(&AuditQuery {
            device: Some(one.identity().device_id.clone()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|r| r.action == action)
        .collect::<Vec<_>>()
    };
    assert!(audited("import").is_empty() && audited("import-refused").is_empty());

    let done = hub.import_changes(&bytes, "李主任", false, later).unwrap();
    assert_eq!((done.applied(), done.already(), done.refused()), (3, 0, 1));
    let refused = done.docs.iter().find(|d| d.id == forged_id).unwrap();
    assert!(
        matches!(&refused.outcome, gridline_hub::Outcome::Refused { code, .. } if code == "not_permitted"),
        "{refused:?}"
    );
    assert_eq!(
        hub.document_count().unwrap(),
        docs + 2,
        "the new household and its private part"
    );
    // Each change keeps its original actor.
    let c = rusqlite::Connection::open(h.path().join(gridline_hub::STORE_FILE)).unwrap();
    let stored: Vec<u8> = c
        .query_row(
            "SELECT bytes FROM documents WHERE id = ?1",
            [&edited],
            |r| r.get(0),
        )
        .unwrap();
    let mut doc = automerge::AutoCommit::load(&stored).unwrap();
    assert!(doc
        .get_changes(&[])
        .iter()
        .any(|ch| ch.actor_id().to_hex_string() == one.identity().actor_hex()));
    let imports = audited("import");
    assert_eq!(imports.len(), 3);
    assert!(imports
        .iter()
        .all(|r| r.admin.as_deref() == Some("李主任") && r.user_id == "gw-1"));
    let reveals = audited("device-reveal");
    assert_eq!(reveals.len(), 1, "the imported reveal is one audit row");
    assert_eq!(
        (
            reveals[0].record.as_str(),
            reveals[0].user_id.as_str(),
            reveals[0].admin.as_deref()
        ),
        (added.as_str(), "gw-1", Some("李主任")),
        "for the household, under the binding, naming the importing admin"
    );
    assert!(
        matches!(done.reveals[..], [ref r] if r.outcome == gridline_hub::Outcome::Applied),
        "{:?}",
        done.reveals
    );
    let refusals = audited("import-refused");
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0].record, forged_id);

    // Another device of the grid receives the imported work.
    sync(&hub, &mut two, &t2, later);
    assert_eq!(
        two.household(&edited, now())
            .unwrap()
            .household
            .address
            .room,
        "501"
    );
    assert_eq!(
        two.household(&added, now()).unwrap().household.address.room,
        "401"
    );

    // The same file again duplicates nothing.
    let heads = hub.heads(&edited).unwrap();
    let (docs, counter) = (hub.document_count().unwrap(), hub.counter().unwrap());
    let again = hub.import_changes(&bytes, "李主任", false, later).unwrap();
    assert_eq!(
        (again.applied(), again.already(), again.refused()),
        (0, 3, 1)
    );
    assert_eq!(
        (
            hub.document_count().unwrap(),
            hub.counter().unwrap(),
            hub.heads(&edited).unwrap()
        ),
        (docs, counter, heads)
    );
    assert_eq!(audited("import").len(), 3, "no new import rows");
    assert_eq!(audited("device-reveal").len(), 1, "nor a second reveal row");
    assert!(
        matches!(again.reveals[..], [ref r] if r.outcome == gridline_hub::Outcome::AlreadyOnHub),
        "{:?}",
        again.reveals
    );
}
