//! `gridline bench store`: the device store's speed on a demo grid, measured
//! the way a user meets it (open and list, search, log a visit, seed a street).

use std::path::Path;
use std::time::{Duration, Instant as Clock};

use gridline_device::HouseholdFilter;
use gridline_model::{GridId, Instant, Role, Scope, User};

use gridline_device::demo::{seed, Scale};
use gridline_device::mediation::CaseFilter;
use gridline_device::{Device, NewVisit, Unlock};

/// The cases a list screen asks for at once, as the app does.
pub const LIST_LIMIT: usize = 300;

use crate::Result;

/// Figures from one run; times are medians over the repetitions unless named.
#[derive(Debug, Clone)]
pub struct StoreBench {
    pub grid_documents: usize,
    pub grid_seed: Duration,
    pub open_and_list: Sample,
    pub households_listed: usize,
    pub search_query: String,
    pub search: Sample,
    pub search_hits: usize,
    pub log_visit: Sample,
    /// `None` when the street run was skipped.
    pub street_seed: Option<(usize, Duration)>,
    /// On the street-staff device holding the street: the mediation list
    /// (overdue first, as the app opens it), and the dashboard with its
    /// mediation and deliberation figures. `None` when the street run was skipped.
    pub street_views: Option<StreetViews>,
    /// Whether the stores were encrypted (SQLCipher, a random raw key).
    pub encrypted: bool,
    /// Bytes on disk (store, log) of the grid device after its visits.
    pub grid_bytes: u64,
    /// Bytes on disk of the street device after its seed.
    pub street_bytes: Option<u64>,
}

/// How the benchmark's stores are keyed: a random raw key, as from a key
/// store (no PIN derivation), or not encrypted at all.
fn unlock(encrypted: bool) -> Unlock {
    if !encrypted {
        return Unlock::Unencrypted;
    }
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    Unlock::Key(gridline_store::StoreKey::from_bytes(key))
}

