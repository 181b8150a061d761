//! `gridline bench peer`: Gridline's sync and automerge-repo 2.5 (JS), side
//! by side, on the same N household documents and the same four steps:
//!
//! - (a) push: device A creates N households, then syncs them to the hub;
//! - (b) first sync: a second enrolled device B syncs for the first time;
//! - (c) nothing changed: B syncs again;
//! - (d) 10 edits on A, then A syncs.
//!
//! Gridline's side runs here: a hub served as its own process on loopback
//! (as in `bench sync`) and two devices in this process. The peer's side is
//! `bench/peer/peer.mjs` under Node, which prints one JSON line.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant as Clock;

use gridline_device::sync::{enroll, sync, SyncReport};
use gridline_device::{Device, HouseholdEdit, NewHousehold, NewResident};
use gridline_hub::Hub;

use crate::bench_sync::serve;
use gridline_model::{Instant, Role, Scope, User};

/// One measured step of Gridline's side.
struct Step {
    seconds: f64,
    report: SyncReport,
}

/// Gridline's figures, in the peer's JSON shape where they compare.
struct Figures {
    create_s: f64,
    push: Step,
    first: Step,
    unchanged: Step,
    edits: Step,
    hub_documents: u64,
    household_bytes: usize,
    private_bytes: usize,
}

pub fn run(base: &Path, n: usize, now: Instant) -> anyhow::Result<()> {
    anyhow::ensure!(n >= 1, "N must be at least 1");
    let dir = base.join(format!("gridline-bench-peer-{}", std::process::id()));
    let result = gridline_side(&dir, n, now);
    let _ = std::fs::remove_dir_all(&dir);
    let g = result?;
    println!(
        "gridline: {n} households → the hub holds {} documents ({n} households + {} household-private parts, which a grid worker's device creates with every household); saved sizes {} B + {} B",
        g.hub_documents,
        g.hub_documents.saturating_sub(n as u64),
        g.household_bytes,
        g.private_bytes,
    );
    let peer = run_peer(n)?;
    print_table(n, &g, peer.as_ref());
    Ok(())
}

fn household(i: usize, grid: &str) -> NewHousehold {
    NewHousehold {
        grid: grid.to_owned(),
        compound: "幸福小区".into(),
        building: format!("{}栋", 1 + i % 20),
        unit: format!("{}单元", 1 + i % 4),
        room: format!("{}", 100 + i % 30),
        phone: Some(format!("1390000{i:04}")),
        tags: vec![if i.is_multiple_of(2) {
            "独居老人"
        } else {
            "出租屋"
        }
        .into()],
        head: NewResident {
            name: "张伟".into(),
            gender: Some("男".into()),
            birth_date: Some(format!("19{}-01-10", 50 + i % 45)),
            phone: Some(format!("1380000{i:04}")),
            tags: if i.is_multiple_of(3) {
                vec!["党员".into()]
            } else {
                vec![]
            },
            ..Default::default()
        },
        notes: format!("第{i}户，基准数据"),
    }
}

fn resident(i: usize, r: usize) -> NewResident {
    NewResident {
        name: ["张伟", "李娜", "王芳"][r].into(),
        relation: Some(["户主", "配偶", "子女"][r].into()),
        gender: Some(if r == 1 { "女" } else { "男" }.into()),
        birth_date: Some(format!("19{}-0{}-1{r}", 50 + i % 45, 1 + r % 9)),
        phone: Some(format!("1380000{i:04}")),
        ..Default::default()
    }
}

