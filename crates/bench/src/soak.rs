//! `gridline bench soak`: many simulated devices pushing small changes to one
//! hub (its own process, loopback) for a bounded time. Measures throughput,
//! p50/p99 latency, the hub's RSS over time, errors, and (after killing the
//! hub) every pushed change that is not on the hub: both must be zero.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant as Clock};

use gridline_hub::Hub;
use gridline_model::Instant;

use crate::push::{hub_counter, Planned, PushClient};
use crate::{check, HubProcess, Result};

pub struct Options {
    pub devices: usize,
    pub seconds: u64,
    /// Pause between one device's round trips (jittered ±50%).
    pub interval: Duration,
    /// Seconds before the hub counts as warm (RSS growth is judged after it).
    pub warmup: u64,
    /// The `gridline` binary that serves the hub.
    pub gridline: PathBuf,
}

/// The hub process as the run starts.
#[derive(Debug, Clone)]
pub struct Started {
    pub pid: u32,
    pub url: String,
    pub documents: usize,
    pub rss_mb: f64,
}

/// What the run measured.
#[derive(Debug, Clone)]
pub struct Soak {
    pub devices: usize,
    pub wall: Duration,
    pub round_trips: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// The hub's RSS (MB), sampled every 5 s from the start.
    pub rss: Vec<(Duration, f64)>,
    /// The first sample once warm, the last one, and the peak (MB).
    pub rss_warm: (Duration, f64),
    pub rss_last: (Duration, f64),
    pub rss_peak: f64,
    pub pushed: usize,
    pub acked: usize,
    pub errors: usize,
    /// Pushed changes not on the hub after it was killed.
    pub lost: usize,
    /// `PRAGMA integrity_check` of the hub's store after it was killed.
    pub integrity: String,
}

impl Soak {
    /// Fails unless no round trip failed, nothing was lost and the hub's store is sound.
    pub fn check(&self) -> Result<()> {
        let (errors, lost, integrity) = (self.errors, self.lost, &self.integrity);
        check(errors == 0, || format!("{errors} round trips failed"))?;
        check(lost == 0, || {
            format!("{lost} pushed changes are not on the hub")
        })?;
        check(integrity == "ok", || {
            format!("hub integrity_check: {integrity}")
        })
    }
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

/// Runs the soak in a scratch directory under `base` (removed after);
/// `started` is told about the hub before the devices start.
pub fn run(base: &Path, o: Options, now: Instant, started: impl FnOnce(&Started)) -> Result<Soak> {
    let dir = base.join(format!("gridline-bench-soak-{}", std::process::id()));
    let result = run_in(&dir, &o, now, started);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_in(dir: &Path, o: &Options, now: Instant, started: impl FnOnce(&Started)) -> Result<Soak> {
    let street = "522701001";
    let hub_dir = dir.join("hub");
    let hub = Hub::init(&hub_dir, street, "浸泡测试街道")?;
    let seeded = hub.seed_demo(gridline_device::demo::Scale::Grid, 1, "bench", now)?;
    // Ten devices a grid over the street's 80 grids (8 communities × 10).
    let mut devices = Vec::new();
    for i in 0..o.devices {
        let grid = format!("{street}{:03}{:03}", 1 + (i / 10) % 8, 1 + (i / 80) % 10);
        devices.push(Planned::grid_worker(
            &hub,
            format!("gw-soak-{i}"),
            format!("浸泡{i}"),
            &grid,
            20,
            now,
        )?);
    }
    drop(hub);

    let hub = HubProcess::start(&o.gridline, &hub_dir)?;
    started(&Started {
        pid: hub.pid(),
        url: hub.url.clone(),
        documents: seeded.documents,
        rss_mb: hub.rss_mb(),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (runs, samples, wall) = rt.block_on(async {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        let start_cursor = hub_counter(&http, &hub.url).await?;
        let clients = PushClient::enrol_all(&http, &hub.url, &devices, start_cursor, 500).await?;

        let stop = Arc::new(AtomicBool::new(false));
        let started = Clock::now();
        let mut tasks = Vec::new();
        for (n, mut client) in clients.into_iter().enumerate() {
            let stop = stop.clone();
            let interval = o.interval;
            tasks.push(tokio::spawn(async move {
                let mut run = DeviceRun::default();
                // Spread the devices' first pushes over one interval.
                let offset = interval.mul_f64(n as f64 / 1000.0 % 1.0);
                tokio::time::sleep(offset).await;
                let mut round = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let pushed = client.push_visit(round, format!("浸泡 {round}")).await;
                    run.latencies.push(pushed.latency);
                    if pushed.acked {
                        run.acked += 1;
                    } else {
                        run.errors += 1;
                    }
                    run.pushed.push((pushed.id, pushed.heads));
                    round += 1;
                    // Think time, jittered so the devices do not march in step.
                    let jitter = 0.5 + (uuid::Uuid::new_v4().as_bytes()[0] as f64 / 255.0);
                    tokio::time::sleep(interval.mul_f64(jitter)).await;
                }
                run
            }));
        }
        // Sample the hub's RSS every 5 s until the end.
        let mut samples = Vec::new();
        let end = started + Duration::from_secs(o.seconds);
        loop {
            let t = started.elapsed();
            samples.push((t, hub.rss_mb()));
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
        Ok::<_, crate::Error>((runs, samples, wall))
    })?;
    // Kill the hub (SIGKILL): what it acknowledged must already be durable.
    hub.stop();

    let mut lat: Vec<Duration> = runs
        .iter()
        .flat_map(|r| r.latencies.iter().copied())
        .collect();
    let hub = Hub::open(&hub_dir)?;
    let mut lost = 0usize;
    for (id, heads) in runs.iter().flat_map(|r| r.pushed.iter()) {
        let on_hub = hub.heads(id)?.unwrap_or_default();
        let on_hub: Vec<&str> = on_hub.split(',').collect();
        if !heads.iter().all(|h| on_hub.contains(&h.as_str())) {
            lost += 1;
        }
    }
    lat.sort();
    let pct = |p: usize| {
        lat.get((lat.len() * p / 100).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let rss_warm = samples
        .iter()
        .find(|(t, _)| t.as_secs() >= o.warmup)
        .or(samples.first())
        .copied()
        .unwrap_or_default();
    Ok(Soak {
        devices: runs.len(),
        wall,
        round_trips: lat.len(),
        p50: pct(50),
        p99: pct(99),
        max: lat.last().copied().unwrap_or_default(),
        rss_warm,
        rss_last: samples.last().copied().unwrap_or_default(),
        rss_peak: samples.iter().map(|s| s.1).fold(0.0, f64::max),
        rss: samples,
        pushed: runs.iter().map(|r| r.pushed.len()).sum(),
        acked: runs.iter().map(|r| r.acked).sum(),
        errors: runs.iter().map(|r| r.errors).sum(),
        lost,
        integrity: hub.integrity_check()?,
    })
}
