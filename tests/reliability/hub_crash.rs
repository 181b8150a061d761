//! The hub process (`gridline hub serve`) SIGKILLed at random points while
//! three devices push batches, and restarted. After every kill, whatever the
//! hub had acknowledged to a device (the device's `acked_heads`) is in the
//! hub's store; at the end the devices' retries converge and every change is
//! on the hub exactly once.

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant as Clock};

use automerge::{Automerge, ChangeHash, ReadDoc};
use gridline_device::{HouseholdEdit, NewVisit};

use super::proxy::{Mode, Proxy};
use super::*;

fn start_hub(dir: &Path, port: u16) -> Proc {
    let mut cmd = Command::new(gridline_bin());
    cmd.arg("--data")
        .arg(dir)
        .args(["hub", "serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut p = Proc::spawn(&mut cmd);
    let started = Clock::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = p.child().try_wait().unwrap() {
            panic!("the hub exited at start: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the hub listens within 20 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    p
}

/// Every change the hub acknowledged to the device in `dir` is in the hub's
/// store; returns how many documents had acknowledged changes.
fn acknowledged_are_kept(device_dir: &Path, hub: &rusqlite::Connection, seed: u64) -> usize {
    let dev = device_db(device_dir);
    let mut st = dev
        .prepare("SELECT id, acked_heads FROM documents WHERE acked_heads != ''")
        .unwrap();
    let acked: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, heads) in &acked {
        let row: Option<(String, Vec<u8>)> = hub
            .query_row(
                "SELECT heads, bytes FROM documents WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        let Some((hub_heads, bytes)) = row else {
            panic!(
                "document {id} was acknowledged but is not on the hub after a kill (seed {seed})"
            );
        };
        let want = head_set(heads);
        if head_set(&hub_heads).is_superset(&want) {
            continue;
        }
        let doc = Automerge::load(&bytes).expect("the hub's document loads");
        for h in &want {
            let hash: ChangeHash = h.parse().unwrap();
            assert!(
                doc.get_change_by_hash(&hash).is_some(),
                "change {h} of {id} was acknowledged but is not on the hub after a kill (seed {seed})"
            );
        }
    }
    acked.len()
}

#[test]
fn kill_the_hub_during_batches() {
    let seed = seed("hub-kills");
    let mut rng = Rng::new(seed);
    let rt = runtime();
    let hub_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // The devices reach the hub through a clean proxy, which sees the requests
    // the hub took and never answered: the kills that landed mid-batch.
    let proxy = Proxy::start(
        &rt,
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        seed,
        Mode::Clean,
    );
    let unanswered = || proxy.counters().unanswered.load(Ordering::SeqCst);
    let mut devices: Vec<_> = {
        let hub = new_hub(hub_dir.path());
        (0..3)
            .map(|k| enrolled_device(&hub, &format!("gw-hub-{k}"), &proxy.url))
            .collect()
    };
    let mut hub = Some(start_hub(hub_dir.path(), port));
    for (_, d) in devices.iter_mut() {
        sync_http(&rt, d).unwrap();
    }
    let households = grid_households(&devices[0].1);

    let mut created: BTreeSet<String> = BTreeSet::new();
    let (mut kills, mut mid_batch, mut broke, mut failed_syncs, mut ok_syncs, mut checked) =
        (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    let mut n = 0usize;
    let mut budget = Budget::new(120, Duration::from_secs(40));
    while budget.tick() {
        // A batch on every device: visits and a household edit, offline.
        for (k, (_, d)) in devices.iter_mut().enumerate() {
            for _ in 0..rng.below(6) + 1 {
                n += 1;
                let id = d
                    .log_visit(
                        &NewVisit {
                            household: households[rng.below(households.len() as u64) as usize]
                                .clone(),
                            at: Some(visit_at(n)),
                            kind: Some("routine".into()),
                            ..Default::default()
                        },
                        now(),
                    )
                    .unwrap();
                created.insert(id.to_string());
            }
            if rng.chance(50) {
                d.edit_household(
                    &households[rng.below(households.len() as u64) as usize],
                    &HouseholdEdit {
                        notes: Some(format!("hub kill {} by {k}", budget.done)),
                        ..Default::default()
                    },
                    now(),
                )
                .unwrap();
            }
        }
        // All three push at once; the hub dies somewhere in there.
        let held_before = unanswered();
        let mut victim = hub.take().unwrap();
        let delay = Duration::from_millis(rng.below(60));
        let killer = std::thread::spawn(move || {
            std::thread::sleep(delay);
            victim.kill()
        });
        let results = rt.block_on(async {
            let [a, b, c] = &mut devices[..] else {
                unreachable!()
            };
            let t = Duration::from_secs(60);
            tokio::join!(
                tokio::time::timeout(t, gridline_device::sync::sync(&mut a.1, |_| {})),
                tokio::time::timeout(t, gridline_device::sync::sync(&mut b.1, |_| {})),
                tokio::time::timeout(t, gridline_device::sync::sync(&mut c.1, |_| {})),
            )
        });
        let mut interrupted = false;
        for r in [results.0, results.1, results.2] {
            match r.expect("a sync must never hang") {
                Ok(_) => ok_syncs += 1,
                Err(_) => {
                    failed_syncs += 1;
                    interrupted = true;
                }
            }
        }
        let out = killer.join().unwrap();
        assert!(was_killed(&out.status), "the hub was running until killed");
        kills += 1;
        broke += usize::from(interrupted);
        // Mid-batch: the hub had taken a device's request whole and died
        // before answering it (a sync that failed only to connect, before
        // the hub had anything, does not count).
        mid_batch += usize::from(unanswered() > held_before);
        // The hub is down: what it acknowledged must be in its file.
        {
            let db = hub_db(hub_dir.path());
            assert_eq!(integrity(&db), "ok", "hub store integrity after a kill");
            for (dir, _) in &devices {
                checked += acknowledged_are_kept(dir.path(), &db, seed);
            }
        }
        hub = Some(start_hub(hub_dir.path(), port));
    }
    let iterations = budget.done;
    assert!(
        iterations >= 100,
        "at least 100 hub kills within the time bound, got {iterations}"
    );
    assert!(
        mid_batch > 0,
        "some kills must land while the hub holds a device's batch (request taken, no answer), \
         or this test proves nothing about acknowledgements across a crash: {kills} kills, \
         none mid-batch (seed {seed})"
    );

    // The hub stays up: every device's retry converges.
    let mut passes = 0;
    loop {
        passes += 1;
        let mut moved = 0;
        for (_, d) in devices.iter_mut() {
            let r = sync_http(&rt, d).expect("the hub is up: sync succeeds");
            moved += r.pushed + r.pulled;
        }
        if moved == 0 {
            break;
        }
        assert!(passes < 10, "converges within 10 passes");
    }
    for (dir, _) in &devices {
        assert_converged("after hub kills", dir.path(), hub_dir.path());
    }
    let db = hub_db(hub_dir.path());
    let on_hub: BTreeSet<String> = visit_ids(&db).into_iter().collect();
    assert_eq!(
        on_hub, created,
        "the hub holds exactly the visits made, each once (seed {seed})"
    );
    // The counter stamps each stored document with a distinct value.
    let (rows, seqs): (i64, i64) = db
        .query_row(
            "SELECT count(*), count(DISTINCT seq) FROM documents",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(rows, seqs, "one counter value per document");
    drop(hub);
    println!(
        "[hub-kills] iterations {iterations}, hub killed {kills} times and restarted ({mid_batch} mid-batch, holding an unanswered request; \
         {broke} broke a device's sync), \
         syncs failed {failed_syncs}, succeeded {ok_syncs}, acknowledged documents checked after kills {checked}, \
         visits {}, lost 0, duplicated 0, {:.1} s",
        created.len(),
        budget.elapsed().as_secs_f64()
    );
}
