//! The device store's key (DESIGN §7): where it is kept and how it is found.
//!
//! Every store is SQLCipher with a random 32-byte key. `key.json` beside
//! `device.db` says where that key lives, and holds nothing secret:
//! - `keystore`: in the platform's key store (Keychain on macOS and iOS,
//!   Windows Credential Manager, Secret Service on a Linux desktop), under
//!   the entry named in the file;
//! - `pin`: nowhere. There is no key store (a Linux box without a Secret
//!   Service, such as CI), so the key is derived from a PIN the user sets,
//!   with Argon2id and the salt and costs stored in the file;
//! - `test`: in the `GRIDLINE_TEST_KEY` environment variable (64 hex
//!   digits). For tests only: a release build refuses it unless
//!   `GRIDLINE_ALLOW_TEST_KEY=yes`, and then warns on every open.
//!
//! A new store takes the first of test key (when set), key store, PIN that
//! works here. `key.json` is written durably before the store's first page.

use std::path::{Path, PathBuf};

use gridline_model::{text, Text};
use gridline_store::StoreKey;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{Error, Result};

/// The file beside `device.db` that says where its key is kept.
pub const KEY_FILE: &str = "key.json";
/// The tests' key: 64 hex digits.
pub const TEST_KEY_ENV: &str = "GRIDLINE_TEST_KEY";
/// Lets a release build use [`TEST_KEY_ENV`] (`yes`), loudly.
pub const ALLOW_TEST_KEY_ENV: &str = "GRIDLINE_ALLOW_TEST_KEY";
/// A PIN given through the environment (the command line, scripts).
pub const PIN_ENV: &str = "GRIDLINE_PIN";
/// The platform key store's service name for device keys.
const KEYSTORE_SERVICE: &str = "gridline-device";

/// A PIN is at least this long.
pub const PIN_MIN: usize = 6;
const PIN_MAX: usize = 64;

/// How the caller unlocks a store.
#[derive(Clone, Default)]
pub enum Unlock {
    /// Test key, then key store, then a PIN from `GRIDLINE_PIN`.
    #[default]
    Auto,
    /// The PIN the user typed: sets the PIN on a new store, opens a PIN store.
    Pin(Zeroizing<String>),
    /// A key the caller holds (a platform key store the app reaches itself,
    /// such as Android Keystore through a plugin; a benchmark).
    Key(StoreKey),
    /// No encryption: `gridline bench` only, for the side-by-side figures
    /// (DESIGN §7 has every other store encrypted). A store made so is
    /// encrypted by the next ordinary open, like any plain store.
    #[cfg(feature = "bench")]
    Unencrypted,
}

impl Unlock {
    pub fn pin(pin: &str) -> Unlock {
        Unlock::Pin(Zeroizing::new(pin.to_owned()))
    }
}

impl std::fmt::Debug for Unlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unlock::Auto => f.write_str("Auto"),
            Unlock::Pin(_) => f.write_str("Pin(…)"),
            Unlock::Key(_) => f.write_str("Key(…)"),
            #[cfg(feature = "bench")]
            Unlock::Unencrypted => f.write_str("Unencrypted"),
        }
    }
}

/// Where a store's key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeySource {
    KeyStore,
    Pin,
    Test,
    /// The caller holds the key ([`Unlock::Key`]).
    Supplied,
    /// Not encrypted: a benchmark's store only.
    Unencrypted,
}

impl KeySource {
    pub fn key(self) -> &'static str {
        match self {
            KeySource::KeyStore => "keystore",
            KeySource::Pin => "pin",
            KeySource::Test => "test",
            KeySource::Supplied => "supplied",
            KeySource::Unencrypted => "unencrypted",
        }
    }
    /// What the user is told, in both languages.
    pub fn text(self) -> Text {
        match self {
            KeySource::KeyStore => text!("系统密钥库", "the platform's key store"),
            KeySource::Pin => text!(
                "本机 PIN（此设备没有系统密钥库）",
                "a PIN (this machine has no key store)"
            ),
            KeySource::Test => text!(
                "测试密钥（GRIDLINE_TEST_KEY，仅供测试）",
                "a test key (GRIDLINE_TEST_KEY, for tests only)"
            ),
            KeySource::Supplied => text!("应用提供的密钥", "a key the app supplies"),
            KeySource::Unencrypted => text!(
                "未加密（仅供基准测试）",
                "nothing: not encrypted (benchmarks only)"
            ),
        }
    }
}

