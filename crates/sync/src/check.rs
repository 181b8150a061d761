//! The hub's checks on a pushed document (DESIGN §5, "Identity" and "Authority").
//!
//! The hub accepts a pushed change only if its actor is bound to the pushing
//! device and every event it adds names that device's user and bound role, so
//! history is attributable and a role cannot be claimed; and only for a
//! document of a kind the role may write, inside its write scope before and
//! after the change. Workflow steps the rules refuse are *not* refused here:
//! they are kept and shown refused by the fold, identically on every replica.

use automerge::sync::{Message, State, SyncDoc};
use automerge::AutoCommit;
use gridline_model::permission::{check, Action, Kind, Target};
use gridline_model::User;
use gridline_model::{text, Text};
use gridline_records::Record;

use crate::{Refusal, RefusalCode};

/// What the hub knows of a device: the user it is bound to and every actor id
/// (hex) it has registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub device_id: String,
    pub user: User,
    pub actors: Vec<String>,
}

/// A pushed document that passed every check, merged into the hub's copy.
pub struct Checked {
    pub doc: AutoCommit,
    pub record: Record,
    /// Whether the push changed anything (a retried push does not).
    pub changed: bool,
    /// How many Automerge changes it added (for the request's budget).
    pub changes: usize,
}

/// How a device sends its changes to one document.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    /// Automerge changes (`save_after` or `save`), applied with `load_incremental`.
    Changes(&'a [u8]),
    /// An encoded Automerge sync message answering the hub's, applied with
    /// `receive_sync_message` on a fresh sync state.
    SyncMessage(&'a [u8]),
}

/// What the hub holds under a pushed id, as far as the pushing device may
/// know. The hub answers this first, from the document's row (its kind and
/// place), before it loads or looks at anything else.
#[derive(Clone, Copy)]
pub enum Stored<'a> {
    /// The hub has no document with this id.
    Absent,
    /// A document the device may read, now or where it was when the device
    /// last heard of it (`moved_from`, if it has moved since).
    Visible {
        doc: &'a AutoCommit,
        moved_from: Option<&'a Target>,
    },
    /// A document the device may not read. The push is judged exactly as if
    /// the id were unknown, so the answer cannot tell the two apart, and a
    /// push that would have created it is refused.
    Hidden,
}

/// Where a stored document sits, from the hub's columns: no document loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub kind: Kind,
    pub target: Target,
}

/// The first question about any id a device names: may it read the stored
/// document, where it is now or where it was when the device last heard of it?
/// Only then does the hub load the document, acknowledge it or say anything
/// about its heads.
pub fn visible(user: &User, place: &Place, moved_from: Option<&Target>) -> bool {
    check(user, place.kind, Action::Read, &place.target).is_ok()
        || moved_from.is_some_and(|t| check(user, place.kind, Action::Read, t).is_ok())
}

/// The one refusal for anything outside what a device may write or read:
/// the same words whether or not the hub holds the document.
pub fn not_permitted(id: &str) -> Refusal {
    Refusal {
        id: id.to_owned(),
        code: RefusalCode::NotPermitted,
        reason: Text::new(NOT_PERMITTED.0, NOT_PERMITTED.1),
    }
}

/// The reason every `not_permitted` refusal gives (Chinese, English).
pub const NOT_PERMITTED: (&str, &str) = (
    "不在本设备可写的范围内，或本角色不能写此类记录",
    "outside what this device may write: its scope or its role",
);

/// Merges `changes` into a copy of the hub's document (`None`: the hub has
/// none) and checks them against the binding. The hub's own copy is untouched
/// when the push is refused.
pub fn check_push(
    binding: &Binding,
    id: &str,
    hub_doc: Option<&AutoCommit>,
    hub_actor: &[u8],
    changes: &[u8],
) -> Result<Checked, Refusal> {
    let stored = match hub_doc {
        Some(doc) => Stored::Visible {
            doc,
            moved_from: None,
        },
        None => Stored::Absent,
    };
    check_payload(
        binding,
        id,
        stored,
        hub_actor,
        Payload::Changes(changes),
        &|_| None,
    )
}

/// Where the hub holds a record another one hangs on (the household of a
/// household's private part or of a topic, the case of a case's private
/// part), as far as the pushing device may see it: its place, and whether
/// the device may write beside it (edit the household, where it is or was).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    pub target: Target,
    pub writable: bool,
}

/// [`check_push`] for either payload and any [`Stored`]: the same checks,
/// whatever carried the changes. Changes the device made while it could write
/// where a document was (`moved_from`) are accepted as long as they leave the
/// document where the hub has it now. `parent_place`: where the hub holds the record a private part belongs to (a household, a mediation case), when the device may write beside it: whether the hub
/// holds this household and the device may edit it, asked only when the push
/// creates a household-private part.
pub fn check_payload(
    binding: &Binding,
    id: &str,
    stored: Stored<'_>,
    hub_actor: &[u8],
    payload: Payload<'_>,
    parent_place: &dyn Fn(uuid::Uuid) -> Option<Parent>,
) -> Result<Checked, Refusal> {
    match stored {
        Stored::Absent => judge(binding, id, None, hub_actor, payload, None, parent_place),
        Stored::Visible { doc, moved_from } => judge(
            binding,
            id,
            Some(doc),
            hub_actor,
            payload,
            moved_from,
            parent_place,
        ),
        // Judged as an unknown id: every refusal reads the same; what would
        // have been accepted collides with a record this device may not see.
        Stored::Hidden => {
            judge(binding, id, None, hub_actor, payload, None, parent_place)?;
            Err(not_permitted(id))
        }
    }
}

