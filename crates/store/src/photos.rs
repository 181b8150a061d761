//! What the device knows of photos (DESIGN §9): every record's references
//! (`photo_refs`, projected on each save) and each blob's file and upload
//! (`photo_files`). The bytes are files the device keeps beside the store;
//! these rows never hold them.

use gridline_model::{Instant, PhotoRef, PhotoStep, Text};
use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

/// How a photo taken on this device stands with the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upload {
    /// Not yet whole on the hub (`sent` bytes so far).
    Waiting,
    Uploaded,
    /// The hub refused it for good (too large): only a retry by hand sends it again.
    Failed,
}

impl Upload {
    fn parse(s: &str) -> Upload {
        match s {
            "uploaded" => Upload::Uploaded,
            "failed" => Upload::Failed,
            _ => Upload::Waiting,
        }
    }
}

/// One blob (a photo or a thumbnail) as this device knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoFile {
    pub hash: String,
    pub size: u64,
    pub is_thumb: bool,
    /// Taken on this device.
    pub own: bool,
    pub on_disk: bool,
    pub upload: Upload,
    pub sent: u64,
    pub attempts: u32,
    /// Why the last try failed (a refusal for good, or the last transient fault).
    pub reason: Option<Text>,
    /// A photo taken here: its thumbnail's hash.
    pub thumb: Option<String>,
    pub taken_at: Option<Instant>,
}

/// A photo on a record, with where its bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRow {
    pub doc_id: String,
    pub photo: PhotoRef,
    /// The full photo's file; `None` only for a damaged store.
    pub file: Option<PhotoFile>,
    pub thumb_on_disk: bool,
}

/// The upload queue in numbers (`gridline device show`, the Me tab).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhotoQueue {
    /// Photos taken here, referenced by a saved record, not yet whole on
    /// the hub (thumbnails go with them and are not counted).
    pub waiting: u64,
    /// Bytes still to send, thumbnails included.
    pub waiting_bytes: u64,
    /// Refused by the hub for good.
    pub failed: u64,
    /// Blobs taken here (photos and thumbnails), referenced, that the hub
    /// does not hold: what a wipe waits for.
    pub unsent_blobs: u64,
    pub uploaded: u64,
    /// Others' full photos held here, and their bytes (with their thumbnails).
    pub downloaded: u64,
    pub downloaded_bytes: u64,
}

const FILE_COLS: &str =
    "hash, size, is_thumb, own, on_disk, upload, sent, attempts, reason_zh, reason_en, thumb, taken_at";

fn file_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PhotoFile> {
    let zh: Option<String> = r.get(8)?;
    let en: Option<String> = r.get(9)?;
    Ok(PhotoFile {
        hash: r.get(0)?,
        size: r.get::<_, i64>(1)? as u64,
        is_thumb: r.get(2)?,
        own: r.get(3)?,
        on_disk: r.get(4)?,
        upload: Upload::parse(&r.get::<_, String>(5)?),
        sent: r.get::<_, i64>(6)? as u64,
        attempts: r.get::<_, i64>(7)? as u32,
        reason: zh.zip(en).map(|(zh, en)| Text { zh, en }),
        thumb: r.get(10)?,
        taken_at: r
            .get::<_, Option<String>>(11)?
            .and_then(|t| gridline_model::parse_time(&t)),
    })
}

/// Projects a record's photo list as it is now, and notes each blob this
/// device does not hold yet.
pub(crate) fn project(
    tx: &rusqlite::Transaction<'_>,
    doc_id: &str,
    photos: &[PhotoRef],
) -> Result<()> {
    // What the record holds now: a copy taken back to the hub's version
    // (a refused change) leaves its refused photos' references behind.
    tx.prepare_cached("DELETE FROM photo_refs WHERE doc_id = ?1")?
        .execute([doc_id])?;
    if photos.is_empty() {
        return Ok(());
    }
    let mut refs = tx.prepare_cached(
        "INSERT OR REPLACE INTO photo_refs (doc_id, hash, thumb, size, thumb_size, step, caption, taken_at, by_user, pos)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut files = tx.prepare_cached(
        "INSERT OR IGNORE INTO photo_files (hash, size, is_thumb, own, on_disk, taken_at) VALUES (?1, ?2, ?3, 0, 0, ?4)",
    )?;
    for (pos, p) in photos.iter().enumerate() {
        let taken = gridline_model::fmt_time(p.taken_at);
        refs.execute(params![
            doc_id,
            p.hash,
            p.thumb,
            p.size as i64,
            p.thumb_size as i64,
            p.step.key(),
            p.caption,
            taken,
            p.by,
            pos as i64
        ])?;
        files.execute(params![p.hash, p.size as i64, false, taken])?;
        files.execute(params![p.thumb, p.thumb_size as i64, true, taken])?;
    }
    Ok(())
}

