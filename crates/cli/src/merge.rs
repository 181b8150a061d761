//! `gridline household merge <MERGED> --into <SURVIVOR> --reason …` and
//! `gridline household unmerge <ID> --reason …`: community staff merge a
//! likely duplicate (`household duplicates`) into the household they keep,
//! or undo a mistaken merge. Both are authored events that sync; nothing is
//! deleted. Bad input (unknown id, the same id twice, another community,
//! already merged, a role that may not merge) is exit 2.

use clap::Args;
use serde_json::json;

use crate::output::saved;
use crate::Ctx;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// 被合并的户编号 (the household merged away; kept, no longer listed)
    merged: String,
    /// 保留的户编号 (the household kept: the survivor)
    #[arg(long, value_name = "SURVIVOR")]
    into: String,
    /// 合并原因，如 同一户录入两次 (why the two are one household)
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Args)]
pub struct UnmergeArgs {
    /// 已合并的户编号 (the merged household)
    id: String,
    /// 撤销原因 (why the merge was a mistake)
    #[arg(long)]
    reason: String,
}

pub fn merge(ctx: &Ctx, a: MergeArgs) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    device.merge_households(&a.merged, &a.into, &a.reason, ctx.now)?;
    saved(
        ctx,
        a.merged.trim(),
        json!({ "merged_into": a.into.trim(), "reason": a.reason.trim() }),
    );
    Ok(())
}

pub fn unmerge(ctx: &Ctx, a: UnmergeArgs) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    device.unmerge_household(&a.id, &a.reason, ctx.now)?;
    saved(ctx, a.id.trim(), json!({ "unmerged": true }));
    Ok(())
}
