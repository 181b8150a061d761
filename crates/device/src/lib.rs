//! The device API: what the app and the `gridline` command both call.
//!
//! A [`Device`] is a data directory holding one SQLite store and the device's
//! identity. Every action checks the rules of DESIGN §3 (role, scope, workflow
//! state) before anything is written, validates its input with errors that
//! name the field and the fix, and returns only after the record is durable.
//!
//! ```no_run
//! use gridline_device::{Device, NewHousehold};
//! # fn main() -> gridline_device::Result<()> {
//! let now = chrono::Utc::now();
//! let mut device = Device::open(std::path::Path::new("/var/lib/gridline"))?;
//! for row in device.search("zs", 20)? {
//!     println!("{} {}", row.head_name, row.address);
//! }
//! # Ok(()) }
//! ```
//!
//! Time is passed in (`now`) so tests and demo data control it.

pub mod app;
pub mod deliberation;
pub mod demo;
pub mod duplicate_issues;
pub mod duplicates;
mod error;
pub mod export;
mod household;
mod identity;
mod import;
mod issue;
pub mod keys;
pub mod mediation;
pub mod merge;
pub mod people;
pub mod photo;
pub mod reveal;
pub mod sync;
pub mod unsynced;
pub mod views;
mod visit;
pub mod wipe;
mod wish;

use gridline_model::{text, Text};
use std::path::{Path, PathBuf};

use automerge::AutoCommit;
use gridline_model::permission::{self, Action, Kind};
use gridline_model::{Instant, RecordId, User};
use gridline_records::Record;
use gridline_store::{Origin, Store};

pub use duplicates::{
    DuplicatePair, DuplicateReason, DuplicateSide, Duplicates, ResidentPair, ResidentSide,
};
pub use error::{Error, Result};
pub use export::{ExportScope, Roster, RosterOptions};
/// The office-file crate, so the CLI and the app write books without naming it.
pub use gridline_office as office;
pub use gridline_store::IssuePoint;
pub use gridline_store::{Dashboard, SyncCounts, Today};
pub use household::{HouseholdEdit, HouseholdView, NewHousehold, NewResident};
pub use identity::Identity;
pub use import::{ImportLine, ImportOutcome, MatchedBy};
pub use issue::{IssueView, NewIssue};
pub use merge::MergedHousehold;
pub use people::{People, Person};
pub use photo::{Attach, Evidence, PhotoState, PhotoView, TakenPhoto};
pub use views::{
    HouseholdFilter, HouseholdSummary, IssueFilter, IssueSummary, SyncState, VisitSummary,
    WishSummary,
};
pub use visit::{parse_when, NewVisit};

/// What saving a new record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created {
    pub id: RecordId,
    /// A record with the caller's id was already saved here (a retried save
    /// after a crash): it is the same record, and nothing new was written.
    pub already_saved: bool,
}

/// The id a create will use: fresh, or the caller's that is already saved.
pub(crate) enum NewId {
    Use(RecordId),
    AlreadySaved(RecordId),
}
pub use wish::{NewWish, WishView};

/// The store file inside a device's data directory.
pub const STORE_FILE: &str = "device.db";

pub struct Device {
    dir: PathBuf,
    store: Store,
    identity: Identity,
    key_source: keys::KeySource,
    /// Held shared while this device is open (see [`DirLock`]).
    lock: DirLock,
}

pub use keys::{KeySource, Unlock};

/// `device.lock` beside the store: every process with the device open holds
/// it shared; making the key, encrypting a plain store, creating a device
/// and a wipe hold it alone, so two processes never do those at once.
pub(crate) struct DirLock(std::fs::File);

impl DirLock {
    fn open(dir: &Path) -> Result<DirLock> {
        let path = dir.join("device.lock");
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map(DirLock)
            .map_err(|source| Error::Io {
                context: format!("opening {}", path.display()),
                source,
            })
    }
    fn io(e: std::io::Error) -> Error {
        Error::Io {
            context: "locking the device directory".into(),
            source: e,
        }
    }
    fn shared(&self) -> Result<()> {
        self.0.lock_shared().map_err(Self::io)
    }
    /// Waits for every other holder: a shared hold here is let go first, so
    /// two openers that both need it alone take turns instead of deadlocking.
    fn exclusive(&self) -> Result<()> {
        self.0.unlock().map_err(Self::io)?;
        self.0.lock().map_err(Self::io)
    }
    /// Alone now or not at all (another process has the device open).
    pub(crate) fn try_exclusive(&self) -> Result<bool> {
        match self.0.try_lock() {
            Ok(()) => Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => Ok(false),
            Err(std::fs::TryLockError::Error(e)) => Err(Self::io(e)),
        }
    }
    pub(crate) fn downgrade(&self) -> Result<()> {
        self.0.unlock().map_err(Self::io)?;
        self.0.lock_shared().map_err(Self::io)
    }
}

