//! Photos on the hub (DESIGN §9): blobs stored once by their SHA-256, taken
//! in resumable pieces, served only to a device that may read a record
//! referencing them.
//!
//! Files, not a table: a blob is written once and read whole, so a file per
//! hash under `blobs/` beside `hub.db` keeps the database (and its WAL, its
//! backups and every page read) the size of the records alone; the `blobs`
//! table says which files are whole and who sent them, `blob_refs` which
//! records reference which hashes (kept by `write_doc`, on every path that
//! stores a document).
//!
//! An upload: ask what the hub holds (`status`), send pieces from that
//! offset (`put_piece`), and when the last byte lands the hub checks the
//! hash before the blob counts; a blob the hub already holds is kept once.
//! A piece is durable (fsync) before it is answered, so an upload resumes
//! from the hub's offset after either side dies. Pieces of one upload are
//! appended under a lock striped by hash: a duplicated request finds the
//! offset moved and is told where the upload stands (`Error::BlobOffset`).
//!
//! Whether a device may fetch a blob, or learn that the hub holds it whole,
//! is decided from the rows of the records referencing it, before any file
//! is opened; "exists but not yours" and "does not exist" are one answer.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use gridline_model::{text, Instant};
use rusqlite::{params, OptionalExtension};

use crate::{audit, Error, Hub, Result};

/// The largest blob a hub takes unless its admin sets another
/// (`hub serve --max-photo-kb`): the model's bound on a referenced photo.
pub const DEFAULT_MAX_BLOB_BYTES: u64 = gridline_model::photo::MAX_PHOTO_BYTES;
/// The largest piece one request carries.
pub const MAX_PIECE_BYTES: usize = 1024 * 1024;
/// Uploads one device may have begun and not finished: its queue sends one
/// at a time, so this is far above any honest need and bounds the disk a
/// device can fill with halves.
pub const MAX_PARTIALS_PER_DEVICE: usize = 64;

/// Where an upload stands, as the device asking may know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BlobStatus {
    /// Bytes the hub holds of this device's upload (the whole size once complete).
    pub held: u64,
    /// The hub holds the blob whole, hash checked.
    pub complete: bool,
}

/// A blob no record references (`hub blobs --orphans`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    pub hash: String,
    pub size: u64,
    pub stored_at: String,
}

pub(crate) struct BlobDir {
    root: PathBuf,
    /// Appends to one upload never interleave: a lock per stripe of hashes.
    stripes: Vec<parking_lot::Mutex<()>>,
    max_bytes: std::sync::atomic::AtomicU64,
}

impl BlobDir {
    pub(crate) fn beside(store: &Path) -> BlobDir {
        let root = store
            .parent()
            .map(|d| d.join("blobs"))
            .unwrap_or_else(|| PathBuf::from("blobs"));
        BlobDir {
            root,
            stripes: (0..16).map(|_| parking_lot::Mutex::new(())).collect(),
            max_bytes: DEFAULT_MAX_BLOB_BYTES.into(),
        }
    }

    fn whole(&self, hash: &str) -> PathBuf {
        self.root.join(&hash[..2]).join(hash)
    }

    fn partial(&self, device_id: &str, hash: &str) -> PathBuf {
        let device = &crate::hash(device_id)[..16];
        self.root.join("partial").join(format!("{device}-{hash}"))
    }

    /// Uploads of this device begun and not finished.
    fn partials_of(&self, device_id: &str) -> Result<usize> {
        let prefix = format!("{}-", &crate::hash(device_id)[..16]);
        match std::fs::read_dir(self.root.join("partial")) {
            Ok(entries) => Ok(entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                .count()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(io("reading uploads")(e)),
        }
    }

    fn stripe(&self, hash: &str) -> parking_lot::MutexGuard<'_, ()> {
        let i = usize::from_str_radix(&hash[..1], 16).unwrap_or(0) % self.stripes.len();
        self.stripes[i].lock()
    }
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let context = context.into();
    move |source| Error::Io { context, source }
}

fn check_hash(hash: &str) -> Result<()> {
    if gridline_model::photo::is_hash(hash) {
        Ok(())
    } else {
        Err(Error::NoSuchBlob)
    }
}

/// Makes `path` durable where it is: the file, then its directory.
fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(format!("syncing {}", dir.display())))
}

