//! `gridline bench photos`: re-encoding a 12 MP camera JPEG, uploading
//! photos to a hub process over loopback, a "nothing changed" sync with
//! 10,000 photo references on the device, and a new device's first sync of
//! a grid with its thumbnails.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant as Clock};

use gridline_device::photo::{PhotoReport, PIECE_BYTES};
use gridline_device::sync::{enroll, sync, SyncReport};
use gridline_device::{Attach, Device, NewIssue, Unlock};
use gridline_hub::Hub;
use gridline_model::{Instant, Role, Scope, User};
use gridline_photo::encode::sample_photo;

use crate::{check, percentile, HubProcess, Result};

pub struct Options {
    /// Re-encodings of the 12 MP photo timed.
    pub runs: usize,
    /// Photos uploaded.
    pub photos: usize,
    /// Photo references on the device for the "nothing changed" sync.
    pub refs: usize,
    /// The `gridline` binary that serves the hub.
    pub gridline: PathBuf,
}

/// One figure of the run, reported as soon as it is measured.
#[derive(Debug, Clone)]
pub enum Figure {
    /// `reencode` of `sample_photo(4000, 3000)`.
    Reencode {
        runs: usize,
        median: Duration,
        min: Duration,
        input_bytes: usize,
        output_bytes: usize,
        width: u32,
        height: u32,
    },
    Started {
        pid: u32,
        url: String,
        documents: usize,
    },
    /// One photo pass uploading `photos` photos and their thumbnails.
    Upload {
        photos: usize,
        /// Photos' and thumbnails' bytes.
        bytes: u64,
        /// Pieces' bodies the device sent.
        body_bytes: u64,
        /// Requests: one status request a blob and one a piece.
        requests: u64,
        /// Request and reply heads and the hub's small JSON answers, a request.
        head_bytes: u64,
        time: Duration,
    },
    /// A new device's first sync of the grid, then its photo pass fetching
    /// the thumbnails.
    FirstSync {
        report: SyncReport,
        sync_time: Duration,
        thumbs: u64,
        thumb_bytes: u64,
        thumbs_time: Duration,
    },
    /// Syncs with nothing changed while the device holds `refs` photo
    /// references on `records` records.
    Unchanged {
        refs: usize,
        records: usize,
        seed_time: Duration,
        round_trips: usize,
        body_bytes: usize,
        head_bytes: usize,
        median: Duration,
        /// The photo pass after it: bytes sent (0) and its time.
        photo_bytes: u64,
        photo_median: Duration,
    },
}