/// Opens (creating if needed) the encrypted store in `dir` with its key,
/// encrypting a store from before encryption first (DESIGN §7). A wrong key
/// or PIN is an error that changes nothing. The lock comes back shared, or
/// held alone with `alone` (a new device, until its identity is saved).
fn open_store(dir: &Path, unlock: &Unlock, alone: bool) -> Result<(Store, KeySource, DirLock)> {
    use gridline_store::cipher::{self, FileKind};
    let path = dir.join(STORE_FILE);
    let lock = DirLock::open(dir)?;
    #[cfg(feature = "bench")]
    if matches!(unlock, Unlock::Unencrypted) {
        return Ok((Store::open(&path)?, KeySource::Unencrypted, lock));
    }
    let keystore = keys::PlatformKeyStore;
    lock.shared()?;
    let mut kind = cipher::file_kind(&path)?;
    let mut source = keys::source(dir)?;
    let exclusive = alone || kind == FileKind::Plain || source.is_none();
    if exclusive {
        // Decided again once alone: another process may have done it meanwhile.
        lock.exclusive()?;
        kind = cipher::file_kind(&path)?;
        source = keys::source(dir)?;
    }
    let (key, source) = match source {
        Some(source) => (keys::existing(dir, unlock, &keystore)?, source),
        None if kind == FileKind::Encrypted => {
            return Err(gridline_store::Error::Damaged(format!(
                "{}: the store is encrypted and its key file is missing",
                keys::key_file(dir).display()
            ))
            .into())
        }
        None => keys::create(dir, unlock, &keystore)?,
    };
    if kind == FileKind::Plain {
        cipher::encrypt_plain_store(&path, &key)?;
    }
    // The key matched key.json's check, so a store it cannot read is damaged.
    let store = Store::open_encrypted(&path, &key).map_err(|e| match e {
        gridline_store::Error::WrongKey => gridline_store::Error::Damaged(format!(
            "{} is not a store its key opens (its key matches key.json)",
            path.display()
        )),
        e => e,
    })?;
    if exclusive && !alone {
        lock.downgrade()?;
    }
    Ok((store, source, lock))
}

/// A device already in `dir` is said so, without asking for its key.
fn refuse_existing_device(dir: &Path, unlock: &Unlock) -> Result<()> {
    if !dir.join(STORE_FILE).exists() || keys::source(dir)?.is_none() {
        return Ok(());
    }
    let already = || Error::AlreadyInitialised {
        path: dir.to_owned(),
    };
    // With the caller's PIN: a store whose device was never saved (a kill
    // between its key and its identity) is taken over, not refused.
    let (store, _, _) = open_store(dir, unlock, false).map_err(|e| match e {
        Error::PinNeeded { .. } | Error::WrongPin | Error::Key(_) => already(),
        e => e,
    })?;
    match Identity::load(&store)? {
        Some(_) => Err(already()),
        None => Ok(()),
    }
}

/// The store of the device in `dir`, opened with its key: for checks in
/// tests and benchmarks that read its tables directly.
pub fn open_store_for_checks(dir: &Path) -> Result<Store> {
    Ok(open_store(dir, &Unlock::Auto, false)?.0)
}

impl Device {
    /// Creates a device in `dir` with a fresh actor id and a locally set user.
    pub fn init(dir: &Path, user: User) -> Result<Device> {
        Self::init_with(dir, user, &Unlock::Auto)
    }

