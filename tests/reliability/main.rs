//! Reliability (issue 5, first slice): the real `gridline` binary SIGKILLed
//! during local saves and during sync, the hub process SIGKILLed during
//! batches, and a fault-injecting TCP proxy between devices and hub. Each test
//! is bounded by an iteration count and by wall time, prints its figures, and
//! asserts that nothing was lost or duplicated and that everyone converges.
//!
//! The process tests need the CLI binary: `cargo build -p gridline-cli` first.
//! `GRIDLINE_RELIABILITY_SEED=N` replays a random schedule (kill timing still
//! depends on the machine).

mod device_crash;
mod encryption;
mod hub_crash;
mod net_faults;
mod photos;
mod proxy;
mod refusal_crash;
mod reveals;
mod two_writers;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant as Clock};

use gridline_device::Device;
use gridline_hub::Hub;
use gridline_model::{Instant, Role};

/// The grid every device here works in (平桥第1网格 of the sample import).
pub const GRID: &str = "522701001001001";

pub fn now() -> Instant {
    chrono::Utc::now()
}

/// The `gridline` binary built beside this test (the test runs from
/// `<target>/<profile>/deps/`, the binary is `<target>/<profile>/gridline`).
/// `cargo test --workspace` builds it (the CLI's own tests need it); a test
/// run alone fails loudly when it is missing: a test must not build it behind
/// the caller's back (cargo's lock is held while tests run).
pub fn gridline_bin() -> PathBuf {
    let name = format!("gridline{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join(&name)));
    let fallback = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("debug")
        .join(&name);
    let bin = beside.filter(|b| b.exists()).unwrap_or(fallback);
    assert!(
        bin.exists(),
        "\n\n*** the reliability tests drive the real CLI binary, and {} does not exist.\n\
         *** Build it first:  cargo build -p gridline-cli\n\n",
        bin.display()
    );
    bin
}

/// A small deterministic random source (SplitMix64): schedules replay from a seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The seed for this run: `GRIDLINE_RELIABILITY_SEED`, or the clock (printed,
/// so a failing schedule can be replayed).
pub fn seed(test: &str) -> u64 {
    let seed = std::env::var("GRIDLINE_RELIABILITY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("[{test}] seed {seed} (GRIDLINE_RELIABILITY_SEED={seed} replays it)");
    seed
}

/// A wall-time budget and an iteration count: a loop stops at whichever comes first.
pub struct Budget {
    started: Clock,
    limit: Duration,
    max: usize,
    pub done: usize,
}

impl Budget {
    pub fn new(max: usize, limit: Duration) -> Budget {
        Budget {
            started: Clock::now(),
            limit,
            max,
            done: 0,
        }
    }
    /// Whether another iteration may start; counts it.
    pub fn tick(&mut self) -> bool {
        if self.done >= self.max || self.started.elapsed() >= self.limit {
            return false;
        }
        self.done += 1;
        true
    }
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// A child process killed (SIGKILL) when dropped, so a failing test leaves
/// nothing running.
pub struct Proc(pub Option<Child>);

impl Proc {
    pub fn spawn(cmd: &mut Command) -> Proc {
        Proc(Some(cmd.spawn().expect("spawn gridline")))
    }
    pub fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("running")
    }
    /// SIGKILL (std's `Child::kill` on Unix) and reap; whether the signal
    /// ended it (false: it had already exited by itself).
    pub fn kill(&mut self) -> std::process::Output {
        let mut child = self.0.take().expect("running");
        let _ = child.kill();
        child.wait_with_output().expect("reap")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Whether the running process `pid` has `file` open (Linux, `/proc/PID/fd`):
/// read just before a kill, it says the process had got as far as opening it.
pub fn holds_open(pid: u32, file: &Path) -> bool {
    let Ok(file) = file.canonicalize() else {
        return false;
    };
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|p| p == file))
}

/// Whether a process ended by SIGKILL.
pub fn was_killed(status: &std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(9)
}

/// `gridline --data DIR --json ARGS…`, quiet on stderr.
pub fn cli(data: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(gridline_bin());
    c.arg("--data")
        .arg(data)
        .arg("--json")
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c
}

/// A hub with the sample spreadsheet imported (24 households in 12 grids).
pub fn new_hub(dir: &Path) -> Hub {
    gridline_test_support::sample_hub_in(dir, now())
}

/// A new grid worker device for `GRID`, enrolled with `hub` in process and
/// told to sync with `hub_url`; returns its data directory.
pub fn enrolled_device(hub: &Hub, id: &str, hub_url: &str) -> (tempfile::TempDir, Device) {
    let user = gridline_test_support::user(id, Role::GridWorker, &format!("grids:{GRID}"));
    let (dir, d, _token) = gridline_test_support::enrolled(hub, user, hub_url, now());
    (dir, d)
}

/// A free port on loopback (bound then released; the hub binds it next).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Heads as a set of hashes, whatever order the string lists them in.
pub fn head_set(heads: &str) -> BTreeSet<String> {
    heads
        .split(',')
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every synced-able (non-demo) document on a device: id → heads.
pub fn device_heads(db: &rusqlite::Connection) -> BTreeMap<String, BTreeSet<String>> {
    let mut st = db
        .prepare("SELECT id, heads FROM documents WHERE demo = 0")
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap();
    rows.map(|r| {
        let (id, h) = r.unwrap();
        (id, head_set(&h))
    })
    .collect()
}

/// The hub's documents in `GRID`: id → heads, read from its file directly.
pub fn hub_heads(hub_dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let db = hub_db(hub_dir);
    let mut st = db
        .prepare("SELECT id, heads FROM documents WHERE grid = ?1")
        .unwrap();
    let rows = st
        .query_map([GRID], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .unwrap();
    rows.map(|r| {
        let (id, h) = r.unwrap();
        (id, head_set(&h))
    })
    .collect()
}

pub fn hub_db(hub_dir: &Path) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(hub_dir.join(gridline_hub::STORE_FILE)).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    db
}

/// A raw connection to a device's store, keyed with the tests' key
/// (`GRIDLINE_TEST_KEY`, set for every test in .cargo/config.toml).
pub fn device_db(dir: &Path) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(dir.join("device.db")).unwrap();
    let key = std::env::var(gridline_device::keys::TEST_KEY_ENV)
        .expect("tests run with GRIDLINE_TEST_KEY");
    gridline_store::cipher::apply(&db, &gridline_store::StoreKey::from_hex(&key).unwrap()).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    db
}

pub fn integrity(db: &rusqlite::Connection) -> String {
    db.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// Ids of the visit documents a store holds, with how many rows each has.
pub fn visit_ids(db: &rusqlite::Connection) -> Vec<String> {
    let mut st = db
        .prepare("SELECT id FROM documents WHERE kind = 'visit' ORDER BY id")
        .unwrap();
    let ids = st
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    ids
}

/// Documents a device still has to send.
pub fn unsent(db: &rusqlite::Connection) -> i64 {
    db.query_row(
        "SELECT count(*) FROM documents WHERE demo = 0 AND sync_state != 'synced'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// Asserts a device holds exactly the hub's documents of its grid, at the
/// same heads, and has nothing left to send.
pub fn assert_converged(what: &str, device_dir: &Path, hub_dir: &Path) {
    let db = device_db(device_dir);
    assert_eq!(integrity(&db), "ok", "{what}: device store integrity");
    assert_eq!(
        unsent(&db),
        0,
        "{what}: the device has nothing left to send"
    );
    let dev = device_heads(&db);
    let hub = hub_heads(hub_dir);
    let only_dev: Vec<_> = dev.keys().filter(|k| !hub.contains_key(*k)).collect();
    let only_hub: Vec<_> = hub.keys().filter(|k| !dev.contains_key(*k)).collect();
    assert!(
        only_dev.is_empty() && only_hub.is_empty(),
        "{what}: same documents on device and hub; only on the device: {only_dev:?}, only on the hub: {only_hub:?}"
    );
    let differ: Vec<_> = dev.iter().filter(|(k, h)| hub[*k] != **h).collect();
    assert!(
        differ.is_empty(),
        "{what}: same heads for every document; differing: {differ:?}"
    );
}

pub use gridline_test_support::{listen, runtime, serve};

/// One whole sync over HTTP, bounded: a sync that hangs is a failure.
pub fn sync_http(
    rt: &tokio::runtime::Runtime,
    d: &mut Device,
) -> gridline_device::Result<gridline_device::sync::SyncReport> {
    rt.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(60),
            gridline_device::sync::sync(d, |_| {}),
        )
        .await
        .expect("a sync must never hang (60 s)")
    })
}

/// Syncs a device in process until nothing is left (no HTTP).
pub fn sync_in_process(hub: &Hub, d: &mut Device) {
    let mut report = gridline_device::sync::SyncReport::default();
    // The token is the device's secret, never handed out: read it from its store.
    let token = gridline_device::open_store_for_checks(d.dir())
        .unwrap()
        .meta("token")
        .unwrap()
        .unwrap();
    for round in 0..100 {
        let req = d.sync_request(round == 0).unwrap();
        let resp = hub.sync(&token, &req, now()).unwrap();
        let more = resp.more;
        let pushed_all = req.push.len() < gridline_device::sync::PUSH_BATCH;
        d.apply_sync(&req, resp, now(), &mut report).unwrap();
        if !more && pushed_all && !d.has_more_to_say().unwrap() {
            return;
        }
    }
    panic!("sync did not finish in 100 round trips");
}

/// A visit time unique to `n`: minutes after 2026-01-01 00:00 UTC (in the past).
pub fn visit_at(n: usize) -> String {
    let t = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap()
        + chrono::Duration::minutes(n as i64);
    t.with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Households of `GRID` on a device.
pub fn grid_households(d: &Device) -> Vec<String> {
    d.households(&gridline_device::HouseholdFilter::default())
        .unwrap()
        .into_iter()
        .filter(|h| h.grid.as_str() == GRID)
        .map(|h| h.id.to_string())
        .collect()
}