fn judge(
    binding: &Binding,
    id: &str,
    hub_doc: Option<&AutoCommit>,
    hub_actor: &[u8],
    payload: Payload<'_>,
    moved_from: Option<&Target>,
    parent_place: &dyn Fn(uuid::Uuid) -> Option<Parent>,
) -> Result<Checked, Refusal> {
    let refuse = |code: RefusalCode, reason: Text| Refusal {
        id: id.to_owned(),
        code,
        reason,
    };
    let mut doc = match hub_doc {
        Some(d) => d.clone(),
        None => gridline_records::new_doc(hub_actor),
    };
    let before_heads = doc.get_heads();
    match payload {
        Payload::Changes(changes) => {
            doc.load_incremental(changes).map_err(|e| {
                refuse(
                    RefusalCode::Malformed,
                    text!("修改无法读取：{e}", "changes do not load: {e}"),
                )
            })?;
        }
        Payload::SyncMessage(msg) => {
            let msg = Message::decode(msg).map_err(|e| {
                refuse(
                    RefusalCode::Malformed,
                    text!("同步消息无法解码：{e}", "sync message does not decode: {e}"),
                )
            })?;
            doc.sync()
                .receive_sync_message(&mut State::new(), msg)
                .map_err(|e| {
                    refuse(
                        RefusalCode::Malformed,
                        text!("同步消息无法应用：{e}", "sync message does not apply: {e}"),
                    )
                })?;
        }
    }
    if !doc.get_missing_deps(&[]).is_empty() {
        return Err(refuse(
            RefusalCode::MissingDeps,
            text!(
                "这些修改依赖枢纽没有的修改；请发送整个文档",
                "changes depend on ones the hub does not have; send the whole document"
            ),
        ));
    }
    let new_changes = doc.get_changes(&before_heads);
    // A document the hub does not hold (or that this device may not see)
    // is first a question of scope: a device learns it may not create
    // there before anything about whose changes it carries.
    if hub_doc.is_none() && !new_changes.is_empty() {
        if let Ok(r) = Record::read(&doc) {
            check(&binding.user, r.kind(), Action::Create, &r.target())
                .map_err(|_| not_permitted(id))?;
        }
    }
    for c in &new_changes {
        let actor = c.actor_id().to_hex_string();
        if !binding.actors.contains(&actor) {
            // A record the hub does not hold (or this device may not see)
            // that carries others' changes is not this device's to create:
            // typically its stale copy of one that left its scope.
            if hub_doc.is_none() {
                return Err(not_permitted(id));
            }
            return Err(refuse(
                RefusalCode::ForgedActor,
                text!(
                    "修改来自未绑定到本设备的参与者 {actor}",
                    "a change by actor {actor}, which is not bound to this device"
                ),
            ));
        }
    }
    let changed = !new_changes.is_empty();
    let changes = new_changes.len();
    let record = Record::read(&doc).map_err(|e| {
        refuse(
            RefusalCode::Malformed,
            text!("不是网格通记录：{e}", "not a Gridline record: {e}"),
        )
    })?;
    // What the app would refuse, the hub refuses too. It checks content, not
    // clocks (this crate reads none, and a phone's may run ahead): dates are
    // only bounded by a far-off year.
    if changed {
        use chrono::TimeZone;
        let no_clock = chrono::Utc
            .with_ymd_and_hms(9000, 1, 1, 0, 0, 0)
            .single()
            .expect("a valid date");
        record.validate(no_clock).map_err(|e| {
            refuse(
                RefusalCode::Malformed,
                e.message()
                    .after(&text!("记录无效（{}）", "invalid record ({})", e.field)),
            )
        })?;
        check_photos(&binding.user, hub_doc, &doc, &record, no_clock)
            .and_then(|()| check_position(hub_doc, &doc, &record))
            .map_err(|(code, reason)| refuse(code, reason))?;
    }
    if record.doc_id().to_string() != id {
        return Err(refuse(
            RefusalCode::Malformed,
            text!(
                "文档自称 {}，而不是 {id}",
                "the document says it is {}, not {id}",
                record.doc_id()
            ),
        ));
    }
    if !changed {
        return Ok(Checked {
            doc,
            record,
            changed,
            changes,
        });
    }

    let before = match hub_doc {
        Some(d) => Some(Record::read(d).map_err(|e| {
            refuse(
                RefusalCode::Malformed,
                text!("枢纽的副本无法读取：{e}", "hub copy unreadable: {e}"),
            )
        })?),
        None => None,
    };
    let user = &binding.user;
    let kind = record.kind();
    // The same words whether or not the hub holds the document, so a device
    // learns nothing about records outside its scope.
    let out_of_scope = |_: gridline_model::Refusal| not_permitted(id);
    let action_for = |k: Kind| match k {
        Kind::Issue | Kind::Wish | Kind::Mediation | Kind::Deliberation => Action::Step,
        Kind::Household | Kind::HouseholdPrivate | Kind::Visit | Kind::MediationPrivate => {
            Action::Edit
        }
    };
    match &before {
        None => {
            check(user, kind, Action::Create, &record.target()).map_err(out_of_scope)?;
            match &record {
                // A private part is created for a household the hub holds
                // and the device may edit: its id is derived from the
                // household's, so it says nothing the household did not.
                Record::HouseholdPrivate(p)
                    if !parent_place(p.household).is_some_and(|x| x.writable) =>
                {
                    return Err(not_permitted(id));
                }
                Record::HouseholdPrivate(_) => {}
                // A case's private part takes its id from the case's (a v7
                // id the device could only have read), and its place alone
                // decides who reads it: the create check above covers it.
                Record::MediationPrivate(_) => {}
                // Devices mint v7 ids (time and 74 random bits): a record
                // cannot be created under an id someone could guess, such as
                // one the hub derived from an address.
                _ if record.doc_id().get_version_num() != 7 => {
                    return Err(refuse(
                        RefusalCode::Malformed,
                        text!(
                            "新记录的编号须为设备生成的 UUID v7",
                            "a new record's id must be a UUID v7 made by the device"
                        ),
                    ));
                }
                // A visit names its visitor: the device's own user and role.
                Record::Visit(v)
                    if v.visitor.user != user.id
                        || v.visitor.role != user.role
                        || v.visitor.unit != user.scope.unit() =>
                {
                    return Err(refuse(
                        RefusalCode::ForgedAuthor,
                        Text::new(format!("走访记录写的走访人是 {}（{}，单位“{}”），但本设备绑定的是 {}（{}，单位“{}”）", v.visitor.user, v.visitor.role, v.visitor.unit, user.id, user.role, user.scope.unit()), format!("the visit names {} as {} of unit \"{}\", but this device is bound to {} as {} of unit \"{}\"", v.visitor.user, v.visitor.role, v.visitor.unit, user.id, user.role, user.scope.unit())),
                    ));
                }
                // An issue names its reporter, a wish its poster: who may
                // later read and step it (a leader's own reports) hangs on it.
                Record::Issue(i) if i.reporter != user.id => {
                    return Err(refuse(
                        RefusalCode::ForgedAuthor,
                        Text::new(format!("事件的报告人写的是 {}，但本设备绑定的是 {}", i.reporter, user.id), format!("the issue names {} as its reporter, but this device is bound to {}", i.reporter, user.id)),
                    ));
                }
                Record::Mediation(c) if c.reporter != user.id => {
                    return Err(refuse(
                        RefusalCode::ForgedAuthor,
                        Text::new(
                            format!(
                                "调解案件的报告人写的是 {}，但本设备绑定的是 {}",
                                c.reporter, user.id
                            ),
                            format!(
                                "the case names {} as its reporter, but this device is bound to {}",
                                c.reporter, user.id
                            ),
                        ),
                    ));
                }
                // A topic names who entered it, and a leader reads the
                // topics it proposed by that name.
                Record::Deliberation(t) if t.submitted_by != user.id => {
                    return Err(refuse(
                        RefusalCode::ForgedAuthor,
                        Text::new(
                            format!(
                                "议题的提交人写的是 {}，但本设备绑定的是 {}",
                                t.submitted_by, user.id
                            ),
                            format!(
                                "the topic names {} as who submitted it, but this device is bound to {}",
                                t.submitted_by, user.id
                            ),
                        ),
                    ));
                }
                Record::Wish(w) if w.poster != user.id => {
                    return Err(refuse(
                        RefusalCode::ForgedAuthor,
                        Text::new(
                            format!(
                                "心愿的发布人写的是 {}，但本设备绑定的是 {}",
                                w.poster, user.id
                            ),
                            format!(
                                "the wish names {} as its poster, but this device is bound to {}",
                                w.poster, user.id
                            ),
                        ),
                    ));
                }
                _ => {}
            }
        }
        Some(b) => {
            // Scope first: only a device that may write the hub's copy (or
            // could, where it was when the device last heard of it) learns
            // anything more about it.
            let action = action_for(b.kind());
            let may_now = check(user, b.kind(), action, &b.target());
            let may_then = moved_from.is_some_and(|t| check(user, b.kind(), action, t).is_ok());
            if may_now.is_err() && !may_then {
                return Err(not_permitted(id));
            }
            if b.kind() != kind {
                return Err(refuse(
                    RefusalCode::Malformed,
                    text!("文档不能改变类型", "a document cannot change its kind"),
                ));
            }
            let (was, is) = (b.target(), record.target());
            if may_now.is_err() && (was.grid != is.grid || was.household != is.household) {
                // Moved away meanwhile: the device may not move it on.
                return Err(not_permitted(id));
            }
            if may_now.is_ok() {
                check(user, kind, action_for(kind), &is).map_err(out_of_scope)?;
            }
        }
    }

    // A case's private part lives where its case is: the hub must hold the
    // case, the device must be able to read it, and the part's grid must be
    // the case's, on every change (so parties never travel to another grid).
    if let Record::MediationPrivate(p) = &record {
        match parent_place(p.case) {
            Some(x) if x.target.grid == p.grid => {}
            _ => return Err(not_permitted(id)),
        }
    }
    // A topic that names a household (a leader's is read by it through that
    // household) names one the hub holds, the device may read, and that lies
    // in the topic's grid.
    if let (None, Record::Deliberation(t)) = (&before, &record) {
        if let Some(h) = t.household {
            match parent_place(h) {
                Some(x) if x.target.grid == t.grid => {}
                _ => return Err(not_permitted(id)),
            }
        }
    }
    // A new case lies in the grid of its first household, which places it
    // (a leader reads and reports a case through that household): the hub
    // holds it and the device may read it. The other households may lie in
    // a neighbouring grid the reporter cannot read; they are only ids.
    if let (None, Record::Mediation(c)) = (&before, &record) {
        if let Some(h) = c.households.first() {
            match parent_place(*h) {
                Some(x) if x.target.grid == c.grid => {}
                _ => return Err(not_permitted(id)),
            }
        }
    }
    // Who reported a case, where and when, what it came from and under which
    // mediation it runs are fixed at registration: a transfer is a step, and
    // the place decides who is sent the case and its private part.
    if let (Some(Record::Mediation(b)), Record::Mediation(c)) = (&before, &record) {
        let fixed = |m: &gridline_model::MediationCase| {
            (
                m.grid.clone(),
                m.households.clone(),
                m.reporter.clone(),
                m.registered_at,
                m.kind,
                m.from_issue,
                m.from_visit,
            )
        };
        if fixed(b) != fixed(c) {
            return Err(refuse(
                RefusalCode::Malformed,
                text!(
                    "调解案件的网格、涉及户、上报人、登记时间、调解类型和来源登记后不能修改；转换调解类型请用 transfer 步骤",
                    "a case's grid, households, reporter, registration time, mediation kind and origin are fixed when it is registered; transfer it with the transfer step"
                ),
            ));
        }
    }
    // Root fields of issues, wishes and topics are set when they are
    // reported, posted or proposed; afterwards only events are added (nobody
    // may Edit them). A case's may be edited by the staff who take its steps.
    if let (
        Some(b),
        Record::Issue(_) | Record::Wish(_) | Record::Mediation(_) | Record::Deliberation(_),
    ) = (&before, &record)
    {
        if strip_events(b) != strip_events(&record) {
            check(user, kind, Action::Edit, &b.target()).map_err(out_of_scope)?;
        }
    }

    // Events are append-only: every event map the hub holds survives
    // unchanged, and each new map (known by its object, not by the id it
    // claims) was made by this device and names its user and bound role.
    let malformed = |e: gridline_records::Error| {
        refuse(
            RefusalCode::Malformed,
            text!("记录无法读取：{e}", "the record cannot be read: {e}"),
        )
    };
    let before_events = match hub_doc {
        Some(d) => gridline_records::event_snapshots(d).map_err(malformed)?,
        None => Vec::new(),
    };
    let after_events = gridline_records::event_snapshots(&doc).map_err(malformed)?;
    for (obj, body, _) in &before_events {
        if !after_events.iter().any(|(o, b, _)| o == obj && b == body) {
            return Err(refuse(
                RefusalCode::ForgedAuthor,
                text!(
                    "流程事件只能添加，不能修改或删除",
                    "workflow events cannot be changed or removed, only added"
                ),
            ));
        }
    }
    let authors = gridline_records::event_authors(&doc).map_err(malformed)?;
    let mut seen = std::collections::HashSet::new();
    for ((obj, _, actor), (event, _, author)) in after_events.iter().zip(&authors) {
        if !seen.insert(*event) {
            return Err(refuse(
                RefusalCode::Malformed,
                text!(
                    "两个事件的编号相同：{event}",
                    "two events share the id {event}"
                ),
            ));
        }
        if before_events.iter().any(|(o, _, _)| o == obj) {
            continue;
        }
        if !binding.actors.contains(actor) {
            return Err(refuse(
                RefusalCode::ForgedActor,
                text!(
                    "事件 {event} 由参与者 {actor} 所写，不是本设备",
                    "event {event} was made by actor {actor}, not this device"
                ),
            ));
        }
        if author.user != user.id || author.role != user.role || author.unit != user.scope.unit() {
            return Err(refuse(
                RefusalCode::ForgedAuthor,
                Text::new(format!("事件 {event} 写的是 {}（{}，单位“{}”），但本设备绑定的是 {}（{}，单位“{}”）", author.user, author.role, author.unit, user.id, user.role, user.scope.unit()), format!("event {event} names {} as {} of unit \"{}\", but this device is bound to {} as {} of unit \"{}\"", author.user, author.role, author.unit, user.id, user.role, user.scope.unit())),
            ));
        }
        // An issue step its role may never take (DESIGN §3: only street
        // staff decide an extension or defer, only a department asks for
        // one) is refused here rather than kept for every fold to refuse:
        // the role is the binding's, so no offline ordering could make it
        // valid, and a time limit must not be touched by a forged step.
        if let Record::Issue(i) = &record {
            if let Some(e) = i.events.iter().find(|e| e.id == *event) {
                if !e.step.roles().contains(&user.role) {
                    return Err(refuse(
                        RefusalCode::NotPermitted,
                        Text::new(
                            format!("{} 不能{}（事件 {event}）", user.role.zh(), e.step.zh()),
                            format!(
                                "role {} may not {} (event {event})",
                                user.role,
                                e.step.key()
                            ),
                        ),
                    ));
                }
            }
        }
    }
    if let Record::Household(h) = &record {
        check_merges(user, id, h, hub_doc, &doc, parent_place)?;
    }
    Ok(Checked {
        doc,
        record,
        changed,
        changes,
    })
}