/// Argon2id's costs, kept with the salt so they can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Costs {
    m_kib: u32,
    t: u32,
    p: u32,
}

/// 64 MiB, 3 passes, 1 lane: well above OWASP's minimum (19 MiB, 2 passes),
/// since a PIN is short and unlocking is rare (once a start or a lock).
const PIN_COSTS: Costs = Costs {
    m_kib: 65_536,
    t: 3,
    p: 1,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFile {
    v: u32,
    source: KeySource,
    /// The key store entry's name (`keystore`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entry: Option<String>,
    /// Hex salt for the PIN (`pin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    salt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    costs: Option<Costs>,
    /// Hex of a hash of the key ([`check_of`]): a wrong PIN or a changed key
    /// store entry is known before anything is opened, let alone encrypted.
    check: String,
}

/// What `key.json` holds to recognise its key: the first 16 bytes of
/// SHA-256 over a label and the key. It helps no one find the key: a PIN is
/// as costly to guess against it as against the store itself.
fn check_of(key: &StoreKey) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"gridline key check v1\0");
    h.update(key.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// A place that keeps secrets by name: the platform's key store, or a test double.
pub trait KeyStore {
    /// Keeps `secret` under `entry`; an error means there is no usable key store.
    fn put(&self, entry: &str, secret: &str) -> std::result::Result<(), String>;
    /// The secret under `entry`, `Ok(None)` when there is none.
    fn get(&self, entry: &str) -> std::result::Result<Option<Zeroizing<String>>, String>;
    fn delete(&self, entry: &str) -> std::result::Result<(), String>;
}

/// The platform's key store through the `keyring` crate.
pub struct PlatformKeyStore;

impl KeyStore for PlatformKeyStore {
    fn put(&self, entry: &str, secret: &str) -> std::result::Result<(), String> {
        let e = keyring::Entry::new(KEYSTORE_SERVICE, entry).map_err(|e| e.to_string())?;
        e.set_password(secret).map_err(|e| e.to_string())?;
        // Some stores accept a write they cannot keep: read it back.
        match e.get_password() {
            Ok(back) if back == secret => Ok(()),
            Ok(_) => Err("the key store gave back another secret".into()),
            Err(err) => Err(err.to_string()),
        }
    }
    fn get(&self, entry: &str) -> std::result::Result<Option<Zeroizing<String>>, String> {
        let e = keyring::Entry::new(KEYSTORE_SERVICE, entry).map_err(|e| e.to_string())?;
        match e.get_password() {
            Ok(s) => Ok(Some(Zeroizing::new(s))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(err.to_string()),
        }
    }
    fn delete(&self, entry: &str) -> std::result::Result<(), String> {
        let e = keyring::Entry::new(KEYSTORE_SERVICE, entry).map_err(|e| e.to_string())?;
        match e.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(err.to_string()),
        }
    }
}

pub fn key_file(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE)
}

/// Where the store in `dir` keeps its key, if it has one yet.
pub fn source(dir: &Path) -> Result<Option<KeySource>> {
    Ok(read_key_file(dir)?.map(|f| f.source))
}

/// The key of the store in `dir`, from `key.json`.
pub(crate) fn existing(dir: &Path, unlock: &Unlock, keystore: &dyn KeyStore) -> Result<StoreKey> {
    existing_in(dir, unlock, keystore, &Env::read())
}

/// What the environment says: the test key and a PIN, read once.
struct Env {
    test_key: Result<Option<StoreKey>>,
    pin: Option<Zeroizing<String>>,
}

