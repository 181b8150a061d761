//! Reveals of masked ID numbers a device sent (DESIGN §7): each checked
//! ([`gridline_sync::reveal::check_reveal`]), audited once under its id in
//! the write step's transaction, and acknowledged; and the counts the
//! dashboard of community and street staff shows.

use chrono::{Datelike, TimeZone};
use gridline_model::permission::Kind;
use gridline_model::{GridId, Instant, Role, Scope, User};
use gridline_sync::check::Binding;
use gridline_sync::reveal::check_reveal;
use gridline_sync::{Refusal, RefusalCode, RevealCount, RevealEntry, SyncRequest};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::audit::{self, action};
use crate::{Hub, Result};

/// What the write step did with the request's reveals.
#[derive(Default)]
pub(super) struct TakenReveals {
    pub(super) acks: Vec<String>,
    pub(super) refusals: Vec<Refusal>,
}

/// What became of one reveal entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RevealTaken {
    /// Audited now.
    Audited,
    /// The hub held it already: nothing written.
    AlreadyHeld,
    Refused(Refusal),
}

/// Months of reveal counts a reply carries: this one and the 11 before.
const COUNT_MONTHS: u32 = 12;

/// Beijing time, in which months are counted.
fn beijing() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is valid")
}

/// The start (Beijing midnight on the 1st) of the month `back` months
/// before the one holding `now`.
fn month_start(now: Instant, back: u32) -> Instant {
    let t = now.with_timezone(&beijing());
    let months = t.year() * 12 + t.month0() as i32 - back as i32;
    beijing()
        .with_ymd_and_hms(
            months.div_euclid(12),
            months.rem_euclid(12) as u32 + 1,
            1,
            0,
            0,
            0,
        )
        .single()
        .expect("the 1st at midnight exists in a fixed offset")
        .with_timezone(&chrono::Utc)
}

impl Hub {
    /// The write step's reveals: each entry audited (or found held) and
    /// acknowledged, or refused ([`Hub::take_reveal_entries`]).
    pub(super) fn take_reveals(
        &self,
        tx: &Transaction<'_>,
        binding: &Binding,
        req: &SyncRequest,
        now: Instant,
    ) -> Result<TakenReveals> {
        let mut taken = TakenReveals::default();
        for (id, outcome) in self.take_reveal_entries(tx, binding, &req.reveals, now, None)? {
            match outcome {
                RevealTaken::Audited | RevealTaken::AlreadyHeld => taken.acks.push(id),
                RevealTaken::Refused(r) => taken.refusals.push(r),
            }
        }
        Ok(taken)
    }

