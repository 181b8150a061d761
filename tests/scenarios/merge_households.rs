//! Household merges through a hub: concurrent offline merges fold the same
//! on every replica (a cycle keeps the smaller id, two survivors for one
//! household keep the later merge, a chain ends at its last household), and
//! the hub refuses a merge event forged by a grid worker.

use automerge::{ActorId, AutoCommit};
use chrono::Duration;
use gridline_device::{Device, HouseholdFilter};
use gridline_model::{Author, GridId, MergeEvent, MergeStep, Role, Target};
use gridline_sync::check::{check_payload, Binding, Parent, Payload, Stored};
use gridline_sync::RefusalCode;

use super::now;
use super::sync::{enrolled, hub, sync};

const GRID: &str = "522701001001001";
const COMMUNITY: &str = "community:522701001001";

fn listed(d: &Device) -> Vec<String> {
    let mut v: Vec<String> = d
        .households(&HouseholdFilter::default())
        .unwrap()
        .into_iter()
        .filter(|h| h.grid.as_str() == GRID)
        .map(|h| h.id.to_string())
        .collect();
    v.sort();
    v
}

fn survivor(d: &Device, id: &str) -> Option<String> {
    d.household_merge(id).unwrap().map(|m| m.survivor)
}

#[test]
fn concurrent_merges_fold_the_same_on_every_replica() {
    let (_h, hub) = hub();
    let (_a, mut cs1, t1) = enrolled(&hub, "cs-1", Role::CommunityStaff, COMMUNITY);
    let (_b, mut cs2, t2) = enrolled(&hub, "cs-2", Role::CommunityStaff, COMMUNITY);
    let (_c, mut gw, tg) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    cs1.add_household(&super::zhang_san(), now()).unwrap();
    for (d, t) in [(&mut cs1, &t1), (&mut cs2, &t2), (&mut gw, &tg)] {
        sync(&hub, d, t, now());
    }
    let ids = listed(&gw);
    assert!(ids.len() >= 3, "the sample grid has households: {ids:?}");
    let (a, b, c) = (ids[0].clone(), ids[1].clone(), ids[2].clone());

    // A into B on one laptop, B into A on the other, both offline.
    cs1.merge_households(&a, &b, "重复", now()).unwrap();
    cs2.merge_households(&b, &a, "重复", now()).unwrap();
    let all = |cs1: &mut Device, cs2: &mut Device, gw: &mut Device, at| {
        for _ in 0..2 {
            for (d, t) in [(&mut *cs1, &t1), (&mut *cs2, &t2), (&mut *gw, &tg)] {
                let r = sync(&hub, d, t, at);
                assert!(
                    r.refused.is_empty(),
                    "staff merges are accepted: {:?}",
                    r.refused
                );
            }
        }
    };
    all(&mut cs1, &mut cs2, &mut gw, now());
    for d in [&cs1, &cs2, &gw] {
        assert_eq!(survivor(d, &a), None, "the smaller id survives the cycle");
        assert_eq!(
            survivor(d, &b),
            Some(a.clone()),
            "the larger is merged into it"
        );
        assert!(!listed(d).contains(&b), "and no longer listed");
    }

    // C into A here and C into B there (B is merged, so into A's survivor
    // is refused locally; unmerge B first so both are standing).
    // A's own merge, set aside while the cycle stood, would take effect
    // once B's is undone: a mistaken pair is undone on both.
    for id in [&b, &a] {
        cs1.unmerge_household(id, "合并错了", now() + Duration::minutes(1))
            .unwrap();
    }
    all(&mut cs1, &mut cs2, &mut gw, now() + Duration::minutes(1));
    cs1.merge_households(&c, &a, "重复", now() + Duration::minutes(2))
        .unwrap();
    cs2.merge_households(&c, &b, "重复", now() + Duration::minutes(3))
        .unwrap();
    all(&mut cs1, &mut cs2, &mut gw, now() + Duration::minutes(3));
    for d in [&cs1, &cs2, &gw] {
        assert_eq!(
            survivor(d, &c),
            Some(b.clone()),
            "the later merge of C stands"
        );
    }

    // A chain: B (holding C) into A puts C under A too.
    cs2.merge_households(&b, &a, "重复", now() + Duration::minutes(4))
        .unwrap();
    all(&mut cs1, &mut cs2, &mut gw, now() + Duration::minutes(4));
    for d in [&cs1, &cs2, &gw] {
        assert_eq!(survivor(d, &c), Some(a.clone()), "C→B→A resolves to A");
        assert_eq!(survivor(d, &b), Some(a.clone()));
        let listed = listed(d);
        assert!(listed.contains(&a) && !listed.contains(&b) && !listed.contains(&c));
    }
}

#[test]
fn the_hub_refuses_a_merge_forged_by_a_grid_worker() {
    let (_h, hub) = hub();
    let (_a, mut cs, t) = enrolled(&hub, "cs-1", Role::CommunityStaff, COMMUNITY);
    sync(&hub, &mut cs, &t, now());
    let ids = listed(&cs);
    let (a, b) = (ids[0].clone(), ids[1].clone());
    let bytes = cs.export_doc(&a).unwrap();
    let grid = GridId::parse(GRID).unwrap();
    let push = |role: Role, unit: &str, user: gridline_model::User| {
        let actor = [7u8; 16];
        let mut held = AutoCommit::load(&bytes).unwrap();
        let heads = held.get_heads();
        let mut doc = AutoCommit::load(&bytes)
            .unwrap()
            .with_actor(ActorId::from(&actor[..]));
        gridline_records::household::push_merge_event(
            &mut doc,
            &MergeEvent {
                id: uuid::Uuid::now_v7(),
                at: now(),
                author: Author {
                    user: user.id.clone(),
                    role,
                    unit: unit.into(),
                },
                actor: String::new(),
                step: MergeStep::Merge {
                    into: b.parse().unwrap(),
                    into_grid: grid.clone(),
                    reason: "重复".into(),
                },
            },
        )
        .unwrap();
        let changes = doc.save_after(&heads);
        held.get_heads();
        let binding = Binding {
            device_id: "d-1".into(),
            user,
            actors: vec![ActorId::from(&actor[..]).to_hex_string()],
        };
        let parent = |_: uuid::Uuid| {
            Some(Parent {
                target: Target::household(grid.clone(), b.parse().unwrap()),
                writable: true,
            })
        };
        check_payload(
            &binding,
            &a,
            Stored::Visible {
                doc: &held,
                moved_from: None,
            },
            &[0; 16],
            Payload::Changes(&changes),
            &parent,
        )
        .map(|_| ())
    };
    let worker = gridline_test_support::user("gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    let refused = push(Role::GridWorker, "", worker).expect_err("a grid worker may not merge");
    assert_eq!(refused.code, RefusalCode::NotPermitted, "{refused:?}");
    let other = gridline_test_support::user("cs-9", Role::CommunityStaff, "community:522701001002");
    assert!(
        push(Role::CommunityStaff, "522701001002", other).is_err(),
        "another community's staff may not merge"
    );
    let staff = gridline_test_support::user("cs-1", Role::CommunityStaff, COMMUNITY);
    assert!(
        push(Role::CommunityStaff, "522701001001", staff).is_ok(),
        "the community's own staff may"
    );
}