impl Env {
    fn read() -> Env {
        Env {
            test_key: test_key(),
            pin: std::env::var(PIN_ENV)
                .ok()
                .filter(|p| !p.is_empty())
                .map(Zeroizing::new),
        }
    }
    fn test_key(&self) -> Result<Option<StoreKey>> {
        match &self.test_key {
            Ok(k) => Ok(k.clone()),
            Err(Error::Key(t)) => Err(Error::Key(t.clone())),
            Err(e) => Err(key_error(Text::new(e.to_string(), e.to_string()))),
        }
    }
    fn pin(&self, unlock: &Unlock) -> Option<Zeroizing<String>> {
        match unlock {
            Unlock::Pin(p) => Some(p.clone()),
            Unlock::Auto => self.pin.clone(),
            _ => None,
        }
    }
}

fn existing_in(
    dir: &Path,
    unlock: &Unlock,
    keystore: &dyn KeyStore,
    env: &Env,
) -> Result<StoreKey> {
    let file = read_key_file(dir)?.ok_or_else(|| damaged(dir, "missing"))?;
    let key = find(dir, &file, unlock, keystore, env)?;
    if check_of(&key) != file.check {
        return Err(match file.source {
            KeySource::Pin => Error::WrongPin,
            KeySource::Test => key_error(text!(
                "GRIDLINE_TEST_KEY 不是加密此设备数据的那个测试密钥；数据未改动",
                "GRIDLINE_TEST_KEY is not the test key this device's store was encrypted with; nothing was changed"
            )),
            KeySource::KeyStore => key_error(text!(
                "系统密钥库中的密钥不是此设备的；数据未改动",
                "the key store's key is not this device's; nothing was changed"
            )),
            KeySource::Supplied | KeySource::Unencrypted => key_error(text!(
                "应用提供的密钥不是此设备的；数据未改动",
                "the key supplied is not this device's; nothing was changed"
            )),
        });
    }
    Ok(key)
}

fn find(
    dir: &Path,
    file: &KeyFile,
    unlock: &Unlock,
    keystore: &dyn KeyStore,
    env: &Env,
) -> Result<StoreKey> {
    match file.source {
        KeySource::Supplied | KeySource::Unencrypted => match unlock {
            Unlock::Key(k) => Ok(k.clone()),
            _ => Err(key_error(text!(
                "此设备的密钥由应用提供，须由该应用打开",
                "this device's key is supplied by the app that made it; open it there"
            ))),
        },
        KeySource::Test => env.test_key()?.ok_or_else(|| {
            key_error(text!(
                "此设备的数据用测试密钥加密；请设置 GRIDLINE_TEST_KEY",
                "this device's store was encrypted with a test key; set GRIDLINE_TEST_KEY"
            ))
        }),
        KeySource::KeyStore => {
            let entry = file
                .entry
                .as_deref()
                .ok_or_else(|| damaged(dir, "no entry"))?;
            match keystore.get(entry) {
                Ok(Some(hex_key)) => {
                    StoreKey::from_hex(&hex_key).ok_or_else(|| damaged(dir, "key store value"))
                }
                Ok(None) => Err(key_error(text!(
                    "系统密钥库中找不到此设备的密钥（条目 {entry}）；数据未改动。请在原用户账户下打开，或联系管理员",
                    "the key store holds no key for this device (entry {entry}); nothing was changed. Open it as the user who set it up, or ask your admin"
                ))),
                Err(e) => Err(key_error(text!(
                    "无法读取系统密钥库：{e}；数据未改动",
                    "cannot read the key store: {e}; nothing was changed"
                ))),
            }
        }
        KeySource::Pin => {
            let pin = env.pin(unlock).ok_or(Error::PinNeeded { new: false })?;
            let salt = file
                .salt
                .as_deref()
                .and_then(|s| hex::decode(s).ok())
                .ok_or_else(|| damaged(dir, "salt"))?;
            derive(&pin, &salt, file.costs.unwrap_or(PIN_COSTS))
        }
    }
}

