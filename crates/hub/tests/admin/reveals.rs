//! Reveals of ID numbers on devices (DESIGN §7): a device's reveal entry is
//! one `device-reveal` audit row however often it is pushed, the user is
//! the binding's, and malformed entries are refused with a reason, never an
//! error; community staff are sent counts per user per month.

use chrono::Duration;
use gridline_hub::audit::RevealQuery;
use gridline_hub::Hub;
use gridline_model::{Role, User};
use gridline_sync::{RefusalCode, RevealEntry, RevealWho, SyncRequest, PROTOCOL_VERSION};

use super::{audit_of, now, seeded, GRID};

fn user(id: &str, name: &str, role: Role, scope: &str) -> User {
    User {
        name: name.into(),
        ..gridline_test_support::user(id, role, scope)
    }
}

/// Enrols `u` on its own device; returns the device's token.
fn enrol(hub: &Hub, u: &User, device: &str, actor: &str) -> String {
    let code = hub.enrol_code(u, "admin", now()).unwrap();
    hub.enroll(&code, device, actor, "127.0.0.1".parse().unwrap(), now())
        .unwrap()
        .token
}

fn request(reveals: Vec<RevealEntry>) -> SyncRequest {
    SyncRequest {
        v: PROTOCOL_VERSION,
        cursor: 0,
        page: 1,
        want_total: false,
        new_actor: None,
        push: vec![],
        sync: vec![],
        am_sync: false,
        reveals,
        directory: None,
    }
}

/// A v7 id from `at`, distinct for each `n`.
fn v7(at: chrono::DateTime<chrono::Utc>, n: u8) -> String {
    uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis() as u64, &[n; 10])
        .into_uuid()
        .to_string()
}

/// A household of the grid, as the hub holds it.
fn household(hub: &Hub) -> String {
    let q = gridline_hub::AdminQuery {
        grid: Some(gridline_model::GridId::parse(GRID).unwrap()),
        limit: Some(1),
    };
    hub.admin_households(&q, "admin", now()).unwrap().records[0]
        .record
        .doc_id()
        .to_string()
}

fn entry(n: u8, household: &str, who: &User) -> RevealEntry {
    let at = now() - Duration::minutes(10);
    RevealEntry {
        id: v7(at, n),
        at: gridline_model::fmt_time(at),
        household: household.into(),
        who: RevealWho {
            id: who.id.clone(),
            name: who.name.clone(),
        },
        reason: Some(" 核对低保材料 ".into()),
        via: "app".into(),
    }
}

#[test]
fn the_same_entry_pushed_twice_is_one_audit_row_and_acked_both_times() {
    let (_dir, hub) = seeded();
    let gw = user("gw-1", "李娜", Role::GridWorker, &format!("grids:{GRID}"));
    let token = enrol(&hub, &gw, "dev-1", "aa01");
    let h = household(&hub);
    let e = entry(1, &h, &gw);
    let first = hub.sync(&token, &request(vec![e.clone()]), now()).unwrap();
    assert_eq!(
        first.reveal_acks,
        vec![e.id.clone()],
        "the entry is acknowledged"
    );
    // The reply was lost after the commit: the device sends it again.
    let again = hub.sync(&token, &request(vec![e.clone()]), now()).unwrap();
    assert_eq!(
        again.reveal_acks,
        vec![e.id.clone()],
        "a duplicate is acknowledged too, so the device stops sending it"
    );
    let rows = audit_of(&hub, "device-reveal");
    assert_eq!(rows.len(), 1, "one audit row for one reveal: {rows:?}");
    let row = &rows[0];
    assert_eq!(
        (
            row.user_id.as_str(),
            row.device_id.as_deref(),
            row.record.as_str()
        ),
        ("gw-1", Some("dev-1"), h.as_str()),
        "the row names the binding's user and device and the household"
    );
    assert_eq!(row.at, e.at, "the audit row is at the time of the reveal");
    assert!(
        row.detail.contains(&e.id) && row.detail.contains("核对低保材料"),
        "the detail names the entry and its reason: {}",
        row.detail
    );
    let listed = hub.reveals(&RevealQuery::default()).unwrap();
    assert_eq!(listed.len(), 1, "one reveal listed");
    assert_eq!(
        (
            listed[0].user_name.as_str(),
            listed[0].reason.as_deref(),
            listed[0].community.as_deref()
        ),
        ("李娜", Some("核对低保材料"), Some(&GRID[..12])),
        "named by the binding, reason trimmed, in the household's community"
    );
    assert_eq!(listed[0].audit_id, row.id, "the listing is the audit row");
}

