//! Photos and positions on the device (DESIGN §9): a photo is durable and
//! hash-named before a record references it, only photos taken here can be
//! attached, a refused step keeps nothing, and the queue, the budget and the
//! clean-up keep what must be kept.

use super::*;
use gridline_device::{Attach, Evidence, PhotoState};

fn photo_bytes(seed: u32) -> Vec<u8> {
    gridline_photo::encode::sample_photo(400 + seed, 300)
}

fn file_of(d: &Device, hash: &str) -> std::path::PathBuf {
    d.dir()
        .join("photos")
        .join(&hash[..2])
        .join(format!("{hash}.jpg"))
}

fn report(d: &mut Device, household: &str, photos: &[Attach]) -> String {
    let new = NewIssue {
        household: Some(household.into()),
        category: "安全隐患".into(),
        description: "电梯按钮损坏".into(),
        ..Default::default()
    };
    d.report_issue_with_photos(&new, None, photos, now())
        .unwrap()
        .id
        .to_string()
}

#[test]
fn a_taken_photo_is_on_disk_by_its_hash_before_anything_names_it() {
    let (_dir, mut d) = worker();
    let h = d.add_household(&zhang_san(), now()).unwrap().to_string();
    let taken = d.take_photo(&photo_bytes(1), now()).unwrap();
    for (hash, size) in [(&taken.hash, taken.size), (&taken.thumb, taken.thumb_size)] {
        let bytes = std::fs::read(file_of(&d, hash)).unwrap();
        assert_eq!(bytes.len() as u64, size);
        assert_eq!(&gridline_photo::sha256_hex(&bytes), hash);
    }
    assert!(taken.width <= 1600 && taken.height <= 1600);
    assert_eq!(
        d.photo_queue().unwrap().waiting,
        0,
        "nothing references it yet"
    );

    let id = report(
        &mut d,
        &h,
        &[Attach {
            hash: taken.hash.clone(),
            caption: "按钮".into(),
        }],
    );
    let photos = d.photos_of(&id).unwrap();
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0].photo.hash, taken.hash);
    assert_eq!(photos[0].photo.thumb, taken.thumb);
    assert_eq!(photos[0].photo.caption, "按钮");
    assert_eq!(photos[0].photo.step, PhotoStep::Report);
    assert_eq!(photos[0].photo.by, d.user().id);
    assert!(matches!(
        photos[0].state,
        PhotoState::Waiting { sent: 0, .. }
    ));
    let q = d.photo_queue().unwrap();
    assert_eq!(q.waiting, 1, "one photo (its thumbnail goes with it)");
    assert_eq!(q.waiting_bytes, taken.size + taken.thumb_size);
}

#[test]
fn only_a_photo_taken_here_and_whole_on_disk_can_be_attached() {
    let (_dir, mut d) = worker();
    let h = d.add_household(&zhang_san(), now()).unwrap().to_string();
    let new = NewIssue {
        household: Some(h.clone()),
        category: "安全隐患".into(),
        description: "路灯不亮".into(),
        ..Default::default()
    };
    let attach = |hash: &str| {
        vec![Attach {
            hash: hash.into(),
            caption: String::new(),
        }]
    };
    let before = d.issues(&IssueFilter::default(), now()).unwrap().len();
    // A made-up hash, a thumbnail's hash, and a photo whose file was damaged.
    let taken = d.take_photo(&photo_bytes(2), now()).unwrap();
    let made_up = "ab".repeat(32);
    let e = d
        .report_issue_with_photos(&new, None, &attach(&made_up), now())
        .unwrap_err();
    assert!(
        matches!(e, Error::Invalid(ref i) if i.field == "photo"),
        "{e:?}"
    );
    let e = d
        .report_issue_with_photos(&new, None, &attach(&taken.thumb), now())
        .unwrap_err();
    assert!(
        matches!(e, Error::Invalid(ref i) if i.field == "photo"),
        "{e:?}"
    );
    std::fs::write(file_of(&d, &taken.hash), b"not the photo").unwrap();
    let e = d
        .report_issue_with_photos(&new, None, &attach(&taken.hash), now())
        .unwrap_err();
    assert!(
        matches!(e, Error::Invalid(ref i) if i.field == "photo"),
        "{e:?}"
    );
    assert_eq!(
        d.issues(&IssueFilter::default(), now()).unwrap().len(),
        before,
        "a refused report saves nothing"
    );
    // Not an image at all: refused in both languages, nothing saved.
    let e = d.take_photo(b"plain text", now()).unwrap_err();
    let t = e.text();
    assert!(
        !t.zh.is_empty() && !t.en.is_empty() && t.en.contains("nothing was saved"),
        "{t:?}"
    );
}