fn gridline_side(dir: &Path, n: usize, now: Instant) -> anyhow::Result<Figures> {
    let street = "522701001";
    let grid = format!("{street}001001");
    let hub_dir = dir.join("hub");
    let hub = Hub::init(&hub_dir, street, "基准街道")?;
    let worker = |id: &str| -> anyhow::Result<User> {
        Ok(User {
            id: id.into(),
            name: "基准".into(),
            role: Role::GridWorker,
            scope: Scope::parse(&format!("grids:{grid}"))?,
        })
    };
    let (user_a, user_b) = (worker("gw-peer-a")?, worker("gw-peer-b")?);
    let code_a = hub.enrol_code(&user_a, "bench", now)?;
    let code_b = hub.enrol_code(&user_b, "bench", now)?;
    anyhow::ensure!(
        hub.counter()? == 0,
        "a new hub already holds documents; the comparison needs an empty one"
    );
    drop(hub);

    let hub = serve(&hub_dir)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let timed = |t: Clock, report: SyncReport| Step {
            seconds: t.elapsed().as_secs_f64(),
            report,
        };
        // Enrol first: records a device makes before enrolling never sync.
        let mut a = Device::init(&dir.join("device-a"), user_a.clone())?;
        enroll(&mut a, &hub.url, &code_a, None).await?;
        let mut b = Device::init(&dir.join("device-b"), user_b.clone())?;
        enroll(&mut b, &hub.url, &code_b, None).await?;

        // (a) create N households of 2–3 residents, then one sync.
        let t = Clock::now();
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            let id = a.add_household(&household(i, &grid), now)?.to_string();
            for r in 1..2 + i % 2 {
                a.edit_household(
                    &id,
                    &HouseholdEdit {
                        add_resident: Some(resident(i, r)),
                        ..Default::default()
                    },
                    now,
                )?;
            }
            ids.push(id);
        }
        let create_s = t.elapsed().as_secs_f64();
        let s = Clock::now();
        let report = sync(&mut a, |_| {}).await?;
        let sync_s = s.elapsed().as_secs_f64();
        anyhow::ensure!(
            report.refused.is_empty() && report.acknowledged >= n,
            "push: {} acknowledged, refusals {:?}",
            report.acknowledged,
            report.refused
        );
        let push = Step {
            seconds: create_s + sync_s,
            report,
        };

        // (b) B's first sync.
        let t = Clock::now();
        let first = timed(t, sync(&mut b, |_| {}).await?);
        anyhow::ensure!(
            first.report.pulled >= n,
            "first sync pulled only {} documents",
            first.report.pulled
        );
        for id in ids.iter().step_by((n / 20).max(1)) {
            anyhow::ensure!(
                b.export_doc(id)? == a.export_doc(id)?,
                "first sync: B's {id} differs from A's"
            );
        }

        // (c) B again, nothing changed.
        let t = Clock::now();
        let unchanged = timed(t, sync(&mut b, |_| {}).await?);
        anyhow::ensure!(
            unchanged.report.pulled == 0 && unchanged.report.pushed == 0,
            "nothing changed, yet {} pulled and {} pushed",
            unchanged.report.pulled,
            unchanged.report.pushed
        );

        // (d) 10 edits on A (time includes the edits, as the peer's does), then sync.
        let t = Clock::now();
        for (i, id) in ids.iter().take(10).enumerate() {
            a.edit_household(
                id,
                &HouseholdEdit {
                    notes: Some(format!("基准修改 {i}")),
                    ..Default::default()
                },
                now,
            )?;
        }
        let edits = timed(t, sync(&mut a, |_| {}).await?);
        anyhow::ensure!(
            edits.report.acknowledged == ids.len().min(10),
            "10 edits: {} acknowledged",
            edits.report.acknowledged
        );

        let health: serde_json::Value = serde_json::from_str(
            &reqwest::get(format!("{}/health", hub.url))
                .await?
                .text()
                .await?,
        )?;
        let hub_documents = health["documents"].as_u64().unwrap_or(0);
        let household_bytes = a.export_doc(&ids[0])?.len();
        let private_id = gridline_records::private::doc_id(uuid::Uuid::parse_str(&ids[0])?);
        let private_bytes = a
            .export_doc(&private_id.to_string())
            .map(|d| d.len())
            .unwrap_or(0);
        anyhow::Ok(Figures {
            create_s,
            push,
            first,
            unchanged,
            edits,
            hub_documents,
            household_bytes,
            private_bytes,
        })
    })
}

/// Runs `node bench/peer/peer.mjs N`; `None` (said why) when Node is missing.
fn run_peer(n: usize) -> anyhow::Result<Option<serde_json::Value>> {
    let peer_dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/peer");
    let script = peer_dir.join("peer.mjs");
    anyhow::ensure!(script.is_file(), "{} is missing", script.display());
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => {
            println!(
                "automerge-repo: node is not installed here, so only Gridline's figures follow"
            );
            return Ok(None);
        }
    }
    if !peer_dir.join("node_modules").is_dir() {
        println!("automerge-repo: installing bench/peer's packages (npm ci)…");
        let npm = |args: &[&str], quiet: bool| {
            Command::new("npm")
                .args(args)
                .current_dir(&peer_dir)
                .stderr(if quiet {
                    Stdio::null()
                } else {
                    Stdio::inherit()
                })
                .status()
                .map_err(|e| anyhow::anyhow!("npm: {e}"))
        };
        // A registry mirror without cbor-extract's optional platform packages
        // leaves them out of the lock file, and `npm ci` then refuses the lock;
        // `npm install` still installs exactly the locked versions.
        if !npm(&["ci", "--no-audit", "--no-fund"], true)?.success() {
            println!("automerge-repo: npm ci refused the lock file; trying npm install…");
            let status = npm(&["install", "--no-audit", "--no-fund"], false)?;
            anyhow::ensure!(
                status.success(),
                "npm install in {} failed",
                peer_dir.display()
            );
        }
    }
    println!("automerge-repo: node peer.mjs {n} (sync server in its own process)…");
    let out = Command::new("node")
        .arg(&script)
        .arg(n.to_string())
        .current_dir(&peer_dir)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "the peer failed ({}); see its message above",
        out.status
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| anyhow::anyhow!("the peer printed no JSON line: {stdout}"))?;
    Ok(Some(serde_json::from_str(line)?))
}

