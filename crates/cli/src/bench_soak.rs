//! `gridline bench soak`: many simulated devices pushing small changes to one
//! hub (its own process, loopback) for a bounded time. Reports throughput,
//! p50/p99 latency, the hub's RSS over time, errors, and (after killing the
//! hub) every pushed change that is not on the hub: both must be zero.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant as Clock};

use gridline_hub::Hub;
use gridline_model::{Author, GridId, Instant, Role, Scope, User, Visit, VisitKind};
use gridline_sync::{PushDoc, SyncRequest, PROTOCOL_VERSION};

use crate::bench_sync::{rss_mb, serve};

pub struct Options {
    pub devices: usize,
    pub seconds: u64,
    /// Pause between one device's round trips (jittered ±50%).
    pub interval: Duration,
    /// Seconds before the hub counts as warm (RSS growth is judged after it).
    pub warmup: u64,
}

/// What one simulated device did.
#[derive(Default)]
struct DeviceRun {
    latencies: Vec<Duration>,
    errors: usize,
    /// Every document pushed, with the heads pushed: checked on the hub at the end.
    pushed: Vec<(String, Vec<String>)>,
    acked: usize,
}

pub fn run(base: &Path, o: Options, now: Instant) -> anyhow::Result<()> {
    let dir = base.join(format!("gridline-bench-soak-{}", std::process::id()));
    let result = run_in(&dir, &o, now);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_in(dir: &Path, o: &Options, now: Instant) -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        eprintln!("注意 (note): 这是调试构建 (a debug build; use `cargo run --release -p gridline-cli -- bench soak`)");
    }
    let street = "522701001";
    let hub_dir = dir.join("hub");
    let hub = Hub::init(&hub_dir, street, "浸泡测试街道")?;
    let seeded = hub.seed_demo(gridline_device::demo::Scale::Grid, 1, "bench", now)?;
    // Ten devices a grid over the street's 80 grids (8 communities × 10).
    let mut devices = Vec::new();
    for i in 0..o.devices {
        let grid = format!("{street}{:03}{:03}", 1 + (i / 10) % 8, 1 + (i / 80) % 10);
        let u = User {
            id: format!("gw-soak-{i}"),
            name: format!("浸泡{i}"),
            role: Role::GridWorker,
            scope: Scope::parse(&format!("grids:{grid}"))?,
        };
        let households = hub.household_ids(&grid, 20)?;
        devices.push((hub.enrol_code(&u, "bench", now)?, u, grid, households));
    }
    drop(hub);

    let hub = serve(&hub_dir)?;
    let pid = hub.child.id();
    println!(
        "hub process {pid} at {}: {} documents seeded, RSS {:.0} MB; {} devices, {} s, one small push every {} ms a device (±50%)",
        hub.url,
        seeded.documents,
        rss_mb(pid),
        o.devices,
        o.seconds,
        o.interval.as_millis()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (runs, samples, wall) = rt.block_on(async {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        let mut clients = Vec::new();
        for (code, u, grid, households) in &devices {
            let actor = uuid::Uuid::new_v4().as_bytes().to_vec();
            let body = serde_json::json!({"code": code, "device_id": format!("dev-{}", u.id), "actor": hex::encode(&actor)});
            let r = http
                .post(format!("{}/v1/enroll", hub.url))
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await?;
            let ok = r.status().is_success();
            let text = r.text().await?;
            anyhow::ensure!(ok, "enrolment failed: {text}");
            let v: serde_json::Value = serde_json::from_str(&text)?;
            let token = v["token"].as_str().unwrap_or_default().to_owned();
            clients.push((token, actor, u.clone(), grid.clone(), households.clone()));
        }
        let health: serde_json::Value = serde_json::from_str(&http.get(format!("{}/health", hub.url)).send().await?.text().await?)?;
        let start_cursor = health["counter"].as_u64().unwrap_or(0);

        let stop = Arc::new(AtomicBool::new(false));
        let started = Clock::now();
        let mut tasks = Vec::new();
        for (n, (token, actor, u, grid, households)) in clients.into_iter().enumerate() {
            let http = http.clone();
            let url = format!("{}/v1/sync", hub.url);
            let stop = stop.clone();
            let interval = o.interval;
            tasks.push(tokio::spawn(async move {
                let mut run = DeviceRun::default();
                let grid = GridId::parse(&grid).expect("a grid id");
                let mut cursor = start_cursor;
                // Spread the devices' first pushes over one interval.
                let offset = interval.mul_f64(n as f64 / 1000.0 % 1.0);
                tokio::time::sleep(offset).await;
                let mut round = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let household = households
                        .get(round % households.len().max(1))
                        .and_then(|h| uuid::Uuid::parse_str(h).ok())
                        .unwrap_or_else(uuid::Uuid::new_v4);
                    let v = Visit {
                        id: uuid::Uuid::now_v7(),
                        household,
                        grid: grid.clone(),
                        visitor: Author { user: u.id.clone(), role: Role::GridWorker, unit: String::new() },
                        at: chrono::Utc::now(),
                        kind: VisitKind::Routine,
                        notes: format!("浸泡 {round}"),
                    };
                    let mut doc = gridline_records::new_doc(&actor);
                    gridline_records::visit::create(&mut doc, &v).expect("a visit document");
                    let heads: Vec<String> = gridline_records::heads_hex(&mut doc).split(',').map(str::to_owned).collect();
                    let id = v.id.to_string();
                    let req = SyncRequest {
                        v: PROTOCOL_VERSION,
                        cursor,
                        page: 500,
                        want_total: false,
                        new_actor: None,
                        push: vec![PushDoc { id: id.clone(), changes: doc.save(), heads: heads.clone() }],
                        sync: vec![],
                        am_sync: false,
                    };
                    run.pushed.push((id.clone(), heads));
                    let t = Clock::now();
                    let resp = http.post(&url).bearer_auth(&token).header("content-type", "application/cbor").body(gridline_sync::encode(&req)).send().await;
                    let ok = match resp {
                        Ok(r) if r.status().is_success() => match r.bytes().await {
                            Ok(bytes) => match gridline_sync::decode_response(&bytes) {
                                Ok(resp) if resp.refusals.is_empty() && resp.acks.iter().any(|a| a.id == id) => {
                                    cursor = resp.cursor;
                                    true
                                }
                                _ => false,
                            },
                            Err(_) => false,
                        },
                        _ => false,
                    };
                    run.latencies.push(t.elapsed());
                    if ok {
                        run.acked += 1;
                    } else {
                        run.errors += 1;
                    }
                    round += 1;
                    // Think time, jittered so the devices do not march in step.
                    let jitter = 0.5 + (uuid::Uuid::new_v4().as_bytes()[0] as f64 / 255.0);
                    tokio::time::sleep(interval.mul_f64(jitter)).await;
                }
                run
            }));
        }
        // Sample the hub's RSS every 5 s (and the requests done so far) until the end.
        let mut samples = Vec::new();
        let end = started + Duration::from_secs(o.seconds);
        loop {
            let t = started.elapsed();
            samples.push((t, rss_mb(pid)));
            if Clock::now() >= end {
                break;
            }
            tokio::time::sleep(Duration::from_secs(5).min(end - Clock::now())).await;
        }
        stop.store(true, Ordering::Relaxed);
        let mut runs = Vec::new();
        for t in tasks {
            runs.push(t.await?);
        }
        let wall = started.elapsed();
        anyhow::Ok((runs, samples, wall))
    })?;
    // Kill the hub (SIGKILL): what it acknowledged must already be durable.
    drop(hub);

    let mut lat: Vec<Duration> = runs
        .iter()
        .flat_map(|r| r.latencies.iter().copied())
        .collect();
    let errors: usize = runs.iter().map(|r| r.errors).sum();
    let acked: usize = runs.iter().map(|r| r.acked).sum();
    let pushed: usize = runs.iter().map(|r| r.pushed.len()).sum();
    let hub = Hub::open(&hub_dir)?;
    let mut lost = 0usize;
    for (id, heads) in runs.iter().flat_map(|r| r.pushed.iter()) {
        let on_hub = hub.heads(id)?.unwrap_or_default();
        let on_hub: Vec<&str> = on_hub.split(',').collect();
        if !heads.iter().all(|h| on_hub.contains(&h.as_str())) {
            lost += 1;
        }
    }
    let integrity = hub.integrity_check()?;
    lat.sort();
    let pct = |p: usize| {
        lat.get((lat.len() * p / 100).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{} devices for {:.0} s: {} round trips, each pushing one new visit = {:.0} req/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        runs.len(),
        wall.as_secs_f64(),
        lat.len(),
        lat.len() as f64 / wall.as_secs_f64(),
        ms(pct(50)),
        ms(pct(99)),
        ms(lat.last().copied().unwrap_or_default()),
    );
    let series: Vec<String> = samples
        .iter()
        .map(|(t, m)| format!("{:.0}s {:.0}", t.as_secs_f64(), m))
        .collect();
    println!("hub RSS (MB) over time: {}", series.join(", "));
    let warm = samples
        .iter()
        .find(|(t, _)| t.as_secs() >= o.warmup)
        .or(samples.first())
        .copied()
        .unwrap_or_default();
    let last = samples.last().copied().unwrap_or_default();
    let peak = samples.iter().map(|s| s.1).fold(0.0, f64::max);
    println!(
        "hub RSS: {:.0} MB first warm sample (at {:.0} s), {:.0} MB last (at {:.0} s), peak {:.0} MB; growth once warm {:+.0} MB",
        warm.1,
        warm.0.as_secs_f64(),
        last.1,
        last.0.as_secs_f64(),
        peak,
        last.1 - warm.1
    );
    println!(
        "changes pushed {pushed}, acknowledged {acked}; errors {errors}; lost (pushed but not on the hub after SIGKILL) {lost}; hub integrity_check: {integrity}"
    );
    anyhow::ensure!(errors == 0, "{errors} round trips failed");
    anyhow::ensure!(lost == 0, "{lost} pushed changes are not on the hub");
    anyhow::ensure!(integrity == "ok", "hub integrity_check: {integrity}");
    Ok(())
}
