//! Forward-only hub migrations, embedded; each in one transaction with its version bump.

use rusqlite::Connection;

use crate::Result;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_hub.sql"),
    include_str!("migrations/0002_moves.sql"),
];

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
