//! Steps overruled by another device's step: after a sync, a device's report
//! names the steps of its user that are now void, and only those.

use chrono::Duration;
use gridline_device::sync::{Overruled, Overruling};
use gridline_device::NewIssue;
use gridline_model::permission::Kind;
use gridline_model::{IssueStep, Role};

use super::now;
use super::sync::{enrolled, hub, sync, wish_race, WishRace};

const GRID: &str = "522701001001001";

#[test]
fn the_loser_of_an_offline_claim_race_is_told_its_claim_is_void() {
    let WishRace {
        hub,
        wish: w,
        gw: _gw,
        ss: (_b, mut ss, st),
        cs: (_c, mut cs, ct),
        _dir: _h,
    } = wish_race();
    // Both claim while offline; the community's reaches the hub first.
    cs.claim_wish(&w, now()).unwrap();
    let claim = ss.claim_wish(&w, now()).unwrap();
    let ss_claim = claim.pending[0].0.to_string();
    let winner = sync(&hub, &mut cs, &ct, now());
    let loser = sync(&hub, &mut ss, &st, now());
    assert_eq!(
        loser.overruled,
        vec![Overruled {
            id: w.clone(),
            kind: Kind::Wish,
            step: "claim",
            step_zh: "认领",
            event: ss_claim,
            why: Overruling::ClaimGivenToAnother,
        }],
        "the street's claim lost the race, and its report says which step of which wish"
    );
    assert!(
        winner.overruled.is_empty(),
        "the winner's claim stands: {:?}",
        winner.overruled
    );
    let again = sync(&hub, &mut ss, &st, now());
    assert!(
        again.overruled.is_empty(),
        "a step is reported overruled once, by the sync that overruled it"
    );
    let settled = sync(&hub, &mut cs, &ct, now());
    assert!(
        settled.overruled.is_empty(),
        "receiving the loser's claim overrules nothing of the winner's"
    );
}

#[test]
fn a_step_after_another_devices_earlier_step_is_reported_with_the_folds_reason() {
    let (_h, hub) = hub();
    let (_a, mut gw, gt) = enrolled(&hub, "gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    let community = "community:522701001001";
    let (_b, mut first, ft) = enrolled(&hub, "cs-1", Role::CommunityStaff, community);
    let (_c, mut second, st) = enrolled(&hub, "cs-2", Role::CommunityStaff, community);
    sync(&hub, &mut gw, &gt, now());
    let issue = gw
        .report_issue(
            &NewIssue {
                grid: Some(GRID.into()),
                category: "噪音".into(),
                description: "施工噪音".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap()
        .to_string();
    sync(&hub, &mut gw, &gt, now());
    sync(&hub, &mut first, &ft, now());
    sync(&hub, &mut second, &st, now());
    // Offline, one accepts the issue and, a minute later, the other rejects it.
    first
        .act_on_issue(&issue, IssueStep::Accept, now() + Duration::minutes(1))
        .unwrap();
    second
        .act_on_issue(
            &issue,
            IssueStep::Reject {
                reason: "不属于本社区".into(),
            },
            now() + Duration::minutes(2),
        )
        .unwrap();
    let before = sync(&hub, &mut second, &st, now());
    assert!(
        before.overruled.is_empty(),
        "nothing contradicts the rejection until the acceptance arrives"
    );
    let accepted = sync(&hub, &mut first, &ft, now());
    assert!(
        accepted.overruled.is_empty(),
        "the earlier step stands; the later one is void: {:?}",
        accepted.overruled
    );
    let report = sync(&hub, &mut second, &st, now());
    assert_eq!(
        report.overruled.len(),
        1,
        "the rejection, stamped after the acceptance, is void: {:?}",
        report.overruled
    );
    let o = &report.overruled[0];
    assert_eq!(
        (o.id.as_str(), o.kind, o.step),
        (issue.as_str(), Kind::Issue, "reject"),
        "the report names the issue and the step"
    );
    let view = second.issue(&issue, now()).unwrap();
    let event = view
        .issue
        .events
        .iter()
        .find(|e| e.step.key() == "reject")
        .unwrap();
    assert_eq!(o.event, event.id.to_string(), "and the step's own event");
    assert_eq!(
        o.why,
        Overruling::Refused(view.state.refusal(event.id).unwrap().to_owned()),
        "with the reason the record shows for it"
    );
}