/// A key for a new store in `dir` (or a plain one being encrypted), with
/// `key.json` written durably before it is returned.
pub(crate) fn create(
    dir: &Path,
    unlock: &Unlock,
    keystore: &dyn KeyStore,
) -> Result<(StoreKey, KeySource)> {
    create_in(dir, unlock, keystore, &Env::read())
}

fn create_in(
    dir: &Path,
    unlock: &Unlock,
    keystore: &dyn KeyStore,
    env: &Env,
) -> Result<(StoreKey, KeySource)> {
    if let Unlock::Key(key) = unlock {
        write_key_file(
            dir,
            &KeyFile {
                v: 1,
                source: KeySource::Supplied,
                entry: None,
                salt: None,
                costs: None,
                check: check_of(key),
            },
        )?;
        return Ok((key.clone(), KeySource::Supplied));
    }
    let explicit_pin = matches!(unlock, Unlock::Pin(_));
    if !explicit_pin {
        if let Some(key) = env.test_key()? {
            write_key_file(
                dir,
                &KeyFile {
                    v: 1,
                    source: KeySource::Test,
                    entry: None,
                    salt: None,
                    costs: None,
                    check: check_of(&key),
                },
            )?;
            return Ok((key, KeySource::Test));
        }
        let key = StoreKey::from_bytes(random()?);
        let entry = uuid::Uuid::new_v4().to_string();
        if keystore.put(&entry, &key.to_hex()).is_ok() {
            write_key_file(
                dir,
                &KeyFile {
                    v: 1,
                    source: KeySource::KeyStore,
                    entry: Some(entry),
                    salt: None,
                    costs: None,
                    check: check_of(&key),
                },
            )?;
            return Ok((key, KeySource::KeyStore));
        }
    }
    let pin = env.pin(unlock).ok_or(Error::PinNeeded { new: true })?;
    check_new_pin(&pin)?;
    let salt: [u8; 16] = random()?;
    let key = derive(&pin, &salt, PIN_COSTS)?;
    write_key_file(
        dir,
        &KeyFile {
            v: 1,
            source: KeySource::Pin,
            entry: None,
            salt: Some(hex::encode(salt)),
            costs: Some(PIN_COSTS),
            check: check_of(&key),
        },
    )?;
    Ok((key, KeySource::Pin))
}

/// Forgets the key of the store in `dir`: its key store entry and `key.json`.
pub(crate) fn erase(dir: &Path, keystore: &dyn KeyStore) -> Result<()> {
    if let Some(file) = read_key_file(dir)? {
        if let (KeySource::KeyStore, Some(entry)) = (file.source, file.entry.as_deref()) {
            keystore.delete(entry).map_err(|e| {
                key_error(text!(
                    "无法删除系统密钥库中的密钥：{e}",
                    "cannot delete the key from the key store: {e}"
                ))
            })?;
        }
    }
    match std::fs::remove_file(key_file(dir)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::Io {
            context: format!("removing {}", key_file(dir).display()),
            source,
        }),
    }
}

fn check_new_pin(pin: &str) -> Result<()> {
    let n = pin.chars().count();
    if !(PIN_MIN..=PIN_MAX).contains(&n) || pin.trim() != pin {
        return Err(gridline_model::Invalid::new(
            "pin",
            text!(
                "PIN 须为 {PIN_MIN} 到 {PIN_MAX} 个字符，首尾不能有空格",
                "a PIN is {PIN_MIN} to {PIN_MAX} characters, with no spaces at either end"
            ),
            text!("请另设一个至少 6 位的 PIN，并记住它：忘记后无法打开本机数据", "choose a PIN of at least 6 characters and keep it: without it this device's data cannot be opened"),
        )
        .into());
    }
    Ok(())
}

