use std::path::PathBuf;

use gridline_model::{Invalid, Refusal};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    /// Bad input: names the field and the fix.
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// The rules of DESIGN §3 refuse the action.
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The workflow refuses the step in the record's current state.
    #[error("操作被拒绝 (step refused): {0}")]
    StepRefused(String),
    #[error("找不到{what} {id} (no {what_en} with id {id}); 请用 list 或 search 查看编号 (list or search to find the id)")]
    NotFound {
        what: &'static str,
        what_en: &'static str,
        id: String,
    },
    #[error("{0} 中没有设备 (no device in {0}); 请先运行 `gridline device init` (run `gridline device init` first)", .path.display())]
    NotInitialised { path: PathBuf },
    /// The directory holds a street hub (`hub.db`) and no device: a device
    /// is never made beside a hub.
    #[error("{0} 是街道枢纽的数据目录，没有设备 ({0} is a street hub's data directory, not a device's); 查看枢纽数据请用 `gridline --data {0} hub households|issues|wishes|show` (to see what the hub holds, use the hub commands); 设备请用另一个 --data 目录 (use another --data directory for a device)", .path.display())]
    HubDirectory { path: PathBuf },
    #[error("{0} 中已有设备 (a device already exists in {0}); 换一个 --data 目录 (use another --data directory)", .path.display())]
    AlreadyInitialised { path: PathBuf },
    #[error("{0}")]
    Conflict(String),
    #[error("设备尚未注册 (this device is not enrolled); 请运行 `gridline device enroll --hub URL --code CODE`")]
    NotEnrolled,
    #[error("离线 (offline): {0}")]
    Offline(String),
    #[error("街道枢纽拒绝 (the hub refused): {0}")]
    HubRefused(String),
    #[error(transparent)]
    Store(Box<gridline_store::Error>),
    #[error(transparent)]
    Record(Box<gridline_records::Error>),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl Error {
    /// Whether the user can fix this by changing what they asked for (the CLI
    /// exits with code 2), as opposed to a fault in the device (code 1).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::Invalid(_)
                | Error::Refused(_)
                | Error::StepRefused(_)
                | Error::NotFound { .. }
                | Error::NotInitialised { .. }
                | Error::HubDirectory { .. }
                | Error::AlreadyInitialised { .. }
                | Error::Conflict(_)
                | Error::NotEnrolled
                | Error::HubRefused(_)
        )
    }

    /// Whether the device's store is damaged (the file is not a database,
    /// its pages are corrupt, a stored value cannot be read): the CLI exits
    /// with code 3, and the fix is restoring the data directory, not retrying.
    pub fn is_damaged(&self) -> bool {
        matches!(self, Error::Store(e) if e.is_damaged())
    }

    /// A small, stable code for the app to branch on (never the message).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid(_) => "invalid",
            Error::Refused(_) | Error::StepRefused(_) => "refused",
            Error::NotFound { .. } => "not_found",
            Error::NotInitialised { .. } => "not_initialised",
            Error::HubDirectory { .. } => "hub_directory",
            Error::AlreadyInitialised { .. } => "already_initialised",
            Error::Conflict(_) => "conflict",
            Error::NotEnrolled => "not_enrolled",
            Error::Offline(_) => "offline",
            Error::HubRefused(_) => "hub_refused",
            Error::Store(_) | Error::Record(_) | Error::Io { .. } => "internal",
        }
    }
}

// Boxed: SQLite and Automerge errors are large, and every call returns Result.
impl From<gridline_store::Error> for Error {
    fn from(e: gridline_store::Error) -> Self {
        Error::Store(Box::new(e))
    }
}

impl From<gridline_records::Error> for Error {
    fn from(e: gridline_records::Error) -> Self {
        Error::Record(Box::new(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