    /// Audits each well-formed reveal the hub does not hold yet (one audit
    /// row and one `reveals` row, keyed by the entry's id) and finds the
    /// ones it holds; refuses the rest, each refusal audited. The user is
    /// the binding's; the entry's `who` was checked against it. `admin`:
    /// an admin importing a revoked device's export, named on every row.
    pub(crate) fn take_reveal_entries(
        &self,
        tx: &Transaction<'_>,
        binding: &Binding,
        entries: &[RevealEntry],
        now: Instant,
        admin: Option<&str>,
    ) -> Result<Vec<(String, RevealTaken)>> {
        let mut taken = Vec::with_capacity(entries.len());
        for e in entries {
            let checked = check_reveal(e, &binding.user, now);
            let holder: Option<String> = match &checked {
                Ok(_) => tx
                    .prepare_cached("SELECT device_id FROM reveals WHERE id = ?1")?
                    .query_row([&e.id], |r| r.get(0))
                    .optional()?,
                Err(_) => None,
            };
            let checked = match (checked, holder) {
                (Err(r), _) => Err(r),
                (Ok(_), Some(d)) if d != binding.device_id => Err(Refusal {
                    id: e.id.clone(),
                    code: RefusalCode::Malformed,
                    reason: gridline_model::text!(
                        "查看记录编号 {} 已被另一台设备使用；请换一个 UUID v7",
                        "the reveal id {} is another device's; mint a fresh UUID v7",
                        e.id
                    ),
                }),
                (Ok(c), held) => Ok((c, held.is_some())),
            };
            match checked {
                Err(r) => {
                    // The entry itself goes into the row: the device keeps a
                    // refused reveal but never sends it again, so the audit
                    // must say what was shown, when and why.
                    let detail = format!(
                        "{}; household {} at {} via {} by {} ({}){}",
                        r.reason.in_lang(gridline_model::Lang::Both),
                        e.household,
                        e.at,
                        e.via,
                        e.who.id,
                        e.who.name,
                        e.reason
                            .as_deref()
                            .map(|x| format!("; reason: {x}"))
                            .unwrap_or_default()
                    );
                    audit::write(
                        tx,
                        &audit::Entry {
                            at: now,
                            device_id: Some(&binding.device_id),
                            user_id: &binding.user.id,
                            doc_id: &e.id,
                            kind: "reveal",
                            action: admin.map_or(action::REFUSED, |_| action::IMPORT_REFUSED),
                            admin,
                            detail: &detail,
                        },
                    )?;
                    taken.push((e.id.clone(), RevealTaken::Refused(r)));
                }
                Ok((_, true)) => taken.push((e.id.clone(), RevealTaken::AlreadyHeld)),
                Ok((c, false)) => {
                    let household = c.household.to_string();
                    let grid: Option<String> = tx
                        .prepare_cached(
                            "SELECT grid FROM documents WHERE id = ?1 AND kind = 'household'",
                        )?
                        .query_row([&household], |r| r.get(0))
                        .optional()?;
                    let community = grid
                        .and_then(|g| GridId::parse(&g).ok())
                        .map(|g| g.community().as_str().to_owned());
                    let reason = c.reason.as_deref().unwrap_or("");
                    audit::write(
                        tx,
                        &audit::Entry {
                            at: c.at,
                            device_id: Some(&binding.device_id),
                            user_id: &binding.user.id,
                            doc_id: &household,
                            kind: Kind::HouseholdPrivate.key(),
                            action: action::DEVICE_REVEAL,
                            admin,
                            detail: &format!("{} via {}: {reason}", e.id, c.via),
                        },
                    )?;
                    let audit_id = tx.last_insert_rowid();
                    tx.prepare_cached(
                        "INSERT INTO reveals (id, audit_id, at, received_at, device_id, user_id,
                            user_name, household, community, via, reason)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    )?
                    .execute(params![
                        e.id,
                        audit_id,
                        gridline_records::fmt_time(c.at),
                        gridline_records::fmt_time(now),
                        binding.device_id,
                        binding.user.id,
                        binding.user.name,
                        household,
                        community,
                        c.via,
                        c.reason,
                    ])?;
                    taken.push((e.id.clone(), RevealTaken::Audited));
                }
            }
        }
        Ok(taken)
    }

    /// Reveals per user per month (Beijing time) over the last
    /// [`COUNT_MONTHS`] months in the communities of `user`'s scope, for
    /// community and street staff (`None` for every other role), ordered by
    /// community, name and month: a count, never a ranking.
    pub fn reveal_counts(&self, user: &User, now: Instant) -> Result<Option<Vec<RevealCount>>> {
        let (filter, unit) = match (&user.role, &user.scope) {
            (Role::CommunityStaff, Scope::Community(c)) => {
                ("community = ?1", c.as_str().to_owned())
            }
            // A range on the index, not a function of the column: the
            // street's communities are the codes that start with its code.
            (Role::StreetStaff, Scope::Street(s)) => {
                ("community >= ?1 AND community < ?1 || ':'", s.clone())
            }
            _ => return Ok(None),
        };
        let since = gridline_records::fmt_time(month_start(now, COUNT_MONTHS - 1));
        let conn = self.reader();
        let mut st = conn.prepare_cached(&format!(
            "SELECT community, user_id, user_name, strftime('%Y-%m', at, '+8 hours') AS month, count(*)
             FROM reveals WHERE {filter} AND at >= ?2
             GROUP BY community, user_id, user_name, month
             ORDER BY community, user_name, user_id, month"
        ))?;
        let rows = st
            .query_map(params![unit, since], |r| {
                Ok(RevealCount {
                    community: r.get(0)?,
                    user_id: r.get(1)?,
                    user_name: r.get(2)?,
                    month: r.get(3)?,
                    n: r.get::<_, i64>(4)? as u64,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::month_start;

    #[test]
    fn months_start_at_beijing_midnight_and_cross_years() {
        let at = |s: &str| gridline_model::parse_time(s).unwrap();
        // 2026-01-31T17:00Z is already 1 February in Beijing.
        assert_eq!(
            month_start(at("2026-01-31T17:00:00Z"), 0),
            at("2026-02-01T00:00:00+08:00"),
            "the month is Beijing's"
        );
        assert_eq!(
            month_start(at("2026-03-10T00:00:00Z"), 11),
            at("2025-04-01T00:00:00+08:00"),
            "twelve months back crosses the year"
        );
    }
}
