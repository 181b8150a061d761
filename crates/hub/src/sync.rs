//! One sync round trip on the hub: authenticate, apply pushes, serve the page.

use automerge::sync::{State, SyncDoc};
use automerge::AutoCommit;
use gridline_model::permission::{Kind, Target};
use gridline_model::text;
use gridline_model::wish::{WishStage, WishState};
use gridline_model::{GridId, Instant, RecordId, Role, Scope, User, WishEvent, WishStep};
use gridline_records::Record;
use gridline_sync::check::{check_payload, visible, Binding, Checked, Payload, Place, Stored};
use gridline_sync::scope::{sends, Standing};
use gridline_sync::{
    Ack, DocSync, PullDoc, Refusal, RefusalCode, SyncRequest, SyncResponse, DEFAULT_PAGE,
    MAX_CHANGES_PER_REQUEST, MAX_REPLY_BYTES, PROTOCOL_VERSION,
};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::{hash, Error, Hub, Result};

/// Writes a document row with its scope columns and counter value.
/// `hub_actor` folds a wish's events (only the hub's grants count) for the
/// columns of its sync scope.
pub(crate) fn write_doc(
    tx: &Transaction<'_>,
    doc: &mut AutoCommit,
    record: &Record,
    seq: u64,
    now: Instant,
    hub_actor: &str,
) -> Result<()> {
    let standing = Standing::of(record, hub_actor);
    let (household, reporter, departments) = match record {
        Record::Household(h) => (Some(h.id), None, String::new()),
        Record::HouseholdPrivate(p) => (Some(p.household), None, String::new()),
        Record::Visit(v) => (Some(v.household), None, String::new()),
        Record::Issue(i) => (
            i.household,
            Some(i.reporter.clone()),
            i.state().departments.join(","),
        ),
        Record::Wish(w) => (w.household, Some(w.poster.clone()), String::new()),
    };
    tx.prepare_cached(
        "INSERT INTO documents (id, kind, grid, household, reporter, departments, bytes, heads, seq, updated_at, open, claimant)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, grid = excluded.grid, household = excluded.household,
            reporter = excluded.reporter, departments = excluded.departments, bytes = excluded.bytes,
            heads = excluded.heads, seq = excluded.seq, updated_at = excluded.updated_at,
            open = excluded.open, claimant = excluded.claimant",
    )?
    .execute(params![
        record.doc_id().to_string(),
        record.kind().key(),
        record.grid().as_str(),
        household.map(|h| h.to_string()),
        reporter,
        departments,
        doc.save(),
        gridline_records::heads_hex(doc),
        seq as i64,
        gridline_records::fmt_time(now),
        standing.open,
        standing.claimant,
    ])?;
    Ok(())
}

/// The actors (hex, comma-separated) of the changes `after` has beyond
/// `before`, other than the hub's own: whose changes were applied.
pub(crate) fn new_actors(
    before: Option<&mut AutoCommit>,
    after: &mut AutoCommit,
    hub_hex: &str,
) -> String {
    let heads = before.map(|b| b.get_heads()).unwrap_or_default();
    let mut actors: Vec<String> = after
        .get_changes(&heads)
        .iter()
        .map(|c| c.actor_id().to_hex_string())
        .filter(|a| a != hub_hex)
        .collect();
    actors.sort();
    actors.dedup();
    actors.join(",")
}

