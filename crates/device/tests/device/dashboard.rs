//! The dashboard's figures against an independent recount: every document
//! the device holds is read back and folded by the model's own rules, and
//! the totals are made here, in Rust, without the projection or its SQL.

use std::collections::BTreeMap;

use gridline_device::app::VISIT_DAYS;
use gridline_device::demo::{seed, Scale};
use gridline_device::Device;
use gridline_model::issue::overdue;
use gridline_model::*;
use gridline_records::Record;

use super::{device, now, store_of};

/// Every record the device holds, read from its saved bytes.
fn records(d: &Device) -> Vec<Record> {
    let store = store_of(d);
    let mut st = store
        .connection()
        .prepare("SELECT bytes FROM documents")
        .unwrap();
    let bytes: Vec<Vec<u8>> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    bytes
        .iter()
        .map(|b| Record::read(&automerge::AutoCommit::load(b).unwrap()).unwrap())
        .collect()
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    (n > 0).then(|| {
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    })
}

/// Checks every dashboard figure and Today's counts against a recount.
fn assert_recount(d: &Device) {
    let hub = d.identity().hub_actor.clone();
    let hub = (!hub.is_empty()).then_some(hub.as_str());
    let since = now() - chrono::Duration::days(VISIT_DAYS);
    let first_day = (now() - chrono::Duration::days(13)).date_naive();

    let mut by_state: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_category: BTreeMap<String, i64> = BTreeMap::new();
    let mut per_day: BTreeMap<String, i64> = BTreeMap::new();
    let mut wishes: BTreeMap<String, i64> = BTreeMap::new();
    let (mut overdue_n, mut hours, mut households) = (0, Vec::new(), Vec::new());
    let mut visited = std::collections::BTreeSet::new();
    for r in records(d) {
        match r {
            Record::Issue(i) => {
                let s = i.state();
                *by_state
                    .entry(s.stage.map_or("", |st| st.key()).to_owned())
                    .or_default() += 1;
                *by_category.entry(i.category.clone()).or_default() += 1;
                if i.reported_at.date_naive() >= first_day {
                    *per_day
                        .entry(i.reported_at.format("%Y-%m-%d").to_string())
                        .or_default() += 1;
                }
                if overdue(s.stage, s.deadline, now()) {
                    overdue_n += 1;
                }
                if let Some(c) = s.closed_at {
                    hours.push((c - i.reported_at).num_milliseconds() as f64 / 3_600_000.0);
                }
            }
            Record::Wish(w) => {
                let stage = w.state(hub).stage.map_or("", |s| s.key()).to_owned();
                *wishes.entry(stage).or_default() += 1;
            }
            Record::Household(h) => households.push(h.id),
            Record::Visit(v) if v.at >= since => {
                visited.insert(v.household);
            }
            _ => {}
        }
    }
    visited.retain(|h| households.contains(h));

    let got = d.dashboard(now()).unwrap();
    let as_map = |v: &[(String, i64)]| v.iter().cloned().collect::<BTreeMap<_, _>>();
    assert_eq!(as_map(&got.issues_by_state), by_state);
    assert_eq!(as_map(&got.issues_by_category), by_category);
    assert_eq!(got.issues_per_day.len(), 14, "two weeks, a day each");
    let series: BTreeMap<_, _> = got
        .issues_per_day
        .iter()
        .filter(|(_, n)| *n > 0)
        .cloned()
        .collect();
    assert_eq!(series, per_day);
    assert!(
        !per_day.is_empty(),
        "the demo reports issues in the last two weeks"
    );
    assert_eq!(got.overdue, overdue_n);
    assert!(overdue_n > 0, "the demo has overdue issues");
    let (got_median, want) = (got.median_hours_to_close.unwrap(), median(hours).unwrap());
    assert!((got_median - want).abs() < 1e-3, "{got_median} vs {want}");
    assert_eq!(as_map(&got.wishes_by_state), wishes);
    assert_eq!(got.households, households.len() as i64);
    assert_eq!(got.households_visited, visited.len() as i64);
    assert!(
        !visited.is_empty() && visited.len() < households.len(),
        "some households visited this month, not all: {} of {}",
        visited.len(),
        households.len()
    );
    let today = d.today(now()).unwrap();
    assert_eq!(
        today.households_not_visited,
        (households.len() - visited.len()) as i64
    );
    assert_eq!(today.overdue_issues, overdue_n);
}

#[test]
fn the_dashboard_equals_a_recount_from_the_records() {
    let (_dir, mut d) = device(Role::CommunityStaff, "community:522701001001");
    let stats = seed(&mut d, Scale::Grid, 3, now()).unwrap();
    assert!(stats.issues > 1000 && stats.visits > 1000, "{stats:?}");
    assert_recount(&d);

    // A step rewrites an issue's row (its stage moves in the tally), and a
    // record that leaves the device takes its counts with it.
    let reported: Vec<String> = d
        .issues(&Default::default(), now())
        .unwrap()
        .into_iter()
        .filter(|i| i.stage == Some(gridline_model::issue::Stage::Reported))
        .map(|i| i.id.to_string())
        .take(3)
        .collect();
    assert_eq!(
        reported.len(),
        3,
        "the demo has issues waiting to be accepted"
    );
    let before = d.dashboard(now()).unwrap();
    for id in &reported[..2] {
        d.act_on_issue(id, IssueStep::Accept, now()).unwrap();
    }
    let mut store = store_of(&d);
    store.remove(reported[2].parse().unwrap()).unwrap();
    let after = d.dashboard(now()).unwrap();
    let n = |v: &[(String, i64)], k: &str| v.iter().find(|(s, _)| s == k).map_or(0, |x| x.1);
    assert_eq!(
        n(&after.issues_by_state, "reported"),
        n(&before.issues_by_state, "reported") - 3
    );
    assert_eq!(
        n(&after.issues_by_state, "accepted"),
        n(&before.issues_by_state, "accepted") + 2
    );
    assert_recount(&d);
}
