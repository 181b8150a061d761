//! Photos on the device (DESIGN §9): taking one, attaching it to a saved
//! record, and moving the bytes to and from the hub in a queue of their own.
//!
//! A photo is re-encoded as it is taken ([`gridline_photo::reencode`]) and
//! its photo and thumbnail files are durable, named by their SHA-256 under
//! `photos/` beside the store, before anything references them. A record
//! holds only references ([`gridline_model::PhotoRef`]), saved in the same
//! transaction as the step they are evidence of, so the record syncs at
//! once, whatever becomes of its photos.
//!
//! The transfer works without the device: [`Device::photo_work`] says what
//! to move and [`PhotoLink`] how to reach the hub; [`upload`] and
//! [`download`] do the network part with nothing of the store held; the
//! answer goes back through [`Device::photo_outcome`] and
//! [`Device::keep_downloaded`]. The app's engine holds the device only for
//! those short steps, so its screens never wait on a photo. The CLI runs
//! all of it at once ([`Device::sync_photos`]).

use std::path::{Path, PathBuf};

use gridline_model::{text, Instant, Invalid, PhotoRef, PhotoStep, Text};
use gridline_store::{PhotoFile, PhotoQueue, PhotoRow, Upload};

use crate::{Device, Error, Result};

/// One piece of an upload: small enough that a dropped connection loses
/// little, large enough that headers stay a small share of the bytes.
pub const PIECE_BYTES: usize = 256 * 1024;
/// Others' full photos kept on this device unless set otherwise.
pub const DEFAULT_BUDGET_BYTES: u64 = 200 * 1024 * 1024;
/// A photo taken for a form that was never saved is removed after this long
/// (a draft that still names it then shows it as missing).
pub const ABANDONED_AFTER_DAYS: i64 = 30;
/// Blobs moved in one [`Device::sync_photos`] pass at most (the queue goes on next time).
pub const PASS_LIMIT: usize = 200;

/// A photo just taken: what a form holds until its record is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenPhoto {
    pub hash: String,
    pub size: u64,
    pub thumb: String,
    pub thumb_size: u64,
    pub width: u32,
    pub height: u32,
    pub taken_at: Instant,
}

/// A photo the form attaches to the record it saves, with its caption.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attach {
    pub hash: String,
    pub caption: String,
}

/// What a form saves with its record beyond its fields: photos taken on
/// site and where it happened.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evidence {
    pub photos: Vec<Attach>,
    pub position: Option<gridline_model::Location>,
}

/// Where a photo on a record stands, in the words the app shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoState {
    /// Taken here; not on the hub yet (`sent` of `size` bytes there so far).
    Waiting {
        sent: u64,
        size: u64,
        reason: Option<Text>,
    },
    /// Taken here; the hub holds it whole.
    Uploaded,
    /// Taken here; the hub refused it for good (the reason says why).
    Failed { reason: Text },
    /// Someone else's: the full photo is on this device.
    Downloaded,
    /// Someone else's: only the thumbnail is here (or nothing yet).
    Remote,
}

impl PhotoState {
    pub fn key(&self) -> &'static str {
        match self {
            PhotoState::Waiting { sent: 0, .. } => "waiting",
            PhotoState::Waiting { .. } => "uploading",
            PhotoState::Uploaded => "uploaded",
            PhotoState::Failed { .. } => "failed",
            PhotoState::Downloaded => "downloaded",
            PhotoState::Remote => "remote",
        }
    }

    /// The state in words: 等待上传 / 上传中 40% / 已上传 / 上传失败：…
    pub fn text(&self) -> Text {
        match self {
            PhotoState::Waiting {
                sent: 0,
                reason: None,
                ..
            } => text!("等待上传", "waiting to upload"),
            PhotoState::Waiting {
                sent: 0,
                reason: Some(r),
                ..
            } => text!("等待上传", "waiting to upload").then(r),
            PhotoState::Waiting { sent, size, .. } => {
                let pct = (*sent * 100 / (*size).max(1)).min(99);
                text!("上传中 {pct}%", "uploading {pct}%")
            }
            PhotoState::Uploaded => text!("已上传", "uploaded"),
            PhotoState::Failed { reason } => text!("上传失败", "upload failed").then(reason),
            PhotoState::Downloaded => text!("已下载", "downloaded"),
            PhotoState::Remote => text!("未下载，打开时下载", "not downloaded; opens on tap"),
        }
    }
}

