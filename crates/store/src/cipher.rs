//! Encryption at rest (DESIGN §7): the store file is SQLCipher, keyed with a
//! random 32-byte raw key, so no key derivation runs on open.
//!
//! SQLCipher encrypts every page, the WAL's included, and leaves no
//! plaintext header: a copied `device.db` reads as noise. A wrong key does
//! not fail when it is set but at the first read (`file is not a database`),
//! so [`apply`] reads `sqlite_master` at once and answers [`Error::WrongKey`].
//!
//! A store made before encryption is encrypted on its first open by
//! [`encrypt_plain_store`]: an encrypted copy is written beside it, made
//! durable, checked table by table against the plain one, and then renamed
//! over it. A kill at any point leaves either the complete plain store
//! (and a stale copy, removed on the next try) or the complete encrypted one.

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode};
use zeroize::Zeroizing;

use crate::{Error, Result};

/// A store's key: 32 random bytes, wiped from memory when dropped.
#[derive(Clone)]
pub struct StoreKey(Zeroizing<[u8; 32]>);

impl StoreKey {
    pub fn from_bytes(bytes: [u8; 32]) -> StoreKey {
        StoreKey(Zeroizing::new(bytes))
    }

    /// From 64 hex digits (the form a key file or the environment holds).
    pub fn from_hex(hex_key: &str) -> Option<StoreKey> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(hex_key.trim(), bytes.as_mut()).ok()?;
        Some(StoreKey(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }

    /// SQLCipher's raw-key form, `x'…'`: used as given, never derived.
    fn raw(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.as_ref())))
    }
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

/// What a store file on disk is, read from its first 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// No file, or an empty one: nothing is stored yet.
    Absent,
    /// An unencrypted SQLite database (a store from before encryption).
    Plain,
    /// Anything else: SQLCipher leaves no header, so it reads as noise.
    Encrypted,
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

pub fn file_kind(path: &Path) -> Result<FileKind> {
    use std::io::Read;
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileKind::Absent),
        Err(e) => return Err(io(format!("reading {}", path.display()), e)),
    };
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(io(format!("reading {}", path.display()), e)),
        }
    }
    Ok(match read {
        0 => FileKind::Absent,
        _ if &head == SQLITE_HEADER => FileKind::Plain,
        _ => FileKind::Encrypted,
    })
}

/// Sets `key` on a fresh connection and proves it by reading the schema.
pub fn apply(conn: &Connection, key: &StoreKey) -> Result<()> {
    // A wrong key is answered as an error; SQLCipher would also print its
    // page-decryption failures on stderr, under the CLI's message.
    conn.execute_batch("PRAGMA cipher_log_level = NONE")?;
    conn.pragma_update(None, "key", &*key.raw())?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => Err(Error::WrongKey),
        Err(e) => Err(e.into()),
    }
}

/// The copy an encryption writes before it replaces the plain store.
pub fn encrypting_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".encrypting");
    path.with_file_name(name)
}

/// Encrypts the plain store at `path` with `key`, in place as far as anyone
/// opening `path` can tell: before the rename they see the whole plain
/// store, after it the whole encrypted one.
pub fn encrypt_plain_store(path: &Path, key: &StoreKey) -> Result<()> {
    let copy = encrypting_path(path);
    remove_with_journals(&copy)?;

    let plain = Connection::open(path)?;
    // Everything into the main file, so the copy and the check see it all.
    let busy: i64 = plain.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    if busy != 0 {
        return Err(Error::InUse(path.to_owned()));
    }
    let version: i64 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let counts = table_counts(&plain)?;
    plain.execute(
        "ATTACH DATABASE ?1 AS encrypted KEY ?2",
        rusqlite::params![copy.to_string_lossy(), &*key.raw()],
    )?;
    plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    plain.pragma_update(Some("encrypted"), "user_version", version)?;
    plain.execute("DETACH DATABASE encrypted", [])?;
    plain.close().map_err(|(_, e)| Error::Sqlite(e))?;

    sync_file(&copy)?;
    check_copy(&copy, key, version, &counts)?;

    // The plain store is whole in its main file: its log and index go
    // before the swap, so the encrypted file never meets a plain log.
    for suffix in ["-wal", "-shm"] {
        let side = side_file(path, suffix);
        let len = std::fs::metadata(&side).map(|m| m.len()).unwrap_or(0);
        if suffix == "-wal" && len > 0 {
            // Another process wrote after the checkpoint: leave all as it was.
            remove_with_journals(&copy)?;
            return Err(Error::InUse(path.to_owned()));
        }
        remove_if_present(&side)?;
    }
    std::fs::rename(&copy, path).map_err(|e| io(format!("replacing {}", path.display()), e))?;
    sync_dir(path)
}