/// The hub's own steps on a wish's claims: audit action and claim id.
type Settled = Vec<(&'static str, String)>;

fn heads_list(heads: &str) -> Vec<String> {
    heads
        .split(',')
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether the hub sends a row to `user`, from the row's columns alone.
fn row_sent(
    user: &User,
    kind: &str,
    target: Option<Target>,
    open: bool,
    claimant: Option<String>,
) -> bool {
    Kind::parse(kind)
        .zip(target)
        .is_some_and(|(k, t)| sends(user, k, &t, &Standing { open, claimant }))
}

/// A row's place for the rules, from its columns: no document is loaded.
fn row_target(
    grid: &str,
    household: Option<&str>,
    reporter: Option<&str>,
    departments: &str,
) -> Option<Target> {
    Some(Target {
        grid: GridId::parse(grid).ok()?,
        household: household.and_then(|h| RecordId::parse_str(h).ok()),
        dispatched_to: departments
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect(),
        reporter: reporter.map(str::to_owned),
    })
}

/// A stored document's kind and place, from its row alone (no bytes).
fn stored_place(tx: &Transaction<'_>, id: &str) -> Result<Option<Option<Place>>> {
    let row = tx
        .prepare_cached(
            "SELECT kind, grid, household, reporter, departments FROM documents WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .optional()?;
    // A row whose columns do not parse is nobody's to see: `Some(None)`.
    Ok(row.map(|(kind, grid, household, reporter, departments)| {
        let target = row_target(
            &grid,
            household.as_deref(),
            reporter.as_deref(),
            &departments,
        );
        Kind::parse(&kind)
            .zip(target)
            .map(|(kind, target)| Place { kind, target })
    }))
}

/// Where a document was when the device last heard of it (its cursor
/// `seen`), if it has moved since: the device's changes made before it
/// knew still count.
fn moved_from_of(tx: &Transaction<'_>, id: &str, seen: i64) -> Result<Option<Target>> {
    Ok(tx
        .prepare_cached(
            "SELECT m.old_grid, m.old_household, d.reporter, d.departments
             FROM moves m JOIN documents d ON d.id = m.doc_id
             WHERE m.doc_id = ?1 AND m.seq > ?2 ORDER BY m.seq LIMIT 1",
        )?
        .query_row(params![id, seen], |r| {
            Ok(row_target(
                &r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?.as_deref(),
                r.get::<_, Option<String>>(2)?.as_deref(),
                &r.get::<_, String>(3)?,
            ))
        })
        .optional()?
        .flatten())
}

/// A coarse SQL filter for the rows a user may be sent; the exact rule
/// (`scope::sends`) is then applied row by row.
fn scope_sql(user: &User) -> (String, Vec<String>) {
    // Wishes outside the user's own scope: the open ones, and their own.
    let wishes = "(kind = 'wish' AND (open = 1 OR reporter = ? OR claimant = ?))";
    let me = [user.id.clone(), user.id.clone()];
    match &user.scope {
        Scope::Grids(gs) => {
            let marks = vec!["?"; gs.len()].join(",");
            (
                format!("(grid IN ({marks}) OR {wishes})"),
                gs.iter().map(|g| g.to_string()).chain(me).collect(),
            )
        }
        Scope::Community(c) => (
            format!("(substr(grid, 1, 12) = ? OR {wishes})"),
            std::iter::once(c.to_string()).chain(me).collect(),
        ),
        Scope::Street(_) | Scope::Everything => ("1 = 1".into(), vec![]),
        Scope::Households(hs) => {
            let marks = vec!["?"; hs.len()].join(",");
            let mut args: Vec<String> = hs.iter().map(|h| h.to_string()).collect();
            args.push(user.id.clone());
            args.extend(me);
            (
                format!("(household IN ({marks}) OR reporter = ? OR {wishes})"),
                args,
            )
        }
        Scope::Department(d) => (
            "(kind = 'issue' AND instr(',' || departments || ',', ?) > 0)".into(),
            vec![format!(",{d},")],
        ),
    }
}

/// Where a pushed document stood on the hub before the push: grid, household
/// and a wish's standing (for moves).
pub(crate) type Before = (GridId, Option<RecordId>, Standing);

/// A push checked but not yet applied.
pub(crate) struct Pending {
    pub hub_doc: Option<AutoCommit>,
    pub before: Option<Before>,
    pub result: std::result::Result<Checked, Refusal>,
    /// The hub holds this id, but the device may not read it: the push was
    /// judged as if the id were unknown (and is audited as a probe, with the
    /// kind it holds).
    pub hidden: Option<&'static str>,
}

/// Whose change is being applied, for the audit.
pub(crate) struct Who<'a> {
    pub device_id: &'a str,
    pub user_id: &'a str,
    pub action: &'a str,
    pub admin: Option<&'a str>,
}

impl Hub {
    /// The push checks on `payload` for `binding` (`seen`: the highest cursor
    /// the device has sent, for moves; `reveal`: an admin asks, who may know
    /// what the hub holds). The one path every device change
    /// takes: sync, and an admin's import.
    ///
    /// Permission comes first: the stored document's kind and place are read
    /// from its row, and only a document the device may read is loaded. Any
    /// other is judged exactly as an unknown id, so nothing in the answer
    /// (acknowledgement, heads, sync message, refusal) says it exists.
    pub(crate) fn check_one(
        &self,
        tx: &Transaction<'_>,
        binding: &Binding,
        p: &str,
        payload: Payload<'_>,
        seen: i64,
        reveal: bool,
    ) -> Result<Pending> {
        let hub_hex = self.actor_hex();
        let user = &binding.user;
        let (hub_doc, moved_from, hidden) = match stored_place(tx, p)? {
            // The same queries as for a held id, so neither takes longer.
            None => {
                moved_from_of(tx, p, seen)?;
                (None, None, None)
            }
            Some(None) => (None, None, Some("unknown")),
            Some(Some(place)) => {
                let moved_from = moved_from_of(tx, p, seen)?;
                if visible(user, &place, moved_from.as_ref()) {
                    let bytes: Vec<u8> = tx
                        .prepare_cached("SELECT bytes FROM documents WHERE id = ?1")?
                        .query_row([p], |r| r.get(0))?;
                    (Some(AutoCommit::load(&bytes)?), moved_from, None)
                } else {
                    (None, None, Some(place.kind.key()))
                }
            }
        };
        let before = hub_doc
            .as_ref()
            .and_then(|d| Record::read(d).ok())
            .map(|r| {
                let standing = Standing::of(&r, &hub_hex);
                (r.grid().clone(), r.target().household, standing)
            });
        let stored = match (&hub_doc, hidden) {
            (Some(doc), _) => Stored::Visible {
                doc,
                moved_from: moved_from.as_ref(),
            },
            (None, Some(_)) => Stored::Hidden,
            (None, None) => Stored::Absent,
        };
        // A private part is created only for a household the hub holds and
        // the device may edit (where it is, or was when the device heard).
        let household_writable = |h: uuid::Uuid| -> bool {
            let h = h.to_string();
            let Ok(Some(Some(place))) = stored_place(tx, &h) else {
                return false;
            };
            let may = |t: &Target| {
                gridline_model::permission::check(
                    user,
                    gridline_model::permission::Kind::Household,
                    gridline_model::permission::Action::Edit,
                    t,
                )
                .is_ok()
            };
            place.kind == Kind::Household
                && (may(&place.target)
                    || moved_from_of(tx, &h, seen)
                        .ok()
                        .flatten()
                        .is_some_and(|t| may(&t)))
        };
        // An admin importing a revoked device's changes sees everything:
        // a hidden document is plainly out of the device's scope.
        let result = if reveal && hidden.is_some() {
            Err(gridline_sync::check::not_permitted(p))
        } else {
            check_payload(
                binding,
                p,
                stored,
                &self.actor,
                payload,
                &household_writable,
            )
        };
        Ok(Pending {
            hub_doc,
            before,
            result,
            hidden,
        })
    }

    /// Stores a checked change: settles wish claims, stamps the next counter
    /// value, records a move, and audits it (and any claim the hub settled).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn apply_checked(
        &self,
        tx: &Transaction<'_>,
        p: &str,
        hub_doc: Option<&mut AutoCommit>,
        before: Option<&Before>,
        checked: &mut Checked,
        seq: &mut u64,
        now: Instant,
        who: &Who<'_>,
    ) -> Result<()> {
        let hub_hex = self.actor_hex();
        checked
            .doc
            .set_actor(automerge::ActorId::from(self.actor.clone()));
        let actors = new_actors(hub_doc, &mut checked.doc, &hub_hex);
        let mut granted = Vec::new();
        if let Record::Wish(w) = &checked.record {
            if let Some((w, steps)) = self.settle_claims(&mut checked.doc, w, now)? {
                checked.record = Record::Wish(w);
                granted = steps;
            }
        }
        *seq += 1;
        write_doc(tx, &mut checked.doc, &checked.record, *seq, now, &hub_hex)?;
        // A change of place or of a wish's standing can take the
        // document out of some devices' sync scope.
        if let Some((grid, household, standing)) = before {
            if grid != checked.record.grid()
                || *household != checked.record.target().household
                || *standing != Standing::of(&checked.record, &hub_hex)
            {
                tx.prepare_cached("INSERT INTO moves (doc_id, seq, old_grid, old_household, old_open, old_claimant) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                    .execute(params![p, *seq as i64, grid.as_str(), household.map(|h| h.to_string()), standing.open, standing.claimant])?;
            }
        }
        crate::audit::write(
            tx,
            &crate::audit::Entry {
                at: now,
                device_id: Some(who.device_id),
                user_id: who.user_id,
                doc_id: p,
                kind: checked.record.kind().key(),
                action: who.action,
                admin: who.admin,
                detail: &format!("actor {actors}"),
            },
        )?;
        for (step, claim) in &granted {
            crate::audit::write(
                tx,
                &crate::audit::Entry {
                    at: now,
                    device_id: None,
                    user_id: "hub",
                    doc_id: p,
                    kind: "wish",
                    action: step,
                    admin: who.admin,
                    detail: &format!("claim {claim}"),
                },
            )?;
        }
        Ok(())
    }
}

impl Hub {
    /// The binding of the device holding `token`, or why it has none.
    fn binding(tx: &Transaction<'_>, token: &str) -> Result<Binding> {
        let row: Option<(String, String, String, String, String, Option<String>)> = tx
            .query_row(
                "SELECT id, user_id, user_name, role, scope, revoked_at FROM devices WHERE token_hash = ?1",
                [hash(token)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let Some((device_id, user_id, name, role, scope, revoked)) = row else {
            return Err(Error::Unauthorised);
        };
        if revoked.is_some() {
            return Err(Error::Revoked);
        }
        let mut st = tx.prepare_cached("SELECT actor FROM device_actors WHERE device_id = ?1")?;
        let actors = st
            .query_map([&device_id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(Binding {
            device_id,
            user: crate::user_from_row(user_id, name, &role, &scope)?,
            actors,
        })
    }

    /// One round trip. Pushed changes are durable before they are acknowledged.
    ///
    /// Two bounded steps, each holding one lock: [`Hub::take_pushes`] on the
    /// write connection (authenticate, register an actor, check and apply
    /// pushes within the request's budget, commit), then [`Hub::serve_page`]
    /// on the read connection (the page, copies, removals). A device has one
    /// request in flight at a time.
    pub fn sync(&self, token: &str, req: &SyncRequest, now: Instant) -> Result<SyncResponse> {
        req.check_budget()?;
        let _in_flight = self.in_flight(&crate::hash(token))?;
        let (taken, user) = self.take_pushes(token, req, now)?;
        let page = self.serve_page(&user, req, &taken)?;
        let more = page.more || !taken.deferred.is_empty();
        Ok(SyncResponse {
            v: PROTOCOL_VERSION,
            acks: taken.acks,
            refusals: taken.refusals,
            docs: page.docs,
            removals: page.removals,
            cursor: page.cursor,
            more,
            total: page.total,
            hub_actor: self.actor_hex(),
            sync: taken.sync_out,
            deferred: taken.deferred,
        })
    }

    /// Registers a fresh actor the device announces after a refusal.
    fn register_actor(
        &self,
        tx: &Transaction<'_>,
        binding: &mut Binding,
        actor: &str,
    ) -> Result<()> {
        let owner: Option<String> = tx
            .query_row(
                "SELECT device_id FROM device_actors WHERE actor = ?1",
                [actor],
                |r| r.get(0),
            )
            .optional()?;
        let registered: i64 = tx.query_row(
            "SELECT count(*) FROM device_actors WHERE device_id = ?1",
            [&binding.device_id],
            |r| r.get(0),
        )?;
        let refused = || {
            Error::from(gridline_model::Invalid::new(
                "new_actor",
                text!("不能使用此执行者编号", "this actor id cannot be registered"),
                text!(
                    "请让设备生成新的执行者编号后再同步",
                    "let the device make a fresh actor id and sync again"
                ),
            ))
        };
        match owner {
            Some(d) if d == binding.device_id => Ok(()),
            // Another device's, or the hub's own: the same answer for both.
            Some(_) => Err(refused()),
            None if actor.eq_ignore_ascii_case(&self.actor_hex()) => Err(refused()),
            // A device rotates its actor only after a refusal: a bound on how many it may hold.
            None if registered >= 64 => Err(refused()),
            None => {
                tx.execute(
                    "INSERT INTO device_actors (actor, device_id) VALUES (?1, ?2)",
                    params![actor, binding.device_id],
                )?;
                binding.actors.push(actor.to_owned());
                Ok(())
            }
        }
    }

    /// Refused pushes from this device lately: past [`PROBE_LIMIT`] in
    /// [`PROBE_WINDOW_MINUTES`], its syncs wait (429) until older ones age out.
    fn throttle_prober(&self, tx: &Transaction<'_>, device_id: &str, now: Instant) -> Result<()> {
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

    /// The write step: authenticate, register a fresh actor, check and apply
    /// the pushes (within [`PUSH_STEP_MILLIS`] and [`MAX_CHANGES_PER_REQUEST`];
    /// the rest are deferred), audit refusals, advance the counter, commit.
    fn take_pushes(&self, token: &str, req: &SyncRequest, now: Instant) -> Result<(Taken, User)> {
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
        let (seen, enrolled): (i64, i64) = tx.query_row(
            "SELECT seen_cursor, enrolled_counter FROM devices WHERE id = ?1",
            [&binding.device_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        taken.enrolled_counter = enrolled as u64;
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
                        taken.echo_free.push((p.clone(), heads.clone()));
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
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'counter'",
            [seq.to_string()],
        )?;
        tx.commit()?;
        Ok((taken, binding.user))
    }

    /// Every refusal but `missing_deps` (heads disagree: routine) is an audit
    /// row; one naming a document the device may not read is a `probe`.
    fn audit_refusal(
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
                detail: &format!("{code}: {}", r.reason),
            },
        )
    }

    /// The read step: documents in `user`'s scope changed since the cursor
    /// (at most a page by count and by bytes), the hub's copies of refused
    /// documents, and removals. Read-only, on the read connection, so pages
    /// never wait for another device's pushes.
    fn serve_page(&self, user: &User, req: &SyncRequest, taken: &Taken) -> Result<Page> {
        let (echo_free, copies) = (&taken.echo_free, &taken.copies);
        let mut conn = self.reader();
        let tx = conn.transaction()?;
        let counter = read_counter(&tx)?;
        let page = req.page.clamp(1, DEFAULT_PAGE) as usize;
        let (filter, args) = scope_sql(user);
        let mut out = Page {
            cursor: req.cursor,
            ..Page::default()
        };
        let mut reply_bytes = 0usize;
        {
            let sql = format!(
                "SELECT id, kind, grid, household, reporter, departments, seq, heads, bytes, open, claimant
                 FROM documents INDEXED BY documents_scan
                 WHERE seq > ? AND {filter} ORDER BY seq LIMIT ?"
            );
            let mut st = tx.prepare_cached(&sql)?;
            let mut bind: Vec<rusqlite::types::Value> = vec![(req.cursor as i64).into()];
            bind.extend(args.iter().map(|a| a.clone().into()));
            // Rows the device may not read, or its own pushes echoed back, are
            // skipped but still scanned; the scan is bounded, and the cursor
            // only ever moves past rows that were looked at.
            let scan = page * 4 + 1;
            bind.push((scan as i64).into());
            let mut rows = st.query(rusqlite::params_from_iter(bind))?;
            let mut examined = 0;
            while let Some(r) = rows.next()? {
                if out.docs.len() == page {
                    out.more = true;
                    break;
                }
                examined += 1;
                let row = DocRow::scanned(r)?;
                if row.sent_to(user)
                    && !echo_free
                        .iter()
                        .any(|(i, h)| *i == row.id && *h == row.heads)
                {
                    let bytes = r.get_ref(8)?.as_blob().map_err(rusqlite::Error::from)?;
                    // By bytes too, but never an empty page.
                    if !out.docs.is_empty() && reply_bytes + bytes.len() > MAX_REPLY_BYTES {
                        out.more = true;
                        break;
                    }
                    reply_bytes += bytes.len();
                    out.docs.push(PullDoc {
                        id: row.id,
                        seq: row.seq,
                        bytes: bytes.to_vec(),
                    });
                }
                out.cursor = row.seq;
            }
            if !out.more && examined == scan {
                // The scan limit was reached before the page filled: continue there.
                out.more = true;
            } else if !out.more {
                out.cursor = out.cursor.max(counter);
            }
        }
        // A refused device returns to the hub's version: send it where it may read it.
        for id in copies {
            if out.docs.iter().any(|d| d.id == *id) {
                continue;
            }
            let row = tx
                .prepare_cached(
                    "SELECT id, kind, grid, household, reporter, departments, seq, heads, bytes, open, claimant
                     FROM documents WHERE id = ?1",
                )?
                .query_row([id], |r| Ok((DocRow::scanned(r)?, r.get::<_, Vec<u8>>(8)?)))
                .optional()?;
            if let Some((row, bytes)) = row {
                if row.sent_to(user) {
                    out.docs.push(PullDoc {
                        id: row.id,
                        seq: row.seq,
                        bytes,
                    });
                }
            }
        }
        out.removals = removals(
            &tx,
            user,
            req.cursor.max(taken.enrolled_counter),
            out.cursor,
        )?;
        if req.want_total {
            let sql = format!(
                "SELECT count(*) FROM documents INDEXED BY documents_scan WHERE seq > ? AND {filter}"
            );
            let mut bind: Vec<rusqlite::types::Value> = vec![(req.cursor as i64).into()];
            bind.extend(args.iter().map(|a| a.clone().into()));
            out.total = Some(tx.query_row(&sql, rusqlite::params_from_iter(bind), |r| {
                r.get::<_, i64>(0)
            })? as u64);
        }
        tx.finish()?;
        Ok(out)
    }

    /// The hub grants the first claim request it holds for a posted wish and
    /// refuses the others; both devices learn the outcome on their next sync.
    fn settle_claims(
        &self,
        doc: &mut AutoCommit,
        w: &gridline_model::Wish,
        now: Instant,
    ) -> Result<Option<(gridline_model::Wish, Settled)>> {
        let hub = self.actor_hex();
        let state = WishState::fold(&w.events, Some(&hub));
        if state.pending.is_empty() {
            return Ok(None);
        }
        let mut w = w.clone();
        let mut at = w.events.iter().map(|e| e.at).max().unwrap_or(now).max(now);
        let author = gridline_model::Author {
            user: "hub".into(),
            role: Role::Hub,
            unit: String::new(),
        };
        let mut settled = Vec::new();
        for (i, (claim, _)) in state.pending.iter().enumerate() {
            at += chrono::Duration::milliseconds(1);
            let step = if i == 0 && state.stage == Some(WishStage::Posted) {
                settled.push((crate::audit::action::CLAIM_GRANT, claim.to_string()));
                WishStep::Grant { claim: *claim }
            } else {
                settled.push((crate::audit::action::CLAIM_REFUSE, claim.to_string()));
                WishStep::RefuseClaim { claim: *claim }
            };
            let e = WishEvent {
                id: uuid::Uuid::new_v4(),
                at,
                author: author.clone(),
                actor: hub.clone(),
                step,
            };
            gridline_records::wish::push_event(doc, &e)?;
            w.events.push(e);
        }
        Ok(Some((w, settled)))
    }
}

/// Refusals (other than `missing_deps`) from one device within
/// [`PROBE_WINDOW_MINUTES`] past which its syncs wait: a device that keeps
/// naming records it may not read, or sending what the hub refuses.
pub const PROBE_LIMIT: i64 = 100;
pub const PROBE_WINDOW_MINUTES: i64 = 10;

/// One pushed entry: changes, or an answer to the hub's sync message.
struct Item<'a> {
    id: &'a String,
    heads: &'a [String],
    payload: Payload<'a>,
    via_sync: bool,
}

/// What the write step did, for the reply and the read step.
#[derive(Default)]
struct Taken {
    acks: Vec<Ack>,
    refusals: Vec<Refusal>,
    /// Documents whose hub copy equals what the device just sent: not echoed.
    echo_free: Vec<(String, String)>,
    /// The hub's Automerge sync messages, for pushes refused with missing_deps.
    sync_out: Vec<DocSync>,
    /// Documents whose hub copy the device needs besides the page: refused
    /// ones (it returns to the hub's version), and ones it sent by sync
    /// message whose heads still differ from the hub's.
    copies: Vec<String>,
    /// Entries past the request's budget, not looked at.
    deferred: Vec<String>,
    /// The counter when the device enrolled: older moves are not its business.
    enrolled_counter: u64,
}

/// What the read step serves.
#[derive(Default)]
struct Page {
    docs: Vec<PullDoc>,
    removals: Vec<String>,
    cursor: u64,
    more: bool,
    total: Option<u64>,
}

/// A document row as the page reads it (columns 0..=10 of the page query;
/// the bytes, column 8, are read only for rows that are sent).
struct DocRow {
    id: String,
    kind: String,
    grid: String,
    household: Option<String>,
    reporter: Option<String>,
    departments: String,
    seq: u64,
    heads: String,
    open: bool,
    claimant: Option<String>,
}

impl DocRow {
    fn scanned(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocRow> {
        Ok(DocRow {
            id: r.get(0)?,
            kind: r.get(1)?,
            grid: r.get(2)?,
            household: r.get(3)?,
            reporter: r.get(4)?,
            departments: r.get(5)?,
            seq: r.get::<_, i64>(6)? as u64,
            heads: r.get(7)?,
            open: r.get(9)?,
            claimant: r.get(10)?,
        })
    }

    fn sent_to(&self, user: &User) -> bool {
        row_sent(
            user,
            &self.kind,
            row_target(
                &self.grid,
                self.household.as_deref(),
                self.reporter.as_deref(),
                &self.departments,
            ),
            self.open,
            self.claimant.clone(),
        )
    }
}

/// A move as the removals query reads it: where a document was (and how it
/// stood) and where it is now.
struct MoveRow {
    id: String,
    old_grid: String,
    old_household: Option<String>,
    /// Rows from before migration 0003 carry no standing: it did not change.
    old_open: Option<bool>,
    old_claimant: Option<String>,
    now: DocRow,
}

/// Documents that moved out of `user`'s scope between two cursors.
fn removals(tx: &Transaction<'_>, user: &User, from: u64, to: u64) -> Result<Vec<String>> {
    let mut st = tx.prepare_cached(
        "SELECT m.doc_id, m.old_grid, m.old_household, m.old_open, m.old_claimant,
                d.kind, d.grid, d.household, d.reporter, d.departments, d.seq, d.open, d.claimant
         FROM moves m JOIN documents d ON d.id = m.doc_id WHERE m.seq > ?1 AND m.seq <= ?2 ORDER BY m.seq",
    )?;
    let mut rows = st.query(params![from as i64, to as i64])?;
    let mut out: Vec<String> = Vec::new();
    while let Some(r) = rows.next()? {
        let m = MoveRow {
            id: r.get(0)?,
            old_grid: r.get(1)?,
            old_household: r.get(2)?,
            old_open: r.get(3)?,
            old_claimant: r.get(4)?,
            now: DocRow {
                id: r.get(0)?,
                kind: r.get(5)?,
                grid: r.get(6)?,
                household: r.get(7)?,
                reporter: r.get(8)?,
                departments: r.get(9)?,
                seq: r.get::<_, i64>(10)? as u64,
                heads: String::new(),
                open: r.get(11)?,
                claimant: r.get(12)?,
            },
        };
        let (old_open, old_claimant) = match m.old_open {
            Some(o) => (o, m.old_claimant),
            None => (m.now.open, m.now.claimant.clone()),
        };
        let was = row_sent(
            user,
            &m.now.kind,
            row_target(
                &m.old_grid,
                m.old_household.as_deref(),
                m.now.reporter.as_deref(),
                &m.now.departments,
            ),
            old_open,
            old_claimant,
        );
        if was && !m.now.sent_to(user) && !out.contains(&m.id) {
            out.push(m.id);
        }
    }
    Ok(out)
}

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

/// A device's one request in flight (keyed by its token's hash, known
/// before the store is asked); dropped when the request ends.
pub(crate) struct InFlight<'a> {
    hub: &'a Hub,
    key: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut map = self.hub.in_flight.lock();
        if let Some(slot) = map.get_mut(&self.key) {
            slot.running = false;
            if !slot.waiting {
                map.remove(&self.key);
            }
        }
        self.hub.in_flight_done.notify_all();
    }
}

/// One device's requests: one running, at most one waiting for it.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Slot {
    running: bool,
    waiting: bool,
}

/// How long a device's request waits for its previous one (a retry after a
/// dropped connection while the hub still works on the first) before 429.
const IN_FLIGHT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Hub {
    /// One request per device at a time: a second waits for the first (a
    /// phone retrying after a dropped connection), up to [`IN_FLIGHT_WAIT`];
    /// a third is refused at once (429), so a device can neither run several
    /// at once to crowd out others nor tie up the hub's threads waiting.
    fn in_flight(&self, key: &str) -> Result<InFlight<'_>> {
        let guard = || InFlight {
            hub: self,
            key: key.to_owned(),
        };
        let deadline = std::time::Instant::now() + IN_FLIGHT_WAIT;
        let mut map = self.in_flight.lock();
        let slot = map.entry(key.to_owned()).or_default();
        if !slot.running {
            slot.running = true;
            return Ok(guard());
        }
        if slot.waiting {
            return Err(Error::Busy);
        }
        slot.waiting = true;
        loop {
            let timed_out = self
                .in_flight_done
                .wait_until(&mut map, deadline)
                .timed_out();
            // The slot stays while `waiting` is set: only this request clears it.
            let slot = map.get_mut(key).expect("a waiting slot stays");
            if !slot.running {
                slot.running = true;
                slot.waiting = false;
                return Ok(guard());
            }
            if timed_out {
                slot.waiting = false;
                return Err(Error::Busy);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_runs_one_request_one_waits_and_a_third_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let hub = Hub::init(dir.path(), "522701001", "测试街道").unwrap();
        let first = hub.in_flight("device-a").expect("the first runs");
        assert!(
            hub.in_flight("device-b").is_ok(),
            "another device is not held up"
        );
        std::thread::scope(|s| {
            let second = s.spawn(|| hub.in_flight("device-a").map(|_| ()));
            // Until the second is waiting, a third would be the waiter itself.
            while !hub
                .in_flight
                .lock()
                .get("device-a")
                .is_some_and(|s| s.waiting)
            {
                std::thread::yield_now();
            }
            assert!(
                matches!(hub.in_flight("device-a"), Err(Error::Busy)),
                "a third request from the same device is refused without waiting"
            );
            drop(first);
            assert!(
                second.join().unwrap().is_ok(),
                "the waiting one runs once the first is done"
            );
        });
        assert!(
            hub.in_flight.lock().get("device-a").is_none(),
            "nothing is left behind once all are done"
        );
    }
}