/// A device directory's bytes on disk: its store file and log.
fn bytes_on_disk(dir: &Path) -> u64 {
    ["device.db", "device.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

/// The book written as .xlsx bytes, as an export does (the bytes are
/// dropped: writing the file is the disk's time, not the export's).
fn xlsx(book: &gridline_device::office::export::Book) -> Result<usize> {
    book.xlsx().map(|b| b.len()).map_err(|e| {
        gridline_model::Invalid::new(
            "xlsx",
            gridline_model::text!("无法生成 xlsx：{e}", "could not write the xlsx: {e}"),
            gridline_model::text!("这是程序错误，请报告", "this is a bug; please report it"),
        )
        .into()
    })
}

/// What a street-staff device opens most, on a whole demo street.
#[derive(Debug, Clone)]
pub struct StreetViews {
    pub cases_held: usize,
    pub cases_listed: usize,
    pub mediation_list: Sample,
    /// The dashboard with its mediation and deliberation figures, as the
    /// app opens it.
    pub dashboard: Sample,
    /// Of which the mediation figures alone.
    pub mediation_figures: Sample,
    /// Of which the deliberation figures alone.
    pub deliberation_figures: Sample,
    /// Deliberation topics the device holds.
    pub topics_held: usize,
    /// The street's monthly report (figures and the .xlsx bytes), for the
    /// month before `now`.
    pub monthly_report: Sample,
    /// Issues the report counted as reported that month.
    pub monthly_reported: u64,
    /// That month's issue ledger (every issue reported in it, each step),
    /// built and written as .xlsx bytes.
    pub issue_ledger: Sample,
    pub ledger_issues: usize,
    /// Likely duplicate households over the street (疑似重复户), and the
    /// pairs found.
    pub duplicates: Sample,
    pub duplicate_pairs: usize,
}

/// Median and worst of a set of timings.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub runs: usize,
    pub median: Duration,
    pub p95: Duration,
    pub max: Duration,
}

fn sample(mut xs: Vec<Duration>) -> Sample {
    xs.sort();
    let n = xs.len();
    Sample {
        runs: n,
        median: xs[n / 2],
        p95: xs[(n * 95 / 100).min(n - 1)],
        max: xs[n - 1],
    }
}

/// Runs the benchmark in a scratch directory under `base`, removed
/// afterwards (it can be ~1 GB after a street seed).
pub fn run(base: &Path, with_street: bool, encrypted: bool, now: Instant) -> Result<StoreBench> {
    let dir = base.join(format!("gridline-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result =
        run_in(&dir, with_street, &unlock(encrypted), now).map(|b| StoreBench { encrypted, ..b });
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Runs the benchmark in `dir` (which should be empty; it is filled).
fn run_in(dir: &Path, with_street: bool, unlock: &Unlock, now: Instant) -> Result<StoreBench> {
    const GRID: &str = "522701001001001";
    let grid_dir = dir.join("grid");
    let user = User {
        id: "gw-bench".into(),
        name: "基准".into(),
        role: Role::GridWorker,
        scope: Scope::Grids(vec![GridId::parse(GRID)?]),
    };
    let mut d = Device::init_with(&grid_dir, user, unlock)?;
    let t = Clock::now();
    let stats = seed(&mut d, Scale::Grid, 1, now)?;
    let grid_seed = t.elapsed();
    let first_name = d
        .households(&HouseholdFilter {
            limit: Some(1),
            ..Default::default()
        })?
        .remove(0)
        .head_name;
    drop(d);

    let filter = HouseholdFilter {
        grid: Some(GridId::parse(GRID)?),
        ..Default::default()
    };
    let mut opens = Vec::new();
    let mut listed = 0;
    for _ in 0..30 {
        let t = Clock::now();
        let d = Device::open_with(&grid_dir, unlock)?;
        listed = d.households(&filter)?.len();
        opens.push(t.elapsed());
    }

    let d = Device::open_with(&grid_dir, unlock)?;
    let query: String = gridline_store::pinyin_keys::name_keys(&first_name)
        .into_iter()
        .find(|k| k.len() <= 3)
        .unwrap_or_else(|| "zs".into());
    let mut searches = Vec::new();
    let mut hits = 0;
    for _ in 0..200 {
        let t = Clock::now();
        hits = d.search(&query, 50)?.len();
        searches.push(t.elapsed());
    }
    drop(d);

    let mut d = Device::open_with(&grid_dir, unlock)?;
    let household = d
        .households(&HouseholdFilter {
            limit: Some(1),
            ..Default::default()
        })?
        .remove(0)
        .id;
    let mut visits = Vec::new();
    for i in 0..100 {
        let v = NewVisit {
            household: household.to_string(),
            notes: format!("基准走访 {i}"),
            ..Default::default()
        };
        let t = Clock::now();
        d.log_visit(&v, now)?;
        visits.push(t.elapsed());
    }
    drop(d);

    let grid_bytes = bytes_on_disk(&grid_dir);
    let mut street_bytes = None;
    let (street_seed, street_views) = if with_street {
        let user = User {
            id: "ss-bench".into(),
            name: "基准".into(),
            role: Role::StreetStaff,
            scope: Scope::Street("522701001".into()),
        };
        let mut s = Device::init_with(&dir.join("street"), user, unlock)?;
        let t = Clock::now();
        let stats = seed(&mut s, Scale::Street, 1, now)?;
        let seeded = (stats.documents(), t.elapsed());
        drop(s);
        street_bytes = Some(bytes_on_disk(&dir.join("street")));
        let s = Device::open_with(&dir.join("street"), unlock)?;
        let list = CaseFilter {
            overdue_first: true,
            limit: Some(LIST_LIMIT),
            ..Default::default()
        };
        let (mut lists, mut dashboards, mut figures) = (Vec::new(), Vec::new(), Vec::new());
        let mut topic_figures = Vec::new();
        let mut listed = 0;
        for _ in 0..30 {
            let t = Clock::now();
            listed = s.cases(&list, now)?.len();
            lists.push(t.elapsed());
            let t = Clock::now();
            s.dashboard(now)?;
            let f = Clock::now();
            s.mediation_figures(now)?;
            figures.push(f.elapsed());
            let f = Clock::now();
            s.deliberation_figures(now)?;
            topic_figures.push(f.elapsed());
            dashboards.push(t.elapsed());
        }
        let held = s.mediation_figures(now)?.cases;
        let topics_held = s.deliberation_figures(now)?.raised;
        // Last month in Beijing time, as the export panel offers first.
        let (y, m) = {
            use chrono::Datelike;
            let local = now.with_timezone(&gridline_model::beijing()).date_naive();
            let last = local
                .with_day(1)
                .and_then(|d| d.pred_opt())
                .unwrap_or(local);
            (last.year(), last.month())
        };
        let period = gridline_model::monthly::Period::month(y, m).expect("a real month");
        let scope = gridline_device::ExportScope::default();
        let (mut reports, mut ledgers) = (Vec::new(), Vec::new());
        let (mut reported, mut ledger_issues) = (0, 0);
        for _ in 0..5 {
            let t = Clock::now();
            let (f, book) = s.monthly_report(&scope, y, m)?;
            xlsx(&book)?;
            reports.push(t.elapsed());
            reported = f.total.reported;
        }
        for _ in 0..3 {
            let t = Clock::now();
            let book = s.export_issue_ledger(&scope, Some(period.start), Some(period.end), now)?;
            xlsx(&book)?;
            ledgers.push(t.elapsed());
            ledger_issues = book.sheets[0].rows.len();
        }
        let (mut dups, mut duplicate_pairs) = (Vec::new(), 0);
        for _ in 0..3 {
            let t = Clock::now();
            duplicate_pairs = s.duplicate_households()?.len();
            dups.push(t.elapsed());
        }
        (
            Some(seeded),
            Some(StreetViews {
                cases_held: held,
                cases_listed: listed,
                mediation_list: sample(lists),
                dashboard: sample(dashboards),
                mediation_figures: sample(figures),
                deliberation_figures: sample(topic_figures),
                topics_held,
                monthly_report: sample(reports),
                monthly_reported: reported,
                issue_ledger: sample(ledgers),
                ledger_issues,
                duplicates: sample(dups),
                duplicate_pairs,
            }),
        )
    } else {
        (None, None)
    };

    Ok(StoreBench {
        grid_documents: stats.documents(),
        grid_seed,
        open_and_list: sample(opens),
        households_listed: listed,
        search_query: query,
        search: sample(searches),
        search_hits: hits,
        log_visit: sample(visits),
        street_seed,
        street_views,
        encrypted: true,
        grid_bytes,
        street_bytes,
    })
}