fn print_table(n: usize, g: &Figures, peer: Option<&serde_json::Value>) {
    let p = |path: &[&str]| -> Option<f64> {
        let mut v = peer?;
        for k in path {
            v = v.get(*k)?;
        }
        v.as_f64()
    };
    let secs = |x: f64| {
        if x < 1.0 {
            format!("{:.1} ms", x * 1e3)
        } else {
            format!("{x:.2} s")
        }
    };
    let kb = |x: f64| format!("{:.1} KB", x / 1e3);
    let count = |x: f64| format!("{x:.0}");
    let bytes = |r: &SyncReport| (r.bytes_sent + r.bytes_received) as f64;
    let peer_bytes = |step: &str| {
        Some(p(&["bytes", step, "bytes_sent"])? + p(&["bytes", step, "bytes_received"])?)
    };
    let peer_msgs = |step: &str| {
        Some(p(&["bytes", step, "messages_sent"])? + p(&["bytes", step, "messages_received"])?)
    };
    type Fmt<'a> = &'a dyn Fn(f64) -> String;
    let rows: Vec<(String, f64, Option<f64>, Fmt)> = vec![
        (
            format!("create {n} households"),
            g.create_s,
            p(&["create_s"]),
            &secs,
        ),
        (
            format!("(a) push {n} (create + sync)"),
            g.push.seconds,
            p(&["push_s"]),
            &secs,
        ),
        (
            "(a) bytes, both ways".into(),
            bytes(&g.push.report),
            peer_bytes("push"),
            &kb,
        ),
        (
            "(a) messages (HTTP: 2 a round trip)".into(),
            2.0 * g.push.report.round_trips as f64,
            peer_msgs("push"),
            &count,
        ),
        (
            "(b) first sync".into(),
            g.first.seconds,
            p(&["first_sync_s"]),
            &secs,
        ),
        (
            "(b) bytes, both ways".into(),
            bytes(&g.first.report),
            peer_bytes("first_sync"),
            &kb,
        ),
        (
            "(b) messages (HTTP: 2 a round trip)".into(),
            2.0 * g.first.report.round_trips as f64,
            peer_msgs("first_sync"),
            &count,
        ),
        (
            "(c) nothing changed".into(),
            g.unchanged.seconds,
            p(&["nothing_changed_s"]),
            &secs,
        ),
        (
            "(c) … until traffic stops".into(),
            g.unchanged.seconds,
            p(&["settled_s", "nothing_changed"]),
            &secs,
        ),
        (
            "(c) bytes, both ways".into(),
            bytes(&g.unchanged.report),
            peer_bytes("nothing_changed"),
            &kb,
        ),
        (
            "(c) messages (HTTP: 2 a round trip)".into(),
            2.0 * g.unchanged.report.round_trips as f64,
            peer_msgs("nothing_changed"),
            &count,
        ),
        (
            "(d) 10 edits (edit + sync)".into(),
            g.edits.seconds,
            p(&["edits10_s"]),
            &secs,
        ),
        (
            "(d) bytes, both ways".into(),
            bytes(&g.edits.report),
            peer_bytes("edits10"),
            &kb,
        ),
        (
            "(d) messages (HTTP: 2 a round trip)".into(),
            2.0 * g.edits.report.round_trips as f64,
            peer_msgs("edits10"),
            &count,
        ),
        (
            "saved household document".into(),
            g.household_bytes as f64,
            p(&["doc_bytes"]),
            &|x| format!("{x:.0} B"),
        ),
    ];
    println!();
    println!(
        "{:<34} {:>12} {:>15} {:>8}",
        "measurement", "gridline", "automerge-repo", "ratio"
    );
    println!("{}", "-".repeat(72));
    for (name, ours, theirs, fmt) in rows {
        let ratio = match theirs {
            Some(t) if ours > 0.0 => format!("{:.1}×", t / ours),
            _ => "—".into(),
        };
        println!(
            "{:<34} {:>12} {:>15} {:>8}",
            name,
            fmt(ours),
            theirs.map(fmt).unwrap_or_else(|| "—".into()),
            ratio
        );
    }
    println!(
        "ratio = automerge-repo ÷ gridline. Gridline's documents: {n} households + {} private parts (pulled in (b): {}). Gridline's bytes are CBOR bodies without HTTP headers; the peer's are websocket payloads without frame headers. Gridline's (a) sync alone: {}.",
        g.hub_documents.saturating_sub(n as u64),
        g.first.report.pulled,
        secs(g.push.seconds - g.create_s),
    );
}
