//! The wish part of the sync scope (docs/sync-protocol.md, "What a device
//! receives"): open wishes go street-wide; a settled wish (fulfilled,
//! confirmed, withdrawn) only to its own grid, its poster and its claimant,
//! and it is removed from the other devices when it settles.

use super::store_of;
use gridline_device::HouseholdFilter;
use gridline_device::{Device, NewWish};
use gridline_hub::Hub;
use gridline_model::wish::WishStage;
use gridline_model::Role;

use super::now;
use super::sync::{enrolled, hub, sync};

/// 平桥第1网格, 平桥第2网格 and 西城第1网格 of the sample spreadsheet.
const PINGQIAO_1: &str = "522701001001001";
const PINGQIAO_2: &str = "522701001001002";
const XICHENG_1: &str = "522701001002001";

fn post(d: &mut Device, title: &str) -> String {
    let h = d.households(&HouseholdFilter::default()).unwrap()[0]
        .id
        .to_string();
    d.post_wish(
        &NewWish {
            household: Some(h),
            title: title.into(),
            category: "生活物资".into(),
            value_yuan: 100,
            ..Default::default()
        },
        now(),
    )
    .unwrap()
    .to_string()
}

fn holds(d: &Device, id: &str) -> bool {
    store_of(d)
        .load(uuid::Uuid::parse_str(id).unwrap())
        .unwrap()
        .is_some()
}

fn stage(d: &Device, id: &str) -> Option<WishStage> {
    d.wish(id).unwrap().state.stage
}

#[test]
fn settled_wishes_stay_in_their_grid_and_leave_other_devices_when_they_settle() {
    let (_h, hub): (_, Hub) = hub();
    let (_a, mut poster, pt) = enrolled(
        &hub,
        "gw-x",
        Role::GridWorker,
        &format!("grids:{XICHENG_1}"),
    );
    let (_b, mut ss, st) = enrolled(&hub, "ss-1", Role::StreetStaff, "street:522701001");
    sync(&hub, &mut poster, &pt, now());
    let fulfilled = post(&mut poster, "一袋大米");
    let withdrawn = post(&mut poster, "一台收音机");
    let open = post(&mut poster, "一副拐杖");
    sync(&hub, &mut poster, &pt, now());
    // Street staff claim and fulfil one; the poster confirms it and withdraws another.
    sync(&hub, &mut ss, &st, now());
    ss.claim_wish(&fulfilled, now()).unwrap();
    sync(&hub, &mut ss, &st, now());
    ss.fulfil_wish(&fulfilled, "已送到", now()).unwrap();
    sync(&hub, &mut ss, &st, now());
    sync(&hub, &mut poster, &pt, now());
    poster.confirm_wish(&fulfilled, "户主", now()).unwrap();
    poster
        .withdraw_wish(&withdrawn, false, "已解决", now())
        .unwrap();
    sync(&hub, &mut poster, &pt, now());
    sync(&hub, &mut ss, &st, now());
    assert_eq!(stage(&ss, &fulfilled), Some(WishStage::Confirmed));
    assert_eq!(stage(&ss, &withdrawn), Some(WishStage::Withdrawn));

    // A new device in another grid gets the open wish only.
    let (_c, mut gw, gt) = enrolled(
        &hub,
        "gw-1",
        Role::GridWorker,
        &format!("grids:{PINGQIAO_1}"),
    );
    let first = sync(&hub, &mut gw, &gt, now());
    assert!(first.skipped.is_empty(), "{:?}", first.skipped);
    assert!(holds(&gw, &open), "an open wish reaches the whole street");
    assert!(
        !holds(&gw, &fulfilled),
        "a settled wish of another grid is not sent"
    );
    assert!(!holds(&gw, &withdrawn), "nor a withdrawn one");
    // Its own grid, its poster and street staff keep all of them.
    for d in [&poster, &ss] {
        for w in [&fulfilled, &withdrawn, &open] {
            assert!(holds(d, w), "{} holds {w}", d.user().id);
        }
    }
    // Community staff of the wishes' community too; those of another do not.
    let (_d, mut cs, ct) = enrolled(&hub, "cs-x", Role::CommunityStaff, "community:522701001002");
    sync(&hub, &mut cs, &ct, now());
    assert!(holds(&cs, &fulfilled) && holds(&cs, &withdrawn) && holds(&cs, &open));
    let (_e, mut cp, cpt) = enrolled(&hub, "cs-p", Role::CommunityStaff, "community:522701001001");
    sync(&hub, &mut cp, &cpt, now());
    assert!(holds(&cp, &open) && !holds(&cp, &fulfilled) && !holds(&cp, &withdrawn));

    // A device claims a street wish it can see, and keeps it once settled:
    // it is the claimant. Another grid's device loses it when it settles.
    let (_f, mut other, ot) = enrolled(
        &hub,
        "gw-2",
        Role::GridWorker,
        &format!("grids:{PINGQIAO_2}"),
    );
    sync(&hub, &mut other, &ot, now());
    assert!(holds(&other, &open));
    gw.claim_wish(&open, now()).unwrap();
    sync(&hub, &mut gw, &gt, now());
    assert_eq!(
        stage(&gw, &open),
        Some(WishStage::Claimed),
        "the hub granted it"
    );
    sync(&hub, &mut other, &ot, now());
    assert_eq!(
        stage(&other, &open),
        Some(WishStage::Claimed),
        "claimed is still open: everyone has it"
    );
    gw.fulfil_wish(&open, "已送到", now()).unwrap();
    let r = sync(&hub, &mut gw, &gt, now());
    assert_eq!((r.refused.len(), r.removed), (0, 0));
    assert_eq!(
        stage(&gw, &open),
        Some(WishStage::Fulfilled),
        "the claimant keeps it"
    );
    let r = sync(&hub, &mut other, &ot, now());
    assert_eq!(r.removed, 1, "the other grid's device is told to remove it");
    assert!(!holds(&other, &open));
    assert!(holds(&ss, &open) && holds(&poster, &open));
    let r = sync(&hub, &mut poster, &pt, now());
    assert_eq!(r.removed, 0, "its own grid keeps it, to confirm it");
}

