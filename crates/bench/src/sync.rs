//! `gridline bench sync`: a hub holding a demo street, served as its own
//! process on loopback, and devices syncing with it over HTTP.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant as Clock};

use gridline_device::sync::{enroll, sync, sync_shared, SharedDevice, SyncReport, PART_DOCS};
use gridline_device::HouseholdFilter;
use gridline_device::{Device, HouseholdEdit, NewVisit, Unlock};
use gridline_hub::Hub;
use gridline_model::{Instant, Role, Scope, User};
use gridline_sync::DEFAULT_PAGE;

use crate::push::{hub_counter, Planned, PushClient};
use crate::{check, percentile, HubProcess, Result};

pub struct Options {
    /// Seed the hub with the demo street (else one grid).
    pub street: bool,
    /// With the street: a street-staff device's first sync of all of it,
    /// with an app read asked for every 50 ms meanwhile.
    pub street_staff: bool,
    /// Concurrent devices in the load phase.
    pub devices: usize,
    /// Pushes per device in the load phase.
    pub rounds: usize,
    /// The `gridline` binary that serves the hub.
    pub gridline: PathBuf,
}

/// One figure of the run, reported as soon as it is measured.
#[derive(Debug, Clone)]
pub enum Figure {
    Seeded {
        grids: usize,
        documents: usize,
        time: Duration,
    },
    Started {
        pid: u32,
        url: String,
        rss_mb: f64,
    },
    /// A new device's first sync of one grid (the better of two devices
    /// each way, unencrypted and encrypted stores taking turns).
    FirstSync {
        report: SyncReport,
        time: Duration,
        encrypted: bool,
        /// Bytes on disk (store and log) after it.
        store_bytes: u64,
    },
    /// 20 syncs with nothing changed.
    Unchanged {
        /// Request and reply bodies of one round trip.
        body_bytes: usize,
        /// Request line and headers of one round trip as reqwest and axum send them.
        header_bytes: usize,
        median: Duration,
        /// The hub's own time a request, from its `/metrics`.
        hub_time: Duration,
    },
    /// 10 records edited, then one sync.
    TenEdits {
        report: SyncReport,
        time: Duration,
    },
    /// 1,000 new visits, then one sync.
    ThousandNew {
        report: SyncReport,
        time: Duration,
    },
    /// Many devices pushing one small change each round, concurrently.
    Load {
        devices: usize,
        rounds: usize,
        requests: usize,
        wall: Duration,
        p50: Duration,
        p99: Duration,
        errors: usize,
    },
    HubRss {
        before_mb: f64,
        after_mb: f64,
    },
    /// A street-staff device's first sync of the whole street through
    /// [`sync_shared`], while an app read (Today, then a page of the
    /// household list) asks for the device every [`PROBE_EVERY`].
    StreetStaffFirstSync {
        report: SyncReport,
        time: Duration,
        /// Reads answered during the sync, and how long they took from
        /// asking for the device to the answer.
        probes: usize,
        p50: Duration,
        p99: Duration,
        longest: Duration,
        /// Bytes on disk (store and log) after it.
        store_bytes: u64,
        /// CPU seconds the hub process and this (the device's) process
        /// used during it: where the time goes on two cores.
        hub_cpu: f64,
        device_cpu: f64,
    },
}

/// How often the street-staff figure asks for the device during its sync.
pub const PROBE_EVERY: Duration = Duration::from_millis(50);