/// A household's new merge events (DESIGN §3 as `gridline_model::merge`
/// reads it): only community staff of the household's community merge or
/// unmerge, into a household the hub holds, the device may read, and that
/// lies in the same community. Refused whole, unlike an issue step a role may
/// not take: no role but community staff could ever add one, so it is "a
/// kind its role may not write" (DESIGN §5). The fold refuses the same steps
/// on every replica, for a copy that never passed a hub.
fn check_merges(
    user: &User,
    id: &str,
    h: &gridline_model::Household,
    hub_doc: Option<&AutoCommit>,
    doc: &AutoCommit,
    parent_place: &dyn Fn(uuid::Uuid) -> Option<Parent>,
) -> Result<(), Refusal> {
    use gridline_model::MergeStep;
    let malformed = |e: gridline_records::Error| Refusal {
        id: id.to_owned(),
        code: RefusalCode::Malformed,
        reason: text!("合并记录无法读取：{e}", "the merge events do not read: {e}"),
    };
    let held: Vec<uuid::Uuid> = match hub_doc {
        Some(d) => gridline_records::household::read_merges(d)
            .map_err(malformed)?
            .into_iter()
            .map(|e| e.id)
            .collect(),
        None => Vec::new(),
    };
    let here = Target::household(h.grid.clone(), h.id);
    for e in gridline_records::household::read_merges(doc).map_err(malformed)? {
        if held.contains(&e.id) {
            continue;
        }
        let survivor = match &e.step {
            MergeStep::Merge { into, .. } => match parent_place(*into) {
                Some(p) => p.target,
                None => return Err(not_permitted(id)),
            },
            MergeStep::Unmerge { .. } => here.clone(),
        };
        gridline_model::merge::may_merge(user, &here, &survivor).map_err(|r| Refusal {
            id: id.to_owned(),
            code: RefusalCode::NotPermitted,
            reason: r.reason,
        })?;
    }
    Ok(())
}

