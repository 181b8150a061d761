//! What an admin reads on the hub (`gridline_hub::admin`): listings by kind
//! and grid with the total, one record in full, ID numbers masked unless a
//! reveal is asked for, and every read (and every reveal) an audit row naming
//! the admin. Reading writes no document.

mod reveals;

use chrono::{DateTime, Utc};
use gridline_hub::{AdminQuery, AuditQuery, Error, Hub};
use gridline_model::GridId;
use gridline_records::Record;

const GRID: &str = "522701001001001";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn seeded() -> (tempfile::TempDir, Hub) {
    let (dir, hub) = gridline_test_support::hub();
    hub.seed_demo(gridline_demo::Scale::Grid, 1, "admin", now())
        .unwrap();
    (dir, hub)
}

fn audit_of(hub: &Hub, action: &str) -> Vec<gridline_hub::AuditRow> {
    hub.audit(&AuditQuery {
        limit: Some(10_000),
        ..Default::default()
    })
    .unwrap()
    .into_iter()
    .filter(|r| r.action == action)
    .collect()
}

#[test]
fn listings_say_how_many_in_all_and_each_read_is_audited_with_the_admin() {
    let (_dir, hub) = seeded();
    let counter = hub.counter().unwrap();
    let q = AdminQuery {
        grid: Some(GridId::parse(GRID).unwrap()),
        limit: Some(5),
    };
    let households = hub.admin_households(&q, "王主任", now()).unwrap();
    assert_eq!(households.records.len(), 5, "the limit is kept");
    assert_eq!(
        households.total,
        gridline_demo::HOUSEHOLDS_PER_GRID,
        "the total counts every household of the grid, not only those shown"
    );
    assert!(
        households
            .records
            .iter()
            .all(|h| matches!(h.record, Record::Household(_))),
        "a household listing holds households only"
    );
    let issues = hub.admin_issues(&q, "王主任", now()).unwrap();
    assert_eq!(
        issues.total,
        gridline_demo::ISSUES_PER_GRID,
        "every issue of the grid is counted"
    );
    assert!(
        issues
            .records
            .iter()
            .all(|h| matches!(h.record, Record::Issue(_))),
        "an issue listing holds issues only"
    );
    let wishes = hub
        .admin_wishes(&AdminQuery::default(), "王主任", now())
        .unwrap();
    assert_eq!(
        wishes.total,
        gridline_demo::WISHES_PER_GRID,
        "without --grid the whole street is counted"
    );
    let other = hub
        .admin_households(
            &AdminQuery {
                grid: Some(GridId::parse("522701001001002").unwrap()),
                limit: None,
            },
            "王主任",
            now(),
        )
        .unwrap();
    assert_eq!(
        (other.records.len(), other.total),
        (0, 0),
        "a grid without records lists nothing"
    );

    let reads = audit_of(&hub, "admin-read");
    assert_eq!(reads.len(), 4, "one audit row per read: {reads:?}");
    assert!(
        reads
            .iter()
            .all(|r| r.admin.as_deref() == Some("王主任") && r.user_id == "王主任"),
        "each read names the admin: {reads:?}"
    );
    assert_eq!(
        reads
            .iter()
            .map(|r| (r.kind.as_str(), r.record.as_str()))
            .collect::<Vec<_>>(),
        [
            ("household", GRID),
            ("issue", GRID),
            ("wish", "*"),
            ("household", "522701001001002")
        ],
        "each row says what kind was read and where (a grid, or * for the street)"
    );
    assert_eq!(
        hub.counter().unwrap(),
        counter,
        "reading writes no document: the hub counter does not move"
    );
}

#[test]
fn show_masks_id_numbers_unless_revealed_and_a_reveal_is_its_own_audit_row() {
    let (_dir, hub) = seeded();
    let listed = hub
        .admin_households(
            &AdminQuery {
                grid: None,
                limit: Some(1),
            },
            "admin",
            now(),
        )
        .unwrap();
    let Record::Household(h) = &listed.records[0].record else {
        panic!("a household listing holds households");
    };
    let id = h.id.to_string();

    let shown = hub.admin_show(&id, false, "王主任", now()).unwrap();
    assert!(!shown.revealed, "without a reveal ID numbers stay masked");
    let private = shown
        .private
        .as_ref()
        .expect("a demo household has its private part on the hub");
    assert!(
        !private.id_numbers.is_empty(),
        "the demo household has ID numbers to mask"
    );
    assert!(
        audit_of(&hub, "admin-reveal").is_empty(),
        "no reveal was asked for, none is recorded"
    );

    let revealed = hub.admin_show(&id, true, "王主任", now()).unwrap();
    assert!(revealed.revealed, "a reveal shows ID numbers in full");
    let reveals = audit_of(&hub, "admin-reveal");
    assert_eq!(reveals.len(), 1, "the reveal is audited once: {reveals:?}");
    assert_eq!(
        (reveals[0].record.as_str(), reveals[0].admin.as_deref()),
        (id.as_str(), Some("王主任")),
        "the reveal names the record and the admin"
    );
    let shows: Vec<_> = audit_of(&hub, "admin-read")
        .into_iter()
        .filter(|r| r.record == id)
        .collect();
    assert_eq!(
        shows.len(),
        2,
        "each show is a read row of its own: {shows:?}"
    );

    assert!(
        matches!(
            hub.admin_show(
                "0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b",
                false,
                "admin",
                now()
            ),
            Err(Error::NotFound(_))
        ),
        "an id the hub does not hold is not found"
    );
    let blank = hub.admin_show(&id, false, "  ", now());
    assert!(
        matches!(blank, Err(Error::Invalid(ref e)) if e.field == "admin"),
        "a read names an admin: {:?}",
        blank.err()
    );
}

#[test]
fn a_damaged_store_is_damage_not_the_callers_fault() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hub.db"), vec![0x5a; 8192]).unwrap();
    let err = Hub::open(dir.path()).err().expect("garbage is not a hub");
    assert!(
        err.is_damaged() && !err.is_user_error(),
        "a file that is not a database is damage (exit 3), not bad input: {err}"
    );
    assert!(
        Error::Damaged(gridline_model::Text::new("x", "x")).is_damaged(),
        "Damaged is damage"
    );
    assert!(
        !Error::NotFound("x".into()).is_damaged(),
        "an unknown id is the caller's"
    );
}
