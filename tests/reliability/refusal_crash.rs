//! The device process SIGKILLed while it takes the hub's refusals: during
//! `gridline device sync` pushing a record the hub refuses. Keeping the
//! read-only copy, dropping (or replacing) the record and switching to a
//! fresh actor are one store transaction, so after any kill either all
//! three are done or none is.

use std::collections::BTreeSet;
use std::time::{Duration, Instant as Clock};

use gridline_device::Device;
use gridline_model::{Author, GridId, RecordId, Role, Visit, VisitKind};
use gridline_records::Record;
use gridline_store::Origin;

use super::*;

/// A visit this grid worker's device writes as another visitor: the hub
/// refuses it (`forged_author`) and holds nothing of it.
fn forge_visit(data: &Path, household: &str, n: usize) -> String {
    let actor = Device::open(data).unwrap().identity().actor.clone();
    let id = uuid::Uuid::now_v7();
    let v = Visit {
        id,
        household: RecordId::parse_str(household).unwrap(),
        grid: GridId::parse(GRID).unwrap(),
        visitor: Author {
            user: "someone-else".into(),
            role: Role::GridWorker,
            unit: String::new(),
        },
        at: chrono::DateTime::parse_from_rfc3339(&visit_at(n))
            .unwrap()
            .with_timezone(&chrono::Utc),
        kind: VisitKind::Routine,
        notes: format!("forged {n}"),
    };
    let mut doc = gridline_records::new_doc(&actor);
    gridline_records::visit::create(&mut doc, &v).unwrap();
    let mut store = gridline_device::open_store_for_checks(data).unwrap();
    store
        .save(&mut doc, &Record::Visit(v), Origin::Local, now())
        .unwrap();
    id.to_string()
}

/// What the refusal of `id` has done on the device: (record still held,
/// its projection row still there, a read-only copy kept), and the actor.
fn taken(db: &rusqlite::Connection, id: &str) -> ((bool, bool, bool), String) {
    let one = |sql: &str| -> bool { db.query_row(sql, [id], |r| r.get::<_, i64>(0)).unwrap() > 0 };
    let actor: String = db
        .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })
        .unwrap();
    (
        (
            one("SELECT count(*) FROM documents WHERE id = ?1"),
            one("SELECT count(*) FROM visits WHERE id = ?1"),
            one("SELECT count(*) FROM refused_copies WHERE id = ?1"),
        ),
        actor,
    )
}

