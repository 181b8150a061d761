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