/// A photo on a record with its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoView {
    pub record: String,
    pub photo: PhotoRef,
    pub state: PhotoState,
    /// The thumbnail is on this device.
    pub thumb_here: bool,
    /// The full photo is on this device.
    pub full_here: bool,
}

fn view(row: PhotoRow) -> PhotoView {
    let file = row.file;
    let full_here = file.as_ref().is_some_and(|f| f.on_disk);
    let state = match &file {
        Some(f) if f.own => match f.upload {
            Upload::Uploaded => PhotoState::Uploaded,
            Upload::Failed => PhotoState::Failed {
                reason: f
                    .reason
                    .clone()
                    .unwrap_or_else(|| text!("原因不明", "no reason given")),
            },
            Upload::Waiting => PhotoState::Waiting {
                sent: f.sent,
                size: f.size,
                reason: f.reason.clone(),
            },
        },
        Some(f) if f.on_disk => PhotoState::Downloaded,
        _ => PhotoState::Remote,
    };
    PhotoView {
        record: row.doc_id,
        photo: row.photo,
        state,
        thumb_here: row.thumb_on_disk,
        full_here,
    }
}

/// A link opening Amap (高德地图) at a stored position: GCJ-02 is made
/// here, at the moment of opening, never stored.
pub fn map_link(l: &gridline_model::Location, name: &str) -> String {
    gridline_photo::geo::amap_marker_url(l.lat, l.lon, name)
}

/// The step of a record a photo added with `step_key` is evidence of.
pub fn issue_photo_step(step: &gridline_model::IssueStep) -> PhotoStep {
    use gridline_model::IssueStep as S;
    match step {
        S::Handle { .. } | S::Resolve { .. } => PhotoStep::Handling,
        S::VerifyClose { .. } | S::Evaluate { .. } | S::SendBack { .. } => PhotoStep::Verification,
        _ => PhotoStep::Report,
    }
}

/// Where a blob's file lives under a device's (or hub's) directory.
pub(crate) fn file_path(dir: &Path, hash: &str) -> PathBuf {
    dir.join("photos")
        .join(&hash[..2])
        .join(format!("{hash}.jpg"))
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let context = context.into();
    move |source| Error::Io { context, source }
}

/// Writes `bytes` as the file for `hash`, durably: a temporary file,
/// flushed, renamed into place, and the directory flushed. A whole file
/// already there is the same bytes (it is named by them) and is left as it
/// is; a damaged one is replaced.
fn write_blob(dir: &Path, hash: &str, bytes: &[u8]) -> Result<()> {
    let path = file_path(dir, hash);
    if std::fs::read(&path).is_ok_and(|b| gridline_photo::sha256_hex(&b) == hash) {
        return Ok(());
    }
    let parent = path.parent().expect("a blob has a directory");
    std::fs::create_dir_all(parent).map_err(io(format!("creating {}", parent.display())))?;
    let tmp = parent.join(format!(".{hash}.{}.tmp", std::process::id()));
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp).map_err(io("writing a photo"))?;
        f.write_all(bytes).map_err(io("writing a photo"))?;
        f.sync_all().map_err(io("flushing a photo"))?;
    }
    std::fs::rename(&tmp, &path).map_err(io("keeping a photo"))?;
    std::fs::File::open(parent)
        .and_then(|d| d.sync_all())
        .map_err(io("flushing the photo directory"))?;
    Ok(())
}

fn not_taken_here(hash: &str) -> Error {
    Invalid::new(
        "photo",
        text!(
            "照片 {hash} 不是本设备拍摄或选取的",
            "photo {hash} was not taken or chosen on this device"
        ),
        text!("请重新拍摄或选取照片", "take or choose the photo again"),
    )
    .into()
}