fn derive(pin: &str, salt: &[u8], costs: Costs) -> Result<StoreKey> {
    let params = argon2::Params::new(costs.m_kib, costs.t, costs.p, Some(32))
        .map_err(|e| key_error(text!("PIN 参数无效：{e}", "bad PIN parameters: {e}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(pin.as_bytes(), salt, out.as_mut())
        .map_err(|e| {
            key_error(text!(
                "无法由 PIN 生成密钥：{e}",
                "cannot derive the key from the PIN: {e}"
            ))
        })?;
    Ok(StoreKey::from_bytes(*out))
}

/// The test key from the environment, refused in a release build unless allowed.
fn test_key() -> Result<Option<StoreKey>> {
    let Some(hex_key) = std::env::var(TEST_KEY_ENV).ok().filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    if !cfg!(debug_assertions) {
        if std::env::var(ALLOW_TEST_KEY_ENV).as_deref() != Ok("yes") {
            return Err(key_error(text!(
                "发布版本拒绝测试密钥 GRIDLINE_TEST_KEY；去掉它，或仅在测试时设 GRIDLINE_ALLOW_TEST_KEY=yes",
                "a release build refuses the test key GRIDLINE_TEST_KEY; unset it, or for tests only set GRIDLINE_ALLOW_TEST_KEY=yes"
            )));
        }
        let warning = text!(
            "警告：数据用测试密钥 GRIDLINE_TEST_KEY 加密，不受保护",
            "WARNING: the store is keyed by the test key GRIDLINE_TEST_KEY: it is not protected"
        );
        eprintln!("{}\n{}", warning.zh, warning.en);
    }
    StoreKey::from_hex(&hex_key).map(Some).ok_or_else(|| {
        key_error(text!(
            "GRIDLINE_TEST_KEY 须为 64 位十六进制数",
            "GRIDLINE_TEST_KEY must be 64 hex digits"
        ))
    })
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Error::Io {
        context: "drawing a random key".into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(bytes)
}

fn read_key_file(dir: &Path) -> Result<Option<KeyFile>> {
    let path = key_file(dir);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                context: format!("reading {}", path.display()),
                source,
            })
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|_| damaged(dir, "unreadable"))
}

/// Written to a temporary file, flushed, renamed, and the directory flushed.
fn write_key_file(dir: &Path, file: &KeyFile) -> Result<()> {
    use std::io::Write;
    let path = key_file(dir);
    let tmp = dir.join(format!("{KEY_FILE}.tmp"));
    let io = |context: String| move |source| Error::Io { context, source };
    let bytes = serde_json::to_vec_pretty(file).expect("a key file serialises");
    let mut f = std::fs::File::create(&tmp).map_err(io(format!("writing {}", tmp.display())))?;
    f.write_all(&bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(format!("writing {}", tmp.display())))?;
    std::fs::rename(&tmp, &path).map_err(io(format!("writing {}", path.display())))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(format!("flushing {}", dir.display())))
}

fn damaged(dir: &Path, what: &str) -> Error {
    gridline_store::Error::Damaged(format!("{} ({what})", key_file(dir).display())).into()
}

