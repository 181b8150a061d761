//! Exports: the monthly report's numbers against an independent recount,
//! read back out of the `.xlsx` itself; the roster's masking and its
//! audited reveal; who may export what.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, TimeZone, Utc};
use gridline_device::office::monthly::{BY_CATEGORY, BY_DEPARTMENT, SUMMARY};
use gridline_device::{Device, ExportScope, RosterOptions};
use gridline_model::*;

use super::{device, zhang_san, GRID};

const COMMUNITY: &str = "522701001001";
const DEPARTMENTS: [&str; 3] = ["城管执法", "住建", "市场监管"];

/// What the generator meant each issue to be, kept beside it: the recount
/// reads only this, never the fold or the store.
#[derive(Debug, Clone)]
struct Meant {
    category: &'static str,
    reported: Instant,
    accepted: Option<Instant>,
    /// Each dispatch's time limit: its deadline, departments, and the
    /// closing that ended it. A send-back later never undoes it
    /// (governance-facts: the case counts against the department).
    limits: Vec<(Instant, Vec<&'static str>, Option<Instant>)>,
    /// Every closing.
    closings: Vec<Instant>,
    /// Every evaluation: when, and whether satisfied.
    evaluations: Vec<(Instant, bool)>,
    /// Unsatisfied evaluations: when, and against whom.
    sent_back: Vec<(Instant, Vec<&'static str>)>,
}

fn author(user: &str, role: Role, unit: &str) -> Author {
    Author {
        user: user.into(),
        role,
        unit: unit.into(),
    }
}

/// A small deterministic generator (no dependency for one test).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// One issue's life: reported, then (maybe) accepted, then settled by the
/// community or dispatched to departments with a grade, handled, closed,
/// evaluated; an unsatisfied evaluation sends it back, after which it may go
/// round once more.
fn life(rng: &mut Lcg, n: usize) -> (Issue, Meant) {
    let start = Utc.with_ymd_and_hms(2026, 10, 15, 0, 0, 0).unwrap();
    let reported = start + Duration::minutes(rng.next(60 * 24 * 45) as i64);
    let category = issue::CATEGORIES[rng.next(4) as usize];
    let mut t = reported;
    let mut events = Vec::new();
    let mut ev = |at: Instant, who: Author, step: IssueStep| {
        events.push(IssueEvent {
            id: uuid::Builder::from_unix_timestamp_millis(
                at.timestamp_millis() as u64,
                &[n as u8; 10],
            )
            .into_uuid(),
            at,
            author: who,
            step,
        })
    };
    let worker = author("gw-1", Role::GridWorker, "");
    let staff = author("cs-1", Role::CommunityStaff, COMMUNITY);
    let street = author("ss-1", Role::StreetStaff, "522701001");
    ev(t, worker.clone(), IssueStep::Report);
    let mut m = Meant {
        category,
        reported,
        accepted: None,
        limits: vec![],
        closings: vec![],
        evaluations: vec![],
        sent_back: vec![],
    };
    if rng.next(10) == 0 {
        return (issue_of(n, category, reported, events), m);
    }
    t += Duration::hours(1 + rng.next(30) as i64);
    ev(t, staff.clone(), IssueStep::Accept);
    m.accepted = Some(t);
    for round in 0..2 {
        let handlers: Vec<&'static str>;
        if rng.next(3) == 0 {
            t += Duration::hours(2 + rng.next(40) as i64);
            ev(
                t,
                staff.clone(),
                IssueStep::Resolve {
                    note: "已处理".into(),
                },
            );
            handlers = vec!["社区"];
        } else {
            t += Duration::hours(1 + rng.next(5) as i64);
            ev(
                t,
                staff.clone(),
                IssueStep::Escalate {
                    note: String::new(),
                },
            );
            t += Duration::hours(1 + rng.next(10) as i64);
            let grade = [Grade::Urgent, Grade::Normal, Grade::Minor][rng.next(3) as usize];
            let limit = match grade {
                Grade::Urgent => Duration::hours(24),
                Grade::Normal => Duration::days(3),
                Grade::Minor => Duration::days(7),
            };
            let mut depts = vec![DEPARTMENTS[rng.next(3) as usize]];
            if rng.next(4) == 0 {
                let other = DEPARTMENTS[rng.next(3) as usize];
                if other != depts[0] {
                    depts.push(other);
                }
            }
            ev(
                t,
                street.clone(),
                IssueStep::Dispatch {
                    departments: depts.iter().map(|d| d.to_string()).collect(),
                    grade,
                },
            );
            m.limits.push((t + limit, depts.clone(), None));
            handlers = depts.clone();
            // Some are still with the departments at the end.
            if rng.next(6) == 0 {
                break;
            }
            for d in &depts {
                t += Duration::hours(1 + rng.next(8 * 24) as i64);
                ev(
                    t,
                    author(&format!("dl-{d}"), Role::DepartmentLiaison, d),
                    IssueStep::Handle {
                        feedback: "已处置".into(),
                    },
                );
            }
        }
        t += Duration::hours(1 + rng.next(20) as i64);
        ev(
            t,
            staff.clone(),
            IssueStep::VerifyClose {
                note: String::new(),
            },
        );
        m.closings.push(t);
        if let Some(last) = m.limits.last_mut().filter(|l| l.2.is_none()) {
            last.2 = Some(t);
        }
        if rng.next(4) == 0 {
            break;
        }
        t += Duration::hours(1 + rng.next(48) as i64);
        let satisfied = round == 1 || rng.next(4) != 0;
        ev(
            t,
            worker.clone(),
            IssueStep::Evaluate {
                satisfied,
                resident: "居民".into(),
                comment: String::new(),
            },
        );
        m.evaluations.push((t, satisfied));
        if satisfied {
            break;
        }
        m.sent_back.push((t, handlers));
        t += Duration::hours(2);
    }
    (issue_of(n, category, reported, events), m)
}

fn issue_of(n: usize, category: &str, reported: Instant, events: Vec<IssueEvent>) -> Issue {
    Issue {
        id: uuid::Builder::from_unix_timestamp_millis(
            reported.timestamp_millis() as u64,
            &[n as u8, (n >> 8) as u8, 1, 2, 3, 4, 5, 6, 7, 8],
        )
        .into_uuid(),
        grid: GridId::parse(GRID).unwrap(),
        category: category.into(),
        description: format!("事件 {n}"),
        location: "3栋".into(),
        household: None,
        urgency: 2,
        reporter: "gw-1".into(),
        reported_at: reported,
        events,
    }
}

/// The recount, from what was meant, for the period `[start, end)`.
#[derive(Debug, Default, PartialEq)]
struct Recount {
    reported: i64,
    accepted: i64,
    closed: i64,
    due: i64,
    due_closed: i64,
    on_time: i64,
    evaluated: i64,
    satisfied: i64,
    sent_back: i64,
    hours: Vec<f64>,
}

fn recount<'a>(all: impl Iterator<Item = &'a Meant>, start: Instant, end: Instant) -> Recount {
    let inside = |t: Instant| start <= t && t < end;
    let mut r = Recount::default();
    for m in all {
        if inside(m.reported) {
            r.reported += 1;
        }
        if m.accepted.is_some_and(inside) {
            r.accepted += 1;
        }
        for c in m.closings.iter().filter(|c| inside(**c)) {
            r.closed += 1;
            r.hours.push((*c - m.reported).num_minutes() as f64 / 60.0);
        }
        for (t, s) in &m.evaluations {
            if inside(*t) {
                r.evaluated += 1;
                r.satisfied += *s as i64;
            }
        }
        for (d, _, closed) in m.limits.iter().filter(|l| inside(l.0)) {
            r.due += 1;
            if let Some(c) = closed.filter(|c| *c < end) {
                r.due_closed += 1;
                if c <= *d {
                    r.on_time += 1;
                }
            }
        }
        r.sent_back += m.sent_back.iter().filter(|(t, _)| inside(*t)).count() as i64;
    }
    r
}

/// The cells of a sheet of an `.xlsx`, by row.
fn sheet(xlsx: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut wb = Xlsx::new(Cursor::new(xlsx.to_vec())).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn number(d: &Data) -> Option<f64> {
    match d {
        Data::Float(x) => Some(*x),
        Data::Int(n) => Some(*n as f64),
        _ => None,
    }
}

fn staff_with(issues: &[Issue]) -> (tempfile::TempDir, Device) {
    let (dir, mut d) = device(Role::CommunityStaff, &format!("community:{COMMUNITY}"));
    let at = Utc.with_ymd_and_hms(2026, 12, 20, 0, 0, 0).unwrap();
    for i in issues {
        let mut doc = gridline_records::new_doc(&[7; 16]);
        gridline_records::issue::create(&mut doc, i).unwrap();
        d.apply_remote(&doc.save(), at).unwrap();
    }
    (dir, d)
}

#[test]
fn the_monthly_report_in_the_xlsx_equals_an_independent_recount() {
    let mut rng = Lcg(20261101);
    let (issues, meant): (Vec<Issue>, Vec<Meant>) = (0..240).map(|n| life(&mut rng, n)).unzip();
    let (_dir, d) = staff_with(&issues);
    let period = monthly::Period::month(2026, 11).unwrap();
    let scope = ExportScope {
        place: Some(COMMUNITY.into()),
    };
    let (_, book) = d.monthly_report(&scope, 2026, 11).unwrap();
    let xlsx = book.xlsx().unwrap();

    let expected = recount(meant.iter(), period.start, period.end);
    // The generator must have made every case the figures distinguish.
    assert!(expected.due > 10 && expected.due_closed > expected.on_time && expected.on_time > 0);
    assert!(expected.sent_back > 0 && expected.evaluated > expected.satisfied);
    assert!(
        meant
            .iter()
            .any(|m| m.limits.len() == 2 && m.limits[0].2.is_some()),
        "some case was closed, sent back and dispatched again"
    );

    let summary = sheet(&xlsx, SUMMARY);
    let value = |k: &str| {
        summary
            .iter()
            .find(|r| r[0] == Data::String(k.into()))
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("no row {k}"))
    };
    let n = |k: &str| number(&value(k)).unwrap_or_else(|| panic!("{k} is not a number"));
    assert_eq!(n("上报事件"), expected.reported as f64);
    assert_eq!(n("受理事件"), expected.accepted as f64);
    assert_eq!(n("结案事件"), expected.closed as f64);
    assert_eq!(n("应结案事件"), expected.due as f64);
    assert_eq!(n("缓办事件"), 0.0);
    assert_eq!(n("到期已结案"), expected.due_closed as f64);
    assert_eq!(n("按期结案"), expected.on_time as f64);
    assert_eq!(n("居民评价"), expected.evaluated as f64);
    assert_eq!(n("满意"), expected.satisfied as f64);
    assert_eq!(n("群众评价不满意退回"), expected.sent_back as f64);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(
        n("结案率"),
        expected.due_closed as f64 / expected.due as f64
    ));
    assert!(close(
        n("按期结案率"),
        expected.on_time as f64 / expected.due as f64
    ));
    assert!(close(
        n("满意率"),
        expected.satisfied as f64 / expected.evaluated as f64
    ));
    let mut h = expected.hours.clone();
    h.sort_by(f64::total_cmp);
    let median = if h.len() % 2 == 1 {
        h[h.len() / 2]
    } else {
        (h[h.len() / 2 - 1] + h[h.len() / 2]) / 2.0
    };
    assert!(
        (n("处置时长中位数（小时）") - median).abs() <= 0.05,
        "median {median}"
    );

