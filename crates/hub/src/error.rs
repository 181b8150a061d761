use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Record(#[from] gridline_records::Error),
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error(transparent)]
    Invalid(#[from] gridline_model::Invalid),
    /// No such token, or a malformed Authorization header.
    #[error("未授权 (unauthorised): 请先注册设备 (enrol the device first)")]
    Unauthorised,
    #[error("设备已被停用 (this device was revoked); 请联系管理员 (ask the hub admin)")]
    Revoked,
    #[error("注册码无效或已过期 (the enrolment code is wrong, used or expired); 请向管理员重新申请 (ask the admin for a new one)")]
    BadCode,
    /// Too many bad enrolment codes lately from this address, for this code
    /// or, in a flood, from everywhere (`lock` says which): the enrolment
    /// waits `retry_after_secs`, until fewer than the limit remain in the
    /// window (HTTP 429 with `Retry-After`).
    #[error("注册码错误次数过多，请 {retry_after_secs} 秒后再试 (too many wrong enrolment codes; try again in {retry_after_secs} s): {lock}")]
    TooManyAttempts {
        lock: crate::EnrolLock,
        retry_after_secs: i64,
    },
    /// This device's syncs wait: it sent too many pushes the hub refused
    /// (or named records it may not read) lately (HTTP 429).
    #[error("本设备近期被拒绝的推送过多，请 {retry_after_secs} 秒后再同步 (too many refused pushes from this device lately; sync again in {retry_after_secs} s); 如一再出现请联系管理员 (ask the hub admin if this keeps happening)")]
    Throttled { retry_after_secs: i64 },
    /// A second sync request from a device while its first is in flight (HTTP 429).
    #[error("本设备的上一次同步尚未结束 (this device's previous sync has not finished); 请稍后再试 (try again in a moment)")]
    Busy,
    /// The hub's store holds a value it cannot read: not the caller's fault.
    #[error("{0}")]
    Damaged(String),
    #[error("{0} 中没有街道枢纽 (no hub in {0}); 请先运行 `gridline hub init`", .path.display())]
    NotInitialised { path: std::path::PathBuf },
    #[error("{0} 中已有街道枢纽 (a hub already exists in {0})", .path.display())]
    AlreadyInitialised { path: std::path::PathBuf },
    #[error("枢纽上没有记录 {0} (the hub holds no record with this id); 请用 gridline hub households|issues|wishes 查看编号 (list them to find the id)")]
    NotFound(String),
    #[error("没有设备 {0} (no such device)")]
    NoSuchDevice(String),
    #[error(transparent)]
    Wire(#[from] gridline_sync::WireError),
    #[error("{0}")]
    Import(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
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