#[test]
fn a_forged_who_and_malformed_entries_are_refused_with_reasons_and_audit_nothing() {
    let (_dir, hub) = seeded();
    let gw = user("gw-1", "李娜", Role::GridWorker, &format!("grids:{GRID}"));
    let token = enrol(&hub, &gw, "dev-1", "aa01");
    let h = household(&hub);
    let someone = user("gw-2", "王芳", Role::GridWorker, &format!("grids:{GRID}"));
    let forged = entry(1, &h, &someone);
    let v4 = RevealEntry {
        id: uuid::Uuid::new_v4().to_string(),
        ..entry(2, &h, &gw)
    };
    let future = RevealEntry {
        at: gridline_model::fmt_time(now() + Duration::hours(2)),
        ..entry(3, &h, &gw)
    };
    let long = RevealEntry {
        reason: Some("理".repeat(gridline_sync::MAX_REASON_CHARS + 1)),
        ..entry(4, &h, &gw)
    };
    let good = entry(5, &h, &gw);
    let resp = hub
        .sync(
            &token,
            &request(vec![
                forged.clone(),
                v4.clone(),
                future.clone(),
                long.clone(),
                good.clone(),
            ]),
            now(),
        )
        .expect("malformed reveals are refusals in the reply, not a failed request");
    assert_eq!(
        resp.reveal_acks,
        vec![good.id.clone()],
        "only the good one is acked"
    );
    let code_of = |id: &str| {
        resp.reveal_refusals
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.code)
    };
    assert_eq!(
        code_of(&forged.id),
        Some(RefusalCode::ForgedAuthor),
        "another user's name is forged"
    );
    for (what, e) in [
        ("a v4 id", &v4),
        ("a future time", &future),
        ("a long reason", &long),
    ] {
        assert_eq!(
            code_of(&e.id),
            Some(RefusalCode::Malformed),
            "{what} is malformed"
        );
    }
    assert!(
        resp.reveal_refusals
            .iter()
            .all(|r| !r.reason.zh.is_empty() && !r.reason.en.is_empty()),
        "every refusal says why in both languages"
    );
    let rows = audit_of(&hub, "device-reveal");
    assert_eq!(rows.len(), 1, "only the good entry is audited as a reveal");
    assert_eq!(rows[0].user_id, "gw-1", "as the binding's user");
    let refused: Vec<_> = audit_of(&hub, "refused")
        .into_iter()
        .filter(|r| r.kind == "reveal")
        .collect();
    assert_eq!(
        refused.len(),
        4,
        "each refused entry is a refusal audit row"
    );
    assert!(
        hub.reveals(&RevealQuery::default())
            .unwrap()
            .iter()
            .all(|r| r.user_id == "gw-1"),
        "no reveal is ever recorded under a name the entry gave"
    );
    // An entry another device sent first is not this device's to claim.
    let other = user("gw-3", "赵强", Role::GridWorker, &format!("grids:{GRID}"));
    let other_token = enrol(&hub, &other, "dev-3", "aa03");
    let stolen = RevealEntry {
        who: RevealWho {
            id: "gw-3".into(),
            name: "赵强".into(),
        },
        ..good.clone()
    };
    let resp = hub
        .sync(&other_token, &request(vec![stolen]), now())
        .unwrap();
    assert!(
        resp.reveal_acks.is_empty() && resp.reveal_refusals.len() == 1,
        "a reveal id already held for another device is refused"
    );
    // A reason over the wire's byte bound refuses the whole request, clearly.
    let huge = RevealEntry {
        reason: Some("x".repeat(gridline_sync::MAX_REASON_BYTES + 1)),
        ..entry(6, &h, &gw)
    };
    let err = hub
        .sync(&token, &request(vec![huge]), now())
        .expect_err("over the wire's bound");
    assert!(
        err.to_string()
            .contains(&gridline_sync::MAX_REASON_BYTES.to_string()),
        "the refusal names the limit: {err}"
    );
}

#[test]
fn community_staff_are_sent_counts_per_user_and_month_others_none() {
    let (_dir, hub) = seeded();
    let community = &GRID[..12];
    let gw = user("gw-1", "李娜", Role::GridWorker, &format!("grids:{GRID}"));
    let gw2 = user("gw-2", "王芳", Role::GridWorker, &format!("grids:{GRID}"));
    let cs = user(
        "cs-1",
        "张伟",
        Role::CommunityStaff,
        &format!("community:{community}"),
    );
    let t1 = enrol(&hub, &gw, "dev-1", "aa01");
    let t2 = enrol(&hub, &gw2, "dev-2", "aa02");
    let t3 = enrol(&hub, &cs, "dev-3", "aa03");
    let h = household(&hub);
    hub.sync(
        &t1,
        &request(vec![entry(1, &h, &gw), entry(2, &h, &gw)]),
        now(),
    )
    .unwrap();
    let last_month = RevealEntry {
        at: gridline_model::fmt_time(now() - Duration::days(40)),
        id: v7(now() - Duration::days(40), 3),
        ..entry(3, &h, &gw2)
    };
    let resp = hub
        .sync(&t2, &request(vec![entry(4, &h, &gw2), last_month]), now())
        .unwrap();
    assert_eq!(resp.reveal_counts, None, "a grid worker is sent no counts");
    let counts = hub
        .sync(&t3, &request(vec![]), now())
        .unwrap()
        .reveal_counts
        .expect("community staff are sent counts");
    let got: Vec<(&str, &str, u64)> = counts
        .iter()
        .map(|c| (c.user_name.as_str(), c.month.as_str(), c.n))
        .collect();
    assert_eq!(
        got,
        vec![
            ("李娜", "2026-11", 2),
            ("王芳", "2026-10", 1),
            ("王芳", "2026-11", 1)
        ],
        "by name and month, never by count"
    );
    assert!(counts.iter().all(|c| c.community == community));
    let st = user(
        "st-1",
        "陈静",
        Role::StreetStaff,
        &format!("street:{}", &GRID[..9]),
    );
    let t4 = enrol(&hub, &st, "dev-4", "aa04");
    let street = hub
        .sync(&t4, &request(vec![]), now())
        .unwrap()
        .reveal_counts
        .expect("street staff are sent counts");
    assert_eq!(
        street, counts,
        "the street's communities hold these same reveals"
    );
}
