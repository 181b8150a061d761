//! `gridline bench store|sync|peer|soak|photos`: the arguments, and the figures
//! `gridline_bench` measures printed against the targets of the issues that
//! set them (docs/benchmarks.md quotes these lines).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use gridline_bench::{peer, photos, soak, sync, Sample};
use gridline_device::sync::SyncReport;
use gridline_model::text;
use serde_json::json;

use crate::output::print_json;
use crate::Ctx;

#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// 与 automerge-repo 2.5 对比（同一次运行，1000 个文档）(side by side with automerge-repo 2.5, same run, 1,000 documents)
    Peer(PeerArgs),
    /// 同步：街道枢纽（独立进程）与设备经回环地址同步 (sync: a hub process and devices over loopback)
    Sync(SyncArgs),
    /// 设备存储：打开并列出、拼音搜索、记录走访、生成街道数据 (device store: open+list, search, log a visit, seed a street)
    Store(StoreArgs),
    /// 浸泡：多台设备持续向一个枢纽（独立进程）推送小改动 (soak: many devices pushing small changes to one hub process for a bounded time)
    Soak(SoakArgs),
    /// 照片：重新编码、经回环上传到枢纽（独立进程）、有 10000 个照片引用时的空同步、带缩略图的首次同步 (photos: re-encoding, uploads to a hub process over loopback, a nothing-changed sync with 10,000 photo references, a first sync with thumbnails)
    Photos(PhotosArgs),
}