impl Device {
    /// Re-encodes a photo as it is taken (orientation applied, longest side
    /// 1600 px, JPEG, no EXIF) and keeps it and its thumbnail durably. It
    /// goes to the hub once a saved record references it.
    pub fn take_photo(&mut self, bytes: &[u8], now: Instant) -> Result<TakenPhoto> {
        let e = gridline_photo::reencode(bytes).map_err(|e| {
            Error::from(Invalid::new(
                "photo",
                e.text(),
                text!("记录未保存", "nothing was saved"),
            ))
        })?;
        write_blob(&self.dir, &e.full_hash, &e.full)?;
        write_blob(&self.dir, &e.thumb_hash, &e.thumb)?;
        self.store.photo_taken(
            (&e.full_hash, e.full.len() as u64),
            (&e.thumb_hash, e.thumb.len() as u64),
            now,
        )?;
        Ok(TakenPhoto {
            hash: e.full_hash,
            size: e.full.len() as u64,
            thumb: e.thumb_hash,
            thumb_size: e.thumb.len() as u64,
            width: e.width,
            height: e.height,
            taken_at: now,
        })
    }

    /// [`Device::take_photo`] from a file (the CLI's `--photo FILE`).
    pub fn take_photo_file(&mut self, path: &Path, now: Instant) -> Result<TakenPhoto> {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::from(Invalid::new(
                "photo",
                text!(
                    "无法读取照片 {}：{e}",
                    "cannot read photo {}: {e}",
                    path.display()
                ),
                text!("请检查文件路径", "check the file's path"),
            ))
        })?;
        self.take_photo(&bytes, now)
    }

    /// The references a step adds for photos taken here, each checked: on
    /// this device, hash-correct on disk, and within the model's bounds
    /// beside what the record holds (`held`).
    pub(crate) fn photo_refs(
        &self,
        attach: &[Attach],
        step: PhotoStep,
        held: &[PhotoRef],
        now: Instant,
    ) -> Result<Vec<PhotoRef>> {
        let mut out = Vec::with_capacity(attach.len());
        for a in attach {
            let hash = a.hash.trim();
            if !gridline_model::photo::is_hash(hash) {
                return Err(not_taken_here(hash));
            }
            let f = self
                .store
                .photo_file(hash)?
                .filter(|f| f.own && !f.is_thumb);
            let Some(f) = f else {
                return Err(not_taken_here(hash));
            };
            let thumb = f.thumb.clone().ok_or_else(|| not_taken_here(hash))?;
            let thumb_size = self.store.photo_file(&thumb)?.map_or(0, |t| t.size);
            // The file is the evidence: it must be here and whole before
            // anything names it.
            for h in [hash, thumb.as_str()] {
                let bytes =
                    std::fs::read(file_path(&self.dir, h)).map_err(|_| not_taken_here(h))?;
                if gridline_photo::sha256_hex(&bytes) != h {
                    return Err(not_taken_here(h));
                }
            }
            out.push(PhotoRef {
                hash: hash.to_owned(),
                size: f.size,
                mime: gridline_model::photo::JPEG.into(),
                thumb,
                thumb_size,
                taken_at: f.taken_at.unwrap_or(now).min(now),
                caption: a.caption.trim().to_owned(),
                step,
                by: self.user().id.clone(),
            });
        }
        gridline_model::photo::validate_added(&out, held, now)?;
        Ok(out)
    }

    /// Where a record says it happened (an issue or a visit), if it does.
    pub fn position_of(&self, record: &str) -> Result<Option<gridline_model::Location>> {
        let id = crate::parse_id(record, "record")?;
        let Some((_, bytes)) = self.store.load(id)? else {
            return Ok(None);
        };
        let doc = gridline_records::load(&bytes, &self.identity.actor)?;
        Ok(gridline_records::position::read(&doc)?)
    }

    /// A household's stored location as a position (a laptop has no GPS:
    /// the report form offers this instead).
    pub fn household_position(&self, household: &str) -> Result<Option<gridline_model::Location>> {
        let id = crate::parse_id(household, "household")?;
        let Some((_, bytes)) = self.store.load(id)? else {
            return Ok(None);
        };
        let doc = gridline_records::load(&bytes, &self.identity.actor)?;
        let h = gridline_records::household::read(&doc)?;
        // A location set with its accuracy is taken as it is, only its
        // source now says it came from the household.
        if let Some(p) = gridline_records::position::read(&doc)? {
            return Ok(Some(gridline_model::Location {
                source: gridline_model::LocationSource::Household,
                ..p
            }));
        }
        Ok(h.location.map(|(lat, lon)| gridline_model::Location {
            lat,
            lon,
            accuracy_m: None,
            source: gridline_model::LocationSource::Household,
        }))
    }

    /// Issue positions of the last `days` days, for the dashboard's plot.
    pub fn issue_points(&self, days: i64, now: Instant) -> Result<Vec<gridline_store::IssuePoint>> {
        Ok(self
            .store
            .issue_points(now - chrono::Duration::days(days))?)
    }

    /// The photos on one record, in the order they were added.
    pub fn photos_of(&self, record: &str) -> Result<Vec<PhotoView>> {
        let id = crate::parse_id(record, "record")?;
        Ok(self
            .store
            .photos_of(&id.to_string())?
            .into_iter()
            .map(view)
            .collect())
    }

    /// Photos on the records this device holds, newest records first.
    pub fn all_photos(&self, limit: usize) -> Result<Vec<PhotoView>> {
        Ok(self
            .store
            .all_photos(limit)?
            .into_iter()
            .map(view)
            .collect())
    }

    /// One photo by its hash, on whichever record holds it.
    pub fn photo(&self, hash: &str) -> Result<PhotoView> {
        let hash = hash.trim();
        for r in self.store.records_with_photo(hash)? {
            if let Some(v) = self
                .store
                .photos_of(&r)?
                .into_iter()
                .find(|p| p.photo.hash == hash)
            {
                return Ok(view(v));
            }
        }
        Err(Error::NotFound {
            what: "照片",
            what_en: "photo",
            id: hash.to_owned(),
        })
    }

    /// The bytes of a blob (a photo or a thumbnail) if they are on this
    /// device and whole; `None` when they must be downloaded first.
    pub fn photo_bytes(&mut self, hash: &str, now: Instant) -> Result<Option<Vec<u8>>> {
        if !gridline_model::photo::is_hash(hash) {
            return Ok(None);
        }
        match std::fs::read(file_path(&self.dir, hash)) {
            Ok(b) if gridline_photo::sha256_hex(&b) == hash => {
                self.store.photo_used(hash, now)?;
                Ok(Some(b))
            }
            // Damaged: removed, and fetched again (or, taken here, taken again).
            Ok(_) => {
                std::fs::remove_file(file_path(&self.dir, hash))
                    .map_err(io("removing a damaged photo"))?;
                self.store.photo_evicted(hash)?;
                Ok(None)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("reading a photo")(e)),
        }
    }

    pub fn photo_queue(&self) -> Result<PhotoQueue> {
        Ok(self.store.photo_queue()?)
    }

    /// Sends a failed (or waiting) photo again at the next pass.
    pub fn retry_photo(&mut self, hash: &str) -> Result<bool> {
        Ok(self.store.photo_retry(hash.trim())?)
    }

    /// Bytes of others' photos this device keeps (`photo_budget_bytes`).
    pub fn photo_budget(&self) -> Result<u64> {
        Ok(self
            .store
            .meta("photo_budget_bytes")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_BUDGET_BYTES))
    }

    pub fn set_photo_budget(&mut self, bytes: u64) -> Result<()> {
        self.store
            .set_meta("photo_budget_bytes", &bytes.to_string())?;
        self.evict_over_budget()?;
        Ok(())
    }

    /// Removes the least recently opened of others' photos until what is
    /// kept fits the budget. Thumbnails stay, and so does every photo taken
    /// here that the hub does not hold yet.
    fn evict_over_budget(&mut self) -> Result<u64> {
        let mut n = 0;
        for (hash, _) in self.store.over_budget(self.photo_budget()?)? {
            match std::fs::remove_file(file_path(&self.dir, &hash)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io("removing a photo")(e)),
            }
            self.store.photo_evicted(&hash)?;
            n += 1;
        }
        Ok(n)
    }

    /// Removes the files of blobs no record here references: others' at
    /// once (their record left this device's scope or was taken back), and
    /// photos taken here more than [`ABANDONED_AFTER_DAYS`] ago for a form
    /// never saved. Returns how many.
    pub fn tidy_photos(&mut self, now: Instant) -> Result<usize> {
        let stale = self
            .store
            .abandoned_photos(now - chrono::Duration::days(ABANDONED_AFTER_DAYS))?;
        for hash in &stale {
            match std::fs::remove_file(file_path(&self.dir, hash)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io("removing a photo")(e)),
            }
            self.store.forget_photo(hash)?;
        }
        Ok(stale.len())
    }

    /// How to reach the hub for photos, for a transfer run without the device.
    pub fn photo_link(&self) -> Result<PhotoLink> {
        Ok(PhotoLink {
            url: self.store.meta("hub_url")?.ok_or(Error::NotEnrolled)?,
            token: self.store.meta("token")?.ok_or(Error::NotEnrolled)?,
            ca_pem: self.store.meta("hub_ca")?.filter(|c| !c.is_empty()),
            dir: self.dir.clone(),
        })
    }

    /// What the photo queue moves next: uploads that are due, then missing
    /// thumbnails of records held here.
    pub fn photo_work(&self, now: Instant, limit: usize) -> Result<PhotoWork> {
        Ok(PhotoWork {
            uploads: self.store.upload_queue(now, limit)?,
            thumbs: self.store.wanted_thumbs(now, limit)?,
        })
    }

    /// Records what became of one upload.
    pub fn photo_outcome(&mut self, hash: &str, outcome: &Outcome, now: Instant) -> Result<()> {
        match outcome {
            Outcome::Uploaded => self.store.photo_uploaded(hash)?,
            Outcome::Refused(reason) => self.store.photo_failed(hash, reason)?,
            Outcome::Later { sent, reason } => {
                self.store.photo_progress(hash, *sent)?;
                let attempts = self.store.photo_file(hash)?.map_or(0, |f| f.attempts);
                self.store
                    .photo_retry_later(hash, now + backoff(attempts, hash), reason)?;
            }
        }
        Ok(())
    }

    /// A thumbnail the hub did not have: asked again after a backoff.
    pub fn thumb_not_there(&mut self, hash: &str, now: Instant) -> Result<()> {
        let attempts = self.store.photo_file(hash)?.map_or(0, |f| f.attempts);
        self.store
            .download_later(hash, now + backoff(attempts, hash))?;
        Ok(())
    }

    /// Keeps a downloaded blob (its hash already checked by [`download`]).
    pub fn keep_downloaded(&mut self, hash: &str, bytes: &[u8], now: Instant) -> Result<()> {
        if gridline_photo::sha256_hex(bytes) != hash {
            return Err(Error::HubRefused(text!(
                "下载的照片与编号不符",
                "the downloaded photo does not match its hash"
            )));
        }
        write_blob(&self.dir, hash, bytes)?;
        self.store.photo_downloaded(hash, now)?;
        self.evict_over_budget()?;
        Ok(())
    }

    /// One pass of the photo queue, holding the device throughout (the
    /// CLI's `gridline sync`): every due upload, then missing thumbnails.
    pub async fn sync_photos(&mut self, now: Instant) -> Result<PhotoReport> {
        self.tidy_photos(now)?;
        let link = self.photo_link()?;
        let http = link.client()?;
        let work = self.photo_work(now, PASS_LIMIT)?;
        let mut report = PhotoReport::default();
        for f in &work.uploads {
            let outcome = upload(&http, &link, f).await;
            report.bytes_sent += outcome.1;
            self.photo_outcome(&f.hash, &outcome.0, now)?;
            // Photos are counted; their thumbnails go with them.
            let photo = u64::from(!f.is_thumb);
            match &outcome.0 {
                Outcome::Uploaded => report.uploaded += photo,
                Outcome::Refused(_) => report.failed += photo,
                Outcome::Later { reason, .. } => {
                    report.later += 1;
                    report.last_error = Some(reason.clone());
                    // Offline: the rest would fail the same way.
                    if outcome.2 {
                        break;
                    }
                }
            }
        }
        for h in &work.thumbs {
            match download(&http, &link, h).await {
                Ok(bytes) => {
                    self.keep_downloaded(h, &bytes, now)?;
                    report.thumbs += 1;
                }
                // Not on the hub yet (its device has not sent it): the
                // others are fetched, this one is asked again later.
                Err(Error::HubRefused(_)) => self.thumb_not_there(h, now)?,
                Err(e) => {
                    report.last_error = Some(e.text());
                    break;
                }
            }
        }
        Ok(report)
    }

    /// A full photo for opening: from disk, or downloaded now (then kept
    /// within the budget).
    pub async fn open_photo(&mut self, hash: &str, now: Instant) -> Result<Vec<u8>> {
        if let Some(b) = self.photo_bytes(hash, now)? {
            return Ok(b);
        }
        let link = self.photo_link()?;
        let bytes = download(&link.client()?, &link, hash).await?;
        self.keep_downloaded(hash, &bytes, now)?;
        Ok(bytes)
    }
}

