//! The hub counter (`meta.counter`): the one read of its stored value, and the one write.

use gridline_model::text;

use rusqlite::Transaction;

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

/// Stores the counter's new value, in the transaction that stamped the rows
/// with it.
pub(crate) fn write_counter(tx: &Transaction<'_>, seq: u64) -> Result<()> {
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'counter'",
        [seq.to_string()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Hub;

    #[test]
    fn a_damaged_counter_is_an_error_never_a_restart_at_zero() {
        let dir = tempfile::tempdir().unwrap();
        let hub = Hub::init(dir.path(), "522701001", "测试街道").unwrap();
        {
            let mut conn = hub.conn();
            let tx = conn.transaction().unwrap();
            write_counter(&tx, 41).unwrap();
            tx.commit().unwrap();
        }
        assert_eq!(
            hub.counter().unwrap(),
            41,
            "what write_counter stores is what read_counter reads"
        );
        for damaged in ["", "forty-one", "-1", "18446744073709551616"] {
            hub.conn()
                .execute(
                    "UPDATE meta SET value = ?1 WHERE key = 'counter'",
                    [damaged],
                )
                .unwrap();
            let err = hub.counter().expect_err(damaged);
            assert!(
                matches!(err, Error::Damaged(_)),
                "a counter of {damaged:?} is damage to report: read as 0 it would make devices skip new documents ({err})"
            );
        }
    }
}
