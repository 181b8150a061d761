use std::fmt;

/// Why a benchmark run stopped. The errors of what it drives are shown as
/// they are; its own messages are the ones `gridline bench` always printed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // Boxed: the device's and the hub's errors are large, and every
    // function here returns one.
    #[error(transparent)]
    Device(Box<gridline_device::Error>),
    #[error(transparent)]
    Hub(Box<gridline_hub::Error>),
    #[error(transparent)]
    Invalid(Box<gridline_model::Invalid>),
    #[error(transparent)]
    Http(#[from] reqwest::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Task(#[from] tokio::task::JoinError),
    #[error("the hub exited before serving")]
    HubExited,
    /// A step did not do what the figures depend on (the run stops rather
    /// than report numbers for something else).
    #[error("{0}")]
    Check(String),
    /// The peer (Node, npm, `bench/peer/peer.mjs`) could not run.
    #[error("{0}")]
    Peer(String),
}

impl From<gridline_device::Error> for Error {
    fn from(e: gridline_device::Error) -> Self {
        Error::Device(Box::new(e))
    }
}

impl From<gridline_hub::Error> for Error {
    fn from(e: gridline_hub::Error) -> Self {
        Error::Hub(Box::new(e))
    }
}

impl From<gridline_model::Invalid> for Error {
    fn from(e: gridline_model::Invalid) -> Self {
        Error::Invalid(Box::new(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `Err(Error::Check(...))` unless `cond` holds.
pub(crate) fn check(cond: bool, what: impl FnOnce() -> String) -> Result<()> {
    if cond {
        Ok(())
    } else {
        Err(Error::Check(what()))
    }
}

impl Error {
    pub(crate) fn peer(what: impl fmt::Display) -> Error {
        Error::Peer(what.to_string())
    }
}
