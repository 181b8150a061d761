//! `gridline bench peer`: Gridline's sync and automerge-repo 2.5 (JS), side
//! by side, on the same N household documents and the same four steps:
//!
//! - (a) push: device A creates N households, then syncs them to the hub;
//! - (b) first sync: a second enrolled device B syncs for the first time;
//! - (c) nothing changed: B syncs again;
//! - (d) 10 edits on A, then A syncs.
//!
//! Gridline's side ([`gridline`]) runs here: a hub served as its own process
//! on loopback (as in `bench sync`) and two devices in this process. The
//! peer's side ([`automerge_repo`]) is `bench/peer/peer.mjs` under Node,
//! which prints one JSON line.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant as Clock;

use gridline_device::sync::{enroll, sync, SyncReport};
use gridline_device::{Device, HouseholdEdit, NewHousehold, NewResident};
use gridline_hub::Hub;
use gridline_model::{Instant, Role, Scope, User};

use crate::{check, Error, HubProcess, Result};

pub struct Options {
    /// Household documents.
    pub n: usize,
    /// The `gridline` binary that serves the hub.
    pub gridline: PathBuf,
}

/// One measured step of Gridline's side.
#[derive(Debug, Clone)]
pub struct Step {
    pub seconds: f64,
    pub report: SyncReport,
}

/// Gridline's figures, in the peer's JSON shape where they compare.
#[derive(Debug, Clone)]
pub struct Figures {
    pub create_s: f64,
    pub push: Step,
    pub first: Step,
    pub unchanged: Step,
    pub edits: Step,
    pub hub_documents: u64,
    pub household_bytes: usize,
    pub private_bytes: usize,
}

/// What running the peer is doing, for the caller to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// `node` is not installed: only Gridline's figures follow.
    NodeMissing,
    /// `npm ci` in `bench/peer` first.
    Installing,
    /// `npm ci` refused the lock file; `npm install` next.
    NpmCiRefused,
    /// `node peer.mjs N` is running.
    Running,
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
        // The peer creates each household with its residents in one
        // document write; so does Gridline, in one durable transaction.
        members: (1..2 + i % 2).map(|r| resident(i, r)).collect(),
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

/// Gridline's side in a scratch directory under `base` (removed after): a
/// hub process and two devices, the four steps on `n` households.
pub fn gridline(base: &Path, o: &Options, now: Instant) -> Result<Figures> {
    let dir = base.join(format!("gridline-bench-peer-{}", std::process::id()));
    let result = gridline_in(&dir, o.n, &o.gridline, now);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn gridline_in(dir: &Path, n: usize, gridline: &Path, now: Instant) -> Result<Figures> {
    check(n >= 1, || "N must be at least 1".into())?;
    let street = "522701001";
    let grid = format!("{street}001001");
    let hub_dir = dir.join("hub");
    let hub = Hub::init(&hub_dir, street, "基准街道")?;
    let worker = |id: &str| -> Result<User> {
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
    check(hub.counter()? == 0, || {
        "a new hub already holds documents; the comparison needs an empty one".into()
    })?;
    drop(hub);

    let hub = HubProcess::start(gridline, &hub_dir)?;
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
            ids.push(a.add_household(&household(i, &grid), now)?.to_string());
        }
        let create_s = t.elapsed().as_secs_f64();
        let s = Clock::now();
        let report = sync(&mut a, |_| {}).await?;
        let sync_s = s.elapsed().as_secs_f64();
        check(
            report.refused.is_empty() && report.acknowledged >= n,
            || {
                format!(
                    "push: {} acknowledged, refusals {:?}",
                    report.acknowledged, report.refused
                )
            },
        )?;
        let push = Step {
            seconds: create_s + sync_s,
            report,
        };

        // (b) B's first sync.
        let t = Clock::now();
        let first = timed(t, sync(&mut b, |_| {}).await?);
        check(first.report.pulled >= n, || {
            format!("first sync pulled only {} documents", first.report.pulled)
        })?;
        for id in ids.iter().step_by((n / 20).max(1)) {
            check(b.export_doc(id)? == a.export_doc(id)?, || {
                format!("first sync: B's {id} differs from A's")
            })?;
        }

        // (c) B again, nothing changed.
        let t = Clock::now();
        let unchanged = timed(t, sync(&mut b, |_| {}).await?);
        check(
            unchanged.report.pulled == 0 && unchanged.report.pushed == 0,
            || {
                format!(
                    "nothing changed, yet {} pulled and {} pushed",
                    unchanged.report.pulled, unchanged.report.pushed
                )
            },
        )?;

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
        check(edits.report.acknowledged == ids.len().min(10), || {
            format!("10 edits: {} acknowledged", edits.report.acknowledged)
        })?;

        let health: serde_json::Value = serde_json::from_str(
            &reqwest::get(format!("{}/health", hub.url))
                .await?
                .text()
                .await?,
        )?;
        let hub_documents = health["documents"].as_u64().unwrap_or(0);
        let household_bytes = a.export_doc(&ids[0])?.len();
        let private_id = gridline_records::private::doc_id(
            uuid::Uuid::parse_str(&ids[0])
                .map_err(|e| Error::Check(format!("household id {}: {e}", ids[0])))?,
        );
        let private_bytes = a
            .export_doc(&private_id.to_string())
            .map(|d| d.len())
            .unwrap_or(0);
        Ok(Figures {
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

/// Runs `node bench/peer/peer.mjs N` and returns the JSON line it prints;
/// `None` when Node is missing. `note` hears what it is doing.
pub fn automerge_repo(n: usize, mut note: impl FnMut(Note)) -> Result<Option<serde_json::Value>> {
    let peer_dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/peer");
    let script = peer_dir.join("peer.mjs");
    if !script.is_file() {
        return Err(Error::peer(format_args!("{} is missing", script.display())));
    }
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => {
            note(Note::NodeMissing);
            return Ok(None);
        }
    }
    if !peer_dir.join("node_modules").is_dir() {
        note(Note::Installing);
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
                .map_err(|e| Error::peer(format_args!("npm: {e}")))
        };
        // A registry mirror without cbor-extract's optional platform packages
        // leaves them out of the lock file, and `npm ci` then refuses the lock;
        // `npm install` still installs exactly the locked versions.
        if !npm(&["ci", "--no-audit", "--no-fund"], true)?.success() {
            note(Note::NpmCiRefused);
            let status = npm(&["install", "--no-audit", "--no-fund"], false)?;
            if !status.success() {
                return Err(Error::peer(format_args!(
                    "npm install in {} failed",
                    peer_dir.display()
                )));
            }
        }
    }
    note(Note::Running);
    let out = Command::new("node")
        .arg(&script)
        .arg(n.to_string())
        .current_dir(&peer_dir)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(Error::peer(format_args!(
            "the peer failed ({}); see its message above",
            out.status
        )));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| Error::peer(format_args!("the peer printed no JSON line: {stdout}")))?;
    Ok(Some(serde_json::from_str(line)?))
}
