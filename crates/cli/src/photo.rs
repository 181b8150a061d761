//! `gridline photo list | show | export | retry`, and the `--photo FILE`
//! options the issue, visit and wish commands share.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use gridline_device::{Attach, Device, PhotoView};
use gridline_model::{text, Text};
use serde_json::{json, Value};

use crate::output::{kv_of, print_json, say, when, Table};
use crate::{usage, Ctx};

#[derive(Debug, Subcommand)]
pub enum PhotoCmd {
    /// 列出照片及上传状态 (list photos and how their uploads stand)
    List(ListArgs),
    /// 查看一张照片的信息 (show one photo)
    Show(ShowArgs),
    /// 导出照片文件，必要时先下载 (write a photo to a file, downloading it first if needed)
    Export(ExportArgs),
    /// 重新上传失败的照片 (upload a failed photo again at the next sync)
    Retry(ShowArgs),
    /// 本机保留他人原图的上限 (how much of others' full photos this device keeps)
    Budget(BudgetArgs),
}

#[derive(Debug, Args)]
pub struct BudgetArgs {
    /// 设为 N MB；不给则显示当前上限 (set it to N MB; without it, show it). 缩略图和未上传的本机照片不计 (thumbnails and unsent photos of this device are always kept)
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    mb: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// 只列此记录的照片 (only this record's photos)
    #[arg(long, value_name = "ID")]
    record: Option<String>,
    /// 最多 N 条记录 (at most N records)
    #[arg(long, value_name = "N", default_value_t = 50)]
    limit: usize,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// 照片编号（SHA-256，可只写开头 8 位以上） (photo hash, or at least its first 8 digits)
    hash: String,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// 照片编号 (photo hash)
    hash: String,
    /// 写到此文件 (the file to write)
    #[arg(long, short, value_name = "FILE")]
    out: PathBuf,
    /// 只导出缩略图，不下载原图 (the thumbnail only, without downloading the full photo)
    #[arg(long)]
    thumb: bool,
}

/// Photos a step saves with it, shared by `issue report|act`, `visit log`
/// and `wish fulfil`.
#[derive(Debug, Args, Default)]
pub struct PhotoArgs {
    /// 照片文件，可多次给出；JPEG、PNG 或 WebP (a photo file; repeat for several; JPEG, PNG or WebP)
    #[arg(long = "photo", value_name = "FILE")]
    pub photos: Vec<PathBuf>,
    /// 照片说明，按顺序对应每个 --photo (a caption, one per --photo in order)
    #[arg(long = "caption", value_name = "TEXT")]
    pub captions: Vec<String>,
}

/// Where a report or a visit happened: a position in WGS-84 (a phone's fix,
/// or a point read off a map), or the household's stored location.
#[derive(Debug, Args, Default)]
pub struct PositionArgs {
    /// 纬度，WGS-84 (latitude, WGS-84), 如 26.2597
    #[arg(long, value_name = "DEG", requires = "lon", allow_hyphen_values = true)]
    pub lat: Option<f64>,
    /// 经度，WGS-84 (longitude, WGS-84), 如 107.5182
    #[arg(long, value_name = "DEG", requires = "lat", allow_hyphen_values = true)]
    pub lon: Option<f64>,
    /// 定位精度，米 (accuracy in metres)
    #[arg(long, value_name = "M", requires = "lat")]
    pub accuracy: Option<f64>,
    /// 位置来源 (where the position came from): gps 定位 / map 地图选点
    #[arg(
        long = "position-source",
        value_name = "SOURCE",
        default_value = "gps",
        requires = "lat"
    )]
    pub source: String,
    /// 用该户登记的位置 (use the household's stored location)
    #[arg(long, conflicts_with = "lat")]
    pub at_household: bool,
}

impl PositionArgs {
    pub fn position(
        &self,
        device: &Device,
        household: Option<&str>,
    ) -> anyhow::Result<Option<gridline_model::Location>> {
        if self.at_household {
            let Some(h) = household else {
                return Err(usage(
                    text!(
                        "--at-household 需要 --household",
                        "--at-household needs --household"
                    )
                    .to_string(),
                ));
            };
            return match device.household_position(h)? {
                Some(p) => Ok(Some(p)),
                None => Err(usage(
                    text!(
                        "该户没有登记位置；请用 --lat 和 --lon 给出位置，或不写位置",
                        "the household has no stored location; give --lat and --lon, or leave the position out"
                    )
                    .to_string(),
                )),
            };
        }
        let (Some(lat), Some(lon)) = (self.lat, self.lon) else {
            return Ok(None);
        };
        let p = gridline_model::Location {
            lat,
            lon,
            accuracy_m: self.accuracy,
            source: gridline_model::LocationSource::parse(&self.source)?,
        };
        p.validate()?;
        Ok(Some(p))
    }
}