/// A pushed record's photo references (DESIGN §9): only the kinds that take
/// evidence hold any; every reference is valid, none is there twice; the
/// ones the hub held stay exactly as they were (evidence is only added);
/// and each new one names the device's own user as who added it.
fn check_photos(
    user: &User,
    hub_doc: Option<&AutoCommit>,
    doc: &AutoCommit,
    record: &Record,
    no_clock: gridline_model::Instant,
) -> Result<(), (RefusalCode, Text)> {
    use gridline_records::photos;
    let malformed = |e: gridline_records::Error| {
        (
            RefusalCode::Malformed,
            text!("照片引用无法读取：{e}", "photo references do not read: {e}"),
        )
    };
    let now = photos::read(doc).map_err(malformed)?;
    let held = match hub_doc {
        Some(d) => photos::read_every_entry(d).map_err(malformed)?,
        None => Vec::new(),
    };
    let every = photos::read_every_entry(doc).map_err(malformed)?;
    if now.is_empty() && held.is_empty() {
        return Ok(());
    }
    if !matches!(
        record,
        Record::Issue(_) | Record::Visit(_) | Record::Wish(_) | Record::Mediation(_)
    ) {
        return Err((
            RefusalCode::Malformed,
            text!(
                "{}记录不带照片",
                "a {} record holds no photos",
                record.kind().key()
            ),
        ));
    }
    gridline_model::photo::validate_list(&now, no_clock).map_err(|e| {
        (
            RefusalCode::Malformed,
            e.message()
                .after(&text!("照片无效（{}）", "invalid photo ({})", e.field)),
        )
    })?;
    if let Some(gone) = held.iter().find(|h| !every.contains(h)) {
        return Err((
            RefusalCode::Malformed,
            text!(
                "照片 {} 被删除或改动；照片一经保存只能添加",
                "photo {} was removed or changed; saved photos can only be added to",
                gone.hash
            ),
        ));
    }
    let held_hashes: std::collections::HashSet<&str> =
        held.iter().map(|p| p.hash.as_str()).collect();
    if let Some(p) = now
        .iter()
        .find(|p| !held_hashes.contains(p.hash.as_str()) && p.by != user.id)
    {
        return Err((
            RefusalCode::ForgedAuthor,
            text!(
                "照片 {} 写的添加人是 {}，但本设备绑定的是 {}",
                "photo {} names {} as who added it, but this device is bound to {}",
                p.hash,
                p.by,
                user.id
            ),
        ));
    }
    Ok(())
}

/// A pushed record's position (DESIGN §9): only issues and visits hold one,
/// it is a valid WGS-84 position, and once the hub holds it, it stays.
fn check_position(
    hub_doc: Option<&AutoCommit>,
    doc: &AutoCommit,
    record: &Record,
) -> Result<(), (RefusalCode, Text)> {
    use gridline_records::position;
    let malformed = |e: gridline_records::Error| {
        (
            RefusalCode::Malformed,
            text!("位置无法读取：{e}", "the position does not read: {e}"),
        )
    };
    let held = match hub_doc {
        Some(d) => position::read(d).map_err(malformed)?,
        None => None,
    };
    let fixed = || {
        (
            RefusalCode::Malformed,
            text!(
                "位置已随记录保存，不能改动",
                "the position was saved with the record and cannot change"
            ),
        )
    };
    let Some(now) = position::read(doc).map_err(malformed)? else {
        return match held {
            Some(_) if !matches!(record, Record::Household(_)) => Err(fixed()),
            _ => Ok(()),
        };
    };
    // A household's location can be corrected; an issue's or a visit's is
    // where it happened, kept as it was saved.
    let changeable = matches!(record, Record::Household(_));
    if !changeable && !matches!(record, Record::Issue(_) | Record::Visit(_)) {
        return Err((
            RefusalCode::Malformed,
            text!(
                "{}记录不带位置",
                "a {} record holds no position",
                record.kind().key()
            ),
        ));
    }
    now.validate().map_err(|e| {
        (
            RefusalCode::Malformed,
            e.message()
                .after(&text!("位置无效（{}）", "invalid position ({})", e.field)),
        )
    })?;
    // Set with the record or never: an issue or visit the hub holds
    // without a position does not get one later.
    if !changeable && hub_doc.is_some() && held != Some(now) {
        return Err(fixed());
    }
    Ok(())
}