/// What one pass of the queue did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhotoReport {
    pub uploaded: u64,
    pub failed: u64,
    pub later: u64,
    pub thumbs: u64,
    /// Bytes of photos put on the wire (pieces' bodies).
    pub bytes_sent: u64,
    pub last_error: Option<Text>,
}

/// What the queue moves next.
#[derive(Debug, Clone)]
pub struct PhotoWork {
    pub uploads: Vec<PhotoFile>,
    pub thumbs: Vec<String>,
}

/// How to reach the hub's photo endpoints.
#[derive(Debug, Clone)]
pub struct PhotoLink {
    url: String,
    token: String,
    ca_pem: Option<String>,
    dir: PathBuf,
}

impl PhotoLink {
    pub fn client(&self) -> Result<reqwest::Client> {
        crate::sync::http::client(self.ca_pem.as_deref())
    }
}

/// What became of one upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Uploaded,
    /// Refused for good (too large, or a file that is no longer whole).
    Refused(Text),
    /// Try again later; the hub held `sent` bytes when it stopped.
    Later {
        sent: u64,
        reason: Text,
    },
}

/// The wait before trying a photo again: 30 s doubling to an hour, with
/// a spread from the hash so that photos do not all come due at once.
fn backoff(attempts: u32, hash: &str) -> chrono::Duration {
    let base = 30i64 << attempts.min(7);
    let spread = i64::from(u8::from_str_radix(&hash[..2.min(hash.len())], 16).unwrap_or(0)) % 30;
    chrono::Duration::seconds((base + spread).min(3600))
}

