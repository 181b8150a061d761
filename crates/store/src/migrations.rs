//! Forward-only schema migrations, embedded in the binary.
//!
//! `PRAGMA user_version` says how many have run. Each runs in its own
//! transaction together with the version bump, so a crash leaves the store at
//! the previous version, never half-way. Never edit a migration once merged.

use rusqlite::Connection;

use crate::Result;

pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_core.sql"),
    include_str!("migrations/0002_refused_copies.sql"),
    include_str!("migrations/0003_sync.sql"),
    include_str!("migrations/0004_refused_reason_en.sql"),
    include_str!("migrations/0005_mediation.sql"),
    include_str!("migrations/0006_deliberation.sql"),
    include_str!("migrations/0007_dashboard_indexes.sql"),
    include_str!("migrations/0008_reveals.sql"),
    include_str!("migrations/0009_photos.sql"),
    include_str!("migrations/0010_positions.sql"),
    include_str!("migrations/0011_issue_facts.sql"),
    include_str!("migrations/0012_household_merges.sql"),
];

/// Runs every migration the store has not run yet, up to `target`.
pub fn migrate_to(conn: &mut Connection, target: usize) -> Result<usize> {
    let current: usize =
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current > MIGRATIONS.len() {
        return Err(crate::Error::TooNew {
            found: current,
            known: MIGRATIONS.len(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().take(target).skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(current)
}

pub fn migrate(conn: &mut Connection) -> Result<usize> {
    migrate_to(conn, MIGRATIONS.len())
}
