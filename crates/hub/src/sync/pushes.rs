//! The write step: the budgeted loop over a request's pushes, in one transaction.

use automerge::sync::{State, SyncDoc};
use gridline_model::{Instant, User};
use gridline_sync::check::Payload;
use gridline_sync::{Ack, DocSync, Refusal, RefusalCode, SyncRequest, MAX_CHANGES_PER_REQUEST};
use rusqlite::params;

use super::check_one::Pending;
use super::counter::{read_counter, write_counter};
use super::Who;
use crate::{Hub, Result};

/// One pushed entry: changes, or an answer to the hub's sync message.
struct Item<'a> {
    id: &'a String,
    heads: &'a [String],
    payload: Payload<'a>,
    via_sync: bool,
}

/// What the write step did, for the reply and the read step.
#[derive(Default)]
pub(super) struct Taken {
    pub(super) acks: Vec<Ack>,
    pub(super) refusals: Vec<Refusal>,
    /// Documents whose hub copy equals what the device just sent: not echoed.
    pub(super) echo_free: Vec<Echo>,
    /// The hub's Automerge sync messages, for pushes refused with missing_deps.
    pub(super) sync_out: Vec<DocSync>,
    /// Documents whose hub copy the device needs besides the page: refused
    /// ones (it returns to the hub's version), and ones it sent by sync
    /// message whose heads still differ from the hub's.
    pub(super) copies: Vec<String>,
    /// Entries past the request's budget, not looked at.
    pub(super) deferred: Vec<String>,
    /// The counter when the device enrolled: older moves are not its business.
    pub(super) enrolled_counter: u64,
    /// The request's reveals of ID numbers, acknowledged or refused.
    pub(super) reveals: super::reveals::TakenReveals,
}

/// A document the device already holds as the hub does: the id and the
/// hub's heads (sorted hex, comma-separated) after the push.
pub(super) struct Echo {
    pub(super) id: String,
    pub(super) heads: String,
}

/// The device's cursors as the hub keeps them.
struct DeviceCursors {
    /// The highest cursor the device has sent.
    seen_cursor: i64,
    /// The counter when it enrolled.
    enrolled_counter: i64,
}

fn heads_list(heads: &str) -> Vec<String> {
    heads
        .split(',')
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Hub {
    /// The write step: authenticate, register a fresh actor, check and apply
    /// the pushes (within [`gridline_sync::PUSH_STEP_MILLIS`] and [`MAX_CHANGES_PER_REQUEST`];
    /// the rest are deferred), audit refusals, advance the counter, commit.
    pub(super) fn take_pushes(
        &self,
        token: &str,
        req: &SyncRequest,
        now: Instant,
    ) -> Result<(Taken, User)> {
        let mut conn = self.conn();
        let started = std::time::Instant::now();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut binding = Self::binding(&tx, token)?;
        let mut taken = Taken::default();
        self.throttle_prober(&tx, &binding.device_id, now)?;
        if let Some(actor) = &req.new_actor {
            self.register_actor(&tx, &mut binding, actor)?;
        }
        let mut seq = read_counter(&tx)?;
        // The device has applied every reply up to the highest cursor it has
        // sent (a lower one now does not take that back).
        let cursors = tx.query_row(
            "SELECT seen_cursor, enrolled_counter FROM devices WHERE id = ?1",
            [&binding.device_id],
            |r| {
                Ok(DeviceCursors {
                    seen_cursor: r.get(0)?,
                    enrolled_counter: r.get(1)?,
                })
            },
        )?;
        let seen = cursors.seen_cursor;
        taken.enrolled_counter = cursors.enrolled_counter as u64;
        let cursor = req.cursor as i64;
        if cursor > seen {
            tx.execute(
                "UPDATE devices SET seen_cursor = ?2 WHERE id = ?1",
                params![binding.device_id, cursor],
            )?;
        }
        let seen = seen.max(cursor);
        // Pushed changes, then answers to the hub's sync messages: the same
        // checks. Ids derived from another (household-private parts) go
        // last, so a household created in the same request is there first.
        let mut items: Vec<Item<'_>> = req
            .push
            .iter()
            .map(|p| Item {
                id: &p.id,
                heads: &p.heads,
                payload: Payload::Changes(&p.changes),
                via_sync: false,
            })
            .chain(req.sync.iter().map(|m| Item {
                id: &m.id,
                heads: &m.heads,
                payload: Payload::SyncMessage(&m.msg),
                via_sync: true,
            }))
            .collect();
        items.sort_by_key(|i| uuid::Uuid::parse_str(i.id).is_ok_and(|u| u.get_version_num() == 5));
        let budget = std::time::Duration::from_millis(self.push_step_millis());
        let mut changes = 0usize;
        for (n, item) in items.iter().enumerate() {
            // Always at least one, so every request makes progress.
            if n > 0 && (started.elapsed() >= budget || changes >= MAX_CHANGES_PER_REQUEST) {
                taken
                    .deferred
                    .extend(items[n..].iter().map(|i| i.id.clone()));
                break;
            }
            let p = item.id;
            let Pending {
                mut hub_doc,
                before,
                result,
                hidden,
            } = self.check_one(&tx, &binding, p, item.payload, seen, false)?;
            match result {
                Err(r) => {
                    self.audit_refusal(&tx, &binding, &r, hidden, now)?;
                    // Heads disagree. A device that can answer gets the hub's
                    // sync message (heads and a bloom filter of its changes)
                    // instead of its whole copy; a sync message that still
                    // misses some falls back to the copy, so this ends. For
                    // a hidden document both are those of an empty one.
                    let answer =
                        r.code == RefusalCode::MissingDeps && req.am_sync && !item.via_sync;
                    let msg = answer
                        .then(|| {
                            let doc = hub_doc.get_or_insert_with(|| self.new_doc());
                            doc.sync().generate_sync_message(&mut State::new())
                        })
                        .flatten();
                    match msg {
                        Some(m) => taken.sync_out.push(DocSync {
                            id: p.clone(),
                            msg: m.encode(),
                            heads: Vec::new(),
                        }),
                        None if hidden.is_none() => taken.copies.push(p.clone()),
                        None => {}
                    }
                    taken.refusals.push(r)
                }
                Ok(mut checked) => {
                    changes += checked.changes;
                    if checked.changed {
                        self.apply_checked(
                            &tx,
                            p,
                            hub_doc.as_mut(),
                            before.as_ref(),
                            &mut checked,
                            &mut seq,
                            now,
                            &Who {
                                device_id: &binding.device_id,
                                user_id: &binding.user.id,
                                action: crate::audit::action::PUSH,
                                admin: None,
                            },
                        )?;
                    }
                    let heads = gridline_records::heads_hex(&mut checked.doc);
                    let mut sent = item.heads.to_vec();
                    sent.sort();
                    if sent.join(",") == heads {
                        taken.echo_free.push(Echo {
                            id: p.clone(),
                            heads: heads.clone(),
                        });
                    } else if item.via_sync {
                        taken.copies.push(p.clone());
                    }
                    taken.acks.push(Ack {
                        id: p.clone(),
                        heads: heads_list(&heads),
                    });
                }
            }
        }
        // Reveals are small and never deferred: each is audited (or
        // refused) in this transaction, so its ack follows the commit.
        taken.reveals = self.take_reveals(&tx, &binding, req, now)?;
        write_counter(&tx, seq)?;
        tx.commit()?;
        Ok((taken, binding.user))
    }
}
