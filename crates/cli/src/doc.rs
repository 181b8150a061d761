//! `gridline doc export`: the raw Automerge bytes of one record, to stdout.

use std::io::Write;

use anyhow::Context;
use clap::{Args, Subcommand};
use gridline_model::text;

use crate::Ctx;

#[derive(Debug, Subcommand)]
pub enum DocCmd {
    /// 导出记录的 Automerge 原始字节到标准输出 (write a record's raw Automerge bytes to stdout)
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// 记录编号 (record id)
    id: String,
}

pub fn run(ctx: &Ctx, cmd: DocCmd) -> anyhow::Result<()> {
    match cmd {
        DocCmd::Export(a) => {
            let mut device = ctx.open()?;
            // A household's private part holds ID numbers in full: its
            // export is recorded as a reveal first.
            let bytes = device.export_record(&a.id, ctx.now)?;
            let mut out = std::io::stdout().lock();
            let writing = || text!("把文档写到标准输出", "writing the document to stdout");
            out.write_all(&bytes).with_context(writing)?;
            out.flush().with_context(writing)?;
            Ok(())
        }
    }
}
