//! Two writers on one device store: `gridline device sync --watch` merging
//! what the hub sends while another `gridline` command (or the app) saves a
//! local edit to the same record. Each writer is its own SQLite connection,
//! as two processes would be; neither may lose the other's change.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use automerge::Automerge;
use gridline_device::{Device, HouseholdEdit};

use super::*;

/// Changes per actor (hex) in the hub's copy of `id`.
fn changes_by_actor(hub_dir: &Path, id: &str) -> BTreeMap<String, usize> {
    changes_in(&hub_db(hub_dir), id)
}

fn changes_in(db: &rusqlite::Connection, id: &str) -> BTreeMap<String, usize> {
    let bytes: Vec<u8> = db
        .query_row("SELECT bytes FROM documents WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    let doc = Automerge::load(&bytes).unwrap();
    let mut by = BTreeMap::new();
    for c in doc.get_changes(&[]) {
        *by.entry(c.actor_id().to_hex_string()).or_insert(0) += 1;
    }
    by
}

#[test]
fn a_sync_and_a_local_save_on_one_store_lose_nothing() {
    let seed = seed("two-writers");
    let mut rng = Rng::new(seed);
    let rt = runtime();
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (listener, url) = listen(&rt);
    let (w_dir, mut w) = enrolled_device(&hub, "gw-w", &url);
    let (x_dir, mut x) = enrolled_device(&hub, "gw-x", &url);
    serve(&rt, listener, hub);
    sync_http(&rt, &mut w).unwrap();
    sync_http(&rt, &mut x).unwrap();
    let households = grid_households(&w);
    let w_actor = w.identity().actor_hex();
    let x_actor = x.identity().actor_hex();

    let stop = Arc::new(AtomicBool::new(false));
    let syncs = Arc::new(AtomicUsize::new(0));
    // The watcher: W's store, its own connection, syncing over and over.
    let watcher = {
        let (dir, stop, syncs) = (w_dir.path().to_owned(), stop.clone(), syncs.clone());
        std::thread::spawn(move || {
            let rt = runtime();
            let mut d = Device::open(&dir).unwrap();
            while !stop.load(Ordering::Relaxed) {
                sync_http(&rt, &mut d).unwrap();
                syncs.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    // A colleague editing the same households and syncing.
    let colleague = {
        let (stop, households) = (stop.clone(), households.clone());
        let mut rng = Rng::new(seed ^ 1);
        std::thread::spawn(move || {
            let rt = runtime();
            let mut edits: BTreeMap<String, usize> = BTreeMap::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let h = &households[rng.below(households.len() as u64) as usize];
                x.edit_household(
                    h,
                    &HouseholdEdit {
                        notes: Some(format!("同事 {n} {:016x}", rng.next_u64())),
                        ..Default::default()
                    },
                    now(),
                )
                .unwrap();
                *edits.entry(h.clone()).or_insert(0) += 1;
                sync_http(&rt, &mut x).unwrap();
            }
            (x, edits)
        })
    };
    // The local user: saves on W's store while the watcher syncs it. Each
    // note ends in random hex, so no merge of earlier notes already spells it
    // and every edit is exactly one Automerge change.
    let mut w_edits: BTreeMap<String, usize> = BTreeMap::new();
    let budget_end = std::time::Instant::now() + Duration::from_secs(8);
    let mut n = 0;
    while std::time::Instant::now() < budget_end && n < 400 {
        n += 1;
        let h = &households[rng.below(households.len() as u64) as usize];
        w.edit_household(
            h,
            &HouseholdEdit {
                notes: Some(format!("本机 {n} {:016x}", rng.next_u64())),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
        *w_edits.entry(h.clone()).or_insert(0) += 1;
        std::thread::sleep(Duration::from_millis(rng.below(15)));
    }
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    let (mut x, x_edits) = colleague.join().unwrap();

    for _ in 0..3 {
        sync_http(&rt, &mut w).unwrap();
        sync_http(&rt, &mut x).unwrap();
    }
    drop((w, x));
    let mut lost = Vec::new();
    for h in &households {
        let by = changes_by_actor(hub_dir.path(), h);
        let (wn, xn) = (
            by.get(&w_actor).copied().unwrap_or(0),
            by.get(&x_actor).copied().unwrap_or(0),
        );
        let (we, xe) = (
            w_edits.get(h).copied().unwrap_or(0),
            x_edits.get(h).copied().unwrap_or(0),
        );
        if (wn, xn) != (we, xe) {
            lost.push(format!(
                "{h}: local edits {we} saved, {wn} reached the hub; colleague's {xe} made, {xn} on the hub; by actor {by:?}; on X {:?}, on W {:?}",
                changes_in(&device_db(x_dir.path()), h),
                changes_in(&device_db(w_dir.path()), h),
            ));
        }
    }
    assert!(
        lost.is_empty(),
        "every saved edit reaches the hub (seed {seed}, {} watcher syncs): {lost:#?}",
        syncs.load(Ordering::Relaxed)
    );
    assert_converged("W after two writers", w_dir.path(), hub_dir.path());
    assert_converged("X after two writers", x_dir.path(), hub_dir.path());
    println!(
        "[two-writers] local saves {n}, colleague's edits {}, watcher syncs {}, lost 0",
        x_edits.values().sum::<usize>(),
        syncs.load(Ordering::Relaxed)
    );
}
