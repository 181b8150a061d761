//! Devices syncing through the fault-injecting proxy: random offline edits,
//! many syncs under a random fault schedule, then the faults stop and
//! everyone converges. And `gridline device sync --watch` resuming by itself.

use std::collections::BTreeSet;
use std::time::{Duration, Instant as Clock};

use gridline_device::{HouseholdEdit, NewVisit};

use super::proxy::{Mode, Proxy};
use super::*;

#[test]
fn devices_converge_through_a_faulty_network() {
    let seed = seed("net-faults");
    let mut rng = Rng::new(seed);
    let rt = runtime();
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (listener, _) = listen(&rt);
    let upstream = listener.local_addr().unwrap();
    let proxy = Proxy::start(&rt, upstream, seed ^ 0x5eed, Mode::Random);
    let mut devices: Vec<_> = (0..3)
        .map(|k| enrolled_device(&hub, &format!("gw-net-{k}"), &proxy.url))
        .collect();
    serve(&rt, listener, hub);

    let mut created: BTreeSet<String> = BTreeSet::new();
    let (mut syncs, mut failed, mut edits) = (0usize, 0usize, 0usize);
    let mut budget = Budget::new(400, Duration::from_secs(20));
    let mut n = 0usize;
    while budget.tick() {
        let k = rng.below(devices.len() as u64) as usize;
        let d = &mut devices[k].1;
        let households = grid_households(d);
        // Offline edits (none before the first sync brought the households).
        if !households.is_empty() {
            for _ in 0..rng.below(3) {
                n += 1;
                let h = households[rng.below(households.len() as u64) as usize].clone();
                let id = d
                    .log_visit(
                        &NewVisit {
                            household: h,
                            at: Some(visit_at(n)),
                            kind: Some("routine".into()),
                            ..Default::default()
                        },
                        now(),
                    )
                    .unwrap();
                created.insert(id.to_string());
                edits += 1;
            }
            if rng.chance(40) {
                let h = &households[rng.below(households.len() as u64) as usize];
                d.edit_household(
                    h,
                    &HouseholdEdit {
                        notes: Some(format!("设备{k} 第{} 次", budget.done)),
                        add_tags: vec![["独居老人", "空巢老人", "党员", "出租屋"]
                            [rng.below(4) as usize]
                            .into()],
                        ..Default::default()
                    },
                    now(),
                )
                .unwrap();
                edits += 1;
            }
        }
        syncs += 1;
        if sync_http(&rt, d).is_err() {
            failed += 1;
        }
    }
    let faulty = budget.elapsed();

    // The faults stop; everyone syncs until nobody has anything to exchange.
    proxy.set_mode(Mode::Clean);
    let started = Clock::now();
    let mut passes = 0;
    loop {
        passes += 1;
        let mut moved = 0;
        for (_, d) in devices.iter_mut() {
            let r = sync_http(&rt, d).expect("with the faults gone every sync succeeds");
            moved += r.pushed + r.pulled;
        }
        if moved == 0 {
            break;
        }
        assert!(
            passes < 10,
            "sync converges within 10 passes once the faults stop"
        );
    }
    for (dir, _) in &devices {
        assert_converged("after the faulty network", dir.path(), hub_dir.path());
    }
    let on_hub: BTreeSet<String> = visit_ids(&hub_db(hub_dir.path())).into_iter().collect();
    assert_eq!(
        on_hub, created,
        "the hub holds exactly the visits made, each once (seed {seed})"
    );
    println!(
        "[net-faults] rounds {}, syncs {syncs} (failed under faults {failed}), offline edits {edits} \
         (visits {}); proxy: {}; converged in {passes} clean passes ({:.1} s); lost 0, duplicated 0, {:.1} s faulty",
        budget.done,
        created.len(),
        proxy.counters().summary(),
        started.elapsed().as_secs_f64(),
        faulty.as_secs_f64(),
    );
    assert!(proxy.counters().faults() > 0, "faults were injected");
}

