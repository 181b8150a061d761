//! Reveals of masked ID numbers, as the device keeps them until the hub has
//! them (migration 0008): written in one durable commit before the numbers
//! are shown, sent with each sync, marked sent only once acknowledged.

use gridline_model::Text;
use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

/// One reveal: who saw which household's ID numbers in full, when, why and
/// through what (`app`, `cli`, `export`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reveal {
    /// UUID v7, minted on the device.
    pub id: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub household_id: String,
    pub user_id: String,
    pub user_name: String,
    pub reason: Option<String>,
    pub via: String,
    /// Demo data or trial mode: never sent.
    pub demo: bool,
    /// The hub has acknowledged it.
    pub sent: bool,
    /// Why the hub refused it (it is then not sent again).
    pub refused: Option<Text>,
}

const COLUMNS: &str =
    "id, at, household_id, user_id, user_name, reason, via, demo, sent, refused, refused_en";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Reveal> {
    let refused: Option<String> = r.get(9)?;
    let refused_en: Option<String> = r.get(10)?;
    Ok(Reveal {
        id: r.get(0)?,
        at: r.get(1)?,
        household_id: r.get(2)?,
        user_id: r.get(3)?,
        user_name: r.get(4)?,
        reason: r.get(5)?,
        via: r.get(6)?,
        demo: r.get(7)?,
        sent: r.get(8)?,
        refused: refused.map(|zh| {
            let en = refused_en.unwrap_or_else(|| zh.clone());
            Text::new(zh, en)
        }),
    })
}

impl Store {
    /// Writes one reveal in its own durable commit (`synchronous=FULL`, as
    /// every save), so when this returns the reveal survives a crash. It is
    /// `demo` (never sent) when the household is demo data or the device is
    /// not `enrolled`; `r.demo` and `r.sent` are ignored.
    pub fn record_reveal(&mut self, r: &Reveal, enrolled: bool) -> Result<()> {
        self.record_reveals(std::slice::from_ref(r), enrolled)
    }

    /// Several reveals (an export's, one a household) in one durable commit.
    pub fn record_reveals(&mut self, reveals: &[Reveal], enrolled: bool) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for r in reveals {
            let demo_doc: bool = tx
                .prepare_cached("SELECT demo FROM documents WHERE id = ?1")?
                .query_row([&r.household_id], |row| row.get(0))
                .optional()?
                .unwrap_or(false);
            tx.prepare_cached(
                "INSERT INTO reveals (id, at, household_id, user_id, user_name, reason, via, demo)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                r.id,
                r.at,
                r.household_id,
                r.user_id,
                r.user_name,
                r.reason,
                r.via,
                demo_doc || !enrolled
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Reveals the hub has not acknowledged (nor refused), oldest first.
    pub fn unsent_reveals(&self, limit: usize) -> Result<Vec<Reveal>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM reveals WHERE sent = 0 AND demo = 0 AND refused IS NULL
             ORDER BY at, id LIMIT ?1"
        ))?;
        let rows = st
            .query_map([limit as i64], row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The hub holds these reveals (acknowledged) and refused those, in
    /// one commit. Ids this store does not hold are ignored.
    pub fn settle_reveals(&mut self, acked: &[String], refused: &[(String, Text)]) -> Result<()> {
        if acked.is_empty() && refused.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        for id in acked {
            tx.prepare_cached("UPDATE reveals SET sent = 1 WHERE id = ?1 AND demo = 0")?
                .execute([id])?;
        }
        for (id, why) in refused {
            tx.prepare_cached(
                "UPDATE reveals SET refused = ?2, refused_en = ?3 WHERE id = ?1 AND sent = 0",
            )?
            .execute(params![id, why.zh, why.en])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// How many reveals wait to be sent (neither acknowledged nor refused).
    pub fn unsent_reveal_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM reveals WHERE sent = 0 AND demo = 0 AND refused IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// One reveal, by id.
    pub fn reveal(&self, id: &str) -> Result<Option<Reveal>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM reveals WHERE id = ?1"),
                [id],
                row,
            )
            .optional()?)
    }

    /// The most recent `limit` reveals made here, newest first.
    pub fn reveals(&self, limit: usize) -> Result<Vec<Reveal>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM reveals ORDER BY at DESC, id DESC LIMIT ?1"
        ))?;
        let rows = st
            .query_map([limit as i64], row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Reveals made in trial mode, before the device enrolled, never sync
    /// (their user is not the hub's binding): marked as such on enrolment.
    pub fn retire_trial_reveals(&mut self) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE reveals SET demo = 1 WHERE demo = 0 AND sent = 0",
            [],
        )?)
    }
}
