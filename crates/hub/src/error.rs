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
    /// Too many bad enrolment codes lately, from anywhere: every enrolment
    /// waits out the cooling period (HTTP 429).
    #[error("注册码错误次数过多，请 {retry_after_secs} 秒后再试 (too many wrong enrolment codes; try again in {retry_after_secs} s); 请核对管理员给的注册码 (check the code the admin gave you)")]
    TooManyAttempts { retry_after_secs: i64 },
    #[error("{0} 中没有街道枢纽 (no hub in {0}); 请先运行 `gridline hub init`", .path.display())]
    NotInitialised { path: std::path::PathBuf },
    #[error("{0} 中已有街道枢纽 (a hub already exists in {0})", .path.display())]
    AlreadyInitialised { path: std::path::PathBuf },
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
            Error::Sqlite(_) | Error::Record(_) | Error::Automerge(_) | Error::Io { .. }
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
