//! `gridline demo seed`: synthetic data for trying a device alone (never syncs).

use std::time::Instant;

use clap::{Args, Subcommand};
use gridline_device::demo::{seed, Scale};
use gridline_model::text;
use serde_json::json;

use crate::output::{kv_of, print_json, say};
use crate::Ctx;

#[derive(Debug, Subcommand)]
pub enum DemoCmd {
    /// 生成演示数据 (seed demo data within this device's scope)
    Seed(SeedArgs),
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// 规模 (scale): grid 一个网格 / street 一个街道
    #[arg(long, default_value = "grid")]
    scale: String,
    /// 随机种子，同一种子生成同样的数据 (seed; the same seed gives the same data)
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub fn run(ctx: &Ctx, cmd: DemoCmd) -> anyhow::Result<()> {
    match cmd {
        DemoCmd::Seed(a) => {
            let scale = Scale::parse(&a.scale)?;
            if ctx.data.join(gridline_hub::STORE_FILE).exists() {
                return seed_hub(ctx, scale, a.seed);
            }
            let mut device = ctx.open()?;
            let started = Instant::now();
            let stats = seed(&mut device, scale, a.seed, ctx.now)?;
            let elapsed = started.elapsed();
            if ctx.json {
                print_json(&json!({
                    "status": "saved",
                    "grids": stats.grids,
                    "households": stats.households,
                    "private_parts": stats.private_parts,
                    "residents": stats.residents,
                    "visits": stats.visits,
                    "issues": stats.issues,
                    "wishes": stats.wishes,
                    "mediations": stats.mediations,
                    "deliberations": stats.deliberations,
                    "skipped": stats.skipped,
                    "documents": stats.documents(),
                    "elapsed_ms": elapsed.as_millis() as u64,
                }));
                return Ok(());
            }
            out!(
                "{} — {}",
                text!("演示数据已生成", "demo data seeded"),
                text!(
                    "仅供本机试用，不同步",
                    "for trying this device; never syncs"
                )
            );
            kv_of(&[
                (text!("网格", "grids"), stats.grids.to_string()),
                (text!("户", "households"), stats.households.to_string()),
                (
                    text!("保密部分", "private parts"),
                    stats.private_parts.to_string(),
                ),
                (text!("居民", "residents"), stats.residents.to_string()),
                (text!("走访", "visits"), stats.visits.to_string()),
                (text!("事件", "issues"), stats.issues.to_string()),
                (text!("心愿", "wishes"), stats.wishes.to_string()),
                (
                    text!("调解案件", "mediation cases"),
                    stats.mediations.to_string(),
                ),
                (
                    text!("议事议题", "deliberation topics"),
                    stats.deliberations.to_string(),
                ),
                (
                    text!("范围外跳过", "skipped, outside scope"),
                    stats.skipped.to_string(),
                ),
                (
                    text!("文档合计", "documents"),
                    stats.documents().to_string(),
                ),
                (
                    text!("用时", "elapsed"),
                    format!("{:.2} s", elapsed.as_secs_f64()),
                ),
            ]);
            let documents = stats.documents();
            say!("已保存 {documents} 个文档", "saved {documents} documents");
            Ok(())
        }
    }
}

/// Seeding a hub's data directory: the whole street (or one grid), written by
/// the hub's own actor and audited as the admin's request.
fn seed_hub(ctx: &Ctx, scale: Scale, seed_value: u64) -> anyhow::Result<()> {
    let hub = gridline_hub::Hub::open(&ctx.data)?;
    let started = Instant::now();
    let report = hub.seed_demo(scale, seed_value, "admin", ctx.now)?;
    let elapsed = started.elapsed();
    if ctx.json {
        print_json(
            &json!({"status": "saved", "grids": report.grids, "documents": report.documents, "mediations": report.mediations, "elapsed_ms": elapsed.as_millis() as u64}),
        );
        return Ok(());
    }
    let (grids, documents, seconds) = (report.grids, report.documents, elapsed.as_secs_f64());
    let mediations = report.mediations;
    say!(
        "街道枢纽演示数据已生成：{grids} 个网格，{documents} 个文档（其中调解案件 {mediations} 件），用时 {seconds:.1} s",
        "demo data seeded on the hub: {grids} grids, {documents} documents ({mediations} of them mediation cases) in {seconds:.1} s"
    );
    Ok(())
}
