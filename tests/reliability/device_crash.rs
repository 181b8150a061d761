//! The device process SIGKILLed at random points: during local saves
//! (`gridline visit log`) and during `gridline device sync` against a hub
//! served on loopback.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant as Clock};

use gridline_device::{Device, HouseholdEdit, NewVisit};

use super::proxy::{Mode, Proxy};
use super::*;

/// Kills `visit log` at random points ≥100 times. Afterwards the store is
/// intact, every save that returned is there once, no save is there twice,
/// bytes and projection agree, and the next sync converges with the hub.
#[test]
fn kill_the_device_during_local_saves() {
    let seed = seed("device-saves");
    let mut rng = Rng::new(seed);
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (dev_dir, mut d) = enrolled_device(&hub, "gw-saves", "in-process");
    sync_in_process(&hub, &mut d);
    let household = grid_households(&d)[0].clone();
    drop(d);
    let data = dev_dir.path();

    let save = |n: usize| {
        let at = visit_at(n);
        let notes = format!("save-{n}");
        Proc::spawn(&mut cli(
            data,
            &[
                "visit",
                "log",
                "--household",
                &household,
                "--at",
                &at,
                "--notes",
                &notes,
            ],
        ))
    };
    // Three saves left alone: the quickest bounds the kill delays, so most
    // kills land inside a save and some just after it.
    let mut returned: BTreeMap<usize, String> = BTreeMap::new();
    let mut full_ms = u64::MAX;
    for k in 0..3 {
        let started = Clock::now();
        let out = save(400_000 + k)
            .0
            .take()
            .unwrap()
            .wait_with_output()
            .unwrap();
        assert!(out.status.success(), "an unkilled save succeeds");
        full_ms = full_ms.min(started.elapsed().as_millis() as u64);
        returned.insert(
            400_000 + k,
            saved_id(&out.stdout).expect("the save printed its id"),
        );
    }
    let full_ms = full_ms.max(10);

    let store = data.join("device.db");
    let (mut kills, mut mid_save, mut completed) = (0usize, 0usize, 0usize);
    let mut budget = Budget::new(300, Duration::from_secs(20));
    while budget.tick() {
        let n = budget.done;
        let mut p = save(n);
        std::thread::sleep(Duration::from_millis(rng.below(full_ms * 11 / 10)));
        // Read just before the kill: the save had begun (past start-up and
        // argument parsing, its store open) ...
        let started = holds_open(p.child().id(), &store);
        let out = p.kill();
        if was_killed(&out.status) {
            kills += 1;
            // ... and had not finished (no id printed): the kill landed in it.
            mid_save += usize::from(started && saved_id(&out.stdout).is_none());
        } else {
            assert!(
                out.status.success(),
                "a save that was not killed succeeds (iteration {n}, seed {seed})"
            );
            completed += 1;
            assert!(
                saved_id(&out.stdout).is_some(),
                "a successful save prints its id"
            );
        }
        // Printed its id: the user was told it is saved, killed or not after.
        if let Some(id) = saved_id(&out.stdout) {
            returned.insert(n, id);
        }
    }
    let iterations = budget.done;
    assert!(
        iterations >= 100,
        "at least 100 kill iterations within the time bound, got {iterations} (machine too slow?)"
    );
    assert!(
        mid_save > 0,
        "some kills must land inside a save (store open, id not yet printed), or this test \
         proves nothing about interrupted saves: {kills} kills, none mid-save (seed {seed})"
    );

    let db = device_db(data);
    assert_eq!(integrity(&db), "ok", "SQLite integrity after {kills} kills");
    let ids: BTreeSet<String> = visit_ids(&db).into_iter().collect();
    for (n, id) in &returned {
        assert!(
            ids.contains(id),
            "save {n} returned {id} but is gone after the kills (seed {seed})"
        );
    }
    // One document per save at most: each save has its own visit time.
    let dup: Vec<(String, i64)> = db
        .prepare("SELECT at, count(*) FROM visits GROUP BY at HAVING count(*) > 1")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(dup.is_empty(), "no save is stored twice: {dup:?}");
    assert!(ids.len() <= iterations + 3, "no more visits than saves");
    // Bytes and projection are written in one transaction.
    let orphans: i64 = db
        .query_row(
            "SELECT (SELECT count(*) FROM documents d WHERE kind = 'visit' AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.id = d.id))
                  + (SELECT count(*) FROM visits v WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = v.id))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        orphans, 0,
        "every visit document has its projection row and back"
    );
    drop(db);

    // The device opens, saves and syncs as if nothing happened.
    let mut d = Device::open(data).unwrap();
    d.log_visit(
        &NewVisit {
            household: household.clone(),
            at: Some(visit_at(100_000)),
            kind: Some("routine".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    sync_in_process(&hub, &mut d);
    sync_in_process(&hub, &mut d);
    drop(d);
    assert_converged("after local-save kills", data, hub_dir.path());
    let on_hub = visit_ids(&hub_db(hub_dir.path())).len();
    assert_eq!(
        on_hub,
        ids.len() + 1,
        "every stored visit reached the hub once"
    );
    println!(
        "[device-saves] iterations {iterations}, killed {kills} (mid-save, store open and no id printed: {mid_save}), \
         finished before the kill {completed}, \
         saves returned {}, stored {} (saved but killed before printing: {}), lost 0, duplicated 0, \
         full save {full_ms} ms, {:.1} s",
        returned.len(),
        ids.len(),
        ids.len() - returned.len(),
        budget.elapsed().as_secs_f64()
    );
}

/// Kills `device sync` at random points against a hub on loopback, with new
/// local edits between the kills; a final sync converges: same documents and
/// heads on device and hub, every edit there once.
#[test]
fn kill_the_device_during_sync() {
    let seed = seed("device-sync");
    let mut rng = Rng::new(seed);
    let rt = runtime();
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (listener, _) = listen(&rt);
    // A clean proxy in front of the hub: it counts the requests that reach
    // the hub, the sign that a sync had begun.
    let proxy = Proxy::start(&rt, listener.local_addr().unwrap(), seed, Mode::Clean);
    let (dev_dir, d) = enrolled_device(&hub, "gw-sync", &proxy.url);
    serve(&rt, listener, hub);
    let data = dev_dir.path();
    drop(d);

    let sync_once = || Proc::spawn(&mut cli(data, &["device", "sync"]));
    let mut full_ms = u64::MAX;
    for _ in 0..3 {
        let started = Clock::now();
        let out = sync_once().0.take().unwrap().wait_with_output().unwrap();
        assert!(out.status.success(), "an unkilled sync succeeds");
        full_ms = full_ms.min(started.elapsed().as_millis() as u64);
    }
    let full_ms = full_ms.max(10);

    let mut created: BTreeSet<String> = BTreeSet::new();
    let (mut kills, mut mid_sync, mut completed, mut edits) = (0usize, 0usize, 0usize, 0usize);
    let requests = || proxy.counters().requests.load(Ordering::SeqCst);
    // Where kills land: up to `span` ms after the start. A loaded machine
    // starts a process more slowly than the warm-up measured, so a kill that
    // came before any request widens the span, and a sync that finished
    // narrows it (120 kills on a loaded CI machine once all came too early).
    let mut span = full_ms * 5 / 4;
    let mut budget = Budget::new(120, Duration::from_secs(40));
    while budget.tick() {
        let n = budget.done;
        {
            let mut d = Device::open(data).unwrap();
            let households = grid_households(&d);
            for k in 0..rng.below(3) as usize + 1 {
                let id = d
                    .log_visit(
                        &NewVisit {
                            household: households[rng.below(households.len() as u64) as usize]
                                .clone(),
                            at: Some(visit_at(n * 10 + k)),
                            kind: Some("routine".into()),
                            ..Default::default()
                        },
                        now(),
                    )
                    .unwrap();
                created.insert(id.to_string());
                edits += 1;
            }
            if rng.chance(30) {
                let h = &households[rng.below(households.len() as u64) as usize];
                d.edit_household(
                    h,
                    &HouseholdEdit {
                        notes: Some(format!("sync kill {n}")),
                        ..Default::default()
                    },
                    now(),
                )
                .unwrap();
                edits += 1;
            }
        }
        let before = requests();
        let mut p = sync_once();
        std::thread::sleep(Duration::from_millis(rng.below(span)));
        let out = p.kill();
        if was_killed(&out.status) {
            kills += 1;
            // Mid-sync: a request of this sync had reached the hub and the
            // sync had not printed its result.
            let began = requests() > before;
            if !began {
                span = (span * 3 / 2).min(full_ms * 40);
            }
            mid_sync +=
                usize::from(began && !String::from_utf8_lossy(&out.stdout).contains("up_to_date"));
        } else {
            assert!(
                out.status.success(),
                "an unkilled sync succeeds (iteration {n}, seed {seed}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
            completed += 1;
            span = (span * 3 / 4).max(full_ms / 2).max(1);
        }
    }
    let iterations = budget.done;
    assert!(
        iterations >= 100,
        "at least 100 kill iterations within the time bound, got {iterations}"
    );
    assert!(
        mid_sync > 0,
        "some kills must land inside a sync (a request had reached the hub, no result printed), \
         or this test proves nothing about interrupted syncs: {kills} kills, none mid-sync (seed {seed})"
    );

    let mut d = Device::open(data).unwrap();
    sync_http(&rt, &mut d).unwrap();
    let again = sync_http(&rt, &mut d).unwrap();
    assert_eq!(
        (again.pushed, again.pulled),
        (0, 0),
        "after the final sync nothing is left to exchange"
    );
    drop(d);
    assert_converged("after sync kills", data, hub_dir.path());
    let on_hub: BTreeSet<String> = visit_ids(&hub_db(hub_dir.path())).into_iter().collect();
    assert_eq!(
        on_hub, created,
        "the hub holds exactly the visits made, each once (seed {seed})"
    );
    println!(
        "[device-sync] iterations {iterations}, killed {kills} (mid-sync, a request at the hub and no result printed: {mid_sync}), \
         finished before the kill {completed}, \
         local edits {edits} (visits {}), lost 0, duplicated 0, full sync {full_ms} ms, {:.1} s",
        created.len(),
        budget.elapsed().as_secs_f64()
    );
}

/// The id a `--json` save printed.
fn saved_id(stdout: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(stdout).ok()?;
    (v["status"] == "saved").then(|| v["id"].as_str().map(str::to_owned))?
}