#[test]
fn a_step_the_rules_refuse_keeps_no_photo_reference() {
    let (_dir, mut d) = worker();
    let h = d.add_household(&zhang_san(), now()).unwrap().to_string();
    let id = report(&mut d, &h, &[]);
    let taken = d.take_photo(&photo_bytes(3), now()).unwrap();
    let attach = [Attach {
        hash: taken.hash.clone(),
        caption: String::new(),
    }];
    // A grid worker may not verify and close an issue it just reported.
    let refused = d.act_on_issue_with_photos(
        &id,
        IssueStep::VerifyClose {
            note: "已修好".into(),
        },
        &attach,
        now(),
    );
    assert!(refused.is_err());
    assert!(d.photos_of(&id).unwrap().is_empty());
    assert_eq!(d.photo_queue().unwrap().waiting, 0);
    // Community staff accepting and resolving it keep theirs, as that
    // step's evidence.
    let (_s, mut staff) = device(Role::CommunityStaff, "community:522701001001");
    staff
        .apply_remote(&d.export_doc(&h).unwrap(), now())
        .unwrap();
    staff
        .apply_remote(&d.export_doc(&id).unwrap(), now())
        .unwrap();
    staff.act_on_issue(&id, IssueStep::Accept, now()).unwrap();
    let theirs = staff.take_photo(&photo_bytes(9), now()).unwrap();
    let attach = [Attach {
        hash: theirs.hash.clone(),
        caption: "已修好".into(),
    }];
    staff
        .act_on_issue_with_photos(
            &id,
            IssueStep::Resolve {
                note: "当场修好".into(),
            },
            &attach,
            now(),
        )
        .unwrap();
    let photos = staff.photos_of(&id).unwrap();
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0].photo.step, PhotoStep::Handling);
    assert_eq!(photos[0].photo.by, staff.user().id);
}

#[test]
fn a_position_is_kept_with_the_record_and_checked_first() {
    let (_dir, mut d) = worker();
    let h = d.add_household(&zhang_san(), now()).unwrap().to_string();
    let new = NewVisit {
        household: h.clone(),
        kind: Some("routine".into()),
        notes: "老人身体好".into(),
        at: None,
    };
    let here = Location {
        lat: 26.2597,
        lon: 107.5182,
        accuracy_m: Some(8.0),
        source: LocationSource::Gps,
    };
    let bad = Evidence {
        photos: vec![],
        position: Some(Location { lat: 123.0, ..here }),
    };
    let e = d
        .log_visit_with_evidence(&new, None, &bad, now())
        .unwrap_err();
    assert!(
        matches!(e, Error::Invalid(ref i) if i.field == "lat"),
        "{e:?}"
    );
    let good = Evidence {
        photos: vec![],
        position: Some(here),
    };
    let id = d
        .log_visit_with_evidence(&new, None, &good, now())
        .unwrap()
        .id;
    assert_eq!(d.position_of(&id.to_string()).unwrap(), Some(here));
    let link = gridline_device::photo::map_link(&here, "走访");
    assert!(
        link.starts_with("https://uri.amap.com/marker?position=107.52"),
        "{link}"
    );
    assert!(
        !link.contains("107.518200"),
        "the link carries GCJ-02, not the stored WGS-84: {link}"
    );
}