/// Runs the benchmark in a scratch directory under `base` (removed after),
/// calling `report` with each figure as it is measured.
pub fn run(base: &Path, o: Options, now: Instant, report: impl FnMut(Figure)) -> Result<()> {
    let dir = base.join(format!("gridline-bench-photos-{}", std::process::id()));
    let result = run_in(&dir, o, now, report);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// A request head as reqwest sends it to the blob endpoints, and the
/// reply's head and JSON body as the hub answers (one status or piece).
const BLOB_EXCHANGE: &str = "PUT /v1/blobs/0000000000000000000000000000000000000000000000000000000000000000/upload?offset=0000000&total=0000000 HTTP/1.1\r\nauthorization: Bearer 0000000000000000000000000000000000000000000000000000000000000000\r\ncontent-type: application/octet-stream\r\naccept: */*\r\nhost: 127.0.0.1:00000\r\ncontent-length: 000000\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 00\r\ndate: Sat, 28 Nov 2026 06:00:00 GMT\r\n\r\n{\"held\":0000000,\"complete\":false}";

fn issue(grid: &str, description: String) -> NewIssue {
    NewIssue {
        grid: Some(grid.into()),
        household: None,
        category: "市容环境".into(),
        description,
        location: "8栋楼下".into(),
        urgency: None,
    }
}

/// Reports issues, twelve photos each (the most one step takes).
fn report_with(d: &mut Device, grid: &str, hashes: &[String], now: Instant) -> Result<usize> {
    let mut records = 0;
    for (i, chunk) in hashes
        .chunks(gridline_model::photo::MAX_PHOTOS_PER_STEP)
        .enumerate()
    {
        let attach: Vec<Attach> = chunk
            .iter()
            .map(|h| Attach {
                hash: h.clone(),
                caption: String::new(),
            })
            .collect();
        d.report_issue_with_photos(&issue(grid, format!("基准照片 {i}")), None, &attach, now)?;
        records += 1;
    }
    Ok(records)
}

async fn device(dir: &Path, worker: &User, url: &str, code: &str) -> Result<Device> {
    let mut d = Device::init_with(dir, worker.clone(), &Unlock::Unencrypted)?;
    enroll(&mut d, url, code, None).await?;
    Ok(d)
}

fn run_in(dir: &Path, o: Options, now: Instant, mut report: impl FnMut(Figure)) -> Result<()> {
    // Re-encoding, in this process (what a phone does as a photo is taken).
    let input = sample_photo(4000, 3000);
    let mut times = Vec::with_capacity(o.runs);
    let mut last = None;
    for _ in 0..o.runs.max(1) {
        let t = Clock::now();
        let e = gridline_photo::reencode(&input).map_err(|e| {
            crate::Error::Check(format!("re-encoding the sample photo: {}", e.text()))
        })?;
        times.push(t.elapsed());
        last = Some(e);
    }
    let e = last.expect("at least one run");
    let min = *times.iter().min().expect("at least one run");
    report(Figure::Reencode {
        runs: times.len(),
        median: percentile(&mut times, 50),
        min,
        input_bytes: input.len(),
        output_bytes: e.full.len(),
        width: e.width,
        height: e.height,
    });

    let street = "522701001";
    let grid = format!("{street}001001");
    let hub_dir = dir.join("hub");
    let hub = Hub::init(&hub_dir, street, "基准街道")?;
    let seeded = hub.seed_demo(gridline_device::demo::Scale::Grid, 1, "bench", now)?;
    let worker = User {
        id: "gw-bench".into(),
        name: "基准".into(),
        role: Role::GridWorker,
        scope: Scope::parse(&format!("grids:{grid}"))?,
    };
    let codes = [
        hub.enrol_code(&worker, "bench", now)?,
        hub.enrol_code(&worker, "bench", now)?,
    ];
    drop(hub);
    let hub = HubProcess::start(&o.gridline, &hub_dir)?;
    report(Figure::Started {
        pid: hub.pid(),
        url: hub.url.clone(),
        documents: seeded.documents,
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut d = device(&dir.join("device"), &worker, &hub.url, &codes[0]).await?;
        sync(&mut d, |_| {}).await?;

        // Camera-like photos of differing sizes, taken and reported (the
        // re-encoding is not timed here), then one photo pass uploads them.
        let mut hashes = Vec::with_capacity(o.photos);
        let (mut bytes, mut requests) = (0u64, 0u64);
        for i in 0..o.photos as u32 {
            let p = d.take_photo(&sample_photo(1600 + i * 4, 1200 + i * 3), now)?;
            bytes += p.size + p.thumb_size;
            for size in [p.size, p.thumb_size] {
                requests += 1 + size.div_ceil(PIECE_BYTES as u64);
            }
            hashes.push(p.hash);
        }
        report_with(&mut d, &grid, &hashes, now)?;
        sync(&mut d, |_| {}).await?;
        let t = Clock::now();
        let up = d.sync_photos(now).await?;
        let time = t.elapsed();
        check(up.uploaded == o.photos as u64 && up.later == 0, || {
            format!("every photo must upload in one pass: {up:?}")
        })?;
        report(Figure::Upload {
            photos: o.photos,
            bytes,
            body_bytes: up.bytes_sent,
            requests,
            head_bytes: BLOB_EXCHANGE.len() as u64,
            time,
        });

        // A new device of the same grid: the records, then the thumbnails.
        let mut fresh = device(&dir.join("device-new"), &worker, &hub.url, &codes[1]).await?;
        let t = Clock::now();
        let first = sync(&mut fresh, |_| {}).await?;
        let sync_time = t.elapsed();
        let t = Clock::now();
        let thumbs: PhotoReport = fresh.sync_photos(now).await?;
        let thumbs_time = t.elapsed();
        let thumb_bytes = fresh
            .all_photos(10_000)?
            .iter()
            .filter(|p| p.thumb_here)
            .map(|p| p.photo.thumb_size)
            .sum();
        check(thumbs.thumbs == o.photos as u64, || {
            format!(
                "the new device must fetch {} thumbnails: {thumbs:?}",
                o.photos
            )
        })?;
        report(Figure::FirstSync {
            report: first,
            sync_time,
            thumbs: thumbs.thumbs,
            thumb_bytes,
            thumbs_time,
        });
        drop(fresh);

        // 10,000 references: records of twelve photos each, drawn from
        // 100 tiny distinct photos (a reference costs the same whatever
        // the size of its file, and tiny files keep the seed quick).
        let t = Clock::now();
        let mut tiny = Vec::new();
        for i in 0..100u32 {
            tiny.push(d.take_photo(&sample_photo(24 + i, 18 + i % 7), now)?.hash);
        }
        let refs: Vec<String> = (0..o.refs).map(|i| tiny[i % tiny.len()].clone()).collect();
        // Twelve distinct photos a record: consecutive ones of the pool.
        let records = report_with(&mut d, &grid, &refs, now)?;
        let mut pushed = sync(&mut d, |_| {}).await?;
        for _ in 0..10 {
            if pushed.pushed == 0 {
                break;
            }
            pushed = sync(&mut d, |_| {}).await?;
        }
        let sent = d.sync_photos(now).await?;
        check(sent.later == 0 && sent.failed == 0, || {
            format!("the tiny photos must upload: {sent:?}")
        })?;
        let seed_time = t.elapsed();
        let held = d.all_photos(100_000)?.len();
        check(held >= o.refs, || {
            format!("the device must hold {} photo references, not {held}", o.refs)
        })?;

        let mut idle = Vec::new();
        let mut photo_idle = Vec::new();
        let (mut round_trips, mut body_bytes, mut photo_bytes) = (0, 0, 0);
        for _ in 0..20 {
            let t = Clock::now();
            let r = sync(&mut d, |_| {}).await?;
            idle.push(t.elapsed());
            round_trips = round_trips.max(r.round_trips);
            body_bytes = body_bytes.max(r.bytes_sent + r.bytes_received);
            let t = Clock::now();
            let p = d.sync_photos(now).await?;
            photo_idle.push(t.elapsed());
            photo_bytes += p.bytes_sent;
        }
        let head_bytes = "POST /v1/sync HTTP/1.1\r\ncontent-type: application/cbor\r\nauthorization: Bearer 0000000000000000000000000000000000000000000000000000000000000000\r\naccept: */*\r\nhost: 127.0.0.1:00000\r\ncontent-length: 00\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/cbor\r\ncontent-length: 000\r\ndate: Sat, 28 Nov 2026 06:00:00 GMT\r\n\r\n".len();
        report(Figure::Unchanged {
            refs: held,
            records,
            seed_time,
            round_trips,
            body_bytes,
            head_bytes,
            median: percentile(&mut idle, 50),
            photo_bytes,
            photo_median: percentile(&mut photo_idle, 50),
        });
        Ok(())
    })
}
