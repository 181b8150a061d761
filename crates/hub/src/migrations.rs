//! Forward-only hub migrations, embedded; each in one transaction with its version bump.

use automerge::AutoCommit;
use gridline_records::Record;
use gridline_sync::scope::Standing;
use rusqlite::{params, Connection, Transaction};

use crate::Result;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_hub.sql"),
    include_str!("migrations/0002_moves.sql"),
    include_str!("migrations/0003_wish_standing.sql"),
    include_str!("migrations/0004_seen_cursor.sql"),
    include_str!("migrations/0005_moves_by_doc.sql"),
    include_str!("migrations/0006_documents_scan.sql"),
    include_str!("migrations/0007_audit_and_enrol_limits.sql"),
    include_str!("migrations/0008_enrol_failures_by_source.sql"),
    include_str!("migrations/0009_audit_refusals.sql"),
    include_str!("migrations/0010_enrolled_counter.sql"),
    include_str!("migrations/0011_reveals.sql"),
    include_str!("migrations/0012_wipe.sql"),
    include_str!("migrations/0013_blobs.sql"),
];

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        if i == 2 {
            fill_wish_standing(&tx)?;
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// 0003: every wish row's `open` and `claimant`, from the fold of its events.
fn fill_wish_standing(tx: &Transaction<'_>) -> Result<()> {
    let hub: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })
        .ok();
    let Some(hub) = hub else {
        return Ok(()); // a new hub: no documents yet
    };
    let rows: Vec<(String, Vec<u8>)> = tx
        .prepare("SELECT id, bytes FROM documents WHERE kind = 'wish'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = tx.prepare("UPDATE documents SET open = ?2, claimant = ?3 WHERE id = ?1")?;
    for (id, bytes) in rows {
        let record = Record::read(&AutoCommit::load(&bytes)?)?;
        let s = Standing::of(&record, &hub);
        st.execute(params![id, s.open, s.claimant])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::Hub;

    #[test]
    fn wish_standing_is_written_with_each_wish_and_filled_in_for_older_rows() {
        let dir = tempfile::tempdir().unwrap();
        let hub = Hub::init(dir.path(), "522701001", "测试街道").unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2025-06-01T08:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        hub.seed_demo(gridline_demo::Scale::Grid, 7, "admin", now)
            .unwrap();
        let standing = |hub: &Hub| -> (i64, i64, i64) {
            hub.conn()
                .query_row(
                    "SELECT sum(open = 0), sum(claimant IS NOT NULL), sum(kind != 'wish' AND open = 1) FROM documents",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap()
        };
        let written = standing(&hub);
        assert!(written.0 > 150, "most demo wishes are settled: {written:?}");
        assert!(
            written.1 > 150,
            "granted claims have a claimant: {written:?}"
        );
        // 7,100 households, private parts, visits and issues, 25 mediation
        // cases with their 25 private parts, and 9 deliberation topics.
        assert_eq!(written.2, 7159, "every other kind counts as open");
        // A hub from before 0003: the columns at their defaults, filled in on open.
        hub.conn()
            .execute_batch("UPDATE documents SET open = 1, claimant = NULL")
            .unwrap();
        {
            let mut conn = hub.conn();
            let tx = conn.transaction().unwrap();
            super::fill_wish_standing(&tx).unwrap();
            tx.commit().unwrap();
        }
        assert_eq!(
            standing(&hub),
            written,
            "the migration's fill matches what a write stores"
        );
    }
}
