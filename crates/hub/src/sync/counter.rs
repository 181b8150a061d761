//! The hub counter: the one read of its stored value.

use gridline_model::text;

use crate::{Error, Result};

/// The hub counter, or an error if its stored value is damaged: restarting
/// it at 0 would make devices skip every new document.
pub(crate) fn read_counter(tx: &rusqlite::Connection) -> Result<u64> {
    let text: String = tx.query_row("SELECT value FROM meta WHERE key = 'counter'", [], |r| {
        r.get(0)
    })?;
    text.parse().map_err(|_| {
        Error::Damaged(text!(
            "枢纽计数器已损坏：{text:?}；请从备份恢复 hub.db",
            "the hub counter is damaged: {text:?}; restore hub.db from a backup"
        ))
    })
}
