use thiserror::Error;

use gridline_model::{text, Text};

#[derive(Debug, Error)]
pub enum Error {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Record(#[from] gridline_records::Error),
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// Boxed, like every large variant: each call returns this error.
    #[error(transparent)]
    Invalid(Box<gridline_model::Invalid>),
    /// No such token, or a malformed Authorization header.
    #[error("{}", self.text())]
    Unauthorised,
    #[error("{}", self.text())]
    Revoked,
    #[error("{}", self.text())]
    BadCode,
    /// Too many bad enrolment codes lately from this address, for this code
    /// or, in a flood, from everywhere (`lock` says which): the enrolment
    /// waits `retry_after_secs`, until fewer than the limit remain in the
    /// window (HTTP 429 with `Retry-After`).
    #[error("{}", self.text())]
    TooManyAttempts {
        lock: crate::EnrolLock,
        retry_after_secs: i64,
    },
    /// This device's syncs wait: it sent too many pushes the hub refused
    /// (or named records it may not read) lately (HTTP 429).
    #[error("{}", self.text())]
    Throttled { retry_after_secs: i64 },
    /// A second sync request from a device while its first is in flight (HTTP 429).
    #[error("{}", self.text())]
    Busy,
    /// The hub's store holds a value it cannot read: not the caller's fault.
    #[error("{0}")]
    Damaged(Text),
    /// The admin's request does not fit the device's state (HTTP 409 for a device).
    #[error("{0}")]
    Refused(Text),
    /// The encrypted store's key is missing, unreadable or wrong. Nothing was changed.
    #[error("{0}")]
    Key(Text),
    #[error("{}", self.text())]
    NotInitialised { path: std::path::PathBuf },
    #[error("{}", self.text())]
    AlreadyInitialised { path: std::path::PathBuf },
    #[error("{}", self.text())]
    NotFound(String),
    #[error("{}", self.text())]
    NoSuchDevice(String),
    #[error(transparent)]
    Wire(#[from] gridline_sync::WireError),
    /// A household list that cannot be imported: every problem, by line.
    #[error("{0}")]
    Import(Text),
    /// A photo over the hub's size limit (HTTP 413): nothing was stored.
    #[error("{}", self.text())]
    BlobTooLarge { size: u64, max: u64 },
    /// A piece sent at another offset than the hub holds (HTTP 409): the
    /// upload goes on from `held`.
    #[error("{}", self.text())]
    BlobOffset { held: u64 },
    /// The whole upload does not hash to its name (HTTP 422): it was
    /// discarded, and is sent again from the start.
    #[error("{}", self.text())]
    BlobHashMismatch { got: String },
    /// No photo by that hash that this device may fetch (HTTP 404): the
    /// same whether it does not exist or is not this device's to see.
    #[error("{}", self.text())]
    NoSuchBlob,
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl From<gridline_model::Invalid> for Error {
    fn from(e: gridline_model::Invalid) -> Self {
        Error::Invalid(Box::new(e))
    }
}

impl Error {
    /// What went wrong and what to do, in both languages. Faults of the
    /// hub's own machinery (SQLite, Automerge, IO) are said in English
    /// only, in both fields: they are for whoever restores the hub.
    pub fn text(&self) -> Text {
        match self {
            Error::Invalid(i) => i.text(),
            Error::Unauthorised => text!("未授权：请先注册设备", "unauthorised: enrol the device first"),
            Error::Revoked => text!("设备已被停用；请联系管理员", "this device was revoked; ask the hub admin"),
            Error::BadCode => text!(
                "注册码无效或已过期；请向管理员重新申请",
                "the enrolment code is wrong, used or expired; ask the admin for a new one"
            ),
            Error::TooManyAttempts {
                lock,
                retry_after_secs,
            } => lock.text().after(&text!(
                "注册码错误次数过多，请 {retry_after_secs} 秒后再试",
                "too many wrong enrolment codes; try again in {retry_after_secs} s"
            )),
            Error::Throttled { retry_after_secs } => text!(
                "本设备近期被拒绝的推送过多，请 {retry_after_secs} 秒后再同步；如一再出现请联系管理员",
                "too many refused pushes from this device lately; sync again in {retry_after_secs} s; ask the hub admin if this keeps happening"
            ),
            Error::Busy => text!(
                "本设备的上一次同步尚未结束；请稍后再试",
                "this device's previous sync has not finished; try again in a moment"
            ),
            Error::Damaged(t) | Error::Import(t) => t.clone(),
            Error::NotInitialised { path } => {
                let p = path.display();
                text!(
                    "{p} 中没有街道枢纽；请先运行 `gridline hub init`",
                    "no hub in {p}; run `gridline hub init` first"
                )
            }
            Error::AlreadyInitialised { path } => {
                let p = path.display();
                text!("{p} 中已有街道枢纽", "a hub already exists in {p}")
            }
            Error::NotFound(id) => text!(
                "枢纽上没有记录 {id}；请用 gridline hub households|issues|wishes 查看编号",
                "the hub holds no record with id {id}; list them with gridline hub households|issues|wishes to find the id"
            ),
            Error::NoSuchDevice(d) => text!("没有设备 {d}", "no such device {d}"),
            Error::BlobTooLarge { size, max } => text!(
                "照片 {size} 字节，超过枢纽的上限 {max} 字节，未保存；请在设备上重新拍摄或选取较小的照片",
                "the photo is {size} bytes, over the hub's limit of {max} bytes, and was not stored; take or choose a smaller photo"
            ),
            Error::BlobOffset { held } => text!(
                "枢纽已收到此照片的 {held} 字节；请从这里接着上传",
                "the hub holds {held} bytes of this photo; go on uploading from there"
            ),
            Error::BlobHashMismatch { got } => text!(
                "收到的照片内容与其编号不符（实为 {got}），已丢弃；请重新上传",
                "the photo received does not match its hash (it hashes to {got}) and was discarded; upload it again"
            ),
            Error::NoSuchBlob => text!(
                "没有本设备可查看的这张照片",
                "no such photo that this device may fetch"
            ),
            Error::Wire(w) => w.text(),
            Error::Key(t) | Error::Refused(t) => t.clone(),
            other => {
                let s = other.to_string();
                Text::new(s.clone(), s)
            }
        }
    }
}

impl Error {
    /// Whether the caller can fix this (bad input, bad code, revoked): exit 2 / HTTP 4xx.
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            Error::Sqlite(_)
                | Error::Record(_)
                | Error::Automerge(_)
                | Error::Io { .. }
                | Error::Damaged(_)
        )
    }
}

impl Error {
    /// Whether the hub's store is damaged (a value or document it cannot
    /// read, a file that is not a database, corrupt pages): restore hub.db
    /// from a backup; retrying will not help. The CLI exits with code 3.
    pub fn is_damaged(&self) -> bool {
        match self {
            Error::Damaged(_) => true,
            Error::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            ),
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