/// An issue, wish, case or topic without its events: the fields fixed at creation.
fn strip_events(r: &Record) -> Option<Record> {
    match r {
        Record::Issue(i) => Some(Record::Issue(gridline_model::Issue {
            events: Vec::new(),
            ..i.clone()
        })),
        Record::Wish(w) => Some(Record::Wish(gridline_model::Wish {
            events: Vec::new(),
            ..w.clone()
        })),
        Record::Mediation(c) => Some(Record::Mediation(gridline_model::MediationCase {
            events: Vec::new(),
            ..c.clone()
        })),
        Record::Deliberation(t) => Some(Record::Deliberation(gridline_model::Topic {
            events: Vec::new(),
            ..t.clone()
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    //! The hub's security boundary, one refusal at a time. The expected
    //! answers come from DESIGN §3 and §5 and `docs/sync-protocol.md`.

    use super::*;
    use automerge::{ActorId, ChangeHash};
    use chrono::TimeZone;
    use gridline_model::{
        Address, GridId, Household, HouseholdPrivate, Role, Scope, Visit, VisitKind,
    };

    const ACTOR: [u8; 16] = [1; 16];
    const STRANGER: [u8; 16] = [2; 16];
    const HUB: [u8; 16] = [9; 16];
    const GRID: &str = "522701001001001";
    const OTHER_GRID: &str = "522701001002001";

    fn at() -> gridline_model::Instant {
        chrono::Utc.with_ymd_and_hms(2026, 11, 28, 6, 0, 0).unwrap()
    }

    fn bound(role: Role, scope: &str) -> Binding {
        Binding {
            device_id: "device-1".into(),
            user: User {
                id: "u-1".into(),
                name: "张伟".into(),
                role,
                scope: Scope::parse(scope).unwrap(),
            },
            actors: vec![ActorId::from(&ACTOR[..]).to_hex_string()],
        }
    }

    fn worker() -> Binding {
        bound(Role::GridWorker, &format!("grids:{GRID}"))
    }

    fn household(id: uuid::Uuid, grid: &str) -> Household {
        Household {
            id,
            grid: GridId::parse(grid).unwrap(),
            address: Address {
                compound: "水花都小区".into(),
                building: "8栋".into(),
                unit: "1单元".into(),
                room: "401".into(),
            },
            phone: None,
            tags: Default::default(),
            residents: vec![],
            notes: String::new(),
            location: None,
        }
    }

    fn doc_of(actor: &[u8], h: &Household) -> AutoCommit {
        let mut doc = gridline_records::new_doc(actor);
        gridline_records::household::create(&mut doc, h, at()).unwrap();
        doc
    }

    fn judge(
        b: &Binding,
        id: uuid::Uuid,
        stored: Stored<'_>,
        payload: Payload<'_>,
    ) -> Result<Checked, Refusal> {
        check_payload(b, &id.to_string(), stored, &HUB, payload, &|_| None)
    }

    fn answer(r: Result<Checked, Refusal>) -> Result<bool, (RefusalCode, Text)> {
        r.map(|c| c.changed).map_err(|e| (e.code, e.reason))
    }

    fn visit_by(b: &Binding) -> Visit {
        Visit {
            id: uuid::Uuid::now_v7(),
            household: uuid::Uuid::now_v7(),
            grid: GridId::parse(GRID).unwrap(),
            visitor: gridline_model::Author {
                user: b.user.id.clone(),
                role: b.user.role,
                unit: b.user.scope.unit(),
            },
            at: at(),
            kind: VisitKind::Routine,
            notes: String::new(),
        }
    }

    fn photo(n: u64, by: &str) -> gridline_model::PhotoRef {
        gridline_model::PhotoRef {
            hash: format!("{:064x}", 0xabc0 + n),
            size: 200_000,
            mime: gridline_model::photo::JPEG.into(),
            thumb: format!("{:064x}", 0xdef0 + n),
            thumb_size: 9_000,
            taken_at: at(),
            caption: String::new(),
            step: gridline_model::PhotoStep::Visit,
            by: by.into(),
        }
    }

    #[test]
    fn photos_are_added_by_the_devices_own_user_and_never_taken_back() {
        let b = worker();
        let v = visit_by(&b);
        let mut doc = gridline_records::new_doc(&ACTOR);
        gridline_records::visit::create(&mut doc, &v).unwrap();
        gridline_records::photos::add(&mut doc, &[photo(1, "u-1")], at()).unwrap();
        let ok = judge(&b, v.id, Stored::Absent, Payload::Changes(&doc.save()));
        assert_eq!(answer(ok), Ok(true), "one's own photo is taken");

        // Someone else's name on a new photo is forged.
        let mut before = doc.clone();
        let heads = before.get_heads();
        let mut forged = doc.fork().with_actor(ActorId::from(&ACTOR[..]));
        gridline_records::photos::add(&mut forged, &[photo(2, "u-2")], at()).unwrap();
        let stored = Stored::Visible {
            doc: &before,
            moved_from: None,
        };
        let r = judge(
            &b,
            v.id,
            stored,
            Payload::Changes(&forged.save_after(&heads)),
        );
        assert_eq!(answer(r).unwrap_err().0, RefusalCode::ForgedAuthor);

        // A saved photo cannot be removed.
        let mut removed = doc.fork().with_actor(ActorId::from(&ACTOR[..]));
        let list = match automerge::ReadDoc::get(&removed, automerge::ROOT, "photos").unwrap() {
            Some((_, id)) => id,
            None => unreachable!("the list was written"),
        };
        automerge::transaction::Transactable::delete(&mut removed, &list, 0).unwrap();
        removed.commit();
        let stored = Stored::Visible {
            doc: &before,
            moved_from: None,
        };
        let r = judge(
            &b,
            v.id,
            stored,
            Payload::Changes(&removed.save_after(&heads)),
        );
        let (code, reason) = answer(r).unwrap_err();
        assert_eq!(code, RefusalCode::Malformed);
        assert!(reason.en.contains("can only be added to"), "{reason:?}");

        // A bad hash is refused as malformed.
        let mut bad = gridline_records::new_doc(&ACTOR);
        let v2 = visit_by(&b);
        gridline_records::visit::create(&mut bad, &v2).unwrap();
        let mut p = photo(3, "u-1");
        p.hash = "not-a-hash".into();
        gridline_records::photos::add(&mut bad, &[p], at()).unwrap();
        let r = judge(&b, v2.id, Stored::Absent, Payload::Changes(&bad.save()));
        assert_eq!(answer(r).unwrap_err().0, RefusalCode::Malformed);
    }

    #[test]
    fn a_position_is_valid_wgs84_and_stays_once_saved() {
        use gridline_model::{Location, LocationSource};
        let b = worker();
        let v = visit_by(&b);
        let mut doc = gridline_records::new_doc(&ACTOR);
        gridline_records::visit::create(&mut doc, &v).unwrap();
        let here = Location {
            lat: 26.2597,
            lon: 107.5182,
            accuracy_m: Some(9.0),
            source: LocationSource::Gps,
        };
        gridline_records::position::set(&mut doc, &here, at()).unwrap();
        let ok = judge(&b, v.id, Stored::Absent, Payload::Changes(&doc.save()));
        assert_eq!(answer(ok), Ok(true));

        let mut before = doc.clone();
        let heads = before.get_heads();
        let mut moved = doc.fork().with_actor(ActorId::from(&ACTOR[..]));
        gridline_records::position::set(&mut moved, &Location { lat: 27.0, ..here }, at()).unwrap();
        let stored = Stored::Visible {
            doc: &before,
            moved_from: None,
        };
        let r = judge(
            &b,
            v.id,
            stored,
            Payload::Changes(&moved.save_after(&heads)),
        );
        let (code, reason) = answer(r).unwrap_err();
        assert_eq!(code, RefusalCode::Malformed);
        assert!(reason.en.contains("cannot change"), "{reason:?}");

        let mut bad = gridline_records::new_doc(&ACTOR);
        let v2 = visit_by(&b);
        gridline_records::visit::create(&mut bad, &v2).unwrap();
        gridline_records::position::set(&mut bad, &Location { lat: 91.0, ..here }, at()).unwrap();
        let r = judge(&b, v2.id, Stored::Absent, Payload::Changes(&bad.save()));
        assert_eq!(answer(r).unwrap_err().0, RefusalCode::Malformed);
    }

    #[test]
    fn a_household_holds_no_photos() {
        let b = worker();
        let h = household(uuid::Uuid::now_v7(), GRID);
        let mut doc = doc_of(&ACTOR, &h);
        gridline_records::photos::add(&mut doc, &[photo(1, "u-1")], at()).unwrap();
        let r = judge(&b, h.id, Stored::Absent, Payload::Changes(&doc.save()));
        assert_eq!(answer(r).unwrap_err().0, RefusalCode::Malformed);
    }

    #[test]
    fn a_hidden_document_is_answered_exactly_as_an_unknown_id() {
        let b = worker();
        let id = uuid::Uuid::now_v7();
        // The hub's copy, in another grid, with history the device lacks.
        let mut theirs = doc_of(&HUB, &household(id, OTHER_GRID));
        let mut edited = theirs.fork().with_actor(ActorId::from(&ACTOR[..]));
        let heads = theirs.get_heads();
        gridline_records::household::update(
            &mut edited,
            &Household {
                notes: "改了".into(),
                ..household(id, OTHER_GRID)
            },
            at(),
        )
        .unwrap();
        let on_top = edited.save_after(&heads);
        let sync_msg = theirs
            .sync()
            .generate_sync_message(&mut automerge::sync::State::new())
            .unwrap()
            .encode();
        let whole_elsewhere = theirs.save();
        let probes: Vec<(&str, Payload<'_>)> = vec![
            ("empty changes", Payload::Changes(&[])),
            ("garbage", Payload::Changes(b"\x85o\x4a\x83junk")),
            (
                "changes on top of the hidden copy",
                Payload::Changes(&on_top),
            ),
            ("a sync message", Payload::SyncMessage(&sync_msg)),
            (
                "the whole document as it is elsewhere",
                Payload::Changes(&whole_elsewhere),
            ),
        ];
        for (what, payload) in probes {
            let hidden = answer(judge(&b, id, Stored::Hidden, payload));
            let absent = answer(judge(&b, id, Stored::Absent, payload));
            assert!(
                hidden.is_err(),
                "{what}: a hidden document is never acknowledged"
            );
            assert_eq!(
                hidden, absent,
                "{what}: the same code and words as an unknown id"
            );
        }
        // What the device may read it learns about: a retry is acknowledged.
        let visible = judge(
            &bound(Role::StreetStaff, "street:522701001"),
            id,
            Stored::Visible {
                doc: &theirs,
                moved_from: None,
            },
            Payload::Changes(&[]),
        );
        assert!(
            matches!(visible, Ok(Checked { changed: false, .. })),
            "street staff may read it: nothing new is acknowledged"
        );
    }

    #[test]
    fn a_push_that_would_create_a_hidden_record_is_refused_as_out_of_scope() {
        let b = worker();
        let id = uuid::Uuid::now_v7();
        let mut mine = doc_of(&ACTOR, &household(id, GRID));
        let bytes = mine.save();
        let absent = judge(&b, id, Stored::Absent, Payload::Changes(&bytes));
        assert!(
            matches!(absent, Ok(Checked { changed: true, .. })),
            "an unknown v7 id in the device's own grid is a new household"
        );
        let hidden = judge(&b, id, Stored::Hidden, Payload::Changes(&bytes));
        assert_eq!(
            hidden.err().map(|r| (r.code, r.reason)),
            Some((
                RefusalCode::NotPermitted,
                Text::new(NOT_PERMITTED.0, NOT_PERMITTED.1)
            )),
            "the same id held elsewhere gets the one out-of-scope refusal"
        );
    }

    #[test]
    fn new_records_need_ids_no_one_can_guess() {
        let b = worker();
        // The id hubs used to derive from a grid and an address.
        let guessable =
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, b"522701001001001|x|8|1|401");
        let bytes = doc_of(&ACTOR, &household(guessable, GRID)).save();
        for stored in [Stored::Absent, Stored::Hidden] {
            let r = judge(&b, guessable, stored, Payload::Changes(&bytes)).err();
            assert_eq!(
                r.as_ref().map(|r| r.code),
                Some(RefusalCode::Malformed),
                "a v5 id is refused whether or not the hub holds it: {r:?}"
            );
            assert!(
                r.unwrap().reason.contains("UUID v7"),
                "and says what id to use"
            );
        }
    }

    #[test]
    fn a_private_part_is_created_only_for_a_household_the_device_may_edit() {
        let b = worker();
        let household_id = uuid::Uuid::now_v7();
        let p = HouseholdPrivate {
            household: household_id,
            grid: GridId::parse(GRID).unwrap(),
            id_numbers: Default::default(),
            sensitive_tags: [gridline_model::Tag::parse("低保户").unwrap()]
                .into_iter()
                .collect(),
        };
        let mut doc = gridline_records::new_doc(&ACTOR);
        gridline_records::private::create(&mut doc, &p, at()).unwrap();
        let id = gridline_records::private::doc_id(household_id);
        let bytes = doc.save();
        let with = |writable: bool| {
            check_payload(
                &b,
                &id.to_string(),
                Stored::Absent,
                &HUB,
                Payload::Changes(&bytes),
                &move |h| {
                    (h == household_id).then(|| Parent {
                        target: Target::household(GridId::parse(GRID).unwrap(), household_id),
                        writable,
                    })
                },
            )
        };
        assert!(with(true).is_ok(), "for its own household it is created");
        let r = with(false).err().expect("refused without the household");
        assert_eq!(
            (r.code, (r.reason.zh.as_str(), r.reason.en.as_str())),
            (RefusalCode::NotPermitted, NOT_PERMITTED),
            "an unknown or hidden household: the one out-of-scope refusal"
        );
    }

    #[test]
    fn a_change_by_an_actor_not_bound_to_the_device_is_forged() {
        let id = uuid::Uuid::now_v7();
        let mut theirs = doc_of(&HUB, &household(id, GRID));
        let heads = theirs.get_heads();
        let mut edited = theirs.fork().with_actor(ActorId::from(&STRANGER[..]));
        gridline_records::household::update(
            &mut edited,
            &Household {
                notes: "别的设备改的".into(),
                ..household(id, GRID)
            },
            at(),
        )
        .unwrap();
        let changes = edited.save_after(&heads);
        let stored = Stored::Visible {
            doc: &theirs,
            moved_from: None,
        };
        let r = judge(&worker(), id, stored, Payload::Changes(&changes)).err();
        assert_eq!(
            r.map(|r| r.code),
            Some(RefusalCode::ForgedActor),
            "another device's actor"
        );
        // A whole document with others' changes under an id the hub does not
        // hold is not this device's to create.
        let whole = edited.save();
        let r = judge(&worker(), id, Stored::Absent, Payload::Changes(&whole)).err();
        assert_eq!(
            r.map(|r| r.code),
            Some(RefusalCode::NotPermitted),
            "not its record"
        );
    }

    #[test]
    fn changes_on_heads_the_hub_never_saw_are_missing_deps() {
        let id = uuid::Uuid::now_v7();
        let mut theirs = doc_of(&HUB, &household(id, GRID));
        let mut mine = theirs.fork().with_actor(ActorId::from(&ACTOR[..]));
        let edit = |doc: &mut AutoCommit, notes: &str| {
            gridline_records::household::update(
                doc,
                &Household {
                    notes: notes.into(),
                    ..household(id, GRID)
                },
                at(),
            )
            .unwrap();
        };
        edit(&mut mine, "第一次");
        // The device thinks the hub holds its first edit (a lost backup, say).
        let thought_acked = mine.get_heads();
        edit(&mut mine, "第二次");
        let on_top = mine.save_after(&thought_acked);
        let visible = || Stored::Visible {
            doc: &theirs,
            moved_from: None,
        };
        let r = judge(&worker(), id, visible(), Payload::Changes(&on_top))
            .err()
            .expect("the hub lacks the first edit");
        assert_eq!(
            r.code,
            RefusalCode::MissingDeps,
            "changes that cannot be placed are missing deps, not malformed: {r:?}"
        );
        assert!(
            r.reason.contains("send the whole document"),
            "the reason says what to do: {}",
            r.reason
        );
        let absent = judge(&worker(), id, Stored::Absent, Payload::Changes(&on_top));
        assert_eq!(
            absent.err().map(|r| r.code),
            Some(RefusalCode::MissingDeps),
            "on an unknown id the same push is missing deps too, so it tells nothing"
        );
        let whole = mine.save();
        assert!(
            matches!(
                judge(&worker(), id, visible(), Payload::Changes(&whole)),
                Ok(Checked { changed: true, .. })
            ),
            "the whole document, as the refusal asks, is accepted"
        );
    }

    #[test]
    fn changes_or_a_sync_message_that_do_not_load_are_malformed() {
        let id = uuid::Uuid::now_v7();
        let garbage = b"\x85o\x4a\x83junk";
        for (what, payload) in [
            ("changes", Payload::Changes(garbage)),
            ("a sync message", Payload::SyncMessage(garbage)),
        ] {
            let r = judge(&worker(), id, Stored::Absent, payload)
                .err()
                .expect("garbage is refused");
            assert_eq!(
                r.code,
                RefusalCode::Malformed,
                "{what} that do not load are malformed, whatever the hub holds: {r:?}"
            );
        }
    }

    #[test]
    fn a_visit_naming_someone_else_is_forged_and_the_refusal_names_the_units() {
        let b = worker();
        let v = Visit {
            id: uuid::Uuid::now_v7(),
            household: uuid::Uuid::now_v7(),
            grid: GridId::parse(GRID).unwrap(),
            visitor: gridline_model::Author {
                user: "u-1".into(),
                role: Role::GridWorker,
                unit: "522701001".into(),
            },
            at: at(),
            kind: VisitKind::Routine,
            notes: String::new(),
        };
        let mut doc = gridline_records::new_doc(&ACTOR);
        gridline_records::visit::create(&mut doc, &v).unwrap();
        let r = judge(&b, v.id, Stored::Absent, Payload::Changes(&doc.save()))
            .err()
            .expect("a wrong unit is refused");
        assert_eq!(r.code, RefusalCode::ForgedAuthor, "{r:?}");
        assert!(
            r.reason.contains("\"522701001\""),
            "it names the unit claimed: {}",
            r.reason
        );
    }

    #[test]
    fn a_role_that_may_read_but_not_write_is_refused_its_edit() {
        let id = uuid::Uuid::now_v7();
        let mut theirs = doc_of(&HUB, &household(id, GRID));
        let heads: Vec<ChangeHash> = theirs.get_heads();
        let leader = Binding {
            user: User {
                role: Role::JointLeader,
                scope: Scope::parse(&format!("households:{id}")).unwrap(),
                ..worker().user
            },
            ..worker()
        };
        let mut edited = theirs.fork().with_actor(ActorId::from(&ACTOR[..]));
        gridline_records::household::update(
            &mut edited,
            &Household {
                notes: "联户长改的".into(),
                ..household(id, GRID)
            },
            at(),
        )
        .unwrap();
        let changes = edited.save_after(&heads);
        let r = judge(
            &leader,
            id,
            Stored::Visible {
                doc: &theirs,
                moved_from: None,
            },
            Payload::Changes(&changes),
        )
        .err();
        assert_eq!(
            r.map(|r| r.code),
            Some(RefusalCode::NotPermitted),
            "a leader reads its households but does not edit them (DESIGN §3)"
        );
    }

    #[test]
    fn an_issue_reported_in_someone_elses_name_is_forged() {
        let b = worker();
        let issue = |reporter: &str| gridline_model::Issue {
            id: uuid::Uuid::now_v7(),
            grid: GridId::parse(GRID).unwrap(),
            category: "电梯".into(),
            description: "电梯停运".into(),
            location: String::new(),
            household: None,
            urgency: 2,
            reporter: reporter.into(),
            reported_at: at(),
            events: vec![gridline_model::IssueEvent {
                id: uuid::Uuid::now_v7(),
                at: at(),
                author: b.user.author(),
                step: gridline_model::IssueStep::Report,
            }],
        };
        let push = |i: &gridline_model::Issue| {
            let mut doc = gridline_records::new_doc(&ACTOR);
            gridline_records::issue::create(&mut doc, i).unwrap();
            judge(&b, i.id, Stored::Absent, Payload::Changes(&doc.save()))
        };
        assert!(push(&issue("u-1")).is_ok(), "its own report is accepted");
        let r = push(&issue("jl-9"))
            .err()
            .expect("a report in another's name");
        assert_eq!(r.code, RefusalCode::ForgedAuthor, "{r:?}");
        assert!(
            r.reason.contains("jl-9"),
            "and names who it claimed: {}",
            r.reason
        );
    }

    fn case_at(b: &Binding, grid: &str) -> gridline_model::MediationCase {
        use gridline_model::mediation::{CaseType, MediationKind, Scale, Source};
        gridline_model::MediationCase {
            id: uuid::Uuid::now_v7(),
            grid: GridId::parse(grid).unwrap(),
            households: vec![],
            case_type: CaseType::Neighbour,
            scale: Scale::Individual,
            people: 2,
            warning: 3,
            source: Source::GridReport,
            from_issue: None,
            from_visit: None,
            kind: MediationKind::People,
            summary: "楼上漏水".into(),
            reporter: b.user.id.clone(),
            registered_at: at(),
            events: vec![gridline_model::CaseEvent {
                id: uuid::Uuid::now_v7(),
                at: at(),
                author: b.user.author(),
                step: gridline_model::CaseStep::Register,
            }],
        }
    }

    /// A case's private part is accepted only beside a case the hub holds,
    /// at the case's grid: never for a case the hub does not hold, never
    /// moved to another grid (where other grid workers would receive it).
    #[test]
    fn a_cases_private_part_lives_at_its_case() {
        let staff = bound(Role::StreetStaff, "street:522701001");
        let case = case_at(&staff, GRID);
        let private_at = |grid: &str| {
            let mut p = gridline_model::MediationPrivate::new(&case);
            p.grid = GridId::parse(grid).unwrap();
            p.facts = "楼上卫生间漏水".into();
            let mut doc = gridline_records::new_doc(&ACTOR);
            gridline_records::mediation::create_private(&mut doc, &p, at()).unwrap();
            doc.save()
        };
        let pid = gridline_records::mediation::private_doc_id(case.id);
        let push = |changes: &[u8], parent: Option<Target>| {
            check_payload(
                &staff,
                &pid.to_string(),
                Stored::Absent,
                &HUB,
                Payload::Changes(changes),
                &|id| {
                    parent
                        .clone()
                        .filter(|_| id == case.id)
                        .map(|target| Parent {
                            target,
                            writable: true,
                        })
                },
            )
        };
        let held = Some(Target::grid(GridId::parse(GRID).unwrap()));
        assert!(
            push(&private_at(GRID), held.clone()).is_ok(),
            "beside its case"
        );
        let r = push(&private_at(GRID), None)
            .err()
            .expect("no such case on the hub");
        assert_eq!(r.code, RefusalCode::NotPermitted);
        let r = push(&private_at(OTHER_GRID), held)
            .err()
            .expect("at another grid than its case");
        assert_eq!(r.code, RefusalCode::NotPermitted);
    }

    /// A topic naming a household lies in that household's grid: a leader
    /// cannot put one of its households' topics in another community.
    #[test]
    fn a_topic_lies_in_the_grid_of_the_household_it_names() {
        let h = uuid::Uuid::now_v7();
        let leader = bound(Role::JointLeader, &format!("households:{h}"));
        let push = |grid: &str, held: bool| {
            let mut t = topic(&leader, "u-1");
            t.grid = GridId::parse(grid).unwrap();
            t.household = Some(h);
            let mut doc = gridline_records::new_doc(&ACTOR);
            gridline_records::deliberation::create(&mut doc, &t).unwrap();
            check_payload(
                &leader,
                &t.id.to_string(),
                Stored::Absent,
                &HUB,
                Payload::Changes(&doc.save()),
                &|id| {
                    (held && id == h).then(|| Parent {
                        target: Target::household(GridId::parse(GRID).unwrap(), h),
                        writable: false,
                    })
                },
            )
        };
        assert!(push(GRID, true).is_ok(), "in its household's grid");
        let r = push(OTHER_GRID, true).err().expect("in another community");
        assert_eq!(r.code, RefusalCode::NotPermitted);
        let r = push(GRID, false)
            .err()
            .expect("a household the hub does not hold");
        assert_eq!(r.code, RefusalCode::NotPermitted);
    }

    /// A case lies in the grid of its first household: a leader cannot put
    /// a dispute of one of its households in another grid, where that
    /// grid's workers would be sent it.
    #[test]
    fn a_case_lies_in_the_grid_of_its_first_household() {
        let (h, neighbour) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let leader = bound(Role::JointLeader, &format!("households:{h}"));
        let push = |grid: &str, households: Vec<uuid::Uuid>, held: bool| {
            let mut c = case_at(&leader, grid);
            c.households = households;
            let mut doc = gridline_records::new_doc(&ACTOR);
            gridline_records::mediation::create(&mut doc, &c).unwrap();
            check_payload(
                &leader,
                &c.id.to_string(),
                Stored::Absent,
                &HUB,
                Payload::Changes(&doc.save()),
                &|id| {
                    (held && id == h).then(|| Parent {
                        target: Target::household(GridId::parse(GRID).unwrap(), h),
                        writable: false,
                    })
                },
            )
        };
        assert!(push(GRID, vec![h], true).is_ok(), "in its household's grid");
        assert!(
            push(GRID, vec![h, neighbour], true).is_ok(),
            "with a neighbour of another grid the leader cannot read"
        );
        let r = push(OTHER_GRID, vec![h], true)
            .err()
            .expect("in another grid than its household's");
        assert_eq!(r.code, RefusalCode::NotPermitted);
        let r = push(GRID, vec![h], false)
            .err()
            .expect("a household the hub does not hold");
        assert_eq!(r.code, RefusalCode::NotPermitted);
    }

    /// Staff may edit a case's own fields (its warning level), but not who
    /// reported it or where it is: those decide who is sent the case.
    #[test]
    fn a_cases_reporter_and_place_are_fixed_once_registered() {
        let staff = bound(Role::CommunityStaff, "community:522701001001");
        let case = case_at(&staff, GRID);
        let mut hub = gridline_records::new_doc(&HUB);
        gridline_records::mediation::create(&mut hub, &case).unwrap();
        let heads = hub.get_heads();
        let edit = |key: &str, value: &str| {
            use automerge::transaction::Transactable;
            let mut mine = hub.clone().with_actor(ActorId::from(&ACTOR[..]));
            mine.put(automerge::ROOT, key, value).unwrap();
            mine.commit();
            judge(
                &staff,
                case.id,
                Stored::Visible {
                    doc: &hub,
                    moved_from: None,
                },
                Payload::Changes(&mine.save_after(&heads)),
            )
        };
        assert!(edit("warning", "1").is_ok(), "the warning level may change");
        for (key, value) in [("reporter", "jl-9"), ("grid", "522701001001002")] {
            let r = edit(key, value).err().expect("a fixed field");
            assert_eq!(r.code, RefusalCode::Malformed, "{key}: {r:?}");
            assert!(r.reason.en.contains("fixed"), "{:?}", r.reason);
        }
    }

    fn topic(b: &Binding, submitted_by: &str) -> gridline_model::Topic {
        gridline_model::Topic {
            id: uuid::Uuid::now_v7(),
            grid: GridId::parse(GRID).unwrap(),
            household: None,
            title: "小区加装电动车充电桩".into(),
            description: "电动车在楼道充电有火灾隐患".into(),
            proposer: gridline_model::deliberation::Proposer::Resident,
            proposer_name: "邵秀英".into(),
            submitted_by: submitted_by.into(),
            proposed_at: at(),
            events: vec![gridline_model::TopicEvent {
                id: uuid::Uuid::now_v7(),
                at: at(),
                author: b.user.author(),
                step: gridline_model::TopicStep::Propose,
            }],
        }
    }

    #[test]
    fn a_topic_proposed_in_someone_elses_name_is_forged() {
        let b = worker();
        let push = |t: &gridline_model::Topic| {
            let mut doc = gridline_records::new_doc(&ACTOR);
            gridline_records::deliberation::create(&mut doc, t).unwrap();
            judge(&b, t.id, Stored::Absent, Payload::Changes(&doc.save()))
        };
        assert!(
            push(&topic(&b, "u-1")).is_ok(),
            "its own proposal is accepted"
        );
        let r = push(&topic(&b, "gw-9"))
            .err()
            .expect("a proposal in another's name");
        assert_eq!(r.code, RefusalCode::ForgedAuthor, "{r:?}");
        assert!(
            r.reason.zh.contains("gw-9") && r.reason.en.contains("gw-9"),
            "and names who it claimed, in both languages: {:?}",
            r.reason
        );
    }

    #[test]
    fn a_topics_own_fields_are_fixed_once_proposed_and_its_events_only_grow() {
        use automerge::transaction::Transactable;
        use automerge::ReadDoc;
        let staff = bound(Role::CommunityStaff, "community:522701001001");
        let t = topic(&staff, "u-1");
        let mut hub = gridline_records::new_doc(&HUB);
        gridline_records::deliberation::create(&mut hub, &t).unwrap();
        let heads = hub.get_heads();
        let stored = |d: &AutoCommit| -> AutoCommit { d.clone() };
        let push = |hub: &AutoCommit, mine: &mut AutoCommit| {
            let changes = mine.save_after(&heads);
            judge(
                &staff,
                t.id,
                Stored::Visible {
                    doc: hub,
                    moved_from: None,
                },
                Payload::Changes(&changes),
            )
        };
        // A step by the topic's community staff is accepted.
        let mut mine = stored(&hub).with_actor(ActorId::from(&ACTOR[..]));
        let e = gridline_model::TopicEvent {
            id: uuid::Uuid::now_v7(),
            at: at() + chrono::Duration::hours(1),
            author: staff.user.author(),
            step: gridline_model::TopicStep::Accept,
        };
        gridline_records::deliberation::push_event(&mut mine, &e).unwrap();
        assert!(
            matches!(push(&hub, &mut mine), Ok(Checked { changed: true, .. })),
            "community staff accept a topic of their community"
        );
        // Rewriting the title afterwards needs Edit, which nobody has.
        let mut mine = stored(&hub).with_actor(ActorId::from(&ACTOR[..]));
        mine.put(automerge::ROOT, "title", "改过的标题").unwrap();
        mine.commit();
        let r = push(&hub, &mut mine).err().expect("a changed title");
        assert_eq!(r.code, RefusalCode::NotPermitted, "{r:?}");
        // Changing an event the hub holds is refused, whoever does it.
        let mut mine = stored(&hub).with_actor(ActorId::from(&ACTOR[..]));
        let events = match mine.get(automerge::ROOT, "events").unwrap() {
            Some((_, id)) => id,
            None => panic!("a topic has events"),
        };
        let first = match mine.get(&events, 0).unwrap() {
            Some((_, id)) => id,
            None => panic!("the propose event is there"),
        };
        mine.put(&first, "at", "2026-01-01T00:00:00.000Z").unwrap();
        mine.commit();
        let r = push(&hub, &mut mine).err().expect("a rewritten event");
        assert_eq!(r.code, RefusalCode::ForgedAuthor, "{r:?}");
        // A grid worker reads the topic but takes no step on it.
        let mut mine = stored(&hub).with_actor(ActorId::from(&ACTOR[..]));
        let w = worker();
        let e = gridline_model::TopicEvent {
            author: w.user.author(),
            ..e
        };
        gridline_records::deliberation::push_event(&mut mine, &e).unwrap();
        let r = judge(
            &w,
            t.id,
            Stored::Visible {
                doc: &hub,
                moved_from: None,
            },
            Payload::Changes(&mine.save_after(&heads)),
        )
        .err()
        .expect("a grid worker's step");
        assert_eq!(r.code, RefusalCode::NotPermitted, "{r:?}");
    }
}
