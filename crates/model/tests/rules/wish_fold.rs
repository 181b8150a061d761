use gridline_model::wish::{WishStage, WishState};
use gridline_model::{WishEvent, WishStep};
use proptest::prelude::*;

use super::*;

const HUB: &str = "aa00";
const DEVICE: &str = "bb11";

fn ev(n: u128, hour: i64, u: &User, actor: &str, step: WishStep) -> WishEvent {
    WishEvent {
        id: id(n),
        at: t(hour),
        author: author(u),
        actor: actor.into(),
        step,
    }
}
fn hub_user() -> User {
    user("hub", Role::Hub, Scope::Everything)
}
fn fold(events: &[WishEvent]) -> WishState {
    WishState::fold(events, Some(HUB))
}

fn posted_and_claimed() -> Vec<WishEvent> {
    vec![
        ev(1, 0, &worker(), DEVICE, WishStep::Post),
        ev(2, 1, &leader(), DEVICE, WishStep::RequestClaim),
        ev(3, 1, &street_staff(), DEVICE, WishStep::RequestClaim),
    ]
}

#[test]
fn the_hub_grants_one_claim_and_the_lifecycle_completes() {
    let mut e = posted_and_claimed();
    e.push(ev(4, 2, &hub_user(), HUB, WishStep::Grant { claim: id(2) }));
    e.push(ev(
        5,
        2,
        &hub_user(),
        HUB,
        WishStep::RefuseClaim { claim: id(3) },
    ));
    e.push(ev(
        6,
        3,
        &leader(),
        DEVICE,
        WishStep::Fulfil {
            note: "送到了".into(),
        },
    ));
    e.push(ev(
        7,
        4,
        &worker(),
        DEVICE,
        WishStep::Confirm {
            resident: "王奶奶".into(),
        },
    ));
    let s = fold(&e);
    assert_eq!(
        s.stage,
        Some(WishStage::Confirmed),
        "granted, fulfilled and confirmed"
    );
    assert_eq!(s.claimant.as_deref(), Some("jl1"), "the first claim won");
    assert!(
        s.pending.is_empty(),
        "the losing claim was refused, not left pending"
    );
    assert!(
        s.outcomes.iter().all(|o| o.refused.is_none()),
        "{:?}",
        s.outcomes
    );
}

#[test]
fn a_grant_not_written_by_the_hubs_actor_is_refused() {
    let mut e = posted_and_claimed();
    // The claimant's own device forges a grant in the hub's name.
    e.push(ev(
        4,
        2,
        &hub_user(),
        DEVICE,
        WishStep::Grant { claim: id(2) },
    ));
    let s = fold(&e);
    assert_eq!(
        s.stage,
        Some(WishStage::Posted),
        "a forged grant changes nothing"
    );
    assert!(
        s.refusal(id(4)).unwrap().contains("hub"),
        "refused because only the hub grants"
    );
    assert_eq!(
        WishState::fold(&e, None).stage,
        Some(WishStage::Posted),
        "with no known hub, nothing is granted"
    );
}

#[test]
fn a_second_grant_cannot_make_two_winners() {
    let mut e = posted_and_claimed();
    e.push(ev(4, 2, &hub_user(), HUB, WishStep::Grant { claim: id(2) }));
    e.push(ev(5, 3, &hub_user(), HUB, WishStep::Grant { claim: id(3) }));
    let s = fold(&e);
    assert_eq!(s.claimant.as_deref(), Some("jl1"), "the first grant stands");
    assert!(s.refusal(id(5)).is_some(), "the second grant is refused");
}

#[test]
fn only_the_claimant_fulfils_and_withdrawing_a_claim_returns_the_wish_to_posted() {
    let mut e = posted_and_claimed();
    e.push(ev(4, 2, &hub_user(), HUB, WishStep::Grant { claim: id(2) }));
    e.push(ev(
        5,
        3,
        &worker(),
        DEVICE,
        WishStep::Fulfil {
            note: String::new(),
        },
    ));
    assert!(
        fold(&e).refusal(id(5)).is_some(),
        "the poster is not the claimant"
    );
    e.push(ev(6, 4, &leader(), DEVICE, WishStep::WithdrawClaim));
    let s = fold(&e);
    assert_eq!(
        (s.stage, s.claimant.clone()),
        (Some(WishStage::Posted), None),
        "withdrawn claim frees the wish"
    );
}