fn key_error(t: Text) -> Error {
    Error::Key(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// A key store in memory; `broken` stands for a machine without one.
    #[derive(Default)]
    struct Memory {
        broken: bool,
        entries: RefCell<HashMap<String, String>>,
    }

    impl KeyStore for Memory {
        fn put(&self, entry: &str, secret: &str) -> std::result::Result<(), String> {
            if self.broken {
                return Err("no key store".into());
            }
            self.entries
                .borrow_mut()
                .insert(entry.into(), secret.into());
            Ok(())
        }
        fn get(&self, entry: &str) -> std::result::Result<Option<Zeroizing<String>>, String> {
            Ok(self
                .entries
                .borrow()
                .get(entry)
                .cloned()
                .map(Zeroizing::new))
        }
        fn delete(&self, entry: &str) -> std::result::Result<(), String> {
            self.entries.borrow_mut().remove(entry);
            Ok(())
        }
    }

    /// An environment without the test key and without a PIN.
    fn bare() -> Env {
        Env {
            test_key: Ok(None),
            pin: None,
        }
    }

    #[test]
    fn a_key_store_key_is_found_again_and_forgotten_on_erase() {
        let dir = tempfile::tempdir().unwrap();
        let ks = Memory::default();
        let (key, source) = create_in(dir.path(), &Unlock::Auto, &ks, &bare()).unwrap();
        assert_eq!(source, KeySource::KeyStore);
        let file = std::fs::read_to_string(key_file(dir.path())).unwrap();
        assert!(
            !file.contains(&*key.to_hex()),
            "the key stays in the key store: {file}"
        );
        let again = existing_in(dir.path(), &Unlock::Auto, &ks, &bare()).unwrap();
        assert_eq!(again.as_bytes(), key.as_bytes());
        erase(dir.path(), &ks).unwrap();
        assert!(ks.entries.borrow().is_empty());
        assert!(!key_file(dir.path()).exists());
    }

    #[test]
    fn without_a_key_store_a_pin_derives_the_same_key_and_a_wrong_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let ks = Memory {
            broken: true,
            ..Memory::default()
        };
        let (key, source) = create_in(dir.path(), &Unlock::pin("246810"), &ks, &bare()).unwrap();
        assert_eq!(source, KeySource::Pin);
        let file = std::fs::read_to_string(key_file(dir.path())).unwrap();
        assert!(!file.contains("246810"), "the PIN is never stored: {file}");
        assert!(!file.contains(&*key.to_hex()), "nor the key: {file}");
        let again = existing_in(dir.path(), &Unlock::pin("246810"), &ks, &bare()).unwrap();
        assert_eq!(again.as_bytes(), key.as_bytes());
        assert!(matches!(
            existing_in(dir.path(), &Unlock::pin("246811"), &ks, &bare()),
            Err(Error::WrongPin)
        ));
        assert!(matches!(
            existing_in(dir.path(), &Unlock::Auto, &ks, &bare()),
            Err(Error::PinNeeded { new: false })
        ));
        // A PIN from the environment (GRIDLINE_PIN) opens it the same way.
        let env = Env {
            test_key: Ok(None),
            pin: Some(Zeroizing::new("246810".into())),
        };
        let from_env = existing_in(dir.path(), &Unlock::Auto, &ks, &env).unwrap();
        assert_eq!(from_env.as_bytes(), key.as_bytes());
    }

    #[test]
    fn a_short_pin_is_refused_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let ks = Memory {
            broken: true,
            ..Memory::default()
        };
        let err = create_in(dir.path(), &Unlock::pin("123"), &ks, &bare()).unwrap_err();
        assert!(err.text().en.contains("at least 6"), "{}", err.text().en);
        assert!(!key_file(dir.path()).exists());
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn a_test_key_store_needs_the_same_test_key_to_open() {
        let dir = tempfile::tempdir().unwrap();
        let ks = PlatformKeyStore;
        let env = |b: u8| Env {
            test_key: Ok(Some(StoreKey::from_bytes([b; 32]))),
            pin: None,
        };
        let (key, source) = create_in(dir.path(), &Unlock::Auto, &ks, &env(1)).unwrap();
        assert_eq!(source, KeySource::Test);
        assert_eq!(
            existing_in(dir.path(), &Unlock::Auto, &ks, &env(1))
                .unwrap()
                .as_bytes(),
            key.as_bytes()
        );
        let err = existing_in(dir.path(), &Unlock::Auto, &ks, &env(2)).unwrap_err();
        assert!(
            err.text().en.contains("not the test key"),
            "{}",
            err.text().en
        );
        let none = Env {
            test_key: Ok(None),
            pin: None,
        };
        let err = existing_in(dir.path(), &Unlock::Auto, &ks, &none).unwrap_err();
        assert!(
            err.text().en.contains("set GRIDLINE_TEST_KEY"),
            "{}",
            err.text().en
        );
    }
}