fn hub_refusals(hub_dir: &Path) -> i64 {
    hub_db(hub_dir)
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'refused'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// Kills `device sync` at random points while it pushes a record the hub
/// refuses. After every kill the refusal is whole or absent: the record,
/// its projection row and its read-only copy, and the actor switch, agree.
/// A final sync takes every refusal, and the device converges with the hub.
#[test]
fn kill_the_device_while_it_takes_a_refusal() {
    let seed = seed("device-refusal");
    let mut rng = Rng::new(seed);
    let rt = runtime();
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (listener, url) = listen(&rt);
    let (dev_dir, mut d) = enrolled_device(&hub, "gw-refusal", &url);
    sync_in_process(&hub, &mut d);
    let household = grid_households(&d)[0].clone();
    drop(d);
    serve(&rt, listener, hub);
    let data = dev_dir.path();
    let store = data.join(gridline_device::STORE_FILE);

    // Its stderr is kept: an unkilled sync that fails says why.
    let sync_once =
        || Proc::spawn(cli(data, &["device", "sync"]).stderr(std::process::Stdio::piped()));
    let mut forged: BTreeSet<String> = BTreeSet::new();
    let mut full_ms = u64::MAX;
    for k in 0..3 {
        forged.insert(forge_visit(data, &household, 500_000 + k));
        let started = Clock::now();
        let out = sync_once().0.take().unwrap().wait_with_output().unwrap();
        assert!(out.status.success(), "an unkilled sync succeeds");
        full_ms = full_ms.min(started.elapsed().as_millis() as u64);
    }
    let full_ms = full_ms.max(10);

    // Every refused push counts towards the hub's throttle (a device past
    // `PROBE_LIMIT` refusals in its window waits for minutes), and this test
    // refuses on purpose, again and again: so before each round its refusals
    // are moved out of the throttle's window (kept, and still counted by
    // `hub_refusals`). The throttle has its own tests (`scenarios::probes`).
    let (mut kills, mut mid_sync, mut mid_refusal, mut whole, mut none) = (0, 0, 0, 0, 0);
    let mut budget = Budget::new(40, Duration::from_secs(40));
    while budget.tick() {
        let n = budget.done;
        let id = forge_visit(data, &household, n);
        forged.insert(id.clone());
        let (state, actor_before) = taken(&device_db(data), &id);
        assert_eq!(
            state,
            (true, true, false),
            "a new forged visit is held, listed, and not yet refused"
        );
        hub_db(hub_dir.path())
            .execute(
                "UPDATE audit SET at = '2000-01-01T00:00:00Z' WHERE action IN ('probe', 'refused')",
                [],
            )
            .unwrap();
        let refusals_before = hub_refusals(hub_dir.path());
        let mut p = sync_once();
        std::thread::sleep(Duration::from_millis(rng.below(full_ms * 5 / 4)));
        let started = holds_open(p.child().id(), &store);
        let out = p.kill();
        let killed = was_killed(&out.status);
        if killed {
            kills += 1;
        } else {
            assert!(
                out.status.success(),
                "an unkilled sync succeeds (iteration {n}, seed {seed}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let (state, actor) = taken(&device_db(data), &id);
        let switched = actor != actor_before;
        match state {
            (false, false, true) => {
                assert!(
                    switched,
                    "the record was dropped and its copy kept, so the actor switched with them \
                     (iteration {n}, seed {seed})"
                );
                whole += 1;
            }
            (true, true, false) => {
                assert!(
                    !switched,
                    "nothing of the refusal was taken, so the actor is the old one \
                     (iteration {n}, seed {seed})"
                );
                assert!(killed, "an unkilled sync takes the refusal");
                none += 1;
            }
            other => panic!(
                "a refusal half taken (held, listed, copy kept) = {other:?}, actor switched {switched} \
                 (iteration {n}, seed {seed})"
            ),
        }
        if killed {
            let refused_on_hub = hub_refusals(hub_dir.path()) > refusals_before;
            // The kill landed inside the sync: its store open, no result printed.
            mid_sync += usize::from(
                started && !String::from_utf8_lossy(&out.stdout).contains("up_to_date"),
            );
            // ... and between the hub's refusal and the device taking it.
            mid_refusal += usize::from(refused_on_hub && state == (true, true, false));
        }
    }
    let iterations = budget.done;
    assert!(
        iterations >= 20,
        "at least 20 kill iterations within the time bound, got {iterations}"
    );
    assert!(
        mid_sync > 0,
        "some kills must land inside a sync (store open, no result printed), or this test \
         proves nothing about interrupted refusals: {kills} kills, none mid-sync (seed {seed})"
    );

    let mut d = Device::open(data).unwrap();
    sync_http(&rt, &mut d).unwrap();
    let again = sync_http(&rt, &mut d).unwrap();
    assert!(
        again.refused.is_empty() && again.pushed == 0,
        "after the final sync no refusal is left to take: {again:?}"
    );
    let copies: BTreeSet<String> = d
        .refused_records()
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        copies, forged,
        "every forged visit is kept as a read-only copy, once (seed {seed})"
    );
    drop(d);
    assert_converged("after refusal kills", data, hub_dir.path());
    println!(
        "[device-refusal] iterations {iterations}, killed {kills} (mid-sync, store open and no result printed: \
         {mid_sync}; after the hub refused and before the device took it: {mid_refusal}), \
         refusal whole after the iteration {whole}, not yet taken {none}, half taken 0, \
         full sync {full_ms} ms, {:.1} s",
        budget.elapsed().as_secs_f64()
    );
}