/// The hub's words from an error body, or the body as it came.
async fn hub_words(resp: reqwest::Response) -> Text {
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| Some(Text::new(v["zh"].as_str()?, v["en"].as_str()?)))
        .unwrap_or_else(|| Text::new(format!("HTTP {status}"), format!("HTTP {status}")))
}

fn net_error(e: &reqwest::Error) -> Text {
    if e.is_connect() {
        text!(
            "无法连接街道枢纽，联网后自动上传",
            "cannot reach the hub; uploads when online"
        )
    } else {
        text!("网络中断：{e}", "the connection broke: {e}")
    }
}

/// Uploads one blob from where the hub's copy stands: ask, then send the
/// rest in pieces, each durable on the hub before it answers. Returns the
/// outcome, the bytes put on the wire, and whether the hub looked
/// unreachable (the rest of the queue waits).
pub async fn upload(
    http: &reqwest::Client,
    link: &PhotoLink,
    f: &PhotoFile,
) -> (Outcome, u64, bool) {
    let bytes = match std::fs::read(file_path(&link.dir, &f.hash)) {
        Ok(b) if gridline_photo::sha256_hex(&b) == f.hash => b,
        _ => {
            return (
                Outcome::Refused(text!(
                    "本设备上的照片文件已损坏或丢失，无法上传；请重新拍摄",
                    "the photo's file on this device is damaged or missing; take it again"
                )),
                0,
                false,
            )
        }
    };
    let total = bytes.len() as u64;
    let url = format!("{}/v1/blobs/{}/upload", link.url, f.hash);
    let auth = format!("Bearer {}", link.token);
    let mut wire = 0u64;
    let mut held = f.sent.min(total);
    let mut asked = false;
    let mut mismatches = 0;
    // Bounded: every piece moves the offset, and a repeat costs a round each.
    for _ in 0..(total as usize / PIECE_BYTES + 16) {
        if !asked {
            match http.get(&url).header("authorization", &auth).send().await {
                Ok(r) if r.status().is_success() => match status_of(r).await {
                    Ok(s) if s.complete => return (Outcome::Uploaded, wire, false),
                    Ok(s) => held = s.held.min(total),
                    Err(why) => return later(held, why, wire, false),
                },
                Ok(r) => {
                    let code = r.status().as_u16();
                    return later(held, hub_words(r).await, wire, code == 401 || code == 403);
                }
                Err(e) => return later(held, net_error(&e), wire, true),
            }
            asked = true;
        }
        let end = (held as usize + PIECE_BYTES).min(bytes.len());
        let piece = bytes[held as usize..end].to_vec();
        wire += piece.len() as u64;
        let sent = http
            .put(format!("{url}?offset={held}&total={total}"))
            .header("authorization", &auth)
            .header("content-type", "application/octet-stream")
            .body(piece)
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => match status_of(r).await {
                Ok(s) if s.complete => return (Outcome::Uploaded, wire, false),
                Ok(s) => held = s.held.min(total),
                // A broken answer: ask where it stands.
                Err(_) => asked = false,
            },
            Ok(r) => match r.status().as_u16() {
                409 => {
                    match r
                        .headers()
                        .get("upload-offset")
                        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                    {
                        Some(h) => held = h.min(total),
                        None => asked = false,
                    }
                }
                413 => return (Outcome::Refused(hub_words(r).await), wire, false),
                422 => {
                    mismatches += 1;
                    if mismatches > 2 {
                        return later(0, hub_words(r).await, wire, false);
                    }
                    held = 0;
                }
                code => return later(held, hub_words(r).await, wire, code == 401 || code == 403),
            },
            Err(e) => return later(held, net_error(&e), wire, e.is_connect()),
        }
    }
    later(
        held,
        text!(
            "上传未完成，稍后继续",
            "the upload did not finish; it goes on later"
        ),
        wire,
        false,
    )
}