#[test]
fn an_offline_claim_on_a_wish_that_settled_meanwhile_is_accepted_before_it_is_removed() {
    let (_h, hub) = hub();
    let (_a, mut poster, pt) = enrolled(
        &hub,
        "gw-x",
        Role::GridWorker,
        &format!("grids:{XICHENG_1}"),
    );
    let (_b, mut gw, gt) = enrolled(
        &hub,
        "gw-1",
        Role::GridWorker,
        &format!("grids:{PINGQIAO_1}"),
    );
    sync(&hub, &mut poster, &pt, now());
    let w = post(&mut poster, "一床棉被");
    sync(&hub, &mut poster, &pt, now());
    sync(&hub, &mut gw, &gt, now());
    assert!(holds(&gw, &w));
    // The device claims while offline; meanwhile the poster withdraws the wish.
    gw.claim_wish(&w, now()).unwrap();
    poster
        .withdraw_wish(&w, false, "居民已搬走", now())
        .unwrap();
    sync(&hub, &mut poster, &pt, now());
    let before = hub.heads(&w).unwrap().unwrap();
    let r = sync(&hub, &mut gw, &gt, now());
    assert!(
        r.refused.is_empty(),
        "a step on a street wish is never refused for scope: {:?}",
        r.refused
    );
    assert_eq!(r.acknowledged, 1, "the hub took the claim");
    assert_ne!(hub.heads(&w).unwrap().unwrap(), before, "and holds it");
    assert_eq!(r.removed, 1, "then the settled wish leaves the device");
    assert!(!holds(&gw, &w));
    assert!(
        gw.refused_records().unwrap().is_empty(),
        "nothing was kept as refused"
    );
    sync(&hub, &mut poster, &pt, now());
    let s = poster.wish(&w).unwrap().state;
    assert_eq!(
        s.stage,
        Some(WishStage::Withdrawn),
        "the fold keeps it withdrawn"
    );
    assert!(s.claimant.is_none() && s.pending.is_empty());
}