    /// [`Device::init`], with the PIN the user set where there is no key store.
    pub fn init_with(dir: &Path, user: User, unlock: &Unlock) -> Result<Device> {
        if matches!(
            user.role,
            gridline_model::Role::Admin | gridline_model::Role::Hub
        ) {
            return Err(gridline_model::Invalid::new(
                "role",
                Text::new(
                    format!("{}不作为设备使用", user.role.zh()),
                    format!("{} is not a device role: admins and the hub are not devices", user.role),
                ),
                text!("管理员在枢纽的数据目录上用 gridline hub … 命令；设备请选 grid-worker、joint-leader、community-staff、street-staff 或 department", "admins use the gridline hub commands on the hub's data directory; a device takes one of those roles"),
            )
            .into());
        }
        if !user.scope.fits(user.role) {
            return Err(gridline_model::Invalid::new(
                "scope",
                text!(
                    "角色 {} 与范围 {} 不匹配",
                    "role {} does not fit scope {}",
                    user.role,
                    user.scope.encode()
                ),
                text!(
                    "网格员用 grids:…，联户长用 households:…，社区用 community:…，街道用 street:…，部门用 department:…",
                    "grid workers use grids:…, joint-household leaders households:…, community staff community:…, street staff street:…, departments department:…"
                ),
            )
            .into());
        }
        if user.id.trim().is_empty() || user.name.trim().is_empty() {
            return Err(gridline_model::Invalid::new(
                "user",
                text!("用户编号或姓名为空", "user id or name is empty"),
                text!("请填写 --user-id 和 --name", "fill in --user-id and --name"),
            )
            .into());
        }
        refuse_hub_directory(dir)?;
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            context: format!("creating {}", dir.display()),
            source,
        })?;
        refuse_existing_device(dir, unlock)?;
        let (store, key_source, lock) = open_store(dir, unlock, true)?;
        if Identity::load(&store)?.is_some() {
            return Err(Error::AlreadyInitialised {
                path: dir.to_owned(),
            });
        }
        let identity = Identity {
            device_id: uuid::Uuid::new_v4().to_string(),
            actor: uuid::Uuid::new_v4().as_bytes().to_vec(),
            user,
            hub_actor: hex::encode(uuid::Uuid::new_v4().as_bytes()),
            mode: "local".into(),
        };
        identity.save(&store)?;
        lock.downgrade()?;
        Ok(Device {
            dir: dir.to_owned(),
            store,
            identity,
            key_source,
            lock,
        })
    }

    /// Creates a device that exists only to be enrolled (the app's first
    /// screen): it has an actor id but no user and an empty scope, so every
    /// read and write is refused until the hub's binding replaces the user.
    pub fn init_for_enrolment(dir: &Path) -> Result<Device> {
        Self::init_for_enrolment_with(dir, &Unlock::Auto)
    }

    /// [`Device::init_for_enrolment`], with the PIN the user set where there is no key store.
    pub fn init_for_enrolment_with(dir: &Path, unlock: &Unlock) -> Result<Device> {
        refuse_hub_directory(dir)?;
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            context: format!("creating {}", dir.display()),
            source,
        })?;
        refuse_existing_device(dir, unlock)?;
        let (store, key_source, lock) = open_store(dir, unlock, true)?;
        if Identity::load(&store)?.is_some() {
            return Err(Error::AlreadyInitialised {
                path: dir.to_owned(),
            });
        }
        let identity = Identity {
            device_id: uuid::Uuid::new_v4().to_string(),
            actor: uuid::Uuid::new_v4().as_bytes().to_vec(),
            user: User {
                id: String::new(),
                name: String::new(),
                role: gridline_model::Role::GridWorker,
                scope: gridline_model::Scope::Grids(Vec::new()),
            },
            hub_actor: hex::encode(uuid::Uuid::new_v4().as_bytes()),
            mode: "unenrolled".into(),
        };
        identity.save(&store)?;
        lock.downgrade()?;
        Ok(Device {
            dir: dir.to_owned(),
            store,
            identity,
            key_source,
            lock,
        })
    }

    pub fn open(dir: &Path) -> Result<Device> {
        Self::open_with(dir, &Unlock::Auto)
    }

    /// [`Device::open`], with the PIN the user typed where there is no key store.
    pub fn open_with(dir: &Path, unlock: &Unlock) -> Result<Device> {
        let path = dir.join(STORE_FILE);
        if !path.exists() {
            refuse_hub_directory(dir)?;
            return Err(Error::NotInitialised {
                path: dir.to_owned(),
            });
        }
        let (store, key_source, lock) = open_store(dir, unlock, false)?;
        let identity = Identity::load(&store)?.ok_or_else(|| Error::NotInitialised {
            path: dir.to_owned(),
        })?;
        Ok(Device {
            dir: dir.to_owned(),
            store,
            identity,
            key_source,
            lock,
        })
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }
    pub fn user(&self) -> &User {
        &self.identity.user
    }
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    /// Where this device's store key is kept (the store is always encrypted).
    pub fn key_source(&self) -> KeySource {
        self.key_source
    }

    /// Records by sync state (local, pending, synced, conflicted, demo).
    pub fn sync_counts(&self) -> Result<SyncCounts> {
        Ok(self.store.sync_counts()?)
    }

    /// How many documents of each kind this device holds.
    pub fn document_counts(&self) -> Result<Vec<(Kind, u64)>> {
        Ok(self
            .store
            .document_counts()?
            .into_iter()
            .filter_map(|(k, n)| Some((Kind::parse(&k)?, u64::try_from(n).unwrap_or(0))))
            .collect())
    }

    /// The raw Automerge bytes of a record this device may read.
    pub fn export_doc(&self, id: &str) -> Result<Vec<u8>> {
        let id = parse_id(id, "record")?;
        let (kind, bytes) = self
            .store
            .load(id)?
            .ok_or_else(|| not_found("记录", "record", id))?;
        let doc = gridline_records::load(&bytes, &self.identity.actor)?;
        let record = Record::read(&doc)?;
        let target = record.target();
        permission::check(self.user(), kind, Action::Read, &target)?;
        Ok(bytes)
    }

    /// Resolves a same-field conflict by choosing one of the offered values.
    pub fn resolve_conflict(
        &mut self,
        id: &str,
        path: &str,
        value: &str,
        now: Instant,
    ) -> Result<()> {
        let id = parse_id(id, "record")?;
        let (kind, mut doc) = self.load_doc(id)?;
        let record = Record::read(&doc)?;
        permission::check(self.user(), kind, Action::Edit, &record.target())?;
        let conflicts = gridline_records::conflicts(&doc);
        let path = path.trim();
        let Some(conflict) = conflicts.iter().find(|c| c.path == path) else {
            if conflicts.is_empty() {
                return Err(Error::Conflict(text!(
                    "记录 {id} 没有冲突，无需选定",
                    "record {id} has no conflicts: there is nothing to resolve"
                )));
            }
            let fields = conflicts
                .iter()
                .map(|c| c.path.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(Error::Conflict(text!("字段 {path} 没有冲突，无需选定；有冲突的字段：{fields}", "field {path} has no conflict: there is nothing to resolve; fields with conflicts: {fields}")));
        };
        if !conflict.values.iter().any(|v| v == value) {
            let values = conflict.values.join(" | ");
            return Err(Error::Conflict(text!(
                "\"{value}\" 不是字段 {path} 的冲突值之一；请从中选择一个：{values}",
                "\"{value}\" is not one of the conflicting values of {path}; choose one of: {values}"
            )));
        }
        gridline_records::resolve(&mut doc, path, value, now).map_err(|e| {
            Error::Conflict(text!(
                "无法选定：{e}；请从冲突的值中选择一个",
                "cannot resolve: {e}; choose one of the conflicting values"
            ))
        })?;
        let record = Record::read(&doc)?;
        self.store.save(&mut doc, &record, Origin::Local, now)?;
        Ok(())
    }

    /// Merges a copy of a record received from elsewhere (the hub, or another
    /// device in a test) into this device's copy. Only records this device may
    /// read are accepted; local changes not yet sent stay pending.
    pub fn apply_remote(&mut self, bytes: &[u8], now: Instant) -> Result<RecordId> {
        let (saved, record) = self.merge_remote(bytes)?;
        let id = record.doc_id();
        self.store
            .save_batch([(saved, &record)], Origin::Remote, now)?;
        Ok(id)
    }

    /// Merges a received copy into this device's copy, checking it may hold
    /// it; returns what to save, marked as held by the hub at the copy's heads.
    pub(crate) fn merge_remote(&self, bytes: &[u8]) -> Result<(gridline_store::Saved, Record)> {
        let mut incoming = gridline_records::load(bytes, &self.identity.actor)?;
        let hub_heads = gridline_records::heads_hex(&mut incoming);
        let record = Record::read(&incoming)?;
        permission::check(self.user(), record.kind(), Action::Read, &record.target())?;
        let id = record.doc_id();
        let Some((_, local)) = self.store.load(id)? else {
            // New here: keep the hub's bytes as they are, no re-save.
            let saved = gridline_store::Saved {
                bytes: bytes.to_vec(),
                heads: hub_heads.clone(),
                conflicted: gridline_records::has_conflicts(&incoming),
                acked: Some(hub_heads),
                photos: gridline_records::photos::read(&incoming).unwrap_or_default(),
                position: gridline_records::position::read(&incoming).ok().flatten(),
                merges: gridline_records::household::merges_of(&incoming),
            };
            return Ok((saved, record));
        };
        let mut doc = gridline_records::load(&local, &self.identity.actor)?;
        doc.merge(&mut incoming)
            .map_err(gridline_records::Error::from)?;
        let record = Record::read(&doc)?;
        Ok((
            gridline_store::Saved::of(&mut doc, true).acked(hub_heads),
            record,
        ))
    }

    fn load_doc(&self, id: RecordId) -> Result<(Kind, AutoCommit)> {
        let (kind, bytes) = self
            .store
            .load(id)?
            .ok_or_else(|| not_found("记录", "record", id))?;
        Ok((kind, gridline_records::load(&bytes, &self.identity.actor)?))
    }

    fn load_kind(&self, id: RecordId, want: Kind, zh: &'static str) -> Result<AutoCommit> {
        match self.store.load(id)? {
            Some((k, bytes)) if k == want => {
                Ok(gridline_records::load(&bytes, &self.identity.actor)?)
            }
            _ => Err(not_found(zh, want.key(), id)),
        }
    }

    /// The id for a new record of `kind` at `grid` (and `household`): the
    /// caller's (`given`, a UUID v7), or a fresh one minted from `now`.
    ///
    /// A caller's id already saved here as the same kind at the same place
    /// is the same record, retried: nothing is written twice. Any other use of
    /// it is refused, so an id never silently names two different records.
    pub(crate) fn new_record_id(
        &self,
        given: Option<&str>,
        kind: Kind,
        grid: &gridline_model::GridId,
        household: Option<RecordId>,
        now: Instant,
    ) -> Result<NewId> {
        let Some(given) = given.filter(|s| !s.trim().is_empty()) else {
            return Ok(NewId::Use(new_id(now)));
        };
        let id = gridline_model::parse_new_id(given, "id")?;
        let Some((found, bytes)) = self.store.load(id)? else {
            return Ok(NewId::Use(id));
        };
        let record = Record::read(&gridline_records::load(&bytes, &self.identity.actor)?)?;
        let target = record.target();
        let same_place =
            &target.grid == grid && household.is_none_or(|h| target.household == Some(h));
        if found != kind || !same_place {
            return Err(gridline_model::Invalid::new(
                "id",
                Text::new(format!("编号 {id} 已被另一条记录（{}）使用", found.key()), format!("the id {id} is already used by another record, a {}", found.key())),
                text!("重试时请用同一命令和同一编号；新记录请换一个 UUID v7 或不给编号", "retry with the same command and id; for a new record use another UUID v7 or leave the id out"),
            )
            .into());
        }
        Ok(NewId::AlreadySaved(id))
    }

    fn new_doc(&self) -> AutoCommit {
        gridline_records::new_doc(&self.identity.actor)
    }
}