    // By category: each category's rows sum to the totals, and each equals its own recount.
    let cats = sheet(&xlsx, BY_CATEGORY);
    assert_eq!(cats[0][1], Data::String("上报".into()));
    let mut reported_sum = 0.0;
    for row in &cats[1..] {
        let Data::String(name) = &row[0] else {
            panic!("no category name")
        };
        let own = recount(
            meant.iter().filter(|m| m.category == name),
            period.start,
            period.end,
        );
        assert_eq!(number(&row[1]), Some(own.reported as f64), "{name}");
        assert_eq!(number(&row[3]), Some(own.closed as f64), "{name}");
        assert_eq!(number(&row[4]), Some(own.due as f64), "{name}");
        assert_eq!(number(&row[6]), Some(own.on_time as f64), "{name}");
        reported_sum += number(&row[1]).unwrap();
    }
    assert_eq!(reported_sum, expected.reported as f64);

    // By department: each time limit counts in the departments it set.
    let depts = sheet(&xlsx, BY_DEPARTMENT);
    for dept in DEPARTMENTS {
        let theirs: Vec<Meant> = meant
            .iter()
            .map(|m| Meant {
                limits: m
                    .limits
                    .iter()
                    .filter(|l| l.1.contains(&dept))
                    .cloned()
                    .collect(),
                ..m.clone()
            })
            .collect();
        let own = recount(theirs.iter(), period.start, period.end);
        let back = meant
            .iter()
            .flat_map(|m| &m.sent_back)
            .filter(|(t, against)| period.holds(*t) && against.contains(&dept))
            .count();
        let row = depts.iter().find(|r| r[0] == Data::String(dept.into()));
        match row {
            Some(row) => {
                assert_eq!(number(&row[4]), Some(own.due as f64), "{dept} due");
                assert_eq!(number(&row[6]), Some(own.on_time as f64), "{dept} on time");
                assert_eq!(number(&row[11]), Some(back as f64), "{dept} sent back");
            }
            None => assert!(own.due == 0 && back == 0, "{dept} missing"),
        }
    }