/// Runs the benchmark in a scratch directory under `base` (removed after),
/// calling `report` with each figure as it is measured.
pub fn run(base: &Path, o: Options, now: Instant, report: impl FnMut(Figure)) -> Result<()> {
    let dir = base.join(format!("gridline-bench-sync-{}", std::process::id()));
    let result = run_in(&dir, o, now, report);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn hub_seconds(client: &reqwest::Client, url: &str) -> (f64, f64) {
    let text = match client.get(format!("{url}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let get = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (
        get("gridline_sync_seconds_sum"),
        get("gridline_sync_requests_total"),
    )
}

fn run_in(dir: &Path, o: Options, now: Instant, mut report: impl FnMut(Figure)) -> Result<()> {
    let street = "522701001";
    let grid = format!("{street}001001");
    let hub_dir = dir.join("hub");
    let hub = Hub::init(&hub_dir, street, "基准街道")?;
    let t = Clock::now();
    let seeded = hub.seed_demo(
        if o.street {
            gridline_device::demo::Scale::Street
        } else {
            gridline_device::demo::Scale::Grid
        },
        1,
        "bench",
        now,
    )?;
    report(Figure::Seeded {
        grids: seeded.grids,
        documents: seeded.documents,
        time: t.elapsed(),
    });
    // Enrolment codes now, while the hub store is open here.
    let worker = User {
        id: "gw-bench".into(),
        name: "基准".into(),
        role: Role::GridWorker,
        scope: Scope::parse(&format!("grids:{grid}"))?,
    };
    let main_code = hub.enrol_code(&worker, "bench", now)?;
    let staff = User {
        id: "ss-bench".into(),
        name: "基准街道".into(),
        role: Role::StreetStaff,
        scope: Scope::parse(&format!("street:{street}"))?,
    };
    let staff_code = hub.enrol_code(&staff, "bench", now)?;
    // Three more devices for the first sync: unencrypted, encrypted, unencrypted.
    let mut first_codes = Vec::new();
    for _ in 0..3 {
        first_codes.push(hub.enrol_code(&worker, "bench", now)?);
    }
    let grids: Vec<String> = (0..o.devices)
        .map(|i| {
            if o.street {
                format!("{street}{:03}{:03}", 1 + (i / 10) % 8, 1 + i % 10)
            } else {
                grid.clone()
            }
        })
        .collect();
    let mut load = Vec::new();
    for (i, g) in grids.iter().enumerate() {
        load.push(Planned::grid_worker(
            &hub,
            format!("gw-load-{i}"),
            format!("负载{i}"),
            g,
            50,
            now,
        )?);
    }
    drop(hub);

    let hub = HubProcess::start(&o.gridline, &hub_dir)?;
    report(Figure::Started {
        pid: hub.pid(),
        url: hub.url.clone(),
        rss_mb: hub.rss_mb(),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let http = reqwest::Client::new();
        // Four first syncs of the grid, unencrypted and encrypted in turn;
        // the better of each kind is reported. The second encrypted device
        // (`d`) goes on to the figures below.
        let mut best: [Option<(SyncReport, Duration, u64)>; 2] = [None, None];
        let mut main = None;
        for (i, code) in [&first_codes[0], &main_code, &first_codes[1], &first_codes[2]]
            .into_iter()
            .enumerate()
        {
            let encrypted = i % 2 == 1;
            let dev_dir = dir.join(format!("device-{i}"));
            let unlock = if encrypted {
                let mut key = [0u8; 32];
                key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
                key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
                Unlock::Key(gridline_store::StoreKey::from_bytes(key))
            } else {
                Unlock::Unencrypted
            };
            let mut d = Device::init_with(&dev_dir, worker.clone(), &unlock)?;
            enroll(&mut d, &hub.url, code, None).await?;
            let t = Clock::now();
            let first = sync(&mut d, |_| {}).await?;
            let time = t.elapsed();
            let bytes = ["device.db", "device.db-wal"]
                .iter()
                .filter_map(|f| std::fs::metadata(dev_dir.join(f)).ok())
                .map(|m| m.len())
                .sum();
            let slot = &mut best[usize::from(encrypted)];
            if slot.as_ref().is_none_or(|b| time < b.1) {
                *slot = Some((first, time, bytes));
            }
            if i == 1 {
                main = Some(d);
            }
        }
        for (encrypted, b) in [(false, &best[0]), (true, &best[1])] {
            let (report_, time, store_bytes) = b.clone().expect("each kind ran");
            report(Figure::FirstSync {
                report: report_,
                time,
                encrypted,
                store_bytes,
            });
        }
        let mut d = main.expect("the main device ran");

        let (s0, n0) = hub_seconds(&http, &hub.url).await;
        let mut idle = Vec::new();
        let mut idle_bytes = 0;
        for _ in 0..20 {
            let t = Clock::now();
            let r = sync(&mut d, |_| {}).await?;
            idle.push(t.elapsed());
            idle_bytes = r.bytes_sent + r.bytes_received;
            check(r.round_trips == 1 && r.pulled == 0, || {
                "nothing changed must be one empty round trip".into()
            })?;
        }
        let (s1, n1) = hub_seconds(&http, &hub.url).await;
        // Request line and headers as sent and received (reqwest/axum defaults), counted once.
        let headers = "POST /v1/sync HTTP/1.1\r\ncontent-type: application/cbor\r\nauthorization: Bearer 0000000000000000000000000000000000000000000000000000000000000000\r\naccept: */*\r\nhost: 127.0.0.1:00000\r\ncontent-length: 00\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/cbor\r\ncontent-length: 000\r\ndate: Sat, 28 Nov 2026 06:00:00 GMT\r\n\r\n".len();
        report(Figure::Unchanged {
            body_bytes: idle_bytes,
            header_bytes: headers,
            median: percentile(&mut idle, 50),
            hub_time: Duration::from_secs_f64(((s1 - s0) / (n1 - n0).max(1.0)).max(0.0)),
        });

        let ids: Vec<String> = d
            .households(&HouseholdFilter {
                limit: Some(10),
                ..Default::default()
            })?
            .into_iter()
            .map(|r| r.id.to_string())
            .collect();
        for (i, id) in ids.iter().enumerate() {
            d.edit_household(
                id,
                &HouseholdEdit {
                    notes: Some(format!("基准修改 {i}")),
                    ..Default::default()
                },
                now,
            )?;
        }
        let t = Clock::now();
        let ten = sync(&mut d, |_| {}).await?;
        report(Figure::TenEdits {
            report: ten,
            time: t.elapsed(),
        });

        for i in 0..1000 {
            d.log_visit(
                &NewVisit {
                    household: ids[i % ids.len()].clone(),
                    notes: format!("批量走访 {i}"),
                    ..Default::default()
                },
                now,
            )?;
        }
        let t = Clock::now();
        let thousand = sync(&mut d, |_| {}).await?;
        report(Figure::ThousandNew {
            report: thousand,
            time: t.elapsed(),
        });

        // Many devices pushing one small change each round, concurrently.
        // They start from "already in sync": the cursor of the hub's latest change.
        let start_cursor = hub_counter(&http, &hub.url).await?;
        let clients =
            PushClient::enrol_all(&http, &hub.url, &load, start_cursor, DEFAULT_PAGE).await?;
        let rss_before = hub.rss_mb();
        let started = Clock::now();
        let mut tasks = Vec::new();
        for mut client in clients {
            let rounds = o.rounds;
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut errors = 0usize;
                for r in 0..rounds {
                    if !client.has_households() {
                        break;
                    }
                    let pushed = client.push_visit(r, "负载".into()).await;
                    if !pushed.acked {
                        errors += 1;
                    }
                    lat.push(pushed.latency);
                }
                (lat, errors)
            }));
        }
        let mut lat = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (l, e) = t.await?;
            lat.extend(l);
            errors += e;
        }
        let wall = started.elapsed();
        report(Figure::Load {
            devices: load.len(),
            rounds: o.rounds,
            requests: lat.len(),
            wall,
            p50: percentile(&mut lat, 50),
            p99: percentile(&mut lat, 99),
            errors,
        });
        report(Figure::HubRss {
            before_mb: rss_before,
            after_mb: hub.rss_mb(),
        });
        if o.street && o.street_staff {
            let (hub0, me0) = (hub.cpu_seconds(), crate::hub_process::cpu_seconds_of("/proc/self/stat"));
            let mut f = street_staff_first_sync(&dir.join("street-staff"), staff, &hub.url, &staff_code, now).await?;
            if let Figure::StreetStaffFirstSync { hub_cpu, device_cpu, .. } = &mut f {
                *hub_cpu = hub.cpu_seconds() - hub0;
                *device_cpu = crate::hub_process::cpu_seconds_of("/proc/self/stat") - me0;
            }
            report(f);
        }
        Ok(())
    })
}

