//! `gridline bench store`: the device store's speed, against the targets of
//! the core issue. Runs in a scratch directory that it removes afterwards.

use std::time::Duration;

use clap::{Args, Subcommand};
use gridline_device::bench::{store, Sample};
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

pub fn run(ctx: &Ctx, cmd: BenchCmd) -> anyhow::Result<()> {
    let a = match cmd {
        BenchCmd::Store(a) => a,
        BenchCmd::Peer(a) => {
            let base = a.dir.unwrap_or_else(std::env::temp_dir);
            return crate::bench_peer::run(&base, a.n.clamp(10, 5000), ctx.now);
        }
        BenchCmd::Soak(a) => {
            let base = a.dir.unwrap_or_else(std::env::temp_dir);
            let o = crate::bench_soak::Options {
                devices: a.devices.clamp(1, 2000),
                seconds: a.seconds.clamp(5, 3600),
                interval: Duration::from_millis(a.interval_ms.clamp(10, 60_000)),
                warmup: a.warmup,
            };
            return crate::bench_soak::run(&base, o, ctx.now);
        }
        BenchCmd::Sync(a) => {
            let base = a.dir.unwrap_or_else(std::env::temp_dir);
            let o = crate::bench_sync::Options {
                street: !a.grid_only,
                devices: a.devices.clamp(1, 1000),
                rounds: a.rounds.clamp(1, 100),
            };
            return crate::bench_sync::run(&base, o, ctx.now);
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("注意 (note): 这是调试构建，数字会偏慢 (a debug build; use `cargo run --release -p gridline-cli -- bench store`)");
    }
    let base = a.dir.unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("gridline-bench-{}", std::process::id()));
    let result = store(&dir, !a.skip_street, ctx.now);
    // The scratch directory can be ~1 GB after a street seed: always remove it.
    let _ = std::fs::remove_dir_all(&dir);
    let b = result?;
    if ctx.json {
        let s = |x: &Sample| json!({ "runs": x.runs, "median_ms": ms(x.median), "p95_ms": ms(x.p95), "max_ms": ms(x.max) });
        print_json(&json!({
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
        }));
        return Ok(());
    }
    println!(
        "gridline bench store — 一个演示网格 (one demo grid): {} documents, seeded in {:.2} s",
        b.grid_documents,
        b.grid_seed.as_secs_f64()
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
            let verdict = if t.as_secs_f64() <= 60.0 {
                "ok"
            } else {
                "OVER TARGET"
            };
            println!(
                "{:<34} {:.1} s for {docs} documents (target ≤ 60 s: {verdict})",
                "demo seed --scale street",
                t.as_secs_f64()
            );
        }
        None => println!("{:<34} skipped (--skip-street)", "demo seed --scale street"),
    }
    Ok(())
}
