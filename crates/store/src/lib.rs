//! The device store: Automerge documents and a queryable projection in one
//! SQLite file.
//!
//! Every save writes a document's bytes and its projection (households,
//! residents, tags, search keys, issues, wishes, visits) in one transaction,
//! in WAL mode with `synchronous=FULL`, so when [`Store::save`] returns the
//! record survives a crash or a pulled battery, and the lists never disagree
//! with the documents.
//!
//! ```no_run
//! # fn main() -> gridline_store::Result<()> {
//! let store = gridline_store::Store::open(std::path::Path::new("device.db"))?;
//! let rows = store.households(&gridline_store::HouseholdFilter::default())?;
//! # Ok(()) }
//! ```

pub mod cipher;
mod dashboard;
mod deliberation;
mod duplicates;
mod error;
mod ledger;
mod mediation;
mod merges;
pub mod migrations;
mod monthly;
mod photos;
pub mod pinyin_keys;
mod projection;
mod query;
mod reveals;
mod street_limits;
mod sync_state;

use std::path::Path;

use automerge::{AutoCommit, ReadDoc};
use gridline_model::permission::Kind;
use gridline_model::Instant;
use gridline_records::Record;
use rusqlite::{params, Connection, OptionalExtension};

pub use cipher::StoreKey;
pub use dashboard::{Dashboard, Today};
pub use deliberation::{DeliberationFilter, DeliberationRow};
pub use duplicates::{DuplicateCandidate, ResidentCandidate};
pub use error::{Error, Result};
pub use ledger::RosterEntry;
pub use mediation::{MediationFilter, MediationRow};
pub use merges::MergeRow;
pub use photos::{IssuePoint, PhotoFile, PhotoQueue, PhotoRow, Upload};
pub use query::*;
pub use reveals::Reveal;
pub use sync_state::{Refusal, RefusedCopy, Unsent};

/// Per-record sync state as a user sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// 仅本机: never sent to the hub.
    Local,
    /// 待同步: changed since the hub last acknowledged it.
    Pending,
    /// 已同步.
    Synced,
    /// 有冲突: a field has two values; someone must choose.
    Conflict,
}

impl SyncState {
    pub fn key(self) -> &'static str {
        match self {
            SyncState::Local => "local",
            SyncState::Pending => "pending",
            SyncState::Synced => "synced",
            SyncState::Conflict => "conflict",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            SyncState::Local => "仅本机",
            SyncState::Pending => "待同步",
            SyncState::Synced => "已同步",
            SyncState::Conflict => "有冲突",
        }
    }
}

/// Where a saved document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Made or changed on this device by its user.
    Local,
    /// Synthetic demo data: for trying a device alone, never synced.
    Demo,
    /// Received from the hub: in sync, unless local changes still wait.
    Remote,
}