/// The street-staff device's first sync of the street, with a read asked
/// for every [`PROBE_EVERY`] the way the app's commands ask: each waits for
/// the device, then reads.
async fn street_staff_first_sync(
    dev_dir: &Path,
    staff: User,
    url: &str,
    code: &str,
    now: Instant,
) -> Result<Figure> {
    let mut d = Device::init_with(dev_dir, staff, &Unlock::Unencrypted)?;
    enroll(&mut d, url, code, None).await?;
    let shared: SharedDevice = tokio::sync::Mutex::new(Some(d));
    let done = std::sync::atomic::AtomicBool::new(false);
    let t = Clock::now();
    let sync = async {
        let r = sync_shared(&shared, PART_DOCS, |_| {}).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        r
    };
    let probe = async {
        let mut waits = Vec::new();
        let mut read_households = 0usize;
        let mut i = 0u64;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            // Timed from when the read was due, not from when this task
            // was next polled: a part stored on this thread delays both.
            let asked = Clock::now() + PROBE_EVERY;
            tokio::time::sleep_until(asked.into()).await;
            if done.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            let guard = shared.lock().await;
            if let Some(d) = guard.as_ref() {
                // Today and a page of the list: the app's two commonest reads.
                if i.is_multiple_of(2) {
                    d.today(now)?;
                } else {
                    read_households = read_households.max(
                        d.households(&HouseholdFilter {
                            limit: Some(50),
                            ..Default::default()
                        })?
                        .len(),
                    );
                }
            }
            drop(guard);
            waits.push(asked.elapsed());
            i += 1;
        }
        Ok::<_, crate::Error>((waits, read_households))
    };
    let (report, probed) = tokio::join!(sync, probe);
    let report = report?;
    let time = t.elapsed();
    let (mut waits, read_households) = probed?;
    check(!waits.is_empty() && read_households > 0, || {
        "the reads must have run during the sync and found households".into()
    })?;
    let store_bytes = ["device.db", "device.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dev_dir.join(f)).ok())
        .map(|m| m.len())
        .sum();
    let longest = waits.iter().copied().max().unwrap_or_default();
    Ok(Figure::StreetStaffFirstSync {
        probes: waits.len(),
        p50: percentile(&mut waits, 50),
        p99: percentile(&mut waits, 99),
        longest,
        report,
        time,
        store_bytes,
        hub_cpu: 0.0,
        device_cpu: 0.0,
    })
}
