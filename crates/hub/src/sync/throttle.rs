//! Refusals and probes: each is audited, and a device with too many lately waits.

use gridline_model::Instant;
use gridline_sync::check::Binding;
use gridline_sync::{Refusal, RefusalCode};
use rusqlite::{params, Transaction};

use crate::{Error, Hub, Result};

/// Refusals (other than `missing_deps`) from one device within
/// [`PROBE_WINDOW_MINUTES`] past which its syncs wait: a device that keeps
/// naming records it may not read, or sending what the hub refuses.
pub const PROBE_LIMIT: i64 = 100;
pub const PROBE_WINDOW_MINUTES: i64 = 10;

impl Hub {
    /// Refused pushes from this device lately: past [`PROBE_LIMIT`] in
    /// [`PROBE_WINDOW_MINUTES`], its syncs wait (429) until older ones age out.
    pub(super) fn throttle_prober(
        &self,
        tx: &Transaction<'_>,
        device_id: &str,
        now: Instant,
    ) -> Result<()> {
        let since =
            gridline_records::fmt_time(now - chrono::Duration::minutes(PROBE_WINDOW_MINUTES));
        let recent: Vec<String> = tx
            .prepare_cached(
                // `missing_deps` is not counted, whoever it names: on an
                // unknown id it is no audit row at all, so counting it for a
                // hidden one would tell the two apart through the throttle.
                "SELECT at FROM audit WHERE device_id = ?1 AND action IN (?2, ?3) AND at > ?4
                   AND detail NOT LIKE 'missing_deps:%'
                 ORDER BY at DESC LIMIT ?5",
            )?
            .query_map(
                params![
                    device_id,
                    crate::audit::action::PROBE,
                    crate::audit::action::REFUSED,
                    since,
                    PROBE_LIMIT
                ],
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<_>>()?;
        if (recent.len() as i64) < PROBE_LIMIT {
            return Ok(());
        }
        let oldest = recent
            .last()
            .and_then(|t| gridline_records::parse_time(t))
            .unwrap_or(now);
        let until = oldest + chrono::Duration::minutes(PROBE_WINDOW_MINUTES);
        Err(Error::Throttled {
            retry_after_secs: (until - now).num_seconds().max(1),
        })
    }

    /// Every refusal but `missing_deps` (heads disagree: routine) is an audit
    /// row; one naming a document the device may not read is a `probe`.
    pub(super) fn audit_refusal(
        &self,
        tx: &Transaction<'_>,
        binding: &Binding,
        r: &Refusal,
        hidden: Option<&'static str>,
        now: Instant,
    ) -> Result<()> {
        // `missing_deps` is no row, whether the id is held or not: a row
        // for one and none for the other would be time (and disk) to tell
        // them apart by. Its answer says nothing, so nothing is lost.
        let (action, kind) = match hidden {
            _ if r.code == RefusalCode::MissingDeps => return Ok(()),
            Some(kind) => (crate::audit::action::PROBE, kind),
            None => (crate::audit::action::REFUSED, ""),
        };
        let code = serde_json::to_value(r.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        crate::audit::write(
            tx,
            &crate::audit::Entry {
                at: now,
                device_id: Some(&binding.device_id),
                user_id: &binding.user.id,
                doc_id: &r.id,
                kind,
                action,
                admin: None,
                detail: &format!("{code}: {}", r.reason.in_lang(gridline_model::Lang::Both)),
            },
        )
    }
}