/// The page cache, in the negative-KiB form `PRAGMA cache_size` takes: 32 MB,
/// for a street-staff laptop holding ~600,000 documents.
const CACHE_KIB: i64 = -32_768;
/// The page cache in bulk mode ([`Store::bulk_writes`]): 256 MB.
const BULK_CACHE_KIB: i64 = -262_144;

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and runs migrations.
    pub fn open(path: &Path) -> Result<Store> {
        Self::init(Connection::open(path)?)
    }

    /// Opens (creating if needed) the SQLCipher store at `path` with `key`
    /// and runs migrations. A wrong key is [`Error::WrongKey`] and changes
    /// nothing; a plain store is refused here (see
    /// [`cipher::encrypt_plain_store`]).
    pub fn open_encrypted(path: &Path, key: &StoreKey) -> Result<Store> {
        if cipher::file_kind(path)? == cipher::FileKind::Plain {
            return Err(Error::Damaged(format!(
                "{} is an unencrypted store: encrypt it first",
                path.display()
            )));
        }
        let conn = Connection::open(path)?;
        cipher::apply(&conn, key)?;
        Self::init(conn)
    }

    pub fn open_in_memory() -> Result<Store> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store> {
        // WAL keeps readers off the writer's back; FULL makes a returned
        // commit durable across power loss, which is what "saved" promises.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // The row an INSERT OR REPLACE removes fires its delete triggers,
        // which keep the dashboard's tallies (migration 0007) exact.
        conn.pragma_update(None, "recursive_triggers", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // 32 MB of page cache: a street-staff laptop holds ~600,000 documents.
        conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        migrations::migrate(&mut conn)?;
        monthly::finish_migration(&mut conn)?;
        Ok(Store { conn })
    }

    /// The underlying connection, for checks in tests and benchmarks.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Several meta values in one commit (one fsync instead of many).
    pub fn set_metas(&mut self, pairs: &[(&str, &str)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (k, v) in pairs {
            tx.execute("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", params![k, v])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The hub's actor id (hex), which the wish fold trusts for grants.
    pub fn hub_actor(&self) -> Result<Option<String>> {
        self.meta("hub_actor")
    }

    /// Writes the document and its projection in one durable transaction.
    /// `record` must be what the document now holds.
    pub fn save(
        &mut self,
        doc: &mut AutoCommit,
        record: &Record,
        origin: Origin,
        now: Instant,
    ) -> Result<()> {
        let saved = Saved::of(doc, origin != Origin::Demo);
        self.save_batch([(saved, record)], origin, now)?;
        Ok(())
    }

    /// Writes many documents in one transaction (demo data, imports): all or
    /// none. Documents are passed already saved ([`Saved::of`]), so the costly
    /// part can be done on other threads.
    pub fn save_batch<'a>(
        &mut self,
        docs: impl IntoIterator<Item = (Saved, &'a Record)>,
        origin: Origin,
        now: Instant,
    ) -> Result<usize> {
        // Immediate: the write lock is taken (waiting out another writer)
        // before `write_doc` reads what is stored, so nothing can be committed
        // between that read and this transaction's writes. The hub's actor
        // and the street's limits are read inside it for the same reason: a
        // sync in another process may have just changed the limits.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let hub: Option<String> = tx
            .prepare_cached("SELECT value FROM meta WHERE key = 'hub_actor'")?
            .query_row([], |r| r.get(0))
            .optional()?;
        let limits = street_limits::read(&tx)?;
        let mut n = 0;
        for (saved, record) in docs {
            write_doc(&tx, saved, record, origin, now, hub.as_deref(), &limits)?;
            n += 1;
        }
        tx.commit()?;
        Ok(n)
    }

    /// [`Store::save_batch`] committed without waiting for the disk flush
    /// (synchronous=NORMAL for this one commit), for documents another
    /// copy still holds (a part of a received page). SQLite's WAL keeps
    /// commits in order, so a power loss may drop this commit, never a later
    /// flushed one, and never corrupts the store; the next commit under
    /// the usual synchronous=FULL flushes it with its own.
    pub fn save_batch_unflushed<'a>(
        &mut self,
        docs: impl IntoIterator<Item = (Saved, &'a Record)>,
        origin: Origin,
        now: Instant,
    ) -> Result<usize> {
        let was: i64 = self
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        if was < 2 {
            // Bulk mode already: nothing to relax or restore.
            return self.save_batch(docs, origin, now);
        }
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let saved = self.save_batch(docs, origin, now);
        // Every later user save must be durable again (FULL, or EXTRA as it
        // was): try twice, and should both fail, fail this call whatever the
        // save did, rather than go on at NORMAL unnoticed.
        let restored = self
            .conn
            .pragma_update(None, "synchronous", was)
            .or_else(|_| self.conn.pragma_update(None, "synchronous", was));
        restored?;
        saved
    }

    /// Bulk mode, for a run of large [`Store::save_batch`]es of regenerable
    /// data (a demo seed): commits wait for no disk flush and the WAL is
    /// checkpointed every ~64 MB instead of every ~4 MB, and the page cache
    /// grows to 256 MB so that a street's indexes are not re-read from the
    /// file for every grid. Turning it off
    /// restores the usual settings, checkpoints everything and flushes it,
    /// so what was written is as durable then as with the usual settings. A
    /// crash in bulk mode may lose the last batches but never corrupts the
    /// store (SQLite's WAL with synchronous=NORMAL). A street seed spends a
    /// third less of its writer's time in commits this way (docs/benchmarks.md).
    pub fn bulk_writes(&mut self, on: bool) -> Result<()> {
        if on {
            self.conn.pragma_update(None, "synchronous", "NORMAL")?;
            self.conn
                .pragma_update(None, "wal_autocheckpoint", 16_384)?;
            self.conn
                .pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
        } else {
            self.conn.pragma_update(None, "synchronous", "FULL")?;
            self.conn.pragma_update(None, "wal_autocheckpoint", 1000)?;
            self.conn.pragma_update(None, "cache_size", CACHE_KIB)?;
            // (busy, log frames, checkpointed frames): busy means a reader
            // in another process held the log past the busy timeout, so the
            // log was not copied into the file. Then one small commit under
            // synchronous=FULL flushes the whole log, the bulk's frames too.
            let busy: i64 = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            if busy != 0 {
                self.set_meta("bulk_flushed", "1")?;
            }
        }
        Ok(())
    }

    /// The saved bytes and kind of a document, if this device holds it.
    pub fn load(&self, id: gridline_model::RecordId) -> Result<Option<(Kind, Vec<u8>)>> {
        // Cached: a first sync asks this once for each of thousands of documents.
        let row: Option<(String, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT kind, bytes FROM documents WHERE id = ?1")?
            .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(k, b)| Ok((Kind::parse(&k).ok_or(Error::Damaged(k))?, b)))
            .transpose()
    }

    pub fn sync_state(&self, id: gridline_model::RecordId) -> Result<Option<SyncState>> {
        let row: Option<(String, bool)> = self
            .conn
            .query_row(
                "SELECT sync_state, conflicted FROM documents WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.map(|(s, c)| state_of(&s, c)))
    }

    /// Marks documents as acknowledged by the hub at these heads; a document
    /// changed again since then stays pending.
    pub fn mark_synced(&mut self, id: gridline_model::RecordId, heads: &str) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE documents SET sync_state = 'synced' WHERE id = ?1 AND heads = ?2 AND demo = 0",
            params![id.to_string(), heads],
        )?;
        Ok(n == 1)
    }

    /// Runs SQLite's own integrity check.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

fn state_of(s: &str, conflicted: bool) -> SyncState {
    match (s, conflicted) {
        (_, true) => SyncState::Conflict,
        ("local", _) => SyncState::Local,
        ("pending", _) => SyncState::Pending,
        _ => SyncState::Synced,
    }
}

/// A document as the store keeps it: compressed bytes, heads, conflict flag.
pub struct Saved {
    pub bytes: Vec<u8>,
    pub heads: String,
    pub conflicted: bool,
    /// Heads the hub is known to hold (a document received from it).
    pub acked: Option<String>,
    /// The record's photo references ([`gridline_records::photos::read`]),
    /// projected into `photo_refs` in the same transaction.
    pub photos: Vec<gridline_model::PhotoRef>,
    /// The record's position ([`gridline_records::position::read`]), projected
    /// onto its issue or visit row.
    pub position: Option<gridline_model::Location>,
    /// A household's merge events ([`gridline_records::household::merges_of`]),
    /// projected into the merges tables; none for other kinds.
    pub merges: Vec<gridline_model::MergeEvent>,
}

impl Saved {
    /// `check_conflicts` may be false only for documents with one linear
    /// history (generated demo data), which cannot conflict; walking every
    /// field of 600,000 of them would dominate a street seed.
    pub fn of(doc: &mut AutoCommit, check_conflicts: bool) -> Saved {
        Saved {
            bytes: doc.save(),
            heads: gridline_records::heads_hex(doc),
            conflicted: check_conflicts && gridline_records::has_conflicts(doc),
            acked: None,
            // A record whose list does not read keeps none in the
            // projection; the hub refuses such a list, so only a damaged
            // copy can have one.
            photos: gridline_records::photos::read(doc).unwrap_or_default(),
            position: gridline_records::position::read(doc).ok().flatten(),
            merges: gridline_records::household::merges_of(doc),
        }
    }

    /// Records that the hub holds `heads` of this document.
    pub fn acked(mut self, heads: String) -> Saved {
        self.acked = Some(heads);
        self
    }
}

/// What is stored for `id` merged into `saved` when the stored copy has
/// changes `saved` lacks: another writer on this file (`gridline device sync
/// --watch` beside a CLI command, or the other way round) saved the document
/// after the caller loaded it. Writing `saved` as it is would drop them.
fn merge_stored(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    saved: &mut Saved,
    check_conflicts: bool,
) -> Result<Option<Record>> {
    // Heads first: the bytes are read only when a merge is needed.
    let stored_heads: Option<String> = tx
        .prepare_cached("SELECT heads FROM documents WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let Some(stored_heads) = stored_heads else {
        return Ok(None);
    };
    if stored_heads == saved.heads || stored_heads.is_empty() {
        return Ok(None);
    }
    let mut doc = AutoCommit::load(&saved.bytes)?;
    let missing = stored_heads.split(',').any(|h| {
        h.parse::<automerge::ChangeHash>()
            .map_or(true, |h| doc.get_change_by_hash(&h).is_none())
    });
    if !missing {
        return Ok(None);
    }
    let stored_bytes: Vec<u8> = tx
        .prepare_cached("SELECT bytes FROM documents WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    let mut theirs = AutoCommit::load(&stored_bytes)?;
    doc.merge(&mut theirs)?;
    let record = Record::read(&doc)?;
    saved.bytes = doc.save();
    saved.heads = gridline_records::heads_hex(&mut doc);
    saved.conflicted = check_conflicts && gridline_records::has_conflicts(&doc);
    saved.photos = gridline_records::photos::read(&doc).unwrap_or_default();
    saved.position = gridline_records::position::read(&doc).ok().flatten();
    saved.merges = gridline_records::household::merges_of(&doc);
    Ok(Some(record))
}

pub(crate) fn write_doc(
    tx: &rusqlite::Transaction<'_>,
    mut saved: Saved,
    record: &Record,
    origin: Origin,
    now: Instant,
    hub: Option<&str>,
    limits: &gridline_model::StreetLimits,
) -> Result<()> {
    let id = record.doc_id().to_string();
    let merged = merge_stored(tx, &id, &mut saved, origin != Origin::Demo)?;
    let record = merged.as_ref().unwrap_or(record);
    let Saved {
        bytes,
        heads,
        conflicted,
        acked,
        photos,
        position,
        merges,
    } = saved;
    // A record never sent stays "local"; one the hub has seen becomes "pending".
    tx.prepare_cached(
        "INSERT INTO documents (id, kind, grid, bytes, heads, sync_state, conflicted, demo, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?9, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes, heads = excluded.heads, grid = excluded.grid,
            conflicted = excluded.conflicted, updated_at = excluded.updated_at,
            sync_state = CASE
                WHEN ?9 = 'synced' OR documents.heads = excluded.heads THEN documents.sync_state
                WHEN documents.sync_state = 'local' THEN 'local'
                ELSE 'pending' END",
    )?
    .execute(params![
        id,
        record.kind().key(),
        record.grid().as_str(),
        bytes,
        heads,
        conflicted,
        origin == Origin::Demo,
        gridline_records::fmt_time(now),
        if origin == Origin::Remote { "synced" } else { "local" },
    ])?;
    if let Some(acked) = acked {
        sync_state::acknowledge_in(tx, &id, &acked)?;
    }
    photos::project(tx, &id, &photos)?;
    projection::project(tx, record, hub, limits)?;
    if let Record::Household(h) = record {
        merges::project(tx, h.id, &h.grid, &merges)?;
    }
    photos::project_position(tx, &id, record.kind(), position.as_ref())
}
