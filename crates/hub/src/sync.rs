//! One sync round trip on the hub: authenticate, apply pushes, serve the page.

use automerge::sync::{State, SyncDoc};
use automerge::AutoCommit;
use gridline_model::permission::{Kind, Target};
use gridline_model::wish::{WishStage, WishState};
use gridline_model::{GridId, Instant, RecordId, Role, Scope, User, WishEvent, WishStep};
use gridline_records::Record;
use gridline_sync::check::{check_payload, Binding, Checked, Payload};
use gridline_sync::scope::{sends, Standing};
use gridline_sync::{
    Ack, DocSync, PullDoc, Refusal, RefusalCode, SyncRequest, SyncResponse, DEFAULT_PAGE,
    PROTOCOL_VERSION,
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

type MoveRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<bool>,
    Option<String>,
    bool,
    Option<String>,
);

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
}

/// Whose change is being applied, for the audit.
pub(crate) struct Who<'a> {
    pub device_id: &'a str,
    pub user_id: &'a str,
    pub action: &'a str,
    pub admin: Option<&'a str>,
}

impl Hub {
    /// Loads the hub's copy of `id` and runs the push checks on `payload` for
    /// `binding` (`seen`: the highest cursor the device has sent, for moves).
    /// The one path every device change takes: sync, and an admin's import.
    pub(crate) fn check_one(
        &self,
        tx: &Transaction<'_>,
        binding: &Binding,
        p: &str,
        payload: Payload<'_>,
        seen: i64,
    ) -> Result<Pending> {
        let hub_hex = self.actor_hex();
        let stored: Option<Vec<u8>> = tx
            .prepare_cached("SELECT bytes FROM documents WHERE id = ?1")?
            .query_row([p], |r| r.get(0))
            .optional()?;
        let hub_doc = stored.as_deref().map(AutoCommit::load).transpose()?;
        let before = hub_doc
            .as_ref()
            .and_then(|d| Record::read(d).ok())
            .map(|r| {
                let standing = Standing::of(&r, &hub_hex);
                (r.grid().clone(), r.target().household, standing)
            });
        // Where the document was when the device last heard of it, if it
        // has moved since: the device's changes made before it knew count.
        let moved_from = match &hub_doc {
            None => None,
            Some(_) => tx
                .prepare_cached(
                    "SELECT m.old_grid, m.old_household, d.reporter, d.departments
                     FROM moves m JOIN documents d ON d.id = m.doc_id
                     WHERE m.doc_id = ?1 AND m.seq > ?2 ORDER BY m.seq LIMIT 1",
                )?
                .query_row(params![p, seen], |r| {
                    Ok(row_target(
                        &r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?.as_deref(),
                        r.get::<_, Option<String>>(2)?.as_deref(),
                        &r.get::<_, String>(3)?,
                    ))
                })
                .optional()?
                .flatten(),
        };
        let result = check_payload(
            binding,
            p,
            hub_doc.as_ref(),
            &self.actor,
            payload,
            moved_from.as_ref(),
        );
        Ok(Pending {
            hub_doc,
            before,
            result,
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
    pub fn sync(&self, token: &str, req: &SyncRequest, now: Instant) -> Result<SyncResponse> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut binding = Self::binding(&tx, token)?;
        if let Some(actor) = &req.new_actor {
            if hex::decode(actor).map_or(true, |a| a.is_empty() || a.len() > 32) {
                return Err(gridline_model::Invalid::new(
                    "new_actor",
                    "执行者编号无效 (bad actor id)",
                    "由设备自动生成 (the device makes it)",
                )
                .into());
            }
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
            // The hub's own actor is never a device's, and a device rotates its
            // actor only after a refusal: a bound on how many it may hold.
            if actor.eq_ignore_ascii_case(&self.actor_hex()) || registered >= 64 {
                return Err(gridline_model::Invalid::new(
                    "new_actor",
                    "不能使用此执行者编号 (this actor id cannot be registered)",
                    "请重新注册设备 (enrol the device again)",
                )
                .into());
            }
            match owner {
                None => {
                    tx.execute(
                        "INSERT INTO device_actors (actor, device_id) VALUES (?1, ?2)",
                        params![actor, binding.device_id],
                    )?;
                    binding.actors.push(actor.clone());
                }
                Some(d) if d == binding.device_id => {}
                Some(_) => return Err(Error::Unauthorised),
            }
        }
        let mut seq: u64 = tx
            .query_row("SELECT value FROM meta WHERE key = 'counter'", [], |r| {
                r.get::<_, String>(0)
            })?
            .parse()
            .unwrap_or(0);
        // The device has applied every reply up to the highest cursor it has
        // sent (a lower one now does not take that back).
        let seen: i64 = tx.query_row(
            "SELECT seen_cursor FROM devices WHERE id = ?1",
            [&binding.device_id],
            |r| r.get(0),
        )?;
        if req.cursor as i64 > seen {
            tx.execute(
                "UPDATE devices SET seen_cursor = ?2 WHERE id = ?1",
                params![binding.device_id, req.cursor as i64],
            )?;
        }
        let seen = seen.max(req.cursor as i64);
        let mut acks = Vec::new();
        let mut refusals: Vec<Refusal> = Vec::new();
        // Documents whose hub copy equals what the device just sent: no need to echo them.
        let mut echo_free: Vec<(String, String)> = Vec::new();
        // The hub's Automerge sync messages, for pushes refused with missing_deps.
        let mut sync_out: Vec<DocSync> = Vec::new();
        // Documents whose hub copy the device needs besides the page: refused
        // ones (it returns to the hub's version), and ones it sent by sync
        // message whose heads still differ from the hub's.
        let mut copies: Vec<String> = Vec::new();
        // Pushed changes, then answers to the hub's sync messages: the same checks.
        struct Item<'a> {
            id: &'a String,
            heads: &'a [String],
            payload: Payload<'a>,
            via_sync: bool,
        }
        let items = req
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
            }));
        for item in items {
            let p = item.id;
            let Pending {
                mut hub_doc,
                before,
                result,
            } = self.check_one(&tx, &binding, p, item.payload, seen)?;
            match result {
                Err(r) => {
                    // Heads disagree. A device that can answer gets the hub's
                    // sync message (heads and a bloom filter of its changes)
                    // instead of its whole copy; a sync message that still
                    // misses some falls back to the copy, so this ends.
                    let answer =
                        r.code == RefusalCode::MissingDeps && req.am_sync && !item.via_sync;
                    let msg = answer
                        .then(|| {
                            let doc = hub_doc.get_or_insert_with(|| self.new_doc());
                            doc.sync().generate_sync_message(&mut State::new())
                        })
                        .flatten();
                    match msg {
                        Some(m) => sync_out.push(DocSync {
                            id: p.clone(),
                            msg: m.encode(),
                            heads: Vec::new(),
                        }),
                        None => copies.push(p.clone()),
                    }
                    refusals.push(r)
                }
                Ok(mut checked) => {
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
                        echo_free.push((p.clone(), heads.clone()));
                    } else if item.via_sync {
                        copies.push(p.clone());
                    }
                    acks.push(Ack {
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

        // The page: documents in scope changed since the cursor, in counter order.
        let page = req.page.clamp(1, DEFAULT_PAGE) as usize;
        let (filter, args) = scope_sql(&binding.user);
        let mut docs = Vec::new();
        let mut cursor = req.cursor;
        let mut more = false;
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
                if docs.len() == page {
                    more = true;
                    break;
                }
                examined += 1;
                let (id, kind, grid, household, reporter, departments, row_seq, heads): (
                    String,
                    String,
                    String,
                    Option<String>,
                    Option<String>,
                    String,
                    i64,
                    String,
                ) = (
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                );
                cursor = row_seq as u64;
                let readable = row_sent(
                    &binding.user,
                    &kind,
                    row_target(
                        &grid,
                        household.as_deref(),
                        reporter.as_deref(),
                        &departments,
                    ),
                    r.get(9)?,
                    r.get(10)?,
                );
                if !readable || echo_free.iter().any(|(i, h)| *i == id && *h == heads) {
                    continue;
                }
                docs.push(PullDoc {
                    id,
                    seq: row_seq as u64,
                    bytes: r.get(8)?,
                });
            }
            if !more && examined == scan {
                // The scan limit was reached before the page filled: continue there.
                more = true;
            } else if !more {
                cursor = cursor.max(seq);
            }
        }
        // A refused device returns to the hub's version: send it where it may read it.
        for id in &copies {
            if docs.iter().any(|d| d.id == *id) {
                continue;
            }
            type Row = (
                String,
                String,
                Option<String>,
                Option<String>,
                String,
                i64,
                Vec<u8>,
                bool,
                Option<String>,
            );
            let row: Option<Row> = tx
                .query_row("SELECT kind, grid, household, reporter, departments, seq, bytes, open, claimant FROM documents WHERE id = ?1", [id], |x| {
                    Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?, x.get(5)?, x.get(6)?, x.get(7)?, x.get(8)?))
                })
                .optional()?;
            if let Some((
                kind,
                grid,
                household,
                reporter,
                departments,
                row_seq,
                bytes,
                open,
                claimant,
            )) = row
            {
                let readable = row_sent(
                    &binding.user,
                    &kind,
                    row_target(
                        &grid,
                        household.as_deref(),
                        reporter.as_deref(),
                        &departments,
                    ),
                    open,
                    claimant,
                );
                if readable {
                    docs.push(PullDoc {
                        id: id.clone(),
                        seq: row_seq as u64,
                        bytes,
                    });
                }
            }
        }
        // Documents that moved out of this device's scope since its cursor.
        let mut removals = Vec::new();
        {
            let mut st = tx.prepare_cached(
                "SELECT m.doc_id, m.old_grid, m.old_household, d.kind, d.grid, d.household, d.reporter, d.departments,
                        m.old_open, m.old_claimant, d.open, d.claimant
                 FROM moves m JOIN documents d ON d.id = m.doc_id WHERE m.seq > ?1 AND m.seq <= ?2 ORDER BY m.seq",
            )?;
            let mut rows = st.query(params![req.cursor as i64, cursor as i64])?;
            while let Some(r) = rows.next()? {
                let (
                    id,
                    old_grid,
                    old_household,
                    kind,
                    grid,
                    household,
                    reporter,
                    departments,
                    old_open,
                    old_claimant,
                    open,
                    claimant,
                ): MoveRow = (
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                );
                // Rows from before 0003 carry no standing: it did not change.
                let (old_open, old_claimant) = match old_open {
                    Some(o) => (o, old_claimant),
                    None => (open, claimant.clone()),
                };
                let was = row_sent(
                    &binding.user,
                    &kind,
                    row_target(
                        &old_grid,
                        old_household.as_deref(),
                        reporter.as_deref(),
                        &departments,
                    ),
                    old_open,
                    old_claimant,
                );
                let is = row_sent(
                    &binding.user,
                    &kind,
                    row_target(
                        &grid,
                        household.as_deref(),
                        reporter.as_deref(),
                        &departments,
                    ),
                    open,
                    claimant,
                );
                if was && !is && !removals.contains(&id) {
                    removals.push(id);
                }
            }
        }
        let total = if req.want_total {
            let sql = format!(
                "SELECT count(*) FROM documents INDEXED BY documents_scan WHERE seq > ? AND {filter}"
            );
            let mut bind: Vec<rusqlite::types::Value> = vec![(req.cursor as i64).into()];
            bind.extend(args.iter().map(|a| a.clone().into()));
            Some(tx.query_row(&sql, rusqlite::params_from_iter(bind), |r| {
                r.get::<_, i64>(0)
            })? as u64)
        } else {
            None
        };
        tx.commit()?;
        Ok(SyncResponse {
            v: PROTOCOL_VERSION,
            acks,
            refusals,
            docs,
            removals,
            cursor,
            more,
            total,
            hub_actor: self.actor_hex(),
            sync: sync_out,
        })
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
