//! The street's own time limits (DESIGN §3 deadlines by grade, §8 months to
//! conclude a mediation): kept in the hub's `meta` table under
//! `street_limits` as JSON, the defaults until the admin sets them
//! (`gridline hub limits set`), and sent with every sync response.
//!
//! Only the admin sets them, on the hub's data directory; a change is
//! audited (`limits`) in the transaction that makes it, and a value the
//! model refuses changes nothing. Devices never write them.
//!
//! The hub's own checks need no limits: a pushed step is never refused for
//! its workflow state (the fold keeps it and marks it refused, on every
//! replica alike, DESIGN §5; only an issue step its bound role may never
//! take is refused at the door), and what the hub derives from a fold to
//! place a document (an issue's departments) does not depend on any
//! deadline. The table and calendar travel inside the same JSON.

use gridline_model::{Instant, StreetLimits};
use rusqlite::{params, Connection, OptionalExtension};

use crate::{admin::admin_name, audit, Error, Hub, Result};

/// The `meta` key the limits are kept under.
const KEY: &str = "street_limits";

fn read(conn: &Connection) -> Result<StreetLimits> {
    let stored: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [KEY], |r| r.get(0))
        .optional()?;
    match stored {
        None => Ok(StreetLimits::default()),
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            Error::Damaged(gridline_model::text!(
                "街道时限已损坏：{e}；请用 gridline hub limits set 重新设置",
                "the street's time limits are damaged: {e}; set them again with gridline hub limits set"
            ))
        }),
    }
}

impl Hub {
    /// The street's time limits: as the admin last set them, else the defaults.
    pub fn street_limits(&self) -> Result<StreetLimits> {
        // The reader: a sync asks on every response and must not wait for pushes.
        read(&self.reader())
    }

    /// Sets the street's time limits, audited as `admin`; returns the limits
    /// they replace. Refused, changing nothing, when the model refuses them.
    pub fn set_street_limits(
        &self,
        limits: &StreetLimits,
        admin: &str,
        now: Instant,
    ) -> Result<StreetLimits> {
        let admin = admin_name(admin)?;
        limits.validate()?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let before = read(&tx)?;
        let json = serde_json::to_string(limits).expect("limits are plain numbers");
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![KEY, json],
        )?;
        audit::write(
            &tx,
            &audit::Entry {
                at: now,
                device_id: None,
                user_id: admin,
                doc_id: KEY,
                kind: "street",
                action: audit::action::LIMITS,
                admin: Some(admin),
                detail: &format!("{} -> {}", before.describe(), limits.describe()),
            },
        )?;
        tx.commit()?;
        Ok(before)
    }
}

#[cfg(test)]
mod tests {
    use gridline_model::StreetLimits;

    use crate::{AuditQuery, Hub};

    #[test]
    fn limits_are_the_defaults_until_set_then_audited_and_bad_ones_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let hub = Hub::init(dir.path(), "522701001", "测试街道").unwrap();
        let now = chrono::Utc::now();
        assert_eq!(
            hub.street_limits().unwrap(),
            StreetLimits::default(),
            "a new hub has the design's defaults"
        );
        let set = StreetLimits {
            urgent_hours: 12,
            normal_days: 3,
            minor_days: 5,
            conclude_months: 2,
            ..StreetLimits::default()
        };
        let before = hub.set_street_limits(&set, "李管理员", now).unwrap();
        assert_eq!(before, StreetLimits::default(), "it says what it replaced");
        let reopened = Hub::open(dir.path()).unwrap();
        assert_eq!(
            reopened.street_limits().unwrap(),
            set,
            "the limits are durable in hub.db"
        );
        let bad = StreetLimits {
            conclude_months: 7,
            ..set.clone()
        };
        let err = reopened
            .set_street_limits(&bad, "李管理员", now)
            .expect_err("seven months is refused");
        assert!(
            matches!(&err, crate::Error::Invalid(i) if i.field == "conclude-months"),
            "refused as bad input naming the field: {err}"
        );
        assert_eq!(reopened.street_limits().unwrap(), set, "nothing changed");
        assert!(
            reopened.set_street_limits(&set, " ", now).is_err(),
            "a change names its admin"
        );
        let rows: Vec<_> = reopened
            .audit(&AuditQuery::default())
            .unwrap()
            .into_iter()
            .filter(|r| r.action == "limits")
            .collect();
        assert_eq!(
            rows.len(),
            1,
            "one audited change, none for the refusals: {rows:?}"
        );
        assert_eq!(
            rows[0].admin.as_deref(),
            Some("李管理员"),
            "with who did it"
        );
        assert_eq!(
            rows[0].detail,
            "urgent 24h, normal 3d, minor 7d, conclude 1 months -> urgent 12h, normal 3d, minor 5d, conclude 2 months",
            "and what changed from what"
        );
    }
}
