use std::path::PathBuf;

use gridline_model::{text, Invalid, Refusal, Text};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    /// Bad input: names the field and the fix.
    /// Boxed: it holds its messages in both languages.
    #[error("{0}")]
    Invalid(Box<Invalid>),
    /// The rules of DESIGN §3 refuse the action.
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The workflow refuses the step in the record's current state.
    #[error("{}", self.text())]
    StepRefused(Text),
    #[error("{}", self.text())]
    NotFound {
        what: &'static str,
        what_en: &'static str,
        id: String,
    },
    #[error("{}", self.text())]
    NotInitialised { path: PathBuf },
    /// The directory holds a street hub (`hub.db`) and no device: a device
    /// is never made beside a hub.
    #[error("{}", self.text())]
    HubDirectory { path: PathBuf },
    #[error("{}", self.text())]
    AlreadyInitialised { path: PathBuf },
    #[error("{0}")]
    Conflict(Text),
    #[error("{}", self.text())]
    NotEnrolled,
    #[error("{}", self.text())]
    Offline(Text),
    #[error("{}", self.text())]
    HubRefused(Text),
    #[error(transparent)]
    Store(Box<gridline_store::Error>),
    #[error(transparent)]
    Record(Box<gridline_records::Error>),
    /// The store's key cannot be had (key store, test key, key file).
    /// Nothing was changed.
    #[error("{}", self.text())]
    Key(Text),
    /// The store is keyed by a PIN and none was given (`new`: none is set yet).
    #[error("{}", self.text())]
    PinNeeded { new: bool },
    /// The PIN given is not this store's. Nothing was changed.
    #[error("{}", self.text())]
    WrongPin,
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl Error {
    /// What went wrong and what to do, in both languages. The device's own
    /// faults (SQLite, Automerge, IO) say the same English in both fields,
    /// after a Chinese lead: they are for whoever restores the device.
    pub fn text(&self) -> Text {
        match self {
            Error::Invalid(i) => i.text(),
            Error::Refused(r) => r.reason.clone(),
            Error::StepRefused(t) => t.after(&text!("操作被拒绝", "step refused")),
            Error::NotFound { what, what_en, id } => text!(
                "找不到{what} {id}；请用 list 或 search 查看编号",
                "no {what_en} with id {id}; use list or search to find the id"
            ),
            Error::NotInitialised { path } => {
                let p = path.display();
                text!(
                    "{p} 中没有设备；请先运行 `gridline device init`",
                    "no device in {p}; run `gridline device init` first"
                )
            }
            Error::HubDirectory { path } => {
                let p = path.display();
                text!(
                    "{p} 是街道枢纽的数据目录，没有设备；查看枢纽数据请用 `gridline --data {p} hub households|issues|wishes|show`；设备请用另一个 --data 目录",
                    "{p} is a street hub's data directory, not a device's; to see what the hub holds, use `gridline --data {p} hub households|issues|wishes|show`; use another --data directory for a device"
                )
            }
            Error::AlreadyInitialised { path } => {
                let p = path.display();
                text!(
                    "{p} 中已有设备；换一个 --data 目录",
                    "a device already exists in {p}; use another --data directory"
                )
            }
            Error::Conflict(t) => t.clone(),
            Error::NotEnrolled => text!(
                "设备尚未注册；请运行 `gridline device enroll --hub URL --code CODE`",
                "this device is not enrolled; run `gridline device enroll --hub URL --code CODE`"
            ),
            Error::Offline(t) => t.after(&text!("离线", "offline")),
            Error::HubRefused(t) => t.after(&text!("街道枢纽拒绝", "the hub refused")),
            Error::Key(t) => t.after(&text!("无法打开加密数据", "cannot open the encrypted store")),
            Error::PinNeeded { new: true } => text!(
                "此设备没有系统密钥库，数据由 PIN 加密：请设一个至少 6 位的 PIN（应用中输入，或命令行设 GRIDLINE_PIN），并记住它",
                "this machine has no key store, so the store is encrypted with a PIN: set one of at least 6 characters (in the app, or GRIDLINE_PIN for the command line) and keep it"
            ),
            Error::PinNeeded { new: false } => text!(
                "此设备的数据由 PIN 加密：请输入 PIN（应用中输入，或命令行设 GRIDLINE_PIN）",
                "this device's store is encrypted with a PIN: enter it (in the app, or GRIDLINE_PIN for the command line)"
            ),
            Error::WrongPin => text!(
                "PIN 不对；数据未改动，请重试",
                "wrong PIN; nothing was changed, try again"
            ),
            other => {
                let s = other.to_string();
                Text::new(format!("设备内部出错：{s}"), s)
            }
        }
    }
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
                | Error::Key(_)
                | Error::PinNeeded { .. }
                | Error::WrongPin
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
            Error::Key(_) => "key",
            Error::PinNeeded { new: true } => "pin_new",
            Error::PinNeeded { new: false } => "pin_needed",
            Error::WrongPin => "wrong_pin",
            Error::Store(_) | Error::Record(_) | Error::Io { .. } => "internal",
        }
    }
}

impl From<Invalid> for Error {
    fn from(e: Invalid) -> Self {
        Error::Invalid(Box::new(e))
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