/// Row counts of every table, to check a copy against.
fn table_counts(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names
        .into_iter()
        .map(|name| {
            let n = conn.query_row(&format!("SELECT count(*) FROM \"{name}\""), [], |r| {
                r.get(0)
            })?;
            Ok((name, n))
        })
        .collect()
}

fn check_copy(copy: &Path, key: &StoreKey, version: i64, counts: &[(String, i64)]) -> Result<()> {
    let conn = Connection::open(copy)?;
    apply(&conn, key)?;
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    let copied_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let copied = table_counts(&conn)?;
    if check != "ok" || copied_version != version || copied != counts {
        drop(conn);
        remove_with_journals(copy)?;
        return Err(Error::Damaged(format!(
            "encrypted copy of the store did not match it (check {check}, version {copied_version} of {version})"
        )));
    }
    Ok(())
}

fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(format!("removing {}", path.display()), e)),
    }
}

fn remove_with_journals(path: &Path) -> Result<()> {
    remove_if_present(path)?;
    for suffix in ["-journal", "-wal", "-shm"] {
        remove_if_present(&side_file(path, suffix))?;
    }
    Ok(())
}

fn sync_file(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(format!("flushing {}", path.display()), e))
}

/// Makes a rename in `path`'s directory durable.
fn sync_dir(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(format!("flushing {}", dir.display()), e))
}

fn io(context: String, source: std::io::Error) -> Error {
    Error::Io { context, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> StoreKey {
        StoreKey::from_bytes([b; 32])
    }

    #[test]
    fn an_encrypted_store_reads_only_with_its_key_and_shows_no_plaintext() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.db");
        {
            let store = crate::Store::open_encrypted(&path, &key(7)).unwrap();
            store.set_meta("user_name", "张秀英-a-known-name").unwrap();
        }
        assert_eq!(file_kind(&path).unwrap(), FileKind::Encrypted);
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.windows(6).any(|w| w == "张秀".as_bytes()));
        assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"));
        assert!(matches!(
            crate::Store::open_encrypted(&path, &key(8)),
            Err(Error::WrongKey)
        ));
        // The wrong key changed nothing: the right one still opens it.
        let store = crate::Store::open_encrypted(&path, &key(7)).unwrap();
        assert_eq!(
            store.meta("user_name").unwrap().as_deref(),
            Some("张秀英-a-known-name")
        );
    }

    #[test]
    fn a_plain_store_is_encrypted_in_place_with_everything_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.db");
        {
            let store = crate::Store::open(&path).unwrap();
            for i in 0..50 {
                store.set_meta(&format!("k{i}"), "平桥社区").unwrap();
            }
        }
        assert_eq!(file_kind(&path).unwrap(), FileKind::Plain);
        // A stale copy from a killed earlier try is replaced, not trusted.
        std::fs::write(encrypting_path(&path), b"half a copy").unwrap();
        encrypt_plain_store(&path, &key(3)).unwrap();
        assert_eq!(file_kind(&path).unwrap(), FileKind::Encrypted);
        assert!(!encrypting_path(&path).exists());
        let store = crate::Store::open_encrypted(&path, &key(3)).unwrap();
        assert_eq!(store.meta("k49").unwrap().as_deref(), Some("平桥社区"));
        let version: i64 = store
            .connection()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, crate::migrations::MIGRATIONS.len());
    }

    #[test]
    fn a_key_reads_back_from_its_hex() {
        let k = key(0xab);
        let back = StoreKey::from_hex(&k.to_hex()).unwrap();
        assert_eq!(back.as_bytes(), k.as_bytes());
        assert!(StoreKey::from_hex("abc").is_none());
        assert!(StoreKey::from_hex(&"zz".repeat(32)).is_none());
    }
}