/// A position in words: 26.259700, 107.518200 ±9 m（定位）.
pub fn position_line(p: &gridline_model::Location) -> String {
    let acc = p
        .accuracy_m
        .map(|a| format!(" ±{a:.0} m"))
        .unwrap_or_default();
    format!(
        "{:.6}, {:.6}{acc} ({})",
        p.lat,
        p.lon,
        Text::new(p.source.zh(), p.source.key())
    )
}

impl PhotoArgs {
    /// Takes each photo (re-encoded and kept durably) before the record is
    /// saved; a photo that cannot be read refuses the whole command.
    pub fn take(&self, ctx: &Ctx, device: &mut Device) -> anyhow::Result<Vec<Attach>> {
        if self.captions.len() > self.photos.len() {
            return Err(usage(
                text!(
                    "说明比照片多：--caption 有 {} 个，--photo 只有 {} 个；每个 --caption 对应一个 --photo",
                    "more captions than photos: {} --caption for {} --photo; give one --caption per --photo",
                    self.captions.len(),
                    self.photos.len()
                )
                .to_string(),
            ));
        }
        let mut out = Vec::with_capacity(self.photos.len());
        for (i, path) in self.photos.iter().enumerate() {
            let taken = device.take_photo_file(path, ctx.now)?;
            out.push(Attach {
                hash: taken.hash,
                caption: self.captions.get(i).cloned().unwrap_or_default(),
            });
        }
        Ok(out)
    }
}

pub fn run(ctx: &Ctx, cmd: PhotoCmd) -> anyhow::Result<()> {
    match cmd {
        PhotoCmd::List(a) => list(ctx, a),
        PhotoCmd::Show(a) => show(ctx, a),
        PhotoCmd::Export(a) => export(ctx, a),
        PhotoCmd::Budget(a) => {
            let mut device = ctx.open()?;
            if let Some(mb) = a.mb {
                device.set_photo_budget(mb * 1024 * 1024)?;
            }
            let q = device.photo_queue()?;
            let budget = device.photo_budget()?;
            if ctx.json {
                print_json(
                    &json!({ "budget_bytes": budget, "held_bytes": q.downloaded_bytes, "held": q.downloaded }),
                );
            } else {
                let (mb, held, n) = (
                    budget / (1024 * 1024),
                    q.downloaded_bytes.div_ceil(1024 * 1024),
                    q.downloaded,
                );
                say!(
                    "他人原图上限 {mb} MB，现存 {n} 张、{held} MB",
                    "others' full photos: at most {mb} MB; {n} held, {held} MB"
                );
            }
            Ok(())
        }
        PhotoCmd::Retry(a) => {
            let mut device = ctx.open()?;
            let p = find(&device, &a.hash)?;
            if !device.retry_photo(&p.photo.hash)? {
                return Err(usage(
                    text!(
                        "照片 {} 不是本机拍摄的待传照片，无需重传",
                        "photo {} is not one of this device's photos still to upload",
                        short(&p.photo.hash)
                    )
                    .to_string(),
                ));
            }
            if ctx.json {
                print_json(&json!({ "hash": p.photo.hash, "state": "waiting" }));
            } else {
                say!(
                    "已排队，下次同步时上传",
                    "queued: it uploads at the next sync"
                );
            }
            Ok(())
        }
    }
}

fn short(hash: &str) -> &str {
    &hash[..12.min(hash.len())]
}

pub fn view_json(p: &PhotoView) -> Value {
    let t = p.state.text();
    json!({
        "hash": p.photo.hash,
        "record": p.record,
        "size": p.photo.size,
        "thumb": p.photo.thumb,
        "thumb_size": p.photo.thumb_size,
        "taken_at": p.photo.taken_at.to_rfc3339(),
        "caption": p.photo.caption,
        "step": p.photo.step.key(),
        "by": p.photo.by,
        "state": p.state.key(),
        "state_zh": t.zh,
        "state_en": t.en,
        "thumb_here": p.thumb_here,
        "full_here": p.full_here,
    })
}

fn list(ctx: &Ctx, a: ListArgs) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let photos = match &a.record {
        Some(r) => device.photos_of(r)?,
        None => device.all_photos(a.limit)?,
    };
    if ctx.json {
        print_json(&Value::Array(photos.iter().map(view_json).collect()));
        return Ok(());
    }
    if photos.is_empty() {
        say!("没有照片", "no photos");
        return Ok(());
    }
    let mut t = Table::of(&[
        text!("照片", "photo"),
        text!("记录", "record"),
        text!("环节", "step"),
        text!("大小", "size"),
        text!("状态", "state"),
        text!("说明", "caption"),
    ]);
    for p in &photos {
        t.row(vec![
            short(&p.photo.hash).to_owned(),
            p.record.clone(),
            Text::new(p.photo.step.zh(), p.photo.step.key()).to_string(),
            format!("{} KB", p.photo.size.div_ceil(1024)),
            p.state.text().to_string(),
            p.photo.caption.clone(),
        ]);
    }
    t.print();
    Ok(())
}

