use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Record(#[from] gridline_records::Error),
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("the store was written by a newer gridline (schema {found}, this build knows {known}); update gridline")]
    TooNew { found: usize, known: usize },
    #[error("stored value {0:?} is damaged")]
    Damaged(String),
    /// The key does not open this store (SQLCipher reads it as noise).
    /// Nothing was changed.
    #[error("the key does not open this store; nothing was changed")]
    WrongKey,
    /// Another process holds the store open mid-write: it is left as it was.
    #[error("{} is in use by another gridline process; close it and try again", .0.display())]
    InUse(std::path::PathBuf),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl Error {
    /// Whether the store file itself is damaged (not a database, corrupt
    /// pages, a value it cannot read): restore it, do not retry.
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
