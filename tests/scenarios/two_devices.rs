//! A grid worker's phone and the community office's laptop edit the same
//! household while apart, then exchange documents (as sync will).

use gridline_device::{Device, HouseholdEdit};
use gridline_model::{IssueStep, Role};
use gridline_store::SyncState;
use proptest::prelude::*;

use super::*;

fn exchange(from: &Device, to: &mut Device, id: &str) {
    let bytes = from
        .export_doc(id)
        .expect("the sender may read its own record");
    to.apply_remote(&bytes, now())
        .expect("the receiver may read the record");
}

#[test]
fn edits_to_different_fields_merge_and_the_same_field_becomes_a_visible_conflict() {
    let (_a, mut phone) = device("gw-1", Role::GridWorker, &format!("grids:{GRID}"));
    let (_b, mut office) = device("cs-1", Role::CommunityStaff, "community:522701001001");
    let id = phone
        .add_household(&zhang_san(), now())
        .unwrap()
        .to_string();
    exchange(&phone, &mut office, &id);
    assert_eq!(
        office.household(&id, now()).unwrap().sync_state,
        SyncState::Synced,
        "a received record is in sync"
    );

    phone
        .edit_household(
            &id,
            &HouseholdEdit {
                room: Some("402".into()),
                phone: Some("16022664433".into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    office
        .edit_household(
            &id,
            &HouseholdEdit {
                room: Some("403".into()),
                add_tags: vec!["党员".into()],
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    exchange(&office, &mut phone, &id);
    exchange(&phone, &mut office, &id);

    for d in [&phone, &office] {
        let v = d.household(&id, now()).unwrap();
        assert_eq!(
            v.household.phone.as_ref().unwrap().as_str(),
            "16022664433",
            "the phone's edit arrived"
        );
        assert!(
            v.household.tags.iter().any(|t| t.zh() == "党员"),
            "the office's tag arrived"
        );
        assert_eq!(
            v.conflicts.len(),
            1,
            "only the room conflicts: {:?}",
            v.conflicts
        );
        let mut vals = v.conflicts[0].values.clone();
        vals.sort();
        assert_eq!(
            vals,
            ["402", "403"],
            "both rooms are kept for a person to choose"
        );
        assert_eq!(
            v.sync_state,
            SyncState::Conflict,
            "the list shows the conflict"
        );
    }
    phone.resolve_conflict(&id, "room", "403", now()).unwrap();
    exchange(&phone, &mut office, &id);
    let v = office.household(&id, now()).unwrap();
    assert!(
        v.conflicts.is_empty(),
        "the choice travels and ends the conflict"
    );
    assert_eq!(v.household.address.room, "403");
}

#[test]
fn workflow_steps_taken_apart_end_in_one_timeline_with_the_late_one_refused() {
    let (_a, mut office1) = device("cs-1", Role::CommunityStaff, "community:522701001001");
    let (_b, mut office2) = device("cs-2", Role::CommunityStaff, "community:522701001001");
    let issue = office1
        .report_issue(
            &gridline_device::NewIssue {
                grid: Some(GRID.into()),
                category: "电梯".into(),
                description: "电梯停运".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap()
        .to_string();
    exchange(&office1, &mut office2, &issue);
    office1
        .act_on_issue(&issue, IssueStep::Accept, now())
        .unwrap();
    office2
        .act_on_issue(
            &issue,
            IssueStep::Reject {
                reason: "不属实".into(),
            },
            now() + chrono::Duration::minutes(5),
        )
        .unwrap();
    exchange(&office1, &mut office2, &issue);
    exchange(&office2, &mut office1, &issue);
    let a = office1.issue(&issue, now()).unwrap();
    let b = office2.issue(&issue, now()).unwrap();
    assert_eq!(
        a.issue.events.len(),
        3,
        "both steps are in the merged timeline"
    );
    assert_eq!(a.state, b.state, "both replicas fold to the same state");
    assert_eq!(
        a.state.stage.map(|s| s.key()),
        Some("accepted"),
        "the earlier step wins"
    );
    assert_eq!(
        a.state
            .outcomes
            .iter()
            .filter(|o| o.refused.is_some())
            .count(),
        1,
        "the later step is kept and shown refused"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    /// Random edits on two devices, exchanged in random order, converge.
    #[test]
    fn random_edits_on_two_devices_converge(edits in prop::collection::vec((any::<bool>(), 0usize..4, 0usize..5), 1..12)) {
        let (_a, mut a) = device("gw-1", Role::GridWorker, &format!("grids:{GRID}"));
        let (_b, mut b) = device("cs-1", Role::CommunityStaff, "community:522701001001");
        let id = a.add_household(&zhang_san(), now()).unwrap().to_string();
        exchange(&a, &mut b, &id);
        for (on_a, field, value) in edits {
            let d = if on_a { &mut a } else { &mut b };
            let v = format!("{}0{}", value + 1, field);
            let edit = match field {
                0 => HouseholdEdit { room: Some(v), ..Default::default() },
                1 => HouseholdEdit { unit: Some(format!("{value}单元")), ..Default::default() },
                2 => HouseholdEdit { notes: Some(format!("备注{value}")), ..Default::default() },
                _ => HouseholdEdit { add_tags: vec![["党员", "退役军人", "出租屋", "流动人口", "重点关注"][value].into()], ..Default::default() },
            };
            d.edit_household(&id, &edit, now()).unwrap();
            if value == 0 {
                if on_a { exchange(&a, &mut b, &id) } else { exchange(&b, &mut a, &id) }
            }
        }
        exchange(&a, &mut b, &id);
        exchange(&b, &mut a, &id);
        let va = a.household(&id, now()).unwrap();
        let vb = b.household(&id, now()).unwrap();
        prop_assert_eq!(&va.household, &vb.household, "both devices hold the same household");
        prop_assert_eq!(va.conflicts, vb.conflicts, "and the same conflicts");
        let heads = |d: &Device| gridline_records::heads_hex(&mut gridline_records::load(&d.export_doc(&id).unwrap(), &[1; 16]).unwrap());
        prop_assert_eq!(heads(&a), heads(&b), "and the same document heads");
    }
}