/// The photo a (possibly shortened) hash names.
fn find(device: &Device, hash: &str) -> anyhow::Result<PhotoView> {
    let hash = hash.trim().to_ascii_lowercase();
    if hash.len() == 64 {
        return Ok(device.photo(&hash)?);
    }
    if hash.len() < 8 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(usage(
            text!(
                "照片编号 \"{hash}\" 太短或不是十六进制；至少写 8 位，用 gridline photo list 查看",
                "photo hash \"{hash}\" is too short or not hex; give at least 8 digits (see gridline photo list)"
            )
            .to_string(),
        ));
    }
    let hits: Vec<PhotoView> = device
        .all_photos(10_000)?
        .into_iter()
        .filter(|p| p.photo.hash.starts_with(&hash))
        .collect();
    match hits.len() {
        1 => Ok(hits.into_iter().next().expect("one")),
        0 => Ok(device.photo(&hash)?),
        n => Err(usage(
            text!(
                "有 {n} 张照片以 {hash} 开头；请多写几位",
                "{n} photos start with {hash}; give more digits"
            )
            .to_string(),
        )),
    }
}

fn show(ctx: &Ctx, a: ShowArgs) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let p = find(&device, &a.hash)?;
    if ctx.json {
        print_json(&view_json(&p));
        return Ok(());
    }
    kv_of(&[
        (text!("照片", "photo"), p.photo.hash.clone()),
        (text!("记录", "record"), p.record.clone()),
        (
            text!("环节", "step"),
            Text::new(p.photo.step.zh(), p.photo.step.key()).to_string(),
        ),
        (text!("拍摄时间", "taken at"), when(p.photo.taken_at)),
        (text!("添加人", "added by"), p.photo.by.clone()),
        (text!("大小", "size"), format!("{} B", p.photo.size)),
        (text!("说明", "caption"), p.photo.caption.clone()),
        (text!("状态", "state"), p.state.text().to_string()),
        (
            text!("本机", "on this device"),
            match (p.full_here, p.thumb_here) {
                (true, _) => text!("原图", "full photo"),
                (false, true) => text!("仅缩略图", "thumbnail only"),
                (false, false) => text!("未下载", "not downloaded"),
            }
            .to_string(),
        ),
    ]);
    Ok(())
}

fn export(ctx: &Ctx, a: ExportArgs) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    let p = find(&device, &a.hash)?;
    let hash = if a.thumb {
        &p.photo.thumb
    } else {
        &p.photo.hash
    };
    let bytes = match device.photo_bytes(hash, ctx.now)? {
        Some(b) => b,
        None => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(device.open_photo(hash, ctx.now))?
        }
    };
    std::fs::write(&a.out, &bytes).map_err(|e| {
        usage(text!("无法写入 {}：{e}", "cannot write {}: {e}", a.out.display()).to_string())
    })?;
    if ctx.json {
        print_json(
            &json!({ "hash": hash, "file": a.out.display().to_string(), "bytes": bytes.len() }),
        );
    } else {
        let (n, f) = (bytes.len(), a.out.display());
        say!("已导出 {n} 字节到 {f}", "wrote {n} bytes to {f}");
    }
    Ok(())
}

/// The photo queue for `gridline device show`.
pub fn queue_json(device: &Device) -> anyhow::Result<Value> {
    let q = device.photo_queue()?;
    Ok(json!({
        "waiting": q.waiting, "waiting_bytes": q.waiting_bytes, "failed": q.failed,
        "uploaded": q.uploaded, "downloaded": q.downloaded, "downloaded_bytes": q.downloaded_bytes,
        "budget_bytes": device.photo_budget()?,
    }))
}

pub fn queue_lines(device: &Device) -> anyhow::Result<()> {
    let q = device.photo_queue()?;
    let (w, kb, f, u) = (
        q.waiting,
        q.waiting_bytes.div_ceil(1024),
        q.failed,
        q.uploaded,
    );
    kv_of(&[
        (
            text!("待上传照片", "photos to upload"),
            format!("{w} ({kb} KB)"),
        ),
        (text!("上传失败", "uploads failed"), f.to_string()),
        (text!("已上传", "uploaded"), u.to_string()),
        (
            text!("他人照片（本机）", "others' photos held"),
            format!(
                "{} ({} KB)",
                q.downloaded,
                q.downloaded_bytes.div_ceil(1024)
            ),
        ),
    ]);
    Ok(())
}