/// The file a street hub keeps in its data directory (`gridline_hub::STORE_FILE`;
/// named here because the device never depends on the hub).
const HUB_STORE_FILE: &str = "hub.db";

/// Refuses a directory that holds a street hub and no device: following
/// "run `device init`" there would make a stray device beside the hub.
fn refuse_hub_directory(dir: &Path) -> Result<()> {
    if dir.join(HUB_STORE_FILE).exists() && !dir.join(STORE_FILE).exists() {
        return Err(Error::HubDirectory {
            path: dir.to_owned(),
        });
    }
    Ok(())
}

/// A new record id: UUID v7 from the given time, random bits from the OS.
pub fn new_id(now: Instant) -> RecordId {
    let random = uuid::Uuid::new_v4();
    let mut bytes = [0u8; 10];
    bytes.copy_from_slice(&random.as_bytes()[..10]);
    uuid::Builder::from_unix_timestamp_millis(now.timestamp_millis().max(0) as u64, &bytes)
        .into_uuid()
}

/// The time for a new workflow event: `now`, but strictly after every event
/// already in the record, because the fold orders events by (time, id) and a
/// step must never sort before the one it follows.
///
/// Documents keep times to the millisecond, so `now` is cut to milliseconds
/// first: otherwise a step stamped 0.4 ms after the last one would read back
/// as the same instant and could sort before it.
pub(crate) fn next_at(existing: impl Iterator<Item = Instant>, now: Instant) -> Instant {
    use chrono::SubsecRound;
    let now = now.trunc_subsecs(3);
    match existing.max() {
        Some(last) if last >= now => last + chrono::Duration::milliseconds(1),
        _ => now,
    }
}

pub(crate) fn parse_id(s: &str, what: &'static str) -> Result<RecordId> {
    RecordId::parse_str(s.trim()).map_err(|_| {
        gridline_model::Invalid::new(
            what,
            text!("\"{s}\" 不是有效编号", "not a valid id \"{s}\""),
            text!(
                "编号形如 0193a1b2-…，可用 list 或 search 查到",
                "ids look like 0193a1b2-…; list or search shows them"
            ),
        )
        .into()
    })
}

pub(crate) fn not_found(what: &'static str, what_en: &'static str, id: RecordId) -> Error {
    Error::NotFound {
        what,
        what_en,
        id: id.to_string(),
    }
}
