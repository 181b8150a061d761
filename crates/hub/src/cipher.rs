//! A street hub's store encrypted at rest (`hub init --encrypt`, DESIGN §7):
//! the device's scheme, SQLCipher with a random 32-byte raw key, so no key
//! derivation runs on open.
//!
//! The key is 64 hex digits, from the first of:
//! - `GRIDLINE_HUB_KEY_FILE`: a file only its owner may read or write (mode
//!   0600, refused otherwise), as a service manager's credentials give it;
//! - `GRIDLINE_HUB_KEY`: the key itself, for a container's secret.
//!
//! `hub.db` is plain unless made with `--encrypt`; whether it is encrypted
//! is read from its first bytes (SQLCipher leaves no header). For a city hub
//! on PostgreSQL use disk encryption and TLS instead (`docs/deploy.md`).

use std::path::Path;

use gridline_model::{text, Text};
use rusqlite::{Connection, ErrorCode};
use zeroize::Zeroizing;

use crate::{Error, Result};

pub const KEY_FILE_ENV: &str = "GRIDLINE_HUB_KEY_FILE";
pub const KEY_ENV: &str = "GRIDLINE_HUB_KEY";
/// Written beside `hub.db` by `hub init --encrypt`: a store without a
/// plaintext header and without this file is damaged, not encrypted.
pub const MARKER: &str = "hub.encrypted";

/// A hub store's key, wiped from memory when dropped.
#[derive(Clone)]
pub struct HubKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for HubKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HubKey(…)")
    }
}

impl HubKey {
    pub fn random() -> Result<HubKey> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| Error::Io {
            context: "drawing a random key".into(),
            source: std::io::Error::other(e.to_string()),
        })?;
        Ok(HubKey(bytes))
    }

    fn from_hex(s: &str) -> Option<HubKey> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(s.trim(), bytes.as_mut()).ok()?;
        Some(HubKey(bytes))
    }

    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }

    /// The key from the environment (see the module), if one is given.
    pub fn from_env() -> Result<Option<HubKey>> {
        if let Some(path) = std::env::var_os(KEY_FILE_ENV).filter(|p| !p.is_empty()) {
            return read_key_file(Path::new(&path)).map(Some);
        }
        match std::env::var(KEY_ENV).ok().filter(|k| !k.is_empty()) {
            None => Ok(None),
            Some(k) => HubKey::from_hex(&k).map(Some).ok_or_else(|| {
                key_error(text!(
                    "GRIDLINE_HUB_KEY 须为 64 位十六进制数",
                    "GRIDLINE_HUB_KEY must be 64 hex digits"
                ))
            }),
        }
    }

    /// Writes the key to a new file `path` with mode 0600 (refusing to
    /// overwrite one), flushed before the store is made with it.
    pub fn write_new(&self, path: &Path) -> Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let io = |source| Error::Io {
            context: format!("writing the hub key to {}", path.display()),
            source,
        };
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
        f.write_all(format!("{}\n", &*self.to_hex()).as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(io)
    }

    fn raw(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.as_ref())))
    }
}

/// Reads a key file, refusing one that others may read or write.
pub fn read_key_file(path: &Path) -> Result<HubKey> {
    use std::os::unix::fs::PermissionsExt;
    let p = path.display();
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        context: format!("reading the hub key {p}"),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(key_error(text!(
            "密钥文件 {p} 的权限是 {mode:o}，其他用户可读写；请运行 chmod 600 {p}",
            "the key file {p} has mode {mode:o}, open to other users; run chmod 600 {p}"
        )));
    }
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|source| Error::Io {
        context: format!("reading the hub key {p}"),
        source,
    })?);
    HubKey::from_hex(&text).ok_or_else(|| {
        key_error(text!(
            "密钥文件 {p} 须只含 64 位十六进制数",
            "the key file {p} must hold 64 hex digits and nothing else"
        ))
    })
}

/// Whether `path` holds an encrypted store (no plain SQLite header).
pub fn is_encrypted(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|source| Error::Io {
            context: format!("reading {}", path.display()),
            source,
        })?;
    Ok(n > 0 && head[..n] != b"SQLite format 3\0"[..n])
}

/// What the marker holds to recognise the key: 16 bytes of SHA-256 over a
/// label and the key (no help in finding the key).
fn check_of(key: &HubKey) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"gridline hub key check v1\0");
    h.update(key.0.as_ref());
    hex::encode(&h.finalize()[..16])
}

/// Marks `dir` as holding an encrypted hub, durably, before its store is
/// made; with the key's check, so a store the right key cannot read is told
/// apart from a wrong key.
pub(crate) fn write_marker(dir: &Path, key: &HubKey) -> Result<()> {
    let path = dir.join(MARKER);
    let io = |source| Error::Io {
        context: format!("writing {}", path.display()),
        source,
    };
    let text = format!(
        "hub.db is encrypted with SQLCipher (docs/deploy.md)\ncheck {}\n",
        check_of(key)
    );
    std::fs::write(&path, text).map_err(io)?;
    std::fs::File::open(&path)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io)
}

/// Sets the key on a fresh connection and proves it by reading the schema.
pub(crate) fn apply(conn: &Connection, key: &HubKey, path: &Path) -> Result<()> {
    conn.execute_batch("PRAGMA cipher_log_level = NONE")?;
    conn.pragma_update(None, "key", &*key.raw())?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            let p = path.display();
            let marker = std::fs::read_to_string(path.with_file_name(MARKER)).unwrap_or_default();
            if marker.contains(&format!("check {}", check_of(key))) {
                return Err(Error::Damaged(text!(
                    "{p} 已损坏：密钥正确却读不出；请从备份恢复",
                    "{p} is damaged: the right key cannot read it; restore it from a backup"
                )));
            }
            Err(key_error(text!(
                "密钥打不开 {p}：不是这个枢纽的密钥；数据未改动",
                "the key does not open {p}: it is not this hub's key; nothing was changed"
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// The key an encrypted `hub.db` needs, or a clear error saying how to give it.
pub(crate) fn key_for(path: &Path) -> Result<Option<HubKey>> {
    if !path.exists() || !is_encrypted(path)? {
        return Ok(None);
    }
    if !path.with_file_name(MARKER).exists() {
        return Err(Error::Damaged(text!(
            "{} 已损坏：不是数据库；请从备份恢复",
            "{} is damaged: it is not a database; restore it from a backup",
            path.display()
        )));
    }
    HubKey::from_env()?.map(Some).ok_or_else(|| {
        key_error(text!(
            "{} 已加密：请用 GRIDLINE_HUB_KEY_FILE（权限 600 的密钥文件）或 GRIDLINE_HUB_KEY 给出密钥",
            "{} is encrypted: give its key with GRIDLINE_HUB_KEY_FILE (a key file with mode 600) or GRIDLINE_HUB_KEY",
            path.display()
        ))
    })
}

fn key_error(t: Text) -> Error {
    Error::Key(t)
}