#[derive(Debug, Args)]
pub struct PhotosArgs {
    /// 1200 万像素照片重新编码的次数 (re-encodings of the 12 MP photo timed)
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// 上传的照片数 (photos uploaded)
    #[arg(long, default_value_t = 100)]
    photos: usize,
    /// 设备上的照片引用数 (photo references on the device for the nothing-changed sync)
    #[arg(long, default_value_t = 10_000)]
    refs: usize,
    /// 工作目录 (scratch directory; default: the system temp dir)
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct SoakArgs {
    /// 模拟设备数 (simulated devices)
    #[arg(long, default_value_t = 500)]
    devices: usize,
    /// 持续秒数 (seconds to run)
    #[arg(long, default_value_t = 150)]
    seconds: u64,
    /// 每台设备两次同步之间的间隔，毫秒 (pause between one device's round trips, ms; jittered ±50%)
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
    /// 预热秒数：此后内存不应增长 (warm-up seconds: RSS must not grow after this)
    #[arg(long, default_value_t = 30)]
    warmup: u64,
    /// 工作目录 (scratch directory; default: the system temp dir)
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct PeerArgs {
    /// 文档数 (documents)
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// 工作目录 (scratch directory; default: the system temp dir)
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// 枢纽只生成一个网格而不是整个街道 (seed the hub with one grid instead of a street: quick)
    #[arg(long)]
    grid_only: bool,
    /// 跳过街道工作人员设备对整个街道的首次同步（约 60 万文档）(skip the street-staff device's first sync of the whole street, ≈600,000 documents)
    #[arg(long)]
    skip_street_staff: bool,
    /// 并发设备数 (concurrent devices in the load phase)
    #[arg(long, default_value_t = 200)]
    devices: usize,
    /// 每台设备推送轮数 (pushes per device in the load phase)
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// 工作目录 (scratch directory; default: the system temp dir)
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct StoreArgs {
    /// 跳过街道规模生成（约 60 万文档）(skip the street-scale seed, ≈600,000 documents)
    #[arg(long)]
    skip_street: bool,
    /// 工作目录，默认为系统临时目录 (scratch directory; default: the system temp dir)
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
    /// 加密：both 先未加密后加密各跑一遍并对比，on 或 off 只跑一种 (encryption: both runs unencrypted then encrypted stores and compares them; on or off runs one)
    #[arg(long, value_enum, default_value = "both")]
    encryption: Encryption,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encryption {
    Both,
    On,
    Off,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn line(name: &str, s: &Sample, target_ms: f64) -> String {
    let verdict = if ms(s.median) <= target_ms {
        "ok"
    } else {
        "OVER TARGET"
    };
    format!(
        "{name:<34} median {:>8.3} ms  p95 {:>8.3} ms  max {:>8.3} ms  ({} runs; target ≤ {target_ms} ms: {verdict})",
        ms(s.median),
        ms(s.p95),
        ms(s.max),
        s.runs
    )
}

/// `ok`, or `OVER TARGET` when `seconds` is over `target`.
fn verdict(seconds: f64, target: f64) -> &'static str {
    if seconds <= target {
        "ok"
    } else {
        "OVER TARGET"
    }
}

/// The bench's error, with the device's and the hub's own errors as
/// themselves, so the exit code says what they mean (`classify`).
fn failed(e: gridline_bench::Error) -> anyhow::Error {
    match e {
        gridline_bench::Error::Device(e) => (*e).into(),
        gridline_bench::Error::Hub(e) => (*e).into(),
        gridline_bench::Error::Invalid(e) => (*e).into(),
        e => e.into(),
    }
}

/// This binary, which serves the benchmarks' hub (`gridline hub serve`).
fn gridline() -> anyhow::Result<PathBuf> {
    Ok(std::env::current_exe()?)
}

pub fn run(ctx: &Ctx, cmd: BenchCmd) -> anyhow::Result<()> {
    match cmd {
        BenchCmd::Store(a) => run_store(ctx, a),
        BenchCmd::Peer(a) => {
            let base = a.dir.unwrap_or_else(std::env::temp_dir);
            let o = peer::Options {
                n: a.n.clamp(10, 5000),
                gridline: gridline()?,
            };
            run_peer(&base, o, ctx)
        }
        BenchCmd::Soak(a) => {
            if cfg!(debug_assertions) {
                eprintln!(
                    "{}: {}",
                    text!("注意", "note"),
                    text!(
                        "这是调试构建，请用 `cargo run --release -p gridline-cli -- bench soak`",
                        "a debug build; use `cargo run --release -p gridline-cli -- bench soak`"
                    )
                );
            }
            let base = a.dir.unwrap_or_else(std::env::temp_dir);
            let o = soak::Options {
                devices: a.devices.clamp(1, 2000),
                seconds: a.seconds.clamp(5, 3600),
                interval: Duration::from_millis(a.interval_ms.clamp(10, 60_000)),
                warmup: a.warmup,
                gridline: gridline()?,
            };
            run_soak(&base, o, ctx)
        }
        BenchCmd::Photos(a) => {
            if cfg!(debug_assertions) {
                eprintln!(
                    "{}: {}",
                    text!("注意", "note"),
                    text!(
                        "这是调试构建，请用 `cargo run --release -p gridline-cli -- bench photos`",
                        "a debug build; use `cargo run --release -p gridline-cli -- bench photos`"
                    )
                );
            }
            let base = a.dir.unwrap_or_else(std::env::temp_dir);
            let o = photos::Options {
                runs: a.runs.clamp(1, 100),
                photos: a.photos.clamp(1, 1000),
                refs: a.refs.clamp(12, 50_000),
                gridline: gridline()?,
            };
            photos::run(&base, o, ctx.now, print_photos_figure).map_err(failed)
        }
        BenchCmd::Sync(a) => {
            let base = a.dir.unwrap_or_else(std::env::temp_dir);
            let o = sync::Options {
                street: !a.grid_only,
                street_staff: !a.skip_street_staff,
                devices: a.devices.clamp(1, 1000),
                rounds: a.rounds.clamp(1, 100),
                gridline: gridline()?,
            };
            sync::run(&base, o, ctx.now, print_sync_figure).map_err(failed)
        }
    }
}

fn run_store(ctx: &Ctx, a: StoreArgs) -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        eprintln!(
            "{}: {}",
            text!("注意", "note"),
            text!(
                "这是调试构建，数字会偏慢，请用 `cargo run --release -p gridline-cli -- bench store`",
                "a debug build, so the figures are slow; use `cargo run --release -p gridline-cli -- bench store`"
            )
        );
    }
    let base = a.dir.unwrap_or_else(std::env::temp_dir);
    let modes: &[bool] = match a.encryption {
        Encryption::Both => &[false, true],
        Encryption::On => &[true],
        Encryption::Off => &[false],
    };
    let mut runs = Vec::new();
    for &encrypted in modes {
        runs.push(
            gridline_bench::store::run(&base, !a.skip_street, encrypted, ctx.now)
                .map_err(failed)?,
        );
    }
    if ctx.json {
        print_json(&json!({
            "runs": runs.iter().map(store_json).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    for b in &runs {
        print_store(b);
        println!();
    }
    if let [plain, encrypted] = runs.as_slice() {
        print_store_comparison(plain, encrypted);
    }
    Ok(())
}

fn store_json(b: &gridline_bench::store::StoreBench) -> serde_json::Value {
    let s = |x: &Sample| json!({ "runs": x.runs, "median_ms": ms(x.median), "p95_ms": ms(x.p95), "max_ms": ms(x.max) });
    json!({
        "grid_documents": b.grid_documents,
        "grid_seed_s": b.grid_seed.as_secs_f64(),
        "open_and_list": s(&b.open_and_list),
        "households_listed": b.households_listed,
        "search_query": b.search_query,
        "search": s(&b.search),
        "search_hits": b.search_hits,
        "log_visit": s(&b.log_visit),
        "street_documents": b.street_seed.map(|x| x.0),
        "street_seed_s": b.street_seed.map(|x| x.1.as_secs_f64()),
        "street_cases_held": b.street_views.as_ref().map(|v| v.cases_held),
        "street_cases_listed": b.street_views.as_ref().map(|v| v.cases_listed),
        "street_mediation_list": b.street_views.as_ref().map(|v| s(&v.mediation_list)),
        "street_dashboard": b.street_views.as_ref().map(|v| s(&v.dashboard)),
        "street_mediation_figures": b.street_views.as_ref().map(|v| s(&v.mediation_figures)),
        "street_topics_held": b.street_views.as_ref().map(|v| v.topics_held),
        "street_deliberation_figures": b.street_views.as_ref().map(|v| s(&v.deliberation_figures)),
        "street_monthly_report": b.street_views.as_ref().map(|v| s(&v.monthly_report)),
        "street_monthly_reported": b.street_views.as_ref().map(|v| v.monthly_reported),
        "street_issue_ledger_month": b.street_views.as_ref().map(|v| s(&v.issue_ledger)),
        "street_duplicates": b.street_views.as_ref().map(|v| s(&v.duplicates)),
        "street_duplicate_pairs": b.street_views.as_ref().map(|v| v.duplicate_pairs),
        "street_ledger_issues": b.street_views.as_ref().map(|v| v.ledger_issues),
            "encrypted": b.encrypted,
    "grid_bytes": b.grid_bytes,
    "street_bytes": b.street_bytes,
    })
}

fn print_store(b: &gridline_bench::store::StoreBench) {
    println!(
        "{}",
        if b.encrypted {
            text!(
                "— 加密存储（SQLCipher）—",
                "— encrypted stores (SQLCipher) —"
            )
        } else {
            text!("— 未加密存储 —", "— unencrypted stores —")
        }
    );
    let (documents, seconds) = (b.grid_documents, b.grid_seed.as_secs_f64());
    println!(
        "gridline bench store — {}",
        text!(
            "一个演示网格：{documents} 个文档，生成用时 {seconds:.2} s",
            "one demo grid: {documents} documents, seeded in {seconds:.2} s"
        )
    );
    println!(
        "{}",
        line(
            &format!("open store + list {} households", b.households_listed),
            &b.open_and_list,
            50.0
        )
    );
    println!(
        "{}",
        line(
            &format!("search \"{}\" ({} hits)", b.search_query, b.search_hits),
            &b.search,
            10.0
        )
    );
    println!("{}", line("log a visit (durable)", &b.log_visit, 5.0));
    match b.street_seed {
        Some((docs, t)) => {
            println!(
                "{:<34} {:.1} s for {docs} documents (target ≤ 60 s: {})",
                "demo seed --scale street",
                t.as_secs_f64(),
                verdict(t.as_secs_f64(), 60.0)
            );
        }
        None => println!("{:<34} skipped (--skip-street)", "demo seed --scale street"),
    }
    if let Some(v) = &b.street_views {
        println!(
            "{}",
            line(
                &format!(
                    "street: mediation list ({} of {} cases)",
                    v.cases_listed, v.cases_held
                ),
                &v.mediation_list,
                50.0
            )
        );
        println!(
            "{}",
            line("street: dashboard with both panels", &v.dashboard, 50.0)
        );
        println!(
            "{}",
            line(
                "street: of which mediation figures",
                &v.mediation_figures,
                50.0
            )
        );
        println!(
            "{}",
            line(
                &format!(
                    "street: of which deliberation figures ({} topics)",
                    v.topics_held
                ),
                &v.deliberation_figures,
                50.0
            )
        );
        println!(
            "{}",
            line(
                &format!(
                    "street: monthly report + xlsx ({} issues reported)",
                    v.monthly_reported
                ),
                &v.monthly_report,
                2000.0
            )
        );
        println!(
            "{}",
            line(
                &format!(
                    "street: month's issue ledger + xlsx ({} issues)",
                    v.ledger_issues
                ),
                &v.issue_ledger,
                2000.0
            )
        );
        println!(
            "{}",
            line(
                &format!(
                    "street: likely duplicate households ({} pairs)",
                    v.duplicate_pairs
                ),
                &v.duplicates,
                2000.0
            )
        );
    }
    println!(
        "{:<34} grid {:.1} MB{}",
        "bytes on disk (store + log)",
        b.grid_bytes as f64 / 1e6,
        b.street_bytes
            .map(|s| format!(", street {:.1} MB", s as f64 / 1e6))
            .unwrap_or_default()
    );
}

/// Encrypted against unencrypted, figure by figure (goal: at most 15 % slower).
fn print_store_comparison(
    plain: &gridline_bench::store::StoreBench,
    enc: &gridline_bench::store::StoreBench,
) {
    println!(
        "{}",
        text!(
            "加密的代价（目标：每项慢不超过 15 %）",
            "what encryption costs (goal: no figure more than 15 % slower)"
        )
    );
    let row = |name: &str, off: f64, on: f64, unit: &str| {
        let ratio = if off > 0.0 { on / off } else { 1.0 };
        println!(
            "  {name:<32} {off:>9.2} {unit} → {on:>9.2} {unit}  {:+6.1} %  {}",
            (ratio - 1.0) * 100.0,
            if ratio <= 1.15 { "ok" } else { "OVER" }
        );
    };
    row(
        "open store + list",
        ms(plain.open_and_list.median),
        ms(enc.open_and_list.median),
        "ms",
    );
    row(
        "search",
        ms(plain.search.median),
        ms(enc.search.median),
        "ms",
    );
    row(
        "log a visit (durable)",
        ms(plain.log_visit.median),
        ms(enc.log_visit.median),
        "ms",
    );
    row(
        "grid seed",
        plain.grid_seed.as_secs_f64(),
        enc.grid_seed.as_secs_f64(),
        "s ",
    );
    if let (Some(p), Some(e)) = (plain.street_seed, enc.street_seed) {
        row("street seed", p.1.as_secs_f64(), e.1.as_secs_f64(), "s ");
    }
    if let (Some(p), Some(e)) = (&plain.street_views, &enc.street_views) {
        row(
            "street dashboard",
            ms(p.dashboard.median),
            ms(e.dashboard.median),
            "ms",
        );
        row(
            "street mediation list",
            ms(p.mediation_list.median),
            ms(e.mediation_list.median),
            "ms",
        );
    }
    row(
        "grid store on disk",
        plain.grid_bytes as f64 / 1e6,
        enc.grid_bytes as f64 / 1e6,
        "MB",
    );
    if let (Some(p), Some(e)) = (plain.street_bytes, enc.street_bytes) {
        row("street store on disk", p as f64 / 1e6, e as f64 / 1e6, "MB");
    }
}

fn print_sync_figure(f: sync::Figure) {
    use sync::Figure;
    match f {
        Figure::Seeded {
            grids,
            documents,
            time,
        } => println!(
            "hub seeded: {grids} grids, {documents} documents in {:.1} s",
            time.as_secs_f64()
        ),
        Figure::Started { pid, url, rss_mb } => {
            println!("hub process {pid} at {url}: RSS {rss_mb:.0} MB after start")
        }
        Figure::FirstSync {
            report,
            time,
            encrypted,
            store_bytes,
        } => println!(
            "first sync of one grid, {} store: {} documents in {:.2} s, {} round trips, ↓{:.1} MB, {:.1} MB on disk (target ≤ 3 s: {})",
            if encrypted { "encrypted" } else { "unencrypted" },
            report.pulled,
            time.as_secs_f64(),
            report.round_trips,
            report.bytes_received as f64 / 1e6,
            store_bytes as f64 / 1e6,
            verdict(time.as_secs_f64(), 3.0)
        ),
        Figure::Unchanged {
            body_bytes,
            header_bytes,
            median,
            hub_time,
        } => println!(
            "nothing changed: 1 round trip, bodies {body_bytes} B + headers ≈{header_bytes} B = {} B (target ≤ 1 KB); median {:.2} ms end to end (target ≤ 50 ms); hub time {:.2} ms a request (target ≤ 5 ms)",
            body_bytes + header_bytes,
            ms(median),
            ms(hub_time)
        ),
        Figure::TenEdits { report, time } => println!(
            "10 records edited: {} round trip(s), {:.0} bytes sent per edited record (target ≤ 400), {:.1} ms",
            report.round_trips,
            report.bytes_sent as f64 / 10.0,
            ms(time)
        ),
        Figure::ThousandNew { report, time } => println!(
            "1,000 new records pushed: {} acknowledged in {:.2} s, {} round trips, ↑{:.0} KB (target ≤ 1 s: {})",
            report.acknowledged,
            time.as_secs_f64(),
            report.round_trips,
            report.bytes_sent as f64 / 1e3,
            verdict(time.as_secs_f64(), 1.0)
        ),
        Figure::Load {
            devices,
            rounds,
            requests,
            wall,
            p50,
            p99,
            errors,
        } => println!(
            "{devices} devices × {rounds} rounds of small pushes: {requests} requests in {:.1} s = {:.0} req/s; latency p50 {:.1} ms, p99 {:.1} ms; errors {errors}",
            wall.as_secs_f64(),
            requests as f64 / wall.as_secs_f64(),
            ms(p50),
            ms(p99),
        ),
        Figure::HubRss {
            before_mb,
            after_mb,
        } => println!(
            "hub RSS: {before_mb:.0} MB before the load, {after_mb:.0} MB after (target < 300 MB)"
        ),
        Figure::StreetStaffFirstSync {
            report,
            time,
            probes,
            p50,
            p99,
            longest,
            store_bytes,
            hub_cpu,
            device_cpu,
        } => {
            println!(
                "street-staff first sync of the street: {} documents in {:.1} s, {} round trips, ↓{:.0} MB, {:.0} MB on disk (target ≤ 60 s: {})",
                report.pulled,
                time.as_secs_f64(),
                report.round_trips,
                report.bytes_received as f64 / 1e6,
                store_bytes as f64 / 1e6,
                verdict(time.as_secs_f64(), 60.0)
            );
            println!(
                "  an app read (Today or 50 households) every {} ms meanwhile: {probes} answered; wait for the device and read p50 {:.1} ms, p99 {:.1} ms, longest {:.1} ms (target ≤ 100 ms: {})",
                sync::PROBE_EVERY.as_millis(),
                ms(p50),
                ms(p99),
                ms(longest),
                verdict(ms(longest), 100.0)
            );
            println!(
                "  CPU during it: the hub process {hub_cpu:.1} s, the device's {device_cpu:.1} s (two cores, {:.1} s of wall time)",
                time.as_secs_f64()
            );
        }
    }
}

fn print_photos_figure(f: photos::Figure) {
    use photos::Figure;
    let mb = |b: u64| b as f64 / 1e6;
    match f {
        Figure::Reencode {
            runs,
            median,
            min,
            input_bytes,
            output_bytes,
            width,
            height,
        } => println!(
            "re-encode a 12 MP JPEG ({:.1} MB, 4000×3000) → {width}×{height}, {:.0} KB: median {:.1} ms, min {:.1} ms ({runs} runs; target ≤ 300 ms: {})",
            mb(input_bytes as u64),
            output_bytes as f64 / 1e3,
            ms(median),
            ms(min),
            verdict(ms(median), 300.0)
        ),
        Figure::Started {
            pid,
            url,
            documents,
        } => println!("hub process {pid} at {url}: one demo grid, {documents} documents"),
        Figure::Upload {
            photos,
            bytes,
            body_bytes,
            requests,
            head_bytes,
            time,
        } => {
            let secs = time.as_secs_f64();
            let wire = body_bytes + requests * head_bytes;
            println!(
                "upload {photos} photos + thumbnails ({:.1} MB) in {secs:.2} s: {:.1} MB/s, {:.0} photos/s; on the wire {:.2} MB of bodies + {requests} requests × ≈{head_bytes} B of heads = {:.3}× the photos' bytes",
                mb(bytes),
                mb(body_bytes) / secs,
                photos as f64 / secs,
                mb(body_bytes),
                wire as f64 / bytes as f64
            )
        }
        Figure::FirstSync {
            report,
            sync_time,
            thumbs,
            thumb_bytes,
            thumbs_time,
        } => println!(
            "first sync of the grid: {} documents in {:.2} s, {} round trips, ↓{:.2} MB; then {thumbs} thumbnails ({:.2} MB) in {:.2} s; {:.2} s in all",
            report.pulled,
            sync_time.as_secs_f64(),
            report.round_trips,
            mb(report.bytes_received as u64),
            mb(thumb_bytes),
            thumbs_time.as_secs_f64(),
            (sync_time + thumbs_time).as_secs_f64()
        ),
        Figure::Unchanged {
            refs,
            records,
            seed_time,
            round_trips,
            body_bytes,
            head_bytes,
            median,
            photo_bytes,
            photo_median,
        } => println!(
            "nothing changed with {refs} photo references on {records} records (seeded in {:.1} s): {round_trips} round trip, bodies {body_bytes} B + headers ≈{head_bytes} B = {} B (target ≤ 1 KB: {}); median {:.2} ms; the photo pass after it sends {photo_bytes} B, median {:.2} ms",
            seed_time.as_secs_f64(),
            body_bytes + head_bytes,
            if round_trips == 1 && body_bytes + head_bytes <= 1024 { "ok" } else { "OVER TARGET" },
            ms(median),
            ms(photo_median)
        ),
    }
}

fn run_soak(base: &std::path::Path, o: soak::Options, ctx: &Ctx) -> anyhow::Result<()> {
    let (devices, seconds, interval) = (o.devices, o.seconds, o.interval);
    let s = soak::run(base, o, ctx.now, |h| {
        println!(
            "hub process {} at {}: {} documents seeded, RSS {:.0} MB; {devices} devices, {seconds} s, one small push every {} ms a device (±50%)",
            h.pid,
            h.url,
            h.documents,
            h.rss_mb,
            interval.as_millis()
        )
    })
    .map_err(failed)?;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{} devices for {:.0} s: {} round trips, each pushing one new visit = {:.0} req/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        s.devices,
        s.wall.as_secs_f64(),
        s.round_trips,
        s.round_trips as f64 / s.wall.as_secs_f64(),
        ms(s.p50),
        ms(s.p99),
        ms(s.max),
    );
    let series: Vec<String> = s
        .rss
        .iter()
        .map(|(t, m)| format!("{:.0}s {:.0}", t.as_secs_f64(), m))
        .collect();
    println!("hub RSS (MB) over time: {}", series.join(", "));
    let (warm, last) = (s.rss_warm, s.rss_last);
    println!(
        "hub RSS: {:.0} MB first warm sample (at {:.0} s), {:.0} MB last (at {:.0} s), peak {:.0} MB; growth once warm {:+.0} MB",
        warm.1,
        warm.0.as_secs_f64(),
        last.1,
        last.0.as_secs_f64(),
        s.rss_peak,
        last.1 - warm.1
    );
    println!(
        "changes pushed {}, acknowledged {}; errors {}; lost (pushed but not on the hub after SIGKILL) {}; hub integrity_check: {}",
        s.pushed, s.acked, s.errors, s.lost, s.integrity
    );
    s.check().map_err(failed)
}

fn run_peer(base: &std::path::Path, o: peer::Options, ctx: &Ctx) -> anyhow::Result<()> {
    let n = o.n;
    let g = peer::gridline(base, &o, ctx.now).map_err(failed)?;
    println!(
        "gridline: {n} households → the hub holds {} documents ({n} households + {} household-private parts, which a grid worker's device creates with every household); saved sizes {} B + {} B",
        g.hub_documents,
        g.hub_documents.saturating_sub(n as u64),
        g.household_bytes,
        g.private_bytes,
    );
    let theirs = peer::automerge_repo(n, |note| match note {
        peer::Note::NodeMissing => println!(
            "automerge-repo: node is not installed here, so only Gridline's figures follow"
        ),
        peer::Note::Installing => {
            println!("automerge-repo: installing bench/peer's packages (npm ci)…")
        }
        peer::Note::NpmCiRefused => {
            println!("automerge-repo: npm ci refused the lock file; trying npm install…")
        }
        peer::Note::Running => {
            println!("automerge-repo: node peer.mjs {n} (sync server in its own process)…")
        }
    })
    .map_err(failed)?;
    print_peer_table(n, &g, theirs.as_ref());
    Ok(())
}

fn print_peer_table(n: usize, g: &peer::Figures, peer: Option<&serde_json::Value>) {
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
