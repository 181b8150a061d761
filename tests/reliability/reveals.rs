//! Reveals of ID numbers (DESIGN §7) through a faulty network: a grid
//! worker reveals while offline, then syncs through the proxy while replies
//! are lost after the hub committed and requests arrive twice; the hub's
//! audit holds each reveal exactly once and the device shows every one sent.
//! And the dashboard's counts are a recount of the hub's audit rows.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use chrono::Datelike;
use gridline_device::reveal::Via;
use gridline_device::Device;
use gridline_model::{RecordId, Role, User};

use super::proxy::{Mode, Proxy};
use super::*;

/// How many times the hub's audit names each reveal entry (`device-reveal`
/// rows; the detail starts with the entry id), read from its file.
fn audited(hub_dir: &std::path::Path) -> BTreeMap<String, usize> {
    let db = hub_db(hub_dir);
    let mut st = db
        .prepare("SELECT detail FROM audit WHERE action = 'device-reveal'")
        .unwrap();
    let details: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut n = BTreeMap::new();
    for d in details {
        let id = d.split(' ').next().unwrap_or_default().to_owned();
        *n.entry(id).or_insert(0) += 1;
    }
    n
}

/// Reveals the ID numbers of the next household of the grid that holds
/// some; returns the entry id.
fn reveal_one(d: &mut Device, k: usize) -> RecordId {
    let households = grid_households(d);
    for i in 0..households.len() {
        let h = &households[(k + i) % households.len()];
        let r = d
            .reveal_id_numbers(h, Some(&format!("核对材料 {k}")), Via::App, now())
            .unwrap();
        if let Some(entry) = r.entry {
            assert!(
                !r.id_numbers.is_empty(),
                "an entry means numbers were shown"
            );
            return entry;
        }
    }
    panic!("no household of the grid holds an ID number");
}