    // The CSV twin says the same.
    let csv = String::from_utf8(book.sheet(SUMMARY).unwrap().csv()).unwrap();
    assert!(
        csv.contains(&format!("上报事件,{}\r\n", expected.reported)),
        "{csv}"
    );
}

#[test]
fn the_monthly_report_is_for_office_roles_and_a_bad_month_or_place_says_what_to_write() {
    let (_dir, worker) = device(Role::GridWorker, &format!("grids:{GRID}"));
    let scope = ExportScope::default();
    assert!(matches!(
        worker.monthly_report(&scope, 2026, 11),
        Err(gridline_device::Error::Refused(_))
    ));
    let (_dir2, staff) = device(Role::CommunityStaff, &format!("community:{COMMUNITY}"));
    let e = staff
        .monthly_report(&scope, 2026, 13)
        .unwrap_err()
        .to_string();
    assert!(e.contains("YYYY-MM"), "{e}");
    let bad = ExportScope {
        place: Some("52270x".into()),
    };
    let e = staff
        .monthly_report(&bad, 2026, 11)
        .unwrap_err()
        .to_string();
    assert!(e.contains("12"), "{e}");
}

#[test]
fn the_roster_masks_id_numbers_unless_revealed_with_a_reason_and_the_reveal_is_recorded_first() {
    let (_dir, mut d) = device(Role::CommunityStaff, &format!("community:{COMMUNITY}"));
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 6, 0, 0).unwrap();
    d.add_household(&zhang_san(), now).unwrap();
    let masked = d.export_roster(&RosterOptions::default(), now).unwrap();
    assert_eq!(masked.households, 1);
    assert_eq!(masked.revealed, 0);
    let sheet = &masked.book.sheets[0];
    let Some(gridline_device::office::export::Cell::Text(id)) = sheet.cell(0, "身份证号")
    else {
        panic!("no ID number cell")
    };
    assert!(id.contains('*') && !id.contains("19870618"), "{id}");
    assert_eq!(d.reveals(10).unwrap().len(), 0);

    let refused = d.export_roster(
        &RosterOptions {
            reveal_reason: Some("  ".into()),
            ..Default::default()
        },
        now,
    );
    assert!(refused.unwrap_err().to_string().contains("reason"));
    assert_eq!(
        d.reveals(10).unwrap().len(),
        0,
        "a refused export reveals nothing"
    );

    let full = d
        .export_roster(
            &RosterOptions {
                reveal_reason: Some("低保年审".into()),
                ..Default::default()
            },
            now,
        )
        .unwrap();
    assert_eq!(full.revealed, 1);
    assert_eq!(
        full.book.sheets[0].cell(0, "身份证号"),
        Some(&gridline_device::office::export::Cell::text(
            "522701198706182382"
        ))
    );
    let reveals = d.reveals(10).unwrap();
    assert_eq!(reveals.len(), 1);
    assert_eq!(reveals[0].via, "export");
    assert_eq!(reveals[0].reason.as_deref(), Some("低保年审"));
    // The sensitive tag goes with the household for a role that holds it; the roster imports back.
    let tags = full.book.sheets[0].cell(0, "标签").cloned();
    assert_eq!(
        tags,
        Some(gridline_device::office::export::Cell::text(
            "低保户、独居老人"
        ))
    );
}