#[test]
fn the_budget_evicts_others_photos_first_never_thumbnails_or_unsent_ones() {
    let (_dir, mut d) = worker();
    let h = d.add_household(&zhang_san(), now()).unwrap().to_string();
    // This device's own, not yet uploaded: never evicted.
    let own = d.take_photo(&photo_bytes(4), now()).unwrap();
    report(
        &mut d,
        &h,
        &[Attach {
            hash: own.hash.clone(),
            caption: String::new(),
        }],
    );
    // Someone else's issue with a photo, downloaded here.
    let (_o, mut other) = worker();
    let h2 = other
        .add_household(&zhang_san(), now())
        .unwrap()
        .to_string();
    let theirs = other.take_photo(&photo_bytes(5), now()).unwrap();
    let issue = report(
        &mut other,
        &h2,
        &[Attach {
            hash: theirs.hash.clone(),
            caption: String::new(),
        }],
    );
    d.apply_remote(&other.export_doc(&h2).unwrap(), now())
        .unwrap();
    d.apply_remote(&other.export_doc(&issue).unwrap(), now())
        .unwrap();
    for hash in [&theirs.hash, &theirs.thumb] {
        let bytes = std::fs::read(file_of(&other, hash)).unwrap();
        d.keep_downloaded(hash, &bytes, now()).unwrap();
    }
    assert!(d.photo_bytes(&theirs.hash, now()).unwrap().is_some());
    // A budget of one byte: only their full photo may go.
    d.set_photo_budget(1).unwrap();
    assert!(
        d.photo_bytes(&theirs.hash, now()).unwrap().is_none(),
        "evicted"
    );
    assert!(
        d.photo_bytes(&theirs.thumb, now()).unwrap().is_some(),
        "thumbnails stay"
    );
    assert!(
        d.photo_bytes(&own.hash, now()).unwrap().is_some(),
        "an unsent photo stays"
    );
    let seen = d.photos_of(&issue).unwrap();
    assert_eq!(seen[0].state, PhotoState::Remote);
    assert!(seen[0].thumb_here && !seen[0].full_here);
    // A download whose bytes do not match is refused and keeps nothing.
    assert!(d.keep_downloaded(&theirs.hash, b"garbage", now()).is_err());
    assert!(d.photo_bytes(&theirs.hash, now()).unwrap().is_none());
}

#[test]
fn a_photo_for_a_form_never_saved_is_removed_after_a_month_and_no_sooner() {
    let (_dir, mut d) = worker();
    let h = d.add_household(&zhang_san(), now()).unwrap().to_string();
    let kept = d.take_photo(&photo_bytes(6), now()).unwrap();
    report(
        &mut d,
        &h,
        &[Attach {
            hash: kept.hash.clone(),
            caption: String::new(),
        }],
    );
    let abandoned = d.take_photo(&photo_bytes(7), now()).unwrap();
    assert_eq!(
        d.tidy_photos(now() + chrono::Duration::days(29)).unwrap(),
        0
    );
    assert!(file_of(&d, &abandoned.hash).exists());
    let removed = d.tidy_photos(now() + chrono::Duration::days(31)).unwrap();
    assert_eq!(removed, 2, "the photo and its thumbnail");
    assert!(!file_of(&d, &abandoned.hash).exists());
    assert!(!file_of(&d, &abandoned.thumb).exists());
    assert!(file_of(&d, &kept.hash).exists(), "a referenced photo stays");
    assert!(file_of(&d, &kept.thumb).exists());
}

#[test]
fn a_wipe_waits_for_photos_the_hub_does_not_hold() {
    let (_dir, mut d) = worker();
    let h = d.add_household(&zhang_san(), now()).unwrap().to_string();
    let taken = d.take_photo(&photo_bytes(8), now()).unwrap();
    report(
        &mut d,
        &h,
        &[Attach {
            hash: taken.hash.clone(),
            caption: String::new(),
        }],
    );
    // The store's own flag, as a sync reply sets it.
    store_of(&d).set_meta("wipe_requested", "1").unwrap();
    match d.wipe_check().unwrap() {
        gridline_device::wipe::WipeCheck::Waiting { photos, .. } => {
            assert_eq!(photos, 2, "the photo and its thumbnail")
        }
        other => panic!("a wipe must wait for the photo: {other:?}"),
    }
}