/// Puts a record's position on its issue or visit row (after the row is written).
pub(crate) fn project_position(
    tx: &rusqlite::Transaction<'_>,
    doc_id: &str,
    kind: gridline_model::permission::Kind,
    position: Option<&gridline_model::Location>,
) -> Result<()> {
    use gridline_model::permission::Kind;
    let Some(p) = position else {
        return Ok(());
    };
    let sql = match kind {
        Kind::Issue => "UPDATE issues SET lat = ?2, lon = ?3, accuracy = ?4, position_source = ?5 WHERE id = ?1",
        Kind::Visit => "UPDATE visits SET lat = ?2, lon = ?3, accuracy = ?4, position_source = ?5 WHERE id = ?1",
        _ => return Ok(()),
    };
    tx.prepare_cached(sql)?
        .execute(params![doc_id, p.lat, p.lon, p.accuracy_m, p.source.key()])?;
    Ok(())
}

/// An issue's position as the dashboard plots it.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuePoint {
    pub id: String,
    pub lat: f64,
    pub lon: f64,
    pub stage: Option<String>,
    pub category: String,
    pub reported_at: String,
}

impl Store {
    /// Positions of issues reported since `since`, for the dashboard's plot.
    pub fn issue_points(&self, since: Instant) -> Result<Vec<IssuePoint>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, lat, lon, stage, category, reported_at FROM issues
                 WHERE lat IS NOT NULL AND reported_at >= ?1 ORDER BY reported_at LIMIT 5000",
            )?
            .query_map([gridline_model::fmt_time(since)], |r| {
                Ok(IssuePoint {
                    id: r.get(0)?,
                    lat: r.get(1)?,
                    lon: r.get(2)?,
                    stage: r.get(3)?,
                    category: r.get(4)?,
                    reported_at: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// A photo and its thumbnail taken here, their files already durable:
    /// queued for upload once a saved record references them.
    pub fn photo_taken(
        &mut self,
        photo: (&str, u64),
        thumb: (&str, u64),
        taken_at: Instant,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let at = gridline_model::fmt_time(taken_at);
        for ((hash, size), is_thumb, thumb_of) in
            [(photo, false, Some(thumb.0)), (thumb, true, None)]
        {
            // The same picture taken again, or one a record already named:
            // it is this device's to send now, and its bytes are here.
            tx.execute(
                "INSERT INTO photo_files (hash, size, is_thumb, own, on_disk, taken_at, used_at, thumb)
                 VALUES (?1, ?2, ?3, 1, 1, ?4, ?4, ?5)
                 ON CONFLICT (hash) DO UPDATE SET on_disk = 1, thumb = coalesce(photo_files.thumb, excluded.thumb),
                    own = CASE WHEN photo_files.upload = 'uploaded' THEN photo_files.own ELSE 1 END",
                params![hash, size as i64, is_thumb, at, thumb_of],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn photo_file(&self, hash: &str) -> Result<Option<PhotoFile>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {FILE_COLS} FROM photo_files WHERE hash = ?1"
            ))?
            .query_row([hash], file_row)
            .optional()?)
    }

    /// A record's photos in the order they were added, with their files.
    pub fn photos_of(&self, doc_id: &str) -> Result<Vec<PhotoRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT r.doc_id, r.hash, r.thumb, r.size, r.thumb_size, r.step, r.caption, r.taken_at, r.by_user,
                    coalesce(t.on_disk, 0)
             FROM photo_refs r LEFT JOIN photo_files t ON t.hash = r.thumb
             WHERE r.doc_id = ?1 ORDER BY r.pos, r.hash",
        )?;
        let rows = st
            .query_map([doc_id], |r| {
                let taken: String = r.get(7)?;
                let step: String = r.get(5)?;
                Ok((
                    r.get::<_, String>(0)?,
                    PhotoRef {
                        hash: r.get(1)?,
                        thumb: r.get(2)?,
                        size: r.get::<_, i64>(3)? as u64,
                        thumb_size: r.get::<_, i64>(4)? as u64,
                        mime: gridline_model::photo::JPEG.into(),
                        step: PhotoStep::parse(&step).unwrap_or(PhotoStep::Report),
                        caption: r.get(6)?,
                        taken_at: gridline_model::parse_time(&taken).unwrap_or_default(),
                        by: r.get(8)?,
                    },
                    r.get::<_, bool>(9)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(doc_id, photo, thumb_on_disk)| {
                Ok(PhotoRow {
                    file: self.photo_file(&photo.hash)?,
                    doc_id,
                    photo,
                    thumb_on_disk,
                })
            })
            .collect()
    }

    /// Every photo on every record this device holds, newest first (`gridline photo list`).
    pub fn all_photos(&self, limit: usize) -> Result<Vec<PhotoRow>> {
        let docs: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT doc_id FROM photo_refs GROUP BY doc_id ORDER BY max(taken_at) DESC LIMIT ?1",
            )?
            .query_map([limit as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for d in docs {
            out.extend(self.photos_of(&d)?);
        }
        Ok(out)
    }

    /// Which records reference a blob (its photo or its thumbnail).
    pub fn records_with_photo(&self, hash: &str) -> Result<Vec<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT DISTINCT doc_id FROM photo_refs WHERE hash = ?1 OR thumb = ?1 ORDER BY doc_id",
            )?
            .query_map([hash], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// The next blobs to upload: taken here, on disk, referenced by a saved
    /// record, not refused for good, and due (`next_try_at` passed).
    /// Thumbnails first (others see a record by them), then oldest first.
    pub fn upload_queue(&self, now: Instant, limit: usize) -> Result<Vec<PhotoFile>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {FILE_COLS} FROM photo_files f
                 WHERE own = 1 AND on_disk = 1 AND upload = 'waiting'
                   AND (next_try_at IS NULL OR next_try_at <= ?1)
                   AND (EXISTS (SELECT 1 FROM photo_refs r WHERE r.hash = f.hash)
                        OR EXISTS (SELECT 1 FROM photo_refs r WHERE r.thumb = f.hash))
                 ORDER BY is_thumb DESC, taken_at, hash LIMIT ?2"
            ))?
            .query_map(
                params![gridline_model::fmt_time(now), limit as i64],
                file_row,
            )?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// The hub holds `sent` bytes of this upload.
    pub fn photo_progress(&mut self, hash: &str, sent: u64) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE photo_files SET sent = ?2 WHERE hash = ?1")?
            .execute(params![hash, sent as i64])?;
        Ok(())
    }

    /// The hub holds the blob whole, its hash checked.
    pub fn photo_uploaded(&mut self, hash: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE photo_files SET upload = 'uploaded', sent = size, next_try_at = NULL,
                    reason_zh = NULL, reason_en = NULL WHERE hash = ?1",
            )?
            .execute([hash])?;
        Ok(())
    }

    /// A try that failed for now (offline, a dropped connection): tried
    /// again from `next_try_at`, with the reason kept for the record's page.
    pub fn photo_retry_later(
        &mut self,
        hash: &str,
        next_try_at: Instant,
        reason: &Text,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE photo_files SET attempts = attempts + 1, next_try_at = ?2,
                    reason_zh = ?3, reason_en = ?4 WHERE hash = ?1 AND upload = 'waiting'",
            )?
            .execute(params![
                hash,
                gridline_model::fmt_time(next_try_at),
                reason.zh,
                reason.en
            ])?;
        Ok(())
    }

    /// The hub refused the blob for good: not sent again unless retried by hand.
    pub fn photo_failed(&mut self, hash: &str, reason: &Text) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE photo_files SET upload = 'failed', attempts = attempts + 1,
                    reason_zh = ?2, reason_en = ?3 WHERE hash = ?1",
            )?
            .execute(params![hash, reason.zh, reason.en])?;
        Ok(())
    }

    /// A retry by hand: a failed or waiting upload is due now. Whether it
    /// was one to retry.
    pub fn photo_retry(&mut self, hash: &str) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE photo_files SET upload = 'waiting', next_try_at = NULL
                 WHERE (hash = ?1 OR hash = (SELECT thumb FROM photo_files WHERE hash = ?1))
                   AND own = 1 AND upload <> 'uploaded'",
            )?
            .execute([hash])?;
        Ok(n > 0)
    }

    /// Thumbnails a record here references that are not on disk yet and
    /// are due (one the hub did not have is asked again later).
    pub fn wanted_thumbs(&self, now: Instant, limit: usize) -> Result<Vec<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT f.hash FROM photo_files f
                 WHERE f.on_disk = 0 AND (f.next_try_at IS NULL OR f.next_try_at <= ?1)
                   AND EXISTS (SELECT 1 FROM photo_refs r WHERE r.thumb = f.hash)
                 ORDER BY f.taken_at DESC, f.hash LIMIT ?2",
            )?
            .query_map(params![gridline_model::fmt_time(now), limit as i64], |r| {
                r.get(0)
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// A download the hub answered without the blob (not uploaded yet by
    /// whoever took it): asked again from `next_try_at`.
    pub fn download_later(&mut self, hash: &str, next_try_at: Instant) -> Result<u32> {
        self.conn
            .prepare_cached(
                "UPDATE photo_files SET attempts = attempts + 1, next_try_at = ?2 WHERE hash = ?1 AND own = 0",
            )?
            .execute(params![hash, gridline_model::fmt_time(next_try_at)])?;
        Ok(self
            .conn
            .prepare_cached("SELECT attempts FROM photo_files WHERE hash = ?1")?
            .query_row([hash], |r| r.get::<_, i64>(0))
            .optional()?
            .unwrap_or(0) as u32)
    }

    /// Another's blob is now on disk, its hash checked.
    pub fn photo_downloaded(&mut self, hash: &str, now: Instant) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE photo_files SET on_disk = 1, used_at = ?2 WHERE hash = ?1")?
            .execute(params![hash, gridline_model::fmt_time(now)])?;
        Ok(())
    }

    /// A photo was opened: the last to be evicted.
    pub fn photo_used(&mut self, hash: &str, now: Instant) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE photo_files SET used_at = ?2 WHERE hash = ?1")?
            .execute(params![hash, gridline_model::fmt_time(now)])?;
        Ok(())
    }

    /// Full photos to remove so that those held fit in `budget` bytes:
    /// least recently opened first, never a thumbnail and never one taken
    /// here that the hub does not hold yet.
    pub fn over_budget(&self, budget: u64) -> Result<Vec<(String, u64)>> {
        let rows: Vec<(String, u64)> = self
            .conn
            .prepare_cached(
                "SELECT hash, size FROM photo_files
                 WHERE on_disk = 1 AND is_thumb = 0 AND (own = 0 OR upload = 'uploaded')
                 ORDER BY coalesce(used_at, taken_at) DESC, hash",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut kept = 0u64;
        Ok(rows
            .into_iter()
            .filter(|(_, size)| {
                kept += size;
                kept > budget
            })
            .collect())
    }

    /// Blobs no record here references: others' at once (their record
    /// left this device's scope, or was taken back), and photos taken here
    /// before `before` (a form abandoned, its draft long gone).
    pub fn abandoned_photos(&self, before: Instant) -> Result<Vec<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT f.hash FROM photo_files f
                 WHERE (f.own = 0 OR f.taken_at < ?1)
                   AND NOT EXISTS (SELECT 1 FROM photo_refs r WHERE r.hash = f.hash)
                   AND NOT EXISTS (SELECT 1 FROM photo_refs r WHERE r.thumb = f.hash)
                 ORDER BY f.hash",
            )?
            .query_map([gridline_model::fmt_time(before)], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Forgets a blob this device holds no reference to.
    pub fn forget_photo(&mut self, hash: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "DELETE FROM photo_files WHERE hash = ?1
                 AND NOT EXISTS (SELECT 1 FROM photo_refs r WHERE r.hash = ?1 OR r.thumb = ?1)",
            )?
            .execute([hash])?;
        Ok(())
    }

    /// A blob's file was removed (evicted); it can be downloaded again.
    pub fn photo_evicted(&mut self, hash: &str) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE photo_files SET on_disk = 0 WHERE hash = ?1")?
            .execute([hash])?;
        Ok(())
    }

    pub fn photo_queue(&self) -> Result<PhotoQueue> {
        Ok(self.conn.query_row(
            "SELECT
                coalesce(sum(is_thumb = 0 AND own = 1 AND upload = 'waiting' AND referenced), 0),
                coalesce(sum(CASE WHEN own = 1 AND upload = 'waiting' AND referenced THEN size - sent ELSE 0 END), 0),
                coalesce(sum(is_thumb = 0 AND own = 1 AND upload = 'failed'), 0),
                coalesce(sum(is_thumb = 0 AND own = 1 AND upload = 'uploaded'), 0),
                coalesce(sum(is_thumb = 0 AND own = 0 AND on_disk = 1), 0),
                coalesce(sum(CASE WHEN own = 0 AND on_disk = 1 THEN size ELSE 0 END), 0),
                coalesce(sum(own = 1 AND upload <> 'uploaded' AND referenced), 0)
             FROM (SELECT f.*, (EXISTS (SELECT 1 FROM photo_refs r WHERE r.hash = f.hash)
                               OR EXISTS (SELECT 1 FROM photo_refs r WHERE r.thumb = f.hash)) AS referenced
                   FROM photo_files f)",
            [],
            |r| {
                Ok(PhotoQueue {
                    waiting: r.get::<_, i64>(0)? as u64,
                    waiting_bytes: r.get::<_, i64>(1)? as u64,
                    failed: r.get::<_, i64>(2)? as u64,
                    uploaded: r.get::<_, i64>(3)? as u64,
                    downloaded: r.get::<_, i64>(4)? as u64,
                    downloaded_bytes: r.get::<_, i64>(5)? as u64,
                    unsent_blobs: r.get::<_, i64>(6)? as u64,
                })
            },
        )?)
    }
}
