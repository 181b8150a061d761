//! Hub and devices in one process: enrolment, scoped sync, refusals, the claim
//! race, convergence under random offline edits and interrupted round trips,
//! and one real HTTP round trip on loopback.

use gridline_device::sync::SyncReport;
use gridline_device::{Device, HouseholdEdit, NewWish};
use gridline_device::{HouseholdFilter, SyncState};
use gridline_hub::Hub;
use gridline_model::wish::WishStage;
use gridline_model::{Instant, IssueStep, Role, Scope, User};
use proptest::prelude::*;

use super::*;

/// A hub with the sample spreadsheet imported (4 communities × 3 grids), on
/// the scenarios' clock.
pub(crate) fn hub() -> (tempfile::TempDir, Hub) {
    gridline_test_support::sample_hub(now())
}

/// A new device enrolled in process with the hub as `id`, on the scenarios' clock.
pub(crate) fn enrolled(
    hub: &Hub,
    id: &str,
    role: Role,
    scope: &str,
) -> (tempfile::TempDir, Device, String) {
    gridline_test_support::enrolled(hub, user(id, role, scope), "in-process", now())
}

/// Syncs in process until nothing is left, like `gridline_device::sync::sync`.
pub(crate) fn sync(hub: &Hub, d: &mut Device, token: &str, at: Instant) -> SyncReport {
    let mut report = SyncReport::default();
    for round in 0..100 {
        let req = d.sync_request(round == 0).unwrap();
        let resp = hub.sync(token, &req, at).unwrap();
        let more = resp.more;
        let pushed_all = req.push.len() < gridline_device::sync::PUSH_BATCH;
        report.round_trips += 1;
        d.apply_sync(&req, resp, at, &mut report).unwrap();
        if !more && pushed_all && !d.has_more_to_say().unwrap() {
            return report;
        }
    }
    panic!("sync did not finish in 100 round trips");
}

/// The grid id the hub gave 平桥社区 / 平桥第1网格 (first community, first grid).
fn first_grid(hub: &Hub) -> String {
    let _ = hub;
    "522701001001001".into()
}

#[test]
fn a_grid_worker_receives_exactly_their_grid_and_its_private_parts() {
    let (_h, hub) = hub();
    let grid = first_grid(&hub);
    let (_d, mut gw, token) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{grid}"));
    let r = sync(&hub, &mut gw, &token, now());
    let rows = gw.households(&HouseholdFilter::default()).unwrap();
    assert!(!rows.is_empty(), "the grid's households arrived");
    assert!(
        rows.iter().all(|r| r.grid.as_str() == grid),
        "nothing from another grid reached the device"
    );
    let private: i64 = store_of(&gw)
        .connection()
        .query_row(
            "SELECT count(*) FROM documents WHERE kind = 'household-private'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        private as usize,
        rows.len(),
        "a grid worker holds each household's private part"
    );
    assert_eq!(
        r.pulled,
        rows.len() * 2,
        "households and private parts, nothing else"
    );
    assert!(
        rows.iter().all(|r| r.sync_state == SyncState::Synced),
        "received records are in sync"
    );
    // Nothing changed: one round trip, nothing pulled.
    let again = sync(&hub, &mut gw, &token, now());
    assert_eq!(
        (again.round_trips, again.pulled, again.pushed),
        (1, 0, 0),
        "nothing changed is one empty round trip"
    );
}

