//! `gridline bench sync`: a hub holding a demo street, served as its own
//! process on loopback, and devices syncing with it over HTTP.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant as Clock};

use gridline_device::sync::{enroll, sync};
use gridline_device::{Device, HouseholdEdit, NewVisit};
use gridline_hub::Hub;
use gridline_model::{Author, GridId, Instant, Role, Scope, User, Visit, VisitKind};
use gridline_store::HouseholdFilter;
use gridline_sync::{PushDoc, SyncRequest, DEFAULT_PAGE, PROTOCOL_VERSION};

pub struct Options {
    pub street: bool,
    pub devices: usize,
    pub rounds: usize,
}

/// A hub served by this binary as its own process; killed when dropped.
pub(crate) struct HubProcess {
    pub(crate) child: Child,
    pub(crate) url: String,
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `gridline hub serve` on 127.0.0.1, port 0, as its own process.
pub(crate) fn serve(dir: &Path) -> anyhow::Result<HubProcess> {
    let mut child = Command::new(std::env::current_exe()?)
        .args([
            "--data",
            &dir.display().to_string(),
            "hub",
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .ok_or_else(|| anyhow::anyhow!("the hub exited before serving"))??;
        if let Some(pos) = line.find("http://") {
            break line[pos..]
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
        }
    };
    // Keep draining stderr so the hub never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok(HubProcess { child, url })
}

pub(crate) fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(xs: &mut [Duration], p: usize) -> Duration {
    xs.sort();
    xs[(xs.len() * p / 100).min(xs.len() - 1)]
}

pub fn run(base: &Path, o: Options, now: Instant) -> anyhow::Result<()> {
    let dir = base.join(format!("gridline-bench-sync-{}", std::process::id()));
    let result = run_in(&dir, o, now);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_in(dir: &Path, o: Options, now: Instant) -> anyhow::Result<()> {
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
    println!(
        "hub seeded: {} grids, {} documents in {:.1} s",
        seeded.grids,
        seeded.documents,
        t.elapsed().as_secs_f64()
    );
    // Enrolment codes now, while the hub store is open here.
    let worker = User {
        id: "gw-bench".into(),
        name: "基准".into(),
        role: Role::GridWorker,
        scope: Scope::parse(&format!("grids:{grid}"))?,
    };
    let main_code = hub.enrol_code(&worker, "bench", now)?;
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
        let u = User {
            id: format!("gw-load-{i}"),
            name: format!("负载{i}"),
            role: Role::GridWorker,
            scope: Scope::parse(&format!("grids:{g}"))?,
        };
        let households = hub.household_ids(g, 50)?;
        load.push((hub.enrol_code(&u, "bench", now)?, u, households));
    }
    drop(hub);

    let hub = serve(&hub_dir)?;
    let pid = hub.child.id();
    println!(
        "hub process {pid} at {}: RSS {:.0} MB after start",
        hub.url,
        rss_mb(pid)
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let http = reqwest::Client::new();
        let dev_dir = dir.join("device");
        let mut d = Device::init(&dev_dir, worker.clone())?;
        enroll(&mut d, &hub.url, &main_code, None).await?;

        let t = Clock::now();
        let first = sync(&mut d, |_| {}).await?;
        let first_time = t.elapsed();
        println!(
            "first sync of one grid: {} documents in {:.2} s, {} round trips, ↓{:.1} MB (target ≤ 3 s: {})",
            first.pulled,
            first_time.as_secs_f64(),
            first.round_trips,
            first.bytes_received as f64 / 1e6,
            if first_time.as_secs_f64() <= 3.0 { "ok" } else { "OVER TARGET" }
        );

        let (s0, n0) = hub_seconds(&http, &hub.url).await;
        let mut idle = Vec::new();
        let mut idle_bytes = 0;
        for _ in 0..20 {
            let t = Clock::now();
            let r = sync(&mut d, |_| {}).await?;
            idle.push(t.elapsed());
            idle_bytes = r.bytes_sent + r.bytes_received;
            anyhow::ensure!(r.round_trips == 1 && r.pulled == 0, "nothing changed must be one empty round trip");
        }
        let (s1, n1) = hub_seconds(&http, &hub.url).await;
        // Request line and headers as sent and received (reqwest/axum defaults), counted once.
        let headers = "POST /v1/sync HTTP/1.1\r\ncontent-type: application/cbor\r\nauthorization: Bearer 0000000000000000000000000000000000000000000000000000000000000000\r\naccept: */*\r\nhost: 127.0.0.1:00000\r\ncontent-length: 00\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/cbor\r\ncontent-length: 000\r\ndate: Sat, 28 Nov 2026 06:00:00 GMT\r\n\r\n".len();
        println!(
            "nothing changed: 1 round trip, bodies {idle_bytes} B + headers ≈{headers} B = {} B (target ≤ 1 KB); median {:.2} ms end to end (target ≤ 50 ms); hub time {:.2} ms a request (target ≤ 5 ms)",
            idle_bytes + headers,
            ms(percentile(&mut idle, 50)),
            (s1 - s0) / (n1 - n0).max(1.0) * 1e3
        );

        let ids: Vec<String> = d.households(&HouseholdFilter { limit: Some(10), ..Default::default() })?.into_iter().map(|r| r.id).collect();
        for (i, id) in ids.iter().enumerate() {
            d.edit_household(id, &HouseholdEdit { notes: Some(format!("基准修改 {i}")), ..Default::default() }, now)?;
        }
        let t = Clock::now();
        let ten = sync(&mut d, |_| {}).await?;
        println!(
            "10 records edited: {} round trip(s), {:.0} bytes sent per edited record (target ≤ 400), {:.1} ms",
            ten.round_trips,
            ten.bytes_sent as f64 / 10.0,
            ms(t.elapsed())
        );

        for i in 0..1000 {
            d.log_visit(&NewVisit { household: ids[i % ids.len()].clone(), notes: format!("批量走访 {i}"), ..Default::default() }, now)?;
        }
        let t = Clock::now();
        let thousand = sync(&mut d, |_| {}).await?;
        let tt = t.elapsed();
        println!(
            "1,000 new records pushed: {} acknowledged in {:.2} s, {} round trips, ↑{:.0} KB (target ≤ 1 s: {})",
            thousand.acknowledged,
            tt.as_secs_f64(),
            thousand.round_trips,
            thousand.bytes_sent as f64 / 1e3,
            if tt.as_secs_f64() <= 1.0 { "ok" } else { "OVER TARGET" }
        );

        // Many devices pushing one small change each round, concurrently.
        let counter_url = hub.url.clone();
        let mut clients = Vec::new();
        for (code, u, households) in &load {
            let actor = uuid::Uuid::new_v4().as_bytes().to_vec();
            let body = serde_json::json!({"code": code, "device_id": format!("dev-{}", u.id), "actor": hex::encode(&actor)});
            let text = http.post(format!("{counter_url}/v1/enroll")).header("content-type", "application/json").body(body.to_string()).send().await?.text().await?;
            let resp: serde_json::Value = serde_json::from_str(&text)?;
            let token = resp["token"].as_str().unwrap_or_default().to_owned();
            clients.push((token, actor, u.clone(), households.clone()));
        }
        let health: serde_json::Value = serde_json::from_str(&http.get(format!("{counter_url}/health")).send().await?.text().await?)?;
        let start_cursor = health["counter"].as_u64().unwrap_or(0);
        let rss_before = rss_mb(pid);
        let started = Clock::now();
        let mut tasks = Vec::new();
        for (token, actor, u, households) in clients {
            let http = http.clone();
            let url = format!("{}/v1/sync", hub.url);
            let rounds = o.rounds;
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut errors = 0usize;
                // Start from "already in sync": the cursor of the hub's latest change.
                let mut cursor = start_cursor;
                for r in 0..rounds {
                    if households.is_empty() {
                        break;
                    }
                    let grid = GridId::parse(&match &u.scope { Scope::Grids(g) => g[0].to_string(), _ => String::new() }).expect("grid scope");
                    let v = Visit {
                        id: uuid::Uuid::now_v7(),
                        household: uuid::Uuid::parse_str(&households[r % households.len()]).expect("hub ids"),
                        grid,
                        visitor: Author { user: u.id.clone(), role: Role::GridWorker, unit: String::new() },
                        at: chrono::Utc::now(),
                        kind: VisitKind::Routine,
                        notes: "负载".into(),
                    };
                    let mut doc = gridline_records::new_doc(&actor);
                    gridline_records::visit::create(&mut doc, &v).expect("a visit document");
                    let heads = gridline_records::heads_hex(&mut doc).split(',').map(str::to_owned).collect();
                    let req = SyncRequest {
                        v: PROTOCOL_VERSION,
                        cursor,
                        page: DEFAULT_PAGE,
                        want_total: false,
                        new_actor: None,
                        push: vec![PushDoc { id: v.id.to_string(), changes: doc.save(), heads }],
                        sync: vec![],
                        am_sync: false,
                    };
                    let t = Clock::now();
                    let resp = http.post(&url).bearer_auth(&token).header("content-type", "application/cbor").body(gridline_sync::encode(&req)).send().await;
                    match resp {
                        Ok(r) if r.status().is_success() => {
                            let bytes = r.bytes().await.unwrap_or_default();
                            match gridline_sync::decode_response(&bytes) {
                                Ok(resp) if resp.acks.len() == 1 => cursor = resp.cursor,
                                _ => errors += 1,
                            }
                        }
                        _ => errors += 1,
                    }
                    lat.push(t.elapsed());
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
        println!(
            "{} devices × {} rounds of small pushes: {} requests in {:.1} s = {:.0} req/s; latency p50 {:.1} ms, p99 {:.1} ms; errors {errors}",
            load.len(),
            o.rounds,
            lat.len(),
            wall.as_secs_f64(),
            lat.len() as f64 / wall.as_secs_f64(),
            ms(percentile(&mut lat, 50)),
            ms(percentile(&mut lat, 99)),
        );
        println!("hub RSS: {rss_before:.0} MB before the load, {:.0} MB after (target < 300 MB)", rss_mb(pid));
        anyhow::Ok(())
    })?;
    Ok(())
}