/// `gridline device sync --watch` keeps retrying while the hub is unreachable
/// and sends everything by itself once the network is back.
#[test]
fn sync_watch_recovers_by_itself() {
    let rt = runtime();
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (listener, _) = listen(&rt);
    let proxy = Proxy::start(&rt, listener.local_addr().unwrap(), 7, Mode::Clean);
    let (dev_dir, mut d) = enrolled_device(&hub, "gw-watch", &proxy.url);
    serve(&rt, listener, hub);
    sync_http(&rt, &mut d).unwrap();
    let households = grid_households(&d);
    for n in 0..5 {
        d.log_visit(
            &NewVisit {
                household: households[n % households.len()].clone(),
                at: Some(visit_at(n)),
                kind: Some("routine".into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    }
    drop(d);
    let db = device_db(dev_dir.path());
    assert_eq!(unsent(&db), 5);

    proxy.set_mode(Mode::Down);
    let mut watch = Proc::spawn(&mut cli(
        dev_dir.path(),
        &["device", "sync", "--watch", "--interval", "1"],
    ));
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        watch.child().try_wait().unwrap().is_none(),
        "--watch keeps running while the hub is unreachable"
    );
    assert_eq!(
        unsent(&db),
        5,
        "nothing got through while the network was down"
    );
    let refused = proxy
        .counters()
        .drop_mid_request
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(refused > 0, "--watch tried while the network was down");

    proxy.set_mode(Mode::Clean);
    let back = Clock::now();
    while unsent(&db) > 0 {
        assert!(
            back.elapsed() < Duration::from_secs(40),
            "--watch sent everything within 40 s of the network coming back"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let recovered = back.elapsed();
    let out = watch.kill();
    assert!(was_killed(&out.status), "--watch was still running");
    drop(db);
    assert_converged("after --watch recovered", dev_dir.path(), hub_dir.path());
    println!(
        "[watch] attempts dropped while down {refused}, sent everything {:.1} s after the network came back",
        recovered.as_secs_f64()
    );
}

/// `gridline device sync --watch` keeps going when replies arrive corrupted
/// (a truncated body the device cannot decode), and sends everything once
/// they are whole again: a bad reply is a network fault, not a reason to stop.
#[test]
fn sync_watch_survives_corrupted_replies() {
    let rt = runtime();
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = new_hub(hub_dir.path());
    let (listener, _) = listen(&rt);
    let proxy = Proxy::start(&rt, listener.local_addr().unwrap(), 11, Mode::Clean);
    let (dev_dir, mut d) = enrolled_device(&hub, "gw-corrupt", &proxy.url);
    serve(&rt, listener, hub);
    sync_http(&rt, &mut d).unwrap();
    let households = grid_households(&d);
    for n in 0..5 {
        d.log_visit(
            &NewVisit {
                household: households[n % households.len()].clone(),
                at: Some(visit_at(n)),
                kind: Some("routine".into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    }
    drop(d);
    let db = device_db(dev_dir.path());

    proxy.set_mode(Mode::Corrupt);
    let mut cmd = cli(
        dev_dir.path(),
        &["device", "sync", "--watch", "--interval", "1"],
    );
    cmd.stderr(Stdio::piped());
    let mut watch = Proc::spawn(&mut cmd);
    std::thread::sleep(Duration::from_secs(3));
    let corrupted = proxy
        .counters()
        .truncated_response
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(corrupted > 0, "--watch got corrupted replies");
    if let Some(status) = watch.child().try_wait().unwrap() {
        let out = watch.kill();
        panic!(
            "--watch stopped on a corrupted reply ({status}): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    proxy.set_mode(Mode::Clean);
    let back = Clock::now();
    while unsent(&db) > 0 {
        assert!(
            back.elapsed() < Duration::from_secs(40),
            "--watch sent everything within 40 s of the replies being whole again"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let recovered = back.elapsed();
    let out = watch.kill();
    assert!(was_killed(&out.status), "--watch was still running");
    drop(db);
    assert_converged("after corrupted replies", dev_dir.path(), hub_dir.path());
    println!(
        "[watch-corrupt] corrupted replies {corrupted}, sent everything {:.1} s after replies were whole again",
        recovered.as_secs_f64()
    );
}