#[test]
fn a_leader_never_receives_id_numbers() {
    let (_h, hub) = hub();
    let (_a, mut gw, gw_token) = enrolled(
        &hub,
        "gw-1",
        Role::GridWorker,
        &format!("grids:{}", first_grid(&hub)),
    );
    sync(&hub, &mut gw, &gw_token, now());
    let linked: Vec<String> = gw
        .households(&HouseholdFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| r.id.to_string())
        .take(2)
        .collect();
    let (_b, mut jl, jl_token) = enrolled(
        &hub,
        "jl-1",
        Role::JointLeader,
        &format!("households:{}", linked.join(",")),
    );
    let r = sync(&hub, &mut jl, &jl_token, now());
    assert_eq!(
        r.pulled, 2,
        "the two linked households, without their private parts"
    );
    let private: i64 = store_of(&jl)
        .connection()
        .query_row(
            "SELECT count(*) FROM documents WHERE kind = 'household-private'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(private, 0, "no ID number reached the leader's store");
}

#[test]
fn offline_edits_on_two_devices_meet_on_the_hub() {
    let (_h, hub) = hub();
    let grid = first_grid(&hub);
    let (_a, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{grid}"));
    let (_b, mut cs, ct) = enrolled(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    sync(&hub, &mut gw, &gt, now());
    sync(&hub, &mut cs, &ct, now());
    let id = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    gw.edit_household(
        &id,
        &HouseholdEdit {
            phone: Some("16022664433".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    cs.edit_household(
        &id,
        &HouseholdEdit {
            add_tags: vec!["党员".into()],
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    assert_eq!(
        gw.household(&id, now()).unwrap().sync_state,
        SyncState::Pending,
        "an unsent edit waits"
    );
    let pushed = sync(&hub, &mut gw, &gt, now());
    assert_eq!(pushed.acknowledged, 1, "the hub acknowledged the edit");
    assert!(
        pushed.bytes_sent < 2_000,
        "an edit travels as changes, not the document: {} bytes",
        pushed.bytes_sent
    );
    sync(&hub, &mut cs, &ct, now());
    sync(&hub, &mut gw, &gt, now());
    for d in [&gw, &cs] {
        let v = d.household(&id, now()).unwrap();
        assert_eq!(v.household.phone.as_ref().unwrap().as_str(), "16022664433");
        assert!(
            v.household.tags.iter().any(|t| t.zh() == "党员"),
            "both edits on both devices"
        );
        assert_eq!(v.sync_state, SyncState::Synced);
    }
}

#[test]
fn a_household_written_outside_the_scope_is_refused_kept_and_the_device_goes_on() {
    let (_h, hub) = hub();
    let grid = first_grid(&hub);
    let (_a, gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{grid}"));
    // The binding says grid 001; the device was created locally for 002 and
    // writes there (as a tampered or misconfigured device would).
    let store_dir = _a.path().to_owned();
    let other = "522701001001002";
    {
        let s = gridline_device::open_store_for_checks(&store_dir).unwrap();
        s.set_meta("scope", &format!("grids:{grid},{other}"))
            .unwrap();
    }
    let mut gw2 = Device::open(_a.path()).unwrap();
    let mut h = zhang_san();
    h.grid = other.into();
    let id = gw2.add_household(&h, now()).unwrap().to_string();
    let actor_before = gw2.identity().actor_hex();
    let r = sync(&hub, &mut gw2, &gt, now());
    assert_eq!(
        r.refused.len(),
        2,
        "household and private part refused: {:?}",
        r.refused
    );
    assert!(
        gw2.household(&id, now()).is_err(),
        "the record is gone from the working store"
    );
    let copies = gw2.refused_records().unwrap();
    assert_eq!(copies.len(), 2, "both kept as read-only copies");
    assert_ne!(
        gw2.identity().actor_hex(),
        actor_before,
        "the device writes as a fresh actor"
    );
    assert!(
        hub.document_count().unwrap() == 48,
        "the hub holds only the import"
    );
    // It goes on: an edit in its real grid syncs under the new actor.
    let mine = gw2
        .households(&HouseholdFilter {
            grid: Some(gridline_model::GridId::parse(&grid).unwrap()),
            ..Default::default()
        })
        .unwrap()[0]
        .id
        .to_string();
    gw2.edit_household(
        &mine,
        &HouseholdEdit {
            notes: Some("回访".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    let r = sync(&hub, &mut gw2, &gt, now());
    assert!(
        r.refused.is_empty() && r.acknowledged == 1,
        "later work syncs: {r:?}"
    );
    drop(gw);
}

#[test]
fn an_event_naming_someone_else_is_refused_as_forged() {
    let (_h, hub) = hub();
    let (_a, mut gw, gt) = enrolled(
        &hub,
        "gw-1",
        Role::GridWorker,
        &format!("grids:{}", first_grid(&hub)),
    );
    sync(&hub, &mut gw, &gt, now());
    let issue = gw
        .report_issue(
            &gridline_device::NewIssue {
                grid: Some(first_grid(&hub)),
                category: "噪音".into(),
                description: "施工噪音".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    sync(&hub, &mut gw, &gt, now());
    // Tamper: append an "accept" as community staff straight into the document.
    let (_, bytes) = store_of(&gw).load(issue).unwrap().unwrap();
    let mut doc = gridline_records::load(&bytes, &gw.identity().actor).unwrap();
    let mut i = gridline_records::issue::read(&doc).unwrap();
    let forged = gridline_model::IssueEvent {
        id: uuid::Uuid::now_v7(),
        at: now() + chrono::Duration::minutes(1),
        author: gridline_model::Author {
            user: "cs-1".into(),
            role: Role::CommunityStaff,
            unit: "522701001001".into(),
        },
        step: IssueStep::Accept,
    };
    gridline_records::issue::push_event(&mut doc, &forged).unwrap();
    i.events.push(forged);
    let store_dir = _a.path().to_owned();
    let mut store = gridline_device::open_store_for_checks(&store_dir).unwrap();
    store
        .save(
            &mut doc,
            &gridline_records::Record::Issue(i),
            gridline_store::Origin::Local,
            now(),
        )
        .unwrap();
    drop(store);
    let r = sync(&hub, &mut gw, &gt, now());
    assert_eq!(r.refused.len(), 1, "the forged step is refused");
    assert!(
        r.refused[0].1.contains("cs-1"),
        "the reason names the forged author: {}",
        r.refused[0].1
    );
    let v = gw.issue(&issue.to_string(), now()).unwrap();
    assert_eq!(
        v.issue.events.len(),
        1,
        "the device is back at the hub's version"
    );
}

#[test]
fn a_revoked_device_is_refused_at_once_and_keeps_its_work() {
    let (_h, hub) = hub();
    let (_a, mut gw, gt) = enrolled(
        &hub,
        "gw-1",
        Role::GridWorker,
        &format!("grids:{}", first_grid(&hub)),
    );
    sync(&hub, &mut gw, &gt, now());
    let id = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    gw.edit_household(
        &id,
        &HouseholdEdit {
            room: Some("999".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    hub.revoke(&gw.identity().device_id, now()).unwrap();
    let req = gw.sync_request(false).unwrap();
    assert!(
        matches!(
            hub.sync(&gt, &req, now()),
            Err(gridline_hub::Error::Revoked)
        ),
        "refused from the next request"
    );
    assert_eq!(
        gw.household(&id, now()).unwrap().household.address.room,
        "999",
        "the unsynced edit is still on the device"
    );
    assert!(
        matches!(
            hub.sync("not-a-token", &req, now()),
            Err(gridline_hub::Error::Unauthorised)
        ),
        "an unknown token is refused"
    );
}

#[test]
fn enrolment_codes_are_single_use() {
    let (_h, hub) = hub();
    let user = User {
        id: "gw-9".into(),
        name: "王".into(),
        role: Role::GridWorker,
        scope: Scope::parse("grids:522701001001001").unwrap(),
    };
    let code = hub.enrol_code(&user, "admin", now()).unwrap();
    let here = std::net::Ipv4Addr::LOCALHOST.into();
    hub.enroll(&code, "dev-a", "aa01", here, now()).unwrap();
    assert!(
        matches!(
            hub.enroll(&code, "dev-b", "bb02", here, now()),
            Err(gridline_hub::Error::BadCode)
        ),
        "a used code is refused"
    );
    let late = hub.enrol_code(&user, "admin", now()).unwrap();
    let expired = now() + chrono::Duration::hours(gridline_hub::CODE_TTL_HOURS + 1);
    assert!(
        matches!(
            hub.enroll(&late, "dev-c", "cc03", here, expired),
            Err(gridline_hub::Error::BadCode)
        ),
        "an expired code is refused"
    );
    let c = rusqlite::Connection::open(_h.path().join(gridline_hub::STORE_FILE)).unwrap();
    let tokens: i64 = c.query_row("SELECT count(*) FROM devices WHERE length(token_hash) = 64 AND token_hash NOT LIKE '%-%'", [], |r| r.get(0)).unwrap();
    assert_eq!(tokens, 1, "the token is stored as a SHA-256 hash");
}

/// A device enrolled with a hub: its directory, the device, its token.
pub(crate) type Enrolled = (tempfile::TempDir, Device, String);

/// Three devices of one grid's street, in sync, with a wish the grid worker
/// posted: the set-up of every race for one wish.
pub(crate) struct WishRace {
    pub _dir: tempfile::TempDir,
    pub hub: Hub,
    pub wish: String,
    pub gw: Enrolled,
    pub ss: Enrolled,
    pub cs: Enrolled,
}

pub(crate) fn wish_race() -> WishRace {
    let (dir, hub) = hub();
    let grid = first_grid(&hub);
    let (a, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{grid}"));
    let (b, mut ss, st) = enrolled(&hub, "ss-1", Role::StreetStaff, "street:522701001");
    let (c, mut cs, ct) = enrolled(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    sync(&hub, &mut gw, &gt, now());
    let h = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    let wish = gw
        .post_wish(
            &NewWish {
                household: Some(h),
                title: "一台助听器".into(),
                category: "医疗健康".into(),
                value_yuan: 600,
                ..Default::default()
            },
            now(),
        )
        .unwrap()
        .to_string();
    sync(&hub, &mut gw, &gt, now());
    sync(&hub, &mut ss, &st, now());
    sync(&hub, &mut cs, &ct, now());
    WishRace {
        _dir: dir,
        hub,
        wish,
        gw: (a, gw, gt),
        ss: (b, ss, st),
        cs: (c, cs, ct),
    }
}

#[test]
fn two_offline_claims_on_one_wish_end_with_exactly_one_winner_everywhere() {
    let WishRace {
        hub,
        wish: w,
        gw: (_a, mut gw, gt),
        ss: (_b, mut ss, st),
        cs: (_c, mut cs, ct),
        _dir: _h,
    } = wish_race();
    // Both claim while offline.
    let s1 = ss.claim_wish(&w, now()).unwrap();
    let s2 = cs.claim_wish(&w, now()).unwrap();
    assert_eq!(
        (s1.stage, s2.stage),
        (Some(WishStage::Posted), Some(WishStage::Posted)),
        "an enrolled device's claim is pending until the hub grants it"
    );
    sync(&hub, &mut cs, &ct, now());
    sync(&hub, &mut ss, &st, now());
    sync(&hub, &mut cs, &ct, now());
    sync(&hub, &mut gw, &gt, now());
    let states: Vec<_> = [&gw, &ss, &cs]
        .iter()
        .map(|d| d.wish(&w).unwrap().state)
        .collect();
    for s in &states {
        assert_eq!(
            s.stage,
            Some(WishStage::Claimed),
            "claimed on every replica"
        );
        assert_eq!(
            s.claimant.as_deref(),
            Some("cs-1"),
            "the first claim the hub received wins, everywhere"
        );
        assert!(
            s.pending.is_empty(),
            "the other claim was refused, not left pending"
        );
    }
}

/// Random offline edits and wish steps on random devices, random sync order,
/// random lost replies (the hub applied the push but the device never
/// heard): afterwards every device and the hub hold the same heads for every
/// shared document, and each device holds exactly the wishes it is sent
/// (a fourth device, in another grid, only the open ones and its own claims).
fn converge(ops: Vec<(usize, u8, u8, bool)>) {
    let (_h, hub) = hub();
    let grid = first_grid(&hub);
    let mut devices: Vec<(tempfile::TempDir, Device, String)> = vec![
        enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{grid}")),
        enrolled(&hub, "gw-2", Role::GridWorker, &format!("grids:{grid}")),
        enrolled(&hub, "cs-1", Role::CommunityStaff, "community:522701001001"),
        enrolled(&hub, "gw-3", Role::GridWorker, "grids:522701001001002"),
    ];
    let n = devices.len();
    let mut wishes: Vec<String> = Vec::new();
    for (_, d, t) in devices.iter_mut() {
        sync(&hub, d, t, now());
    }
    let ids: Vec<String> = devices[0]
        .1
        .households(&HouseholdFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| r.id.to_string())
        .collect();
    for (who, what, which, lose_reply) in ops {
        let (_, d, t) = &mut devices[who % n];
        let id = &ids[which as usize % ids.len()];
        let wish = (!wishes.is_empty()).then(|| wishes[which as usize % wishes.len()].clone());
        // Wish steps a device may not take (not held, wrong state) are skipped.
        match what % 7 {
            4 if who % n < 3 => wishes.push(
                d.post_wish(
                    &NewWish {
                        household: Some(id.clone()),
                        title: format!("心愿{which}"),
                        category: "生活物资".into(),
                        value_yuan: 50,
                        ..Default::default()
                    },
                    now(),
                )
                .unwrap()
                .to_string(),
            ),
            5 => {
                if let Some(w) = wish {
                    let _ = d.claim_wish(&w, now());
                }
            }
            6 => {
                if let Some(w) = wish {
                    if d.fulfil_wish(&w, "已送到", now()).is_err() {
                        let _ = d.withdraw_wish(&w, false, "不需要了", now());
                    }
                }
            }
            _ => {}
        }
        match what % 7 {
            4..=6 => {}
            // The other grid's device does not hold these households.
            0 | 1 if who % n == 3 => {
                sync(&hub, d, t, now());
            }
            0 => d
                .edit_household(
                    id,
                    &HouseholdEdit {
                        notes: Some(format!("备注{which}")),
                        ..Default::default()
                    },
                    now(),
                )
                .map(|_| ())
                .unwrap(),
            1 => d
                .edit_household(
                    id,
                    &HouseholdEdit {
                        add_tags: vec![["党员", "出租屋", "流动人口"][which as usize % 3].into()],
                        ..Default::default()
                    },
                    now(),
                )
                .map(|_| ())
                .unwrap(),
            2 => {
                let req = d.sync_request(false).unwrap();
                let resp = hub.sync(t, &req, now()).unwrap();
                if !lose_reply {
                    let mut r = SyncReport::default();
                    d.apply_sync(&req, resp, now(), &mut r).unwrap();
                }
            }
            _ => {
                sync(&hub, d, t, now());
            }
        }
    }
    // Claims are granted when they reach the hub; the outcome then spreads.
    for _ in 0..3 {
        for (_, d, t) in devices.iter_mut() {
            sync(&hub, d, t, now());
        }
    }
    // Every wish: the grid's devices and its community's staff hold it; the
    // other grid's device only while it is open or it claimed it; whoever
    // holds it holds the hub's heads, in sync.
    for w in &wishes {
        let state = devices[2].1.wish(w).unwrap().state;
        let open = gridline_sync::scope::is_open(state.stage);
        let hub_heads = hub.heads(w).unwrap().unwrap();
        for (i, (_, d, _)) in devices.iter().enumerate() {
            let expected = i < 3 || open || state.claimant.as_deref() == Some("gw-3");
            let rid = uuid::Uuid::parse_str(w).unwrap();
            match store_of(d).load(rid).unwrap() {
                None => assert!(!expected, "{} lacks wish {w} ({state:?})", d.user().id),
                Some((_, bytes)) => {
                    assert!(
                        expected,
                        "{} still holds settled wish {w} ({state:?})",
                        d.user().id
                    );
                    let heads = gridline_records::heads_hex(
                        &mut gridline_records::load(&bytes, &[1; 16]).unwrap(),
                    );
                    assert_eq!(
                        heads,
                        hub_heads,
                        "{} holds the hub's heads of {w}",
                        d.user().id
                    );
                    assert_eq!(
                        store_of(d).sync_state(rid).unwrap(),
                        Some(SyncState::Synced)
                    );
                }
            }
        }
    }
    // The same projection: the grid's household lists agree field by field
    // (community staff also see the community's other grids).
    let in_grid = HouseholdFilter {
        grid: Some(gridline_model::GridId::parse(&grid).unwrap()),
        ..Default::default()
    };
    type Shown = (String, String, Vec<String>, String);
    let lists: Vec<Vec<Shown>> = devices[..3]
        .iter()
        .map(|(_, d, _)| {
            d.households(&in_grid)
                .unwrap()
                .into_iter()
                .map(|r| {
                    let mut tags: Vec<String> = r.tags.iter().map(|t| t.zh().to_owned()).collect();
                    tags.sort();
                    (r.id.to_string(), r.address, tags, r.head_name)
                })
                .collect()
        })
        .collect();
    assert!(!lists[0].is_empty(), "the grid has households to compare");
    assert!(
        lists.windows(2).all(|w| w[0] == w[1]),
        "every device shows the same households"
    );
    for id in &ids {
        let heads: Vec<String> = devices[..3]
            .iter()
            .map(|(_, d, _)| {
                let (_, bytes) = store_of(d)
                    .load(uuid::Uuid::parse_str(id).unwrap())
                    .unwrap()
                    .unwrap();
                gridline_records::heads_hex(&mut gridline_records::load(&bytes, &[1; 16]).unwrap())
            })
            .collect();
        assert!(
            heads.windows(2).all(|w| w[0] == w[1]),
            "every device holds the same heads for {id}: {heads:?}"
        );
        assert_eq!(
            hub.heads(id).unwrap().as_deref(),
            Some(heads[0].as_str()),
            "and so does the hub"
        );
        for (_, d, _) in &devices[..3] {
            assert_eq!(
                store_of(d)
                    .sync_state(uuid::Uuid::parse_str(id).unwrap())
                    .unwrap(),
                Some(SyncState::Synced),
                "nothing left unsent"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
    #[test]
    fn random_offline_edits_and_lost_replies_converge(ops in prop::collection::vec((0usize..4, any::<u8>(), any::<u8>(), any::<bool>()), 1..40)) {
        converge(ops);
    }
}

/// The real thing on loopback: a hub served by axum on 127.0.0.1:0, a device
/// enrolling and syncing over HTTP, and a "nothing changed" round trip.
#[test]
fn enrol_and_sync_over_http_on_loopback() {
    let (_h, hub) = hub();
    let user = User {
        id: "gw-1".into(),
        name: "张伟".into(),
        role: Role::GridWorker,
        scope: Scope::parse("grids:522701001001001").unwrap(),
    };
    let code = hub.enrol_code(&user, "admin", chrono::Utc::now()).unwrap();
    let served = Served::start(hub, None);
    let (rt, url) = (&served.rt, served.url.clone());
    let (_d, mut d) = device("local-name", Role::GridWorker, "grids:522701001001001");
    let bad = rt.block_on(gridline_device::sync::enroll(
        &mut d,
        &url,
        "WRNG-CDXE-ZZZZ",
        None,
    ));
    let Err(gridline_device::Error::HubRefused(why)) = bad else {
        panic!("a wrong code is the hub's refusal: {bad:?}");
    };
    assert!(
        why.contains("请核对注册码")
            && why.contains("check the code or ask the hub admin for a new one"),
        "a wrong code sends the user back to the code and the admin, in both languages: {why}"
    );
    assert!(
        !why.contains("enrol the device again"),
        "enrolling again is what the user is doing: {why}"
    );
    let malformed = rt.block_on(gridline_device::sync::enroll(
        &mut d,
        &url,
        "WRONG-CODE-0000",
        None,
    ));
    assert!(
        matches!(&malformed, Err(gridline_device::Error::Invalid(i)) if i.field == "code"),
        "a malformed code is refused on the device, before anything is sent: {malformed:?}"
    );
    let (e, _) = rt
        .block_on(gridline_device::sync::enroll(&mut d, &url, &code, None))
        .unwrap();
    assert_eq!(
        e.user.name, "张伟",
        "the hub's binding wins over the local user"
    );
    let first = rt
        .block_on(gridline_device::sync::sync(&mut d, |_| {}))
        .unwrap();
    assert!(first.pulled > 0, "the first sync brought the grid");
    let id = d.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    d.edit_household(
        &id,
        &HouseholdEdit {
            notes: Some("腿脚不便".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    let edit = rt
        .block_on(gridline_device::sync::sync(&mut d, |_| {}))
        .unwrap();
    assert_eq!(
        (edit.round_trips, edit.acknowledged),
        (1, 1),
        "one edit, one round trip"
    );
    let idle = rt
        .block_on(gridline_device::sync::sync(&mut d, |_| {}))
        .unwrap();
    assert_eq!(
        (idle.round_trips, idle.pulled, idle.pushed),
        (1, 0, 0),
        "nothing changed: one round trip"
    );
    assert!(
        idle.bytes_sent + idle.bytes_received < 300,
        "nothing changed is tiny on the wire: {} + {} bytes",
        idle.bytes_sent,
        idle.bytes_received
    );
    served.stop();
    let offline = rt.block_on(gridline_device::sync::sync(&mut d, |_| {}));
    assert!(
        matches!(offline, Err(gridline_device::Error::Offline(_))),
        "a stopped hub reads as offline: {offline:?}"
    );
}

/// A sync through a shared device (the app's engine) holds the device only
/// part by part: a command that asks for it meanwhile gets it between two
/// parts of a page, and the sync still brings exactly what a sync holding
/// the device throughout brings, with the time left once a page is in.
#[test]
fn a_shared_sync_frees_the_device_between_parts_and_brings_the_same() {
    let (_h, hub) = hub();
    let scope = "community:522701001001";
    let staff = |id: &str| User {
        id: id.into(),
        name: "李敏".into(),
        role: Role::CommunityStaff,
        scope: Scope::parse(scope).unwrap(),
    };
    let code_a = hub
        .enrol_code(&staff("cs-a"), "admin", chrono::Utc::now())
        .unwrap();
    let code_b = hub
        .enrol_code(&staff("cs-b"), "admin", chrono::Utc::now())
        .unwrap();
    let served = Served::start(hub, None);
    let (rt, url) = (&served.rt, served.url.clone());
    // The reference: a device held by its sync throughout.
    let (_r, mut reference) = device("ref", Role::CommunityStaff, scope);
    rt.block_on(gridline_device::sync::enroll(
        &mut reference,
        &url,
        &code_a,
        None,
    ))
    .unwrap();
    let whole = rt
        .block_on(gridline_device::sync::sync(&mut reference, |_| {}))
        .unwrap();
    assert!(
        whole.pulled > 5,
        "the community brings records: {}",
        whole.pulled
    );
    let (_s, mut d) = device("shared", Role::CommunityStaff, scope);
    rt.block_on(gridline_device::sync::enroll(&mut d, &url, &code_b, None))
        .unwrap();
    let shared: std::sync::Arc<gridline_device::sync::SharedDevice> =
        std::sync::Arc::new(tokio::sync::Mutex::new(Some(d)));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A command every millisecond while the sync runs: bounded by the sync's
    // end and by a count.
    let probe = {
        let (shared, done) = (shared.clone(), done.clone());
        rt.spawn(async move {
            let (mut seen, mut longest) = (Vec::new(), std::time::Duration::ZERO);
            for _ in 0..100_000 {
                if done.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let asked = std::time::Instant::now();
                let guard = shared.lock().await;
                longest = longest.max(asked.elapsed());
                if !done.load(std::sync::atomic::Ordering::SeqCst) {
                    let d = guard.as_ref().expect("the device stays unlocked");
                    seen.push(d.households(&HouseholdFilter::default()).unwrap().len());
                }
                drop(guard);
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            (seen, longest)
        })
    };
    let mut progress = Vec::new();
    let report = rt
        .block_on(gridline_device::sync::sync_shared(&shared, 1, |p| {
            progress.push(p)
        }))
        .unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (seen, longest) = rt.block_on(probe).unwrap();
    assert_eq!(
        report.pulled, whole.pulled,
        "parts bring exactly what a whole-page sync brings"
    );
    let guard = shared.blocking_lock();
    let d = guard.as_ref().unwrap();
    let mine = d.households(&HouseholdFilter::default()).unwrap();
    let theirs = reference.households(&HouseholdFilter::default()).unwrap();
    assert_eq!(mine.len(), theirs.len(), "the same households on both");
    assert!(
        seen.iter().any(|n| *n > 0 && *n < mine.len()),
        "a command had the device in the middle of the page, between two parts \
         (households seen: {seen:?}; longest wait {longest:?})"
    );
    let last = progress.last().expect("progress was reported");
    assert_eq!(
        (last.total, last.seconds_left),
        (Some(whole.pulled as u64), Some(0)),
        "the total is known and nothing is left at the end: {progress:?}"
    );
    assert!(
        d.sync_status().unwrap().last_sync_at.is_some(),
        "the shared sync records when it finished"
    );
}

#[test]
fn a_household_moved_to_another_grid_leaves_the_old_grid_workers_device() {
    let (_h, hub) = hub();
    let grid = first_grid(&hub);
    let other = "522701001001002";
    let (_a, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{grid}"));
    let (_b, mut cs, ct) = enrolled(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    sync(&hub, &mut gw, &gt, now());
    sync(&hub, &mut cs, &ct, now());
    let rows = gw.households(&HouseholdFilter::default()).unwrap();
    let (moving, staying) = (rows[0].id.to_string(), rows[1].id.to_string());
    // The grid worker's last edit before the move reaches the hub.
    gw.edit_household(
        &moving,
        &HouseholdEdit {
            notes: Some("搬走前最后一次走访".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    assert_eq!(sync(&hub, &mut gw, &gt, now()).acknowledged, 1);
    sync(&hub, &mut cs, &ct, now());
    // The community office moves it to grid 002 (its household document's grid).
    let (_, bytes) = store_of(&cs)
        .load(uuid::Uuid::parse_str(&moving).unwrap())
        .unwrap()
        .unwrap();
    let mut doc = gridline_records::load(&bytes, &cs.identity().actor).unwrap();
    let mut h = gridline_records::household::read(&doc).unwrap();
    h.grid = gridline_model::GridId::parse(other).unwrap();
    gridline_records::household::update(&mut doc, &h, now()).unwrap();
    let store_dir = _b.path().to_owned();
    gridline_device::open_store_for_checks(&store_dir)
        .unwrap()
        .save(
            &mut doc,
            &gridline_records::Record::Household(h),
            gridline_store::Origin::Local,
            now(),
        )
        .unwrap();
    let moved = sync(&hub, &mut cs, &ct, now());
    assert_eq!(
        moved.acknowledged, 1,
        "community staff may move a household within the community"
    );
    let r = sync(&hub, &mut gw, &gt, now());
    assert_eq!(
        r.removed, 1,
        "the moved household left the old grid worker's device"
    );
    assert!(
        gw.household(&moving, now()).is_err(),
        "it is no longer on the device"
    );
    assert!(
        gw.household(&staying, now()).is_ok(),
        "other households stay"
    );
    assert!(
        cs.household(&moving, now())
            .unwrap()
            .household
            .notes
            .contains("搬走前"),
        "the grid worker's last edit is kept on the hub and the office"
    );
    let (_c, mut gw2, gt2) = enrolled(&hub, "gw-2", Role::GridWorker, &format!("grids:{other}"));
    sync(&hub, &mut gw2, &gt2, now());
    assert!(
        gw2.household(&moving, now()).is_ok(),
        "and the new grid's worker receives it"
    );
}

#[test]
fn a_role_writing_a_kind_it_may_not_is_refused() {
    let (_h, hub) = hub();
    let (_a, mut gw, gt) = enrolled(
        &hub,
        "gw-1",
        Role::GridWorker,
        &format!("grids:{}", first_grid(&hub)),
    );
    sync(&hub, &mut gw, &gt, now());
    let linked = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    let (dir, mut jl, jt) = enrolled(
        &hub,
        "jl-1",
        Role::JointLeader,
        &format!("households:{linked}"),
    );
    sync(&hub, &mut jl, &jt, now());
    // A leader's device that writes a household edit anyway (bypassing its own
    // checks, as a tampered app would) is refused by the hub.
    let (_, bytes) = store_of(&jl)
        .load(uuid::Uuid::parse_str(&linked).unwrap())
        .unwrap()
        .unwrap();
    let mut doc = gridline_records::load(&bytes, &jl.identity().actor).unwrap();
    let mut h = gridline_records::household::read(&doc).unwrap();
    h.address.room = "999".into();
    gridline_records::household::update(&mut doc, &h, now()).unwrap();
    gridline_device::open_store_for_checks(dir.path())
        .unwrap()
        .save(
            &mut doc,
            &gridline_records::Record::Household(h),
            gridline_store::Origin::Local,
            now(),
        )
        .unwrap();
    let r = sync(&hub, &mut jl, &jt, now());
    assert_eq!(
        r.refused.len(),
        1,
        "leaders read households but may not write them"
    );
    assert_ne!(
        jl.household(&linked, now()).unwrap().household.address.room,
        "999",
        "back to the hub's version"
    );
    assert_eq!(
        jl.refused_records().unwrap().len(),
        1,
        "the refused edit is kept, read-only"
    );
}

#[test]
fn malformed_and_oversized_bodies_are_refused_and_the_hub_keeps_serving() {
    let (_h, hub) = hub();
    let user = User {
        id: "gw-1".into(),
        name: "张伟".into(),
        role: Role::GridWorker,
        scope: Scope::parse("grids:522701001001001").unwrap(),
    };
    let code = hub.enrol_code(&user, "admin", now()).unwrap();
    let e = hub
        .enroll(
            &code,
            "dev-1",
            "aa11",
            std::net::Ipv4Addr::LOCALHOST.into(),
            now(),
        )
        .unwrap();
    let served = Served::start(hub, None);
    let (rt, url) = (&served.rt, served.url.clone());
    let http = reqwest::Client::new();
    let post = |body: Vec<u8>, token: &str| {
        let req = http
            .post(format!("{url}/v1/sync"))
            .bearer_auth(token)
            .header("content-type", "application/cbor")
            .body(body);
        rt.block_on(async { req.send().await.map(|r| r.status().as_u16()) })
    };
    assert_eq!(
        post(b"\xff\xfe not cbor".to_vec(), &e.token).unwrap(),
        400,
        "malformed CBOR is a 400"
    );
    assert_eq!(
        post(vec![0u8; gridline_sync::MAX_REQUEST_BYTES + 1], &e.token).unwrap(),
        413,
        "an oversized body is refused"
    );
    let ok = gridline_sync::encode(&gridline_sync::SyncRequest {
        v: 1,
        cursor: 0,
        page: 10,
        want_total: false,
        new_actor: None,
        push: vec![],
        sync: vec![],
        am_sync: false,
        reveals: Vec::new(),
        directory: None,
    });
    assert_eq!(
        post(ok.clone(), "wrong-token").unwrap(),
        401,
        "a wrong token is a 401"
    );
    let bad_version = gridline_sync::encode(&gridline_sync::SyncRequest {
        v: 7,
        cursor: 0,
        page: 10,
        want_total: false,
        new_actor: None,
        push: vec![],
        sync: vec![],
        am_sync: false,
        reveals: Vec::new(),
        directory: None,
    });
    assert_eq!(
        post(bad_version, &e.token).unwrap(),
        400,
        "another protocol version is refused"
    );
    let garbage_doc = gridline_sync::encode(&gridline_sync::SyncRequest {
        v: 1,
        cursor: 0,
        page: 10,
        want_total: false,
        new_actor: None,
        push: vec![gridline_sync::PushDoc {
            id: "x".into(),
            changes: vec![1, 2, 3],
            heads: vec![],
        }],
        sync: vec![],
        am_sync: false,
        reveals: Vec::new(),
        directory: None,
    });
    assert_eq!(
        post(garbage_doc, &e.token).unwrap(),
        200,
        "a bad document is refused on its own, the request still answers"
    );
    assert_eq!(post(ok, &e.token).unwrap(), 200, "the hub keeps serving");
    let health = rt.block_on(async {
        http.get(format!("{url}/health"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(health, 200);
    served.stop();
}

/// The hub serving https with a certificate from the street's own CA (test
/// fixtures made with openssl for 127.0.0.1): a device given the CA
/// certificate enrols and syncs; one that was not refuses to talk to it.
#[test]
fn a_hub_serves_https_and_a_device_trusts_only_the_certificate_it_was_given() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tls");
    let (_h, hub) = hub();
    let user = User {
        id: "gw-1".into(),
        name: "张伟".into(),
        role: Role::GridWorker,
        scope: Scope::parse("grids:522701001001001").unwrap(),
    };
    let code = hub.enrol_code(&user, "admin", chrono::Utc::now()).unwrap();
    let code2 = hub.enrol_code(&user, "admin", chrono::Utc::now()).unwrap();
    let served = Served::start(
        hub,
        Some((fixtures.join("hub.crt"), fixtures.join("hub.key"))),
    );
    let (rt, url) = (&served.rt, served.url.clone());
    let (_u, mut untrusting) = device("gw-x", Role::GridWorker, "grids:522701001001001");
    let refused = rt.block_on(gridline_device::sync::enroll(
        &mut untrusting,
        &url,
        &code2,
        None,
    ));
    assert!(
        refused.is_err(),
        "an unknown certificate is not trusted: {refused:?}"
    );
    let pem = std::fs::read_to_string(fixtures.join("ca.crt")).unwrap();
    let (_d, mut d) = device("gw-1", Role::GridWorker, "grids:522701001001001");
    rt.block_on(gridline_device::sync::enroll(
        &mut d,
        &url,
        &code,
        Some(&pem),
    ))
    .unwrap();
    let r = rt
        .block_on(gridline_device::sync::sync(&mut d, |_| {}))
        .unwrap();
    assert!(r.pulled > 0, "the grid arrived over TLS");
    served.stop();
}

/// Syncs with a tiny page, so paging is exercised on a small hub.
fn sync_paged(hub: &Hub, d: &mut Device, token: &str, page: u32) -> SyncReport {
    let mut report = SyncReport::default();
    for _ in 0..200 {
        let mut req = d.sync_request(false).unwrap();
        req.page = page;
        let resp = hub.sync(token, &req, now()).unwrap();
        let more = resp.more;
        report.round_trips += 1;
        d.apply_sync(&req, resp, now(), &mut report).unwrap();
        if !more && req.push.is_empty() {
            return report;
        }
    }
    panic!("paged sync did not finish");
}

#[test]
fn paging_past_rows_a_device_may_not_read_loses_nothing() {
    let (_h, hub) = hub();
    let grid = first_grid(&hub);
    let (_a, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{grid}"));
    sync(&hub, &mut gw, &gt, now());
    let ids: Vec<String> = gw
        .households(&HouseholdFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| r.id.to_string())
        .take(2)
        .collect();
    assert_eq!(ids.len(), 2, "two households to link");
    let (_b, mut jl, jt) = enrolled(
        &hub,
        "jl-1",
        Role::JointLeader,
        &format!("households:{}", ids.join(",")),
    );
    sync_paged(&hub, &mut jl, &jt, 1);
    // The grid worker changes both households' private parts (which the leader
    // may not read), then one household's notes (which it may).
    for id in &ids {
        gw.edit_household(
            id,
            &HouseholdEdit {
                add_tags: vec!["低保户".into()],
                ..Default::default()
            },
            now(),
        )
        .unwrap();
        sync(&hub, &mut gw, &gt, now());
    }
    gw.edit_household(
        &ids[1],
        &HouseholdEdit {
            notes: Some("需要轮椅".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    sync(&hub, &mut gw, &gt, now());
    let r = sync_paged(&hub, &mut jl, &jt, 1);
    assert_eq!(
        r.pulled, 1,
        "the edited household arrived past two rows the leader may not read"
    );
    assert_eq!(
        jl.household(&ids[1], now()).unwrap().household.notes,
        "需要轮椅"
    );
}

#[test]
fn a_refusal_reads_the_same_whether_or_not_the_document_exists() {
    let (_h, hub) = hub();
    let (_a, mut gw, gt) = enrolled(
        &hub,
        "gw-1",
        Role::GridWorker,
        &format!("grids:{}", first_grid(&hub)),
    );
    let (_b, mut cs, ct) = enrolled(&hub, "cs-2", Role::CommunityStaff, "community:522701001002");
    sync(&hub, &mut cs, &ct, now());
    let existing = cs.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    // Two pushes outside the grid worker's scope: one names a household the
    // hub holds, one a household that does not exist anywhere.
    let forge = |id: uuid::Uuid| {
        let mut h = gridline_model::Household {
            id,
            grid: gridline_model::GridId::parse("522701001002001").unwrap(),
            address: gridline_model::Address {
                compound: "x".into(),
                building: "1栋".into(),
                unit: String::new(),
                room: "101".into(),
            },
            phone: None,
            tags: Default::default(),
            residents: vec![],
            notes: String::new(),
            location: None,
        };
        h.notes = "探测".into();
        let mut doc = gridline_records::new_doc(&gw.identity().actor);
        gridline_records::household::create(&mut doc, &h, now()).unwrap();
        gridline_sync::PushDoc {
            id: id.to_string(),
            heads: gridline_records::heads_hex(&mut doc)
                .split(',')
                .map(str::to_owned)
                .collect(),
            changes: doc.save(),
        }
    };
    let mut req = gw.sync_request(false).unwrap();
    req.push = vec![
        forge(uuid::Uuid::parse_str(&existing).unwrap()),
        forge(uuid::Uuid::new_v4()),
    ];
    let resp = hub.sync(&gt, &req, now()).unwrap();
    assert_eq!(resp.refusals.len(), 2, "both refused");
    assert_eq!(
        resp.refusals[0].code, resp.refusals[1].code,
        "with the same code"
    );
    assert_eq!(
        resp.refusals[0].reason, resp.refusals[1].reason,
        "and the same words: existence is not revealed"
    );
    assert!(
        resp.docs.iter().all(|d| d.id != existing),
        "and the hub's copy is not sent to a device that may not read it"
    );
    let _ = &mut gw;
}

/// Tampers with a document in a device's store as a modified app would, and
/// returns what the next sync says.
fn tamper(
    dir: &std::path::Path,
    d: &Device,
    id: &str,
    edit: impl FnOnce(&mut automerge::AutoCommit),
) {
    let (_, bytes) = store_of(d)
        .load(uuid::Uuid::parse_str(id).unwrap())
        .unwrap()
        .unwrap();
    let mut doc = gridline_records::load(&bytes, &d.identity().actor).unwrap();
    edit(&mut doc);
    doc.commit();
    let record = gridline_records::Record::read(&doc).unwrap();
    gridline_device::open_store_for_checks(dir)
        .unwrap()
        .save(&mut doc, &record, gridline_store::Origin::Local, now())
        .unwrap();
}

#[test]
fn events_are_append_only_and_known_by_their_object_not_their_claimed_id() {
    use automerge::transaction::Transactable;
    use automerge::ReadDoc;
    let (_h, hub) = hub();
    let grid = first_grid(&hub);
    let (_a, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{grid}"));
    let (sdir, mut ss, st) = enrolled(&hub, "ss-1", Role::StreetStaff, "street:522701001");
    let (_c, mut cs, ct) = enrolled(&hub, "cs-1", Role::CommunityStaff, "community:522701001001");
    sync(&hub, &mut gw, &gt, now());
    let h = gw.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    let w = gw
        .post_wish(
            &NewWish {
                household: Some(h),
                title: "一辆轮椅".into(),
                category: "助老助残".into(),
                value_yuan: 800,
                ..Default::default()
            },
            now(),
        )
        .unwrap()
        .to_string();
    sync(&hub, &mut gw, &gt, now());
    sync(&hub, &mut cs, &ct, now());
    sync(&hub, &mut ss, &st, now());
    cs.claim_wish(&w, now()).unwrap();
    ss.claim_wish(&w, now()).unwrap();
    sync(&hub, &mut cs, &ct, now());
    sync(&hub, &mut ss, &st, now());
    assert_eq!(
        ss.wish(&w).unwrap().state.claimant.as_deref(),
        Some("cs-1"),
        "cs-1 won the claim"
    );
    let events = |doc: &automerge::AutoCommit| {
        let (_, list) = doc.get(automerge::ROOT, "events").unwrap().unwrap();
        (0..doc.length(&list))
            .map(|i| doc.get(&list, i).unwrap().unwrap().1)
            .collect::<Vec<_>>()
    };
    // 1. The loser rewrites the hub's grant to point at its own claim.
    let my_claim = ss
        .wish(&w)
        .unwrap()
        .wish
        .events
        .iter()
        .find(|e| e.author.user == "ss-1")
        .unwrap()
        .id
        .to_string();
    tamper(sdir.path(), &ss, &w, |doc| {
        let grant = events(doc)
            .into_iter()
            .find(|m| {
                doc.get(m, "step")
                    .unwrap()
                    .is_some_and(|(v, _)| v.to_string().contains("grant"))
            })
            .unwrap();
        doc.put(&grant, "claim", my_claim.as_str()).unwrap();
    });
    let r = sync(&hub, &mut ss, &st, now());
    assert_eq!(
        r.refused.len(),
        1,
        "changing an existing event is refused: {:?}",
        r.refused
    );
    assert_eq!(
        ss.wish(&w).unwrap().state.claimant.as_deref(),
        Some("cs-1"),
        "and the grant stands"
    );
    // 2. A new event that copies an existing event's id to dodge the author check.
    let post_id = ss.wish(&w).unwrap().wish.events[0].id.to_string();
    tamper(sdir.path(), &ss, &w, |doc| {
        let (_, list) = doc.get(automerge::ROOT, "events").unwrap().unwrap();
        let m = doc
            .insert_object(&list, doc.length(&list), automerge::ObjType::Map)
            .unwrap();
        for (k, v) in [
            ("id", post_id.as_str()),
            ("at", "2026-11-28T07:00:00.000Z"),
            ("user", "gw-1"),
            ("role", "community-staff"),
            ("unit", ""),
            ("step", "withdraw"),
            ("reason", "x"),
        ] {
            doc.put(&m, k, v).unwrap();
        }
    });
    let r = sync(&hub, &mut ss, &st, now());
    assert_eq!(
        r.refused.len(),
        1,
        "a copied event id does not make a forged event known: {:?}",
        r.refused
    );
    assert_ne!(
        gw.wish(&w).unwrap().state.stage,
        Some(gridline_model::wish::WishStage::Withdrawn)
    );
    // 3. Root fields of a wish are not anyone's to change after posting.
    tamper(sdir.path(), &ss, &w, |doc| {
        doc.put(automerge::ROOT, "value_yuan", "5").unwrap();
    });
    let r = sync(&hub, &mut ss, &st, now());
    assert_eq!(
        r.refused.len(),
        1,
        "street staff may claim a wish but not rewrite it: {:?}",
        r.refused
    );
    // 4. The hub's own actor cannot be registered by a device.
    let mut req = ss.sync_request(false).unwrap();
    req.new_actor = Some(
        ss.sync_status()
            .map(|_| ())
            .map(|_| hub.actor_hex())
            .unwrap(),
    );
    assert!(
        hub.sync(&st, &req, now()).is_err(),
        "a device may not claim the hub's actor"
    );
}
