//! Merging duplicate households: community staff only, the merged household
//! kept and hidden from lists, its records and residents shown on the
//! survivor's page, undone by an unmerge.

use super::*;

const COMMUNITY: &str = "community:522701001001";

fn household(room: &str, head: &str, born: &str, number: Option<&str>) -> NewHousehold {
    NewHousehold {
        grid: GRID.into(),
        compound: "水花都小区".into(),
        building: "8栋".into(),
        unit: "1单元".into(),
        room: room.into(),
        phone: None,
        tags: vec![],
        head: NewResident {
            name: head.into(),
            birth_date: Some(born.into()),
            id_number: number.map(str::to_owned),
            ..Default::default()
        },
        members: Vec::new(),
        notes: String::new(),
    }
}

/// A staff device holding two records of one home (the second with a
/// child the first lacks), and a worker's visit to the second.
fn two_records() -> (tempfile::TempDir, Device, String, String) {
    let (dir, mut staff) = device(Role::CommunityStaff, COMMUNITY);
    let a = staff
        .add_household(&household("401", "张三", "1987-06-18", None), now())
        .unwrap()
        .to_string();
    let b = staff
        .add_household(
            &household("401室", "张三", "1987-06-18", Some("522701198706182382")),
            now(),
        )
        .unwrap()
        .to_string();
    let edit = HouseholdEdit {
        add_resident: Some(NewResident {
            name: "张小明".into(),
            relation: Some("子女".into()),
            birth_date: Some("2015-03-02".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    staff.edit_household(&b, &edit, now()).unwrap();
    let (_w, mut worker) = worker();
    worker
        .apply_remote(&staff.export_doc(&b).unwrap(), now())
        .unwrap();
    let visit = worker
        .log_visit(
            &NewVisit {
                household: b.clone(),
                notes: "上门看望".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    staff
        .apply_remote(&worker.export_doc(&visit.to_string()).unwrap(), now())
        .unwrap();
    staff
        .report_issue(
            &NewIssue {
                household: Some(b.clone()),
                category: "物业".into(),
                description: "楼道灯坏了".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    (dir, staff, a, b)
}

#[test]
fn a_merge_hides_the_merged_household_and_its_records_show_on_the_survivor() {
    let (_dir, mut staff, a, b) = two_records();
    assert_eq!(count(&staff), 2);
    assert_eq!(
        staff.duplicate_households().unwrap().len(),
        1,
        "one likely pair"
    );
    staff
        .merge_households(&b, &a, "同一户录入两次", now())
        .unwrap();
    assert_eq!(count(&staff), 1, "the merged household is no longer listed");
    assert!(
        staff.duplicate_households().unwrap().is_empty(),
        "a merged household is no duplicate any more"
    );
    let survivor = staff.household(&a, now()).unwrap();
    assert_eq!(
        survivor.visits.len(),
        1,
        "the merged household's visit shows"
    );
    assert_eq!(survivor.issues.len(), 1, "and its issue");
    assert_eq!(survivor.merged_here.len(), 1);
    let names: Vec<&str> = survivor.merged_here[0]
        .residents
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["张小明"],
        "the head, the same person on both, is listed once; the child is added"
    );
    let merged = staff.household(&b, now()).unwrap();
    let m = merged
        .merged
        .expect("the merged household says where it went");
    assert_eq!(m.survivor, a);
    assert_eq!(m.survivor_address.as_deref(), Some("水花都小区8栋1单元401"));
    assert_eq!(m.reason, "同一户录入两次");
    let summary = staff.household_summary(&b).unwrap().unwrap();
    assert_eq!(
        summary.id.to_string(),
        a,
        "an issue of the merged household names the survivor"
    );
}

#[test]
fn bad_merges_are_refused_and_write_nothing() {
    let (_dir, mut staff, a, b) = two_records();
    let unknown = uuid::Uuid::now_v7().to_string();
    assert!(matches!(
        staff.merge_households(&unknown, &a, "重复", now()),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        staff.merge_households(&a, &a, "重复", now()),
        Err(Error::Invalid(_))
    ));
    assert!(
        matches!(
            staff.merge_households(&b, &a, " ", now()),
            Err(Error::Invalid(_))
        ),
        "a merge needs a reason"
    );
    staff.merge_households(&b, &a, "重复", now()).unwrap();
    assert!(
        matches!(
            staff.merge_households(&b, &a, "重复", now()),
            Err(Error::StepRefused(_))
        ),
        "already merged"
    );
    assert!(
        matches!(
            staff.merge_households(&a, &b, "重复", now()),
            Err(Error::StepRefused(_))
        ),
        "the survivor chosen is itself merged"
    );
    // A grid worker holds both records but may not merge.
    let (_w, mut worker) = worker();
    for id in [&a, &b] {
        worker
            .apply_remote(&staff.export_doc(id).unwrap(), now())
            .unwrap();
    }
    let (_x, mut w2) = self::worker();
    let c = w2
        .add_household(&household("502", "李四", "1960-01-01", None), now())
        .unwrap()
        .to_string();
    worker
        .apply_remote(&w2.export_doc(&c).unwrap(), now())
        .unwrap();
    assert!(matches!(
        worker.merge_households(&c, &a, "重复", now()),
        Err(Error::Refused(_))
    ));
}

#[test]
fn an_unmerge_puts_everything_back() {
    let (_dir, mut staff, a, b) = two_records();
    staff.merge_households(&b, &a, "重复", now()).unwrap();
    staff
        .unmerge_household(&b, "合并错了，是两户", now())
        .unwrap();
    assert_eq!(count(&staff), 2, "both listed again");
    let survivor = staff.household(&a, now()).unwrap();
    assert!(survivor.visits.is_empty() && survivor.merged_here.is_empty());
    assert!(staff.household(&b, now()).unwrap().merged.is_none());
    assert!(
        matches!(
            staff.unmerge_household(&b, "再撤销", now()),
            Err(Error::StepRefused(_))
        ),
        "nothing left to undo"
    );
}

#[test]
fn likely_duplicate_issues_are_open_of_the_same_household_and_category_within_a_week() {
    let (_dir, mut staff, a, b) = two_records();
    let report = |staff: &mut Device, h: &str, category: &str, at: Instant| {
        staff
            .report_issue(
                &NewIssue {
                    household: Some(h.to_owned()),
                    category: category.into(),
                    description: "楼道灯又坏了".into(),
                    ..Default::default()
                },
                at,
            )
            .unwrap()
            .to_string()
    };
    let first = report(&mut staff, &a, "物业", now());
    report(&mut staff, &a, "噪音", now());
    let later = now() + chrono::Duration::days(8);
    report(&mut staff, &a, "物业", later);
    let found = staff.likely_duplicate_issues(&first, later).unwrap();
    assert!(
        found.is_empty(),
        "b's issue is another household's: {found:?}"
    );
    staff.merge_households(&b, &a, "重复", now()).unwrap();
    let found = staff.likely_duplicate_issues(&first, later).unwrap();
    assert_eq!(
        found.len(),
        1,
        "the merged household's 物业 issue of the same day; not the 噪音 one nor the one 8 days on"
    );
}