#[test]
fn a_reveal_made_offline_is_audited_once_through_lost_and_doubled_replies() {
    let seed = seed("reveals");
    let rt = runtime();
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (listener, _) = listen(&rt);
    let proxy = Proxy::start(&rt, listener.local_addr().unwrap(), seed, Mode::Clean);
    let (_dir, mut d) = enrolled_device(&hub, "gw-reveal", &proxy.url);
    serve(&rt, listener, hub);
    sync_http(&rt, &mut d).expect("a first, clean sync brings the grid's households");

    // Offline: the reveals are recorded and wait, like any change.
    proxy.set_mode(Mode::Down);
    let mut entries: Vec<RecordId> = (0..3).map(|k| reveal_one(&mut d, k)).collect();
    assert!(sync_http(&rt, &mut d).is_err(), "the hub is unreachable");
    for e in &entries {
        let r = d.reveal_entry(*e).unwrap().expect("the reveal is kept");
        assert!(
            !r.sent && !r.demo,
            "offline, a reveal waits to be sent: {r:?}"
        );
    }
    assert_eq!(d.unsent_reveals().unwrap(), 3, "three reveals wait");
    assert!(
        audited(hub_dir.path()).is_empty(),
        "nothing reached the hub"
    );

    // The hub takes the request and commits, and the reply is lost.
    proxy.set_mode(Mode::LoseReplies);
    assert!(sync_http(&rt, &mut d).is_err(), "the reply never arrives");
    let after_lost = audited(hub_dir.path());
    assert_eq!(
        after_lost.len(),
        entries.len(),
        "the hub audited the reveals before its reply was lost: {after_lost:?}"
    );
    assert!(
        entries
            .iter()
            .all(|e| !d.reveal_entry(*e).unwrap().unwrap().sent),
        "without the reply the device still counts them unsent"
    );

    // Every request arrives twice; then a random schedule of faults, with
    // more reveals between syncs.
    proxy.set_mode(Mode::Twice);
    sync_http(&rt, &mut d).expect("a doubled request still answers");
    proxy.set_mode(Mode::Random);
    for k in 3..15 {
        entries.push(reveal_one(&mut d, k));
        let _ = sync_http(&rt, &mut d);
    }
    proxy.set_mode(Mode::Clean);
    let report = sync_http(&rt, &mut d).expect("the faults stopped");
    assert!(
        report.reveals_refused.is_empty(),
        "no honest reveal is refused: {:?}",
        report.reveals_refused
    );

    let c = proxy.counters();
    let lost = c.drop_mid_response.load(Ordering::Relaxed);
    let doubled = c.duplicated.load(Ordering::Relaxed);
    assert!(
        lost > 0 && doubled > 0 && c.faults() > lost + doubled,
        "the faults landed: {}",
        c.summary()
    );
    let rows = audited(hub_dir.path());
    for e in &entries {
        assert_eq!(
            rows.get(&e.to_string()),
            Some(&1),
            "reveal {e} is exactly one audit row ({})",
            c.summary()
        );
        let r = d.reveal_entry(*e).unwrap().unwrap();
        assert!(r.sent, "the device shows reveal {e} sent");
    }
    assert_eq!(
        rows.len(),
        entries.len(),
        "and the audit holds no other reveal"
    );
    assert_eq!(d.unsent_reveals().unwrap(), 0, "none waits any more");
    let db = hub_db(hub_dir.path());
    let users: Vec<String> = db
        .prepare("SELECT DISTINCT user_id FROM audit WHERE action = 'device-reveal'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(users, vec!["gw-reveal"], "each row names the device's user");
}

/// A user named `name`, for the counts (which are ordered by name).
fn named(id: &str, name: &str, role: Role, scope: &str) -> User {
    User {
        name: name.into(),
        ..gridline_test_support::user(id, role, scope)
    }
}

/// The grid households of `grid` on a device.
fn households_of(d: &Device, grid: &str) -> Vec<String> {
    d.households(&gridline_device::HouseholdFilter::default())
        .unwrap()
        .into_iter()
        .filter(|h| h.grid.as_str() == grid)
        .map(|h| h.id.to_string())
        .collect()
}

/// Reveals `n` times among `grid`'s households; every one shows numbers.
fn reveal_in(d: &mut Device, grid: &str, n: usize) {
    let households = households_of(d, grid);
    let mut made = 0;
    for h in households.iter().cycle().take(households.len() * n) {
        if made == n {
            break;
        }
        if d.reveal_id_numbers(h, None, Via::Cli, now())
            .unwrap()
            .entry
            .is_some()
        {
            made += 1;
        }
    }
    assert_eq!(made, n, "{grid} has households with ID numbers");
}

#[test]
fn the_dashboards_reveal_counts_are_a_recount_of_the_hubs_audit_rows() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let community = &GRID[..12];
    let grid2 = format!("{community}002");
    // Another community of the street: its reveals are not this office's.
    let elsewhere = "522701001002001";
    let mut workers: Vec<(Device, &str, usize)> = Vec::new();
    let mut dirs = Vec::new();
    for (id, name, grid, n) in [
        ("gw-a", "赵强", GRID, 3),
        ("gw-b", "安然", grid2.as_str(), 1),
        ("gw-c", "孙丽", elsewhere, 2),
    ] {
        let u = named(id, name, Role::GridWorker, &format!("grids:{grid}"));
        let (dir, d, _) = gridline_test_support::enrolled(&hub, u, "http://unused", now());
        dirs.push(dir);
        workers.push((d, grid, n));
    }
    for (d, grid, n) in workers.iter_mut() {
        sync_in_process(&hub, d);
        reveal_in(d, grid, *n);
        sync_in_process(&hub, d);
    }
    let cs_user = named(
        "cs-1",
        "张伟",
        Role::CommunityStaff,
        &format!("community:{community}"),
    );
    let (_cs_dir, mut cs, _) =
        gridline_test_support::enrolled(&hub, cs_user, "http://unused", now());
    assert!(
        cs.reveal_counts().unwrap().is_empty(),
        "nothing before the first sync"
    );
    sync_in_process(&hub, &mut cs);
    let counts = cs.reveal_counts().unwrap();

    // The recount: every device-reveal audit row, placed in its household's
    // community (from the hub's documents) and its Beijing month.
    let rows: Vec<gridline_hub::AuditRow> = hub
        .audit(&gridline_hub::AuditQuery {
            limit: Some(100_000),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "device-reveal")
        .collect();
    assert_eq!(rows.len(), 6, "every reveal is an audit row");
    let db = hub_db(hub_dir.path());
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let mut recount: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in &rows {
        let grid: String = db
            .query_row(
                "SELECT grid FROM documents WHERE id = ?1",
                [&r.record],
                |x| x.get(0),
            )
            .unwrap();
        if &grid[..12] != community {
            continue;
        }
        let at = chrono::DateTime::parse_from_rfc3339(&r.at)
            .unwrap()
            .with_timezone(&beijing);
        let month = format!("{:04}-{:02}", at.year(), at.month());
        *recount.entry((r.user_id.clone(), month)).or_insert(0) += 1;
    }
    let shown: BTreeMap<(String, String), u64> = counts
        .iter()
        .map(|c| ((c.user_id.clone(), c.month.clone()), c.n))
        .collect();
    assert_eq!(
        shown, recount,
        "the dashboard's counts are the audit's, for this community alone"
    );
    assert!(
        counts.iter().all(|c| c.community == community),
        "only this community's: {counts:?}"
    );
    let names: Vec<&str> = counts.iter().map(|c| c.user_name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "ordered by name, never by count: {counts:?}");
    assert_eq!(
        names.first(),
        Some(&"安然"),
        "安然 (one reveal) comes before 赵强 (three): {counts:?}"
    );
    // A grid worker is never sent the counts.
    assert!(
        workers[0].0.reveal_counts().unwrap().is_empty(),
        "a grid worker's dashboard holds no counts"
    );
}