fn later(sent: u64, reason: Text, wire: u64, unreachable: bool) -> (Outcome, u64, bool) {
    (Outcome::Later { sent, reason }, wire, unreachable)
}

/// The hub's answer to a status or a piece; a broken one (cut off on the
/// way) is a fault like a dropped connection.
async fn status_of(r: reqwest::Response) -> std::result::Result<Status, Text> {
    let bytes = r.bytes().await.map_err(|e| net_error(&e))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| text!("枢纽的回答不完整", "the hub's answer arrived incomplete"))
}

#[derive(serde::Deserialize)]
struct Status {
    held: u64,
    complete: bool,
}

/// Downloads one blob this device may read, checking its hash.
pub async fn download(http: &reqwest::Client, link: &PhotoLink, hash: &str) -> Result<Vec<u8>> {
    let resp = http
        .get(format!("{}/v1/blobs/{hash}", link.url))
        .header("authorization", format!("Bearer {}", link.token))
        .send()
        .await
        .map_err(|e| Error::Offline(net_error(&e)))?;
    if !resp.status().is_success() {
        return Err(Error::HubRefused(hub_words(resp).await));
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| Error::Offline(net_error(&e)))?;
    if gridline_photo::sha256_hex(&bytes) != hash {
        return Err(Error::Offline(text!(
            "下载的照片不完整，稍后重试",
            "the photo arrived incomplete; it is fetched again later"
        )));
    }
    Ok(bytes.to_vec())
}