#[test]
fn id_numbers_in_full_follow_the_permission_table() {
    // DESIGN §3: a grid worker reads and writes its own grids' private
    // parts, so it may export them in full (recorded); a joint-household
    // leader holds no ID numbers and is refused before anything is read.
    let (_dir, mut w) = device(Role::GridWorker, &format!("grids:{GRID}"));
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 6, 0, 0).unwrap();
    w.add_household(&zhang_san(), now).unwrap();
    assert_eq!(
        w.export_roster(&RosterOptions::default(), now)
            .unwrap()
            .households,
        1
    );
    let full = w
        .export_roster(
            &RosterOptions {
                reveal_reason: Some("走访核对".into()),
                ..Default::default()
            },
            now,
        )
        .unwrap();
    assert_eq!(full.revealed, 1);
    assert_eq!(w.reveals(10).unwrap().len(), 1);

    let (_dir2, mut leader) = device(
        Role::JointLeader,
        &format!("households:{}", RecordId::nil()),
    );
    let masked = leader
        .export_roster(&RosterOptions::default(), now)
        .unwrap();
    assert_eq!(masked.households, 0);
    let e = leader
        .export_roster(
            &RosterOptions {
                reveal_reason: Some("走访".into()),
                ..Default::default()
            },
            now,
        )
        .unwrap_err();
    assert!(matches!(e, gridline_device::Error::Refused(_)), "{e}");
    assert!(e.to_string().contains("ID numbers"), "{e}");
}