#[test]
fn the_poster_or_community_staff_withdraw_but_not_after_fulfilment() {
    let mut e = posted_and_claimed();
    e.push(ev(
        4,
        2,
        &street_staff(),
        DEVICE,
        WishStep::WithdrawWish {
            reason: String::new(),
        },
    ));
    assert!(
        fold(&e).refusal(id(4)).is_some(),
        "street staff are neither poster nor community"
    );
    let mut ok = posted_and_claimed();
    ok.push(ev(
        4,
        2,
        &community_staff(),
        DEVICE,
        WishStep::WithdrawWish {
            reason: "重复".into(),
        },
    ));
    assert_eq!(fold(&ok).stage, Some(WishStage::Withdrawn));
    let mut late = posted_and_claimed();
    late.push(ev(4, 2, &hub_user(), HUB, WishStep::Grant { claim: id(2) }));
    late.push(ev(
        5,
        3,
        &leader(),
        DEVICE,
        WishStep::Fulfil {
            note: String::new(),
        },
    ));
    late.push(ev(
        6,
        4,
        &worker(),
        DEVICE,
        WishStep::WithdrawWish {
            reason: String::new(),
        },
    ));
    assert!(
        fold(&late).refusal(id(6)).is_some(),
        "a fulfilled wish cannot be withdrawn"
    );
}

#[test]
fn the_poster_cannot_claim_their_own_wish() {
    let posted = fold(&[ev(1, 0, &worker(), DEVICE, WishStep::Post)]);
    let why = posted
        .claim_refusal("gw1")
        .expect("the poster's own claim is refused");
    assert!(
        why.zh.contains("不能认领自己发布的心愿") && why.en.contains("a wish you posted"),
        "the refusal says why, in both languages: {why:?}"
    );
    assert_eq!(
        posted.claim_refusal("jl1"),
        None,
        "someone else may claim it"
    );
}

#[test]
fn a_wish_its_poster_claimed_before_the_rule_still_folds_as_it_did() {
    // Written by devices and a hub from before the own-claim rule: the fold
    // must not rewrite it (a fulfilled wish turning back into a posted one
    // would be granted a second time).
    let s = fold(&[
        ev(1, 0, &worker(), DEVICE, WishStep::Post),
        ev(2, 1, &worker(), DEVICE, WishStep::RequestClaim),
        ev(3, 2, &hub_user(), HUB, WishStep::Grant { claim: id(2) }),
        ev(
            4,
            3,
            &worker(),
            DEVICE,
            WishStep::Fulfil {
                note: "送到了".into(),
            },
        ),
    ]);
    assert_eq!(s.stage, Some(WishStage::Fulfilled));
    assert_eq!(s.claimant.as_deref(), Some("gw1"));
    assert!(
        s.outcomes.iter().all(|o| o.refused.is_none()),
        "{:?}",
        s.outcomes
    );
}

#[test]
fn a_department_may_not_post() {
    let s = fold(&[ev(1, 0, &department("城管"), DEVICE, WishStep::Post)]);
    assert_eq!(s.stage, None, "departments do not post wishes");
}

proptest! {
    #[test]
    fn any_order_of_the_same_wish_events_folds_to_the_same_state(
        picks in prop::collection::vec((0usize..8, 0i64..10), 1..20),
        seed in any::<u64>(),
    ) {
        let people = [worker(), leader(), community_staff(), street_staff()];
        let events: Vec<WishEvent> = picks.iter().enumerate().map(|(i, (k, hour))| {
            let n = i as u128 + 1;
            let who = &people[i % people.len()];
            match k {
                0 => ev(n, *hour, who, DEVICE, WishStep::Post),
                1 | 2 => ev(n, *hour, who, DEVICE, WishStep::RequestClaim),
                3 => ev(n, *hour, &hub_user(), HUB, WishStep::Grant { claim: id(n.saturating_sub(1).max(1)) }),
                4 => ev(n, *hour, who, DEVICE, WishStep::Fulfil { note: String::new() }),
                5 => ev(n, *hour, who, DEVICE, WishStep::Confirm { resident: "r".into() }),
                6 => ev(n, *hour, who, DEVICE, WishStep::WithdrawClaim),
                _ => ev(n, *hour, who, DEVICE, WishStep::WithdrawWish { reason: String::new() }),
            }
        }).collect();
        let mut shuffled = events.clone();
        shuffled.reverse();
        shuffled.rotate_left((seed % events.len() as u64) as usize);
        prop_assert_eq!(fold(&events), fold(&shuffled), "fold must not depend on arrival order");
    }
}