impl Hub {
    /// The largest blob this hub stores.
    pub fn max_blob_bytes(&self) -> u64 {
        self.blobs
            .max_bytes
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sets the largest blob this hub stores (`hub serve --max-photo-kb`).
    pub fn set_max_blob_bytes(&self, bytes: u64) {
        self.blobs.max_bytes.store(
            bytes.clamp(1, DEFAULT_MAX_BLOB_BYTES),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// Where the device holding `token` stands with an upload of `hash`.
    pub fn blob_status(&self, token: &str, hash: &str) -> Result<BlobStatus> {
        check_hash(hash)?;
        let (device_id, user) = self.device_of(token)?;
        if let Some(size) = self.whole_for(&device_id, &user, hash)? {
            return Ok(BlobStatus {
                held: size,
                complete: true,
            });
        }
        let held = match std::fs::metadata(self.blobs.partial(&device_id, hash)) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(io("reading an upload")(e)),
        };
        Ok(BlobStatus {
            held,
            complete: false,
        })
    }

    /// Takes one piece of an upload: `bytes` at `offset` of a blob of
    /// `total` bytes. Durable before it returns; the last piece checks the
    /// hash and stores the blob once.
    pub fn put_blob_piece(
        &self,
        token: &str,
        hash: &str,
        offset: u64,
        total: u64,
        bytes: &[u8],
        now: Instant,
    ) -> Result<BlobStatus> {
        check_hash(hash)?;
        let (device_id, user) = self.device_of(token)?;
        let max = self.max_blob_bytes();
        if total > max {
            return Err(Error::BlobTooLarge { size: total, max });
        }
        let end = offset.checked_add(bytes.len() as u64);
        if total == 0 || end.is_none_or(|end| end > total) {
            return Err(Error::Invalid(Box::new(gridline_model::Invalid::new(
                "offset",
                text!(
                    "片段 {offset}+{} 超出照片大小 {total}",
                    "piece {offset}+{} runs past the photo's size {total}",
                    bytes.len()
                ),
                text!(
                    "请从枢纽所答的位置重新上传",
                    "upload again from the offset the hub gives"
                ),
            ))));
        }
        let _one_at_a_time = self.blobs.stripe(hash);
        if let Some(size) = self.whole_for(&device_id, &user, hash)? {
            return Ok(BlobStatus {
                held: size,
                complete: true,
            });
        }
        let partial = self.blobs.partial(&device_id, hash);
        let dir = partial.parent().expect("a partial has a directory");
        std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
        let fresh = !partial.exists();
        if fresh && self.blobs.partials_of(&device_id)? >= MAX_PARTIALS_PER_DEVICE {
            return Err(Error::Invalid(Box::new(gridline_model::Invalid::new(
                "upload",
                text!(
                    "本设备已有 {MAX_PARTIALS_PER_DEVICE} 张照片上传到一半",
                    "this device has {MAX_PARTIALS_PER_DEVICE} photos half uploaded"
                ),
                text!("请先传完这些照片", "finish those uploads first"),
            ))));
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&partial)
            .map_err(io("opening an upload"))?;
        let held = file.metadata().map_err(io("reading an upload"))?.len();
        if held != offset {
            return Err(Error::BlobOffset { held });
        }
        file.write_all(bytes).map_err(io("writing an upload"))?;
        file.sync_data().map_err(io("syncing an upload"))?;
        if fresh {
            // The new file's name too, so the offset answered survives a crash.
            sync_dir(dir)?;
        }
        let held = offset + bytes.len() as u64;
        if held < total {
            return Ok(BlobStatus {
                held,
                complete: false,
            });
        }
        drop(file);
        self.finish(&device_id, &user.id, hash, &partial, total, now)
    }

    /// The last byte landed: check the hash, keep the blob once, audit it.
    fn finish(
        &self,
        device_id: &str,
        user_id: &str,
        hash: &str,
        partial: &Path,
        total: u64,
        now: Instant,
    ) -> Result<BlobStatus> {
        let mut bytes = Vec::with_capacity(total as usize);
        std::fs::File::open(partial)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(io("reading an upload"))?;
        let got = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        if got != hash {
            std::fs::remove_file(partial).map_err(io("removing a bad upload"))?;
            return Err(Error::BlobHashMismatch { got });
        }
        let whole = self.blobs.whole(hash);
        let held_already: bool = self
            .conn()
            .query_row("SELECT 1 FROM blobs WHERE hash = ?1", [hash], |_| Ok(()))
            .optional()?
            .is_some();
        if held_already && whole.exists() {
            // Sent again (another device, or a retry): stored once.
            std::fs::remove_file(partial).map_err(io("removing a repeated upload"))?;
        } else {
            let dir = whole.parent().expect("a blob has a directory");
            std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
            std::fs::rename(partial, &whole).map_err(io("keeping an upload"))?;
            sync_dir(dir)?;
        }
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR IGNORE INTO blobs (hash, size, stored_at, device_id) VALUES (?1, ?2, ?3, ?4)",
            params![hash, total as i64, gridline_records::fmt_time(now), device_id],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO blob_senders (hash, user_id) VALUES (?1, ?2)",
            params![hash, user_id],
        )?;
        audit::write(
            &tx,
            &audit::Entry {
                at: now,
                device_id: Some(device_id),
                user_id,
                doc_id: hash,
                kind: "photo",
                action: if held_already {
                    "photo-upload-again"
                } else {
                    "photo-upload"
                },
                admin: None,
                detail: &format!("{total} bytes"),
            },
        )?;
        tx.commit()?;
        Ok(BlobStatus {
            held: total,
            complete: true,
        })
    }

    /// A whole blob for the device holding `token`: only when it may read a
    /// record referencing it. Every other case is `Error::NotFound`.
    pub fn blob(&self, token: &str, hash: &str) -> Result<Vec<u8>> {
        check_hash(hash)?;
        let (_, user) = self.device_of(token)?;
        if !self.readable_by(&user, hash)? {
            return Err(Error::NoSuchBlob);
        }
        match std::fs::read(self.blobs.whole(hash)) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::NoSuchBlob),
            Err(e) => Err(io("reading a photo")(e)),
        }
    }

    /// Blobs the hub holds that no record references, oldest first.
    pub fn orphan_blobs(&self) -> Result<Vec<Orphan>> {
        let conn = self.reader();
        let mut st = conn.prepare(
            "SELECT hash, size, stored_at FROM blobs b
             WHERE NOT EXISTS (SELECT 1 FROM blob_refs r WHERE r.hash = b.hash)
             ORDER BY stored_at, hash",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(Orphan {
                    hash: r.get(0)?,
                    size: r.get::<_, i64>(1)? as u64,
                    stored_at: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Blobs held whole, and their bytes in all.
    pub fn blob_totals(&self) -> Result<(u64, u64)> {
        let (n, bytes): (i64, i64) = self.reader().query_row(
            "SELECT count(*), coalesce(sum(size), 0) FROM blobs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((n as u64, bytes as u64))
    }

    fn device_of(&self, token: &str) -> Result<(String, gridline_model::User)> {
        let mut conn = self.reader();
        let tx = conn.transaction()?;
        let b = Hub::binding(&tx, token)?;
        Ok((b.device_id, b.user))
    }

    /// The blob's size, when it is held whole and this device may know it:
    /// it sent it, or it may read a record referencing it.
    fn whole_for(
        &self,
        device_id: &str,
        user: &gridline_model::User,
        hash: &str,
    ) -> Result<Option<u64>> {
        let row: Option<(i64, String)> = self
            .reader()
            .query_row(
                "SELECT size, device_id FROM blobs WHERE hash = ?1",
                [hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((size, sender)) = row else {
            return Ok(None);
        };
        // A file removed by hand (cleaning orphans) is not held, whatever its row says.
        if !self.blobs.whole(hash).exists() {
            return Ok(None);
        }
        if sender == device_id || self.readable_by(user, hash)? {
            Ok(Some(size as u64))
        } else {
            Ok(None)
        }
    }

    /// Whether `user` is sent any record that references `hash` by a user
    /// who sent the blob's bytes, from the records' rows alone. A reference
    /// by anyone else (a hash learned and named) opens nothing.
    fn readable_by(&self, user: &gridline_model::User, hash: &str) -> Result<bool> {
        let conn = self.reader();
        let mut st = conn.prepare_cached(
            "SELECT d.kind, d.grid, d.household, d.reporter, d.departments, d.open, d.claimant
             FROM blob_refs r JOIN documents d ON d.id = r.doc_id
             WHERE r.hash = ?1
               AND EXISTS (SELECT 1 FROM blob_senders s WHERE s.hash = r.hash AND s.user_id = r.by_user)",
        )?;
        let mut rows = st.query([hash])?;
        while let Some(r) = rows.next()? {
            let kind: String = r.get(0)?;
            let grid: String = r.get(1)?;
            let household: Option<String> = r.get(2)?;
            let reporter: Option<String> = r.get(3)?;
            let departments: String = r.get(4)?;
            let open: bool = r.get(5)?;
            let claimant: Option<String> = r.get(6)?;
            let target = crate::sync::row_target(
                &grid,
                household.as_deref(),
                reporter.as_deref(),
                &departments,
            );
            if crate::sync::row_sent(user, &kind, target, open, claimant) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Indexes the blobs a stored document references (its photos and their
/// thumbnails), in the transaction that writes it.
pub(crate) fn index_refs(
    tx: &rusqlite::Transaction<'_>,
    doc_id: &str,
    doc: &automerge::AutoCommit,
) -> Result<()> {
    let photos = gridline_records::photos::read(doc)?;
    if photos.is_empty() {
        return Ok(());
    }
    let mut st = tx.prepare_cached(
        "INSERT OR IGNORE INTO blob_refs (hash, doc_id, by_user) VALUES (?1, ?2, ?3)",
    )?;
    for p in &photos {
        for h in [&p.hash, &p.thumb] {
            st.execute(params![h, doc_id, p.by])?;
        }
    }
    Ok(())
}