#[test]
fn the_issue_ledger_lists_every_step_with_who_took_it_in_what_role() {
    let mut rng = Lcg(7);
    let (issues, _): (Vec<Issue>, Vec<Meant>) = (0..20).map(|n| life(&mut rng, n)).unzip();
    let steps: usize = issues.iter().map(|i| i.events.len()).sum();
    let (_dir, d) = staff_with(&issues);
    let now = Utc.with_ymd_and_hms(2026, 12, 20, 0, 0, 0).unwrap();
    let book = d
        .export_issue_ledger(&ExportScope::default(), None, None, now)
        .unwrap();
    assert_eq!(book.sheets[0].rows.len(), 20);
    let sheet = &book.sheets[1];
    assert_eq!(sheet.rows.len(), steps, "every step, once");
    use gridline_device::office::export::Cell;
    let Some(Cell::Text(first)) = sheet.cell(0, "办理人") else {
        panic!("no 办理人")
    };
    // Nobody here is in the street's directory: the id, with the role the step was taken in.
    assert!(
        first.contains("gw-1") && first.contains("网格员"),
        "{first}"
    );
    let handled = sheet
        .rows
        .iter()
        .filter(|r| r[2] == Cell::text("处置反馈"))
        .map(|r| r[3].clone())
        .next()
        .expect("some issue was handled");
    let Cell::Text(by) = handled else { panic!() };
    assert!(by.starts_with("dl-"), "{by}");
}

#[test]
fn a_roster_exported_here_imports_back_and_duplicates_nobody() {
    let (_dir, mut d) = device(Role::CommunityStaff, &format!("community:{COMMUNITY}"));
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 6, 0, 0).unwrap();
    d.add_household(&zhang_san(), now).unwrap();
    let mut other = zhang_san();
    other.room = "402".into();
    other.head.name = "李四".into();
    other.head.id_number = None;
    d.add_household(&other, now).unwrap();
    // Masked, as the roster goes out by default: matched by address.
    let masked = d.export_roster(&RosterOptions::default(), now).unwrap();
    let bytes = masked.book.xlsx().unwrap();
    let back = d.import_households(&bytes, None, true, now).unwrap();
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    assert_eq!(back.to_create.len(), 0);
    assert_eq!(back.matched.len(), 2);
    // The CSV twin too.
    let csv = masked.book.sheets[0].csv();
    let back = d.import_households(&csv, None, false, now).unwrap();
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    assert_eq!((back.to_create.len(), back.matched.len()), (0, 2));
    assert_eq!(
        d.export_roster(&RosterOptions::default(), now)
            .unwrap()
            .households,
        2
    );
}

#[test]
fn a_place_outside_the_users_scope_is_refused_not_an_empty_report() {
    let (_dir, staff) = device(Role::CommunityStaff, &format!("community:{COMMUNITY}"));
    let elsewhere = ExportScope {
        place: Some("522701001002".into()),
    };
    let e = staff.monthly_report(&elsewhere, 2026, 11).unwrap_err();
    assert!(matches!(e, gridline_device::Error::Refused(_)), "{e}");
    assert!(e.to_string().contains("outside your scope"), "{e}");
    let street = ExportScope {
        place: Some("522701001".into()),
    };
    assert!(
        staff.monthly_report(&street, 2026, 11).is_err(),
        "wider than the scope"
    );
    let mine = ExportScope {
        place: Some(format!("{COMMUNITY}001")),
    };
    assert!(
        staff.monthly_report(&mine, 2026, 11).is_ok(),
        "a grid inside it"
    );
}
