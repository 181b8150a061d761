//! The queryable projection of each record kind, rewritten on every save.

use gridline_model::mediation::CaseFacts;
use gridline_model::monthly::{Cycle, Evaluation, IssueFacts, SendBack};
use gridline_model::Instant;
use gridline_model::{
    Household, HouseholdPrivate, Issue, MediationCase, StreetLimits, Topic, Visit, Wish,
};
use gridline_records::{fmt_time, Record};
use rusqlite::{params, Transaction};

use crate::pinyin_keys::name_keys;
use crate::Result;

/// `limits`: the street's, as the hub last sent them ([`crate::Store::street_limits`]).
pub fn project(
    tx: &Transaction<'_>,
    record: &Record,
    hub: Option<&str>,
    limits: &StreetLimits,
) -> Result<()> {
    match record {
        Record::Household(h) => household(tx, h),
        Record::HouseholdPrivate(p) => private(tx, p),
        Record::Visit(v) => visit(tx, v),
        Record::Issue(i) => issue(tx, i, limits),
        Record::Wish(w) => wish(tx, w, hub),
        Record::Mediation(c) => mediation(tx, c, limits),
        // Read whole with its case; nothing to list.
        Record::MediationPrivate(_) => Ok(()),
        Record::Deliberation(t) => deliberation(tx, t),
    }
}

fn household(tx: &Transaction<'_>, h: &Household) -> Result<()> {
    let id = h.id.to_string();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO households (id, grid, compound, building, unit, room, address, phone, head_name, resident_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        id,
        h.grid.as_str(),
        h.address.compound,
        h.address.building,
        h.address.unit,
        h.address.room,
        h.address.line(),
        h.phone.as_ref().map(|p| p.as_str()),
        h.head_name(),
        h.residents.len() as i64,
    ])?;
    tx.prepare_cached("DELETE FROM household_tags WHERE household_id = ?1 AND sensitive = 0")?
        .execute([&id])?;
    let mut tag = tx.prepare_cached(
        "INSERT OR REPLACE INTO household_tags (household_id, tag, sensitive) VALUES (?1, ?2, 0)",
    )?;
    // A household carries its own tags and its residents' (a left-behind child
    // makes the household one with a left-behind child).
    let all = h
        .tags
        .iter()
        .chain(h.residents.iter().flat_map(|r| r.tags.iter()));
    for t in all {
        tag.execute(params![id, t.zh()])?;
    }
    tx.prepare_cached("DELETE FROM residents WHERE household_id = ?1")?
        .execute([&id])?;
    tx.prepare_cached("DELETE FROM search_keys WHERE household_id = ?1")?
        .execute([&id])?;
    let mut res = tx.prepare_cached(
        "INSERT INTO residents (id, household_id, name, phone, birth_date, relation) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut key = tx.prepare_cached(
        "INSERT OR IGNORE INTO search_keys (key, household_id, rank) VALUES (?1, ?2, ?3)",
    )?;
    for r in &h.residents {
        res.execute(params![
            r.id.to_string(),
            id,
            r.name,
            r.phone.as_ref().map(|p| p.as_str()),
            r.birth_date.map(|d| d.to_string()),
            r.relation.key(),
        ])?;
        for (rank, k) in name_keys(&r.name).into_iter().enumerate() {
            key.execute(params![k, id, rank as i64])?;
        }
    }
    Ok(())
}

fn private(tx: &Transaction<'_>, p: &HouseholdPrivate) -> Result<()> {
    let id = p.household.to_string();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO private_parts (household_id, grid, id_count) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![id, p.grid.as_str(), p.id_numbers.len() as i64])?;
    tx.prepare_cached("DELETE FROM household_tags WHERE household_id = ?1 AND sensitive = 1")?
        .execute([&id])?;
    let mut tag = tx.prepare_cached(
        "INSERT OR REPLACE INTO household_tags (household_id, tag, sensitive) VALUES (?1, ?2, 1)",
    )?;
    for t in &p.sensitive_tags {
        tag.execute(params![id, t.zh()])?;
    }
    Ok(())
}

fn visit(tx: &Transaction<'_>, v: &Visit) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO visits (id, household_id, grid, visitor, role, at, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        v.id.to_string(),
        v.household.to_string(),
        v.grid.as_str(),
        v.visitor.user,
        v.visitor.role.key(),
        fmt_time(v.at),
        v.kind.key(),
    ])?;
    Ok(())
}

fn issue(tx: &Transaction<'_>, i: &Issue, limits: &StreetLimits) -> Result<()> {
    let s = i.state_with(limits);
    let facts = IssueFacts::of(i, limits);
    let (encoded, span) = facts.as_ref().map(encode_facts).unwrap_or_default();
    let refused = s.outcomes.iter().filter(|o| o.refused.is_some()).count();
    let summary: String = i.description.chars().take(60).collect();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO issues (id, grid, category, stage, urgency, household_id, reporter, reported_at, deadline,
            closed_at, departments, refused_events, summary, hours_to_close, accepted_at, facts, facts_from, facts_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
        i.id.to_string(),
        i.grid.as_str(),
        i.category,
        s.stage.map(|st| st.key()),
        i.urgency as i64,
        i.household.map(|h| h.to_string()),
        i.reporter,
        fmt_time(i.reported_at),
        s.deadline.map(fmt_time),
        s.closed_at.map(fmt_time),
        s.departments.join(","),
        refused as i64,
        summary,
        s.closed_at
            .map(|c| (c - i.reported_at).num_milliseconds() as f64 / 3_600_000.0),
        facts.as_ref().and_then(|f| f.accepted_at).map(fmt_time),
        encoded,
        span.map(|(from, _)| fmt_time(from)),
        span.map(|(_, to)| fmt_time(to)),
    ])?;
    Ok(())
}

/// An issue's cycles, closings and evaluations as one text, and the span
/// of the times in it. Each entry is fields joined by US, entries by RS (the
/// ASCII unit and record separators, which no typed name holds;
/// departments joined by commas as in the `departments` column):
/// `D deadline closed-or-empty departments [1 when deferred]`, `C at`,
/// `E at 1|0 departments`, `S at departments` (a failed verification).
/// Nothing is `""`. The deferral flag and `S` came with the time-limit
/// steps: facts written before them read as before (no issue then held
/// either step, so none needs projecting again).
pub(crate) fn encode_facts(f: &IssueFacts) -> (String, Option<(Instant, Instant)>) {
    let mut entries = Vec::new();
    let mut times = Vec::new();
    for c in &f.cycles {
        entries.push(format!(
            "D\u{1f}{}\u{1f}{}\u{1f}{}",
            fmt_time(c.deadline),
            c.closed_at.map(fmt_time).unwrap_or_default(),
            c.departments.join(",")
        ));
        if c.deferred {
            entries.last_mut().expect("just pushed").push_str("\u{1f}1");
        }
        times.push(c.deadline);
        times.extend(c.closed_at);
    }
    for t in &f.closings {
        entries.push(format!("C\u{1f}{}", fmt_time(*t)));
        times.push(*t);
    }
    for e in &f.evaluations {
        entries.push(format!(
            "E\u{1f}{}\u{1f}{}\u{1f}{}",
            fmt_time(e.at),
            if e.satisfied { 1 } else { 0 },
            e.against.join(",")
        ));
        times.push(e.at);
    }
    for b in &f.send_backs {
        entries.push(format!(
            "S\u{1f}{}\u{1f}{}",
            fmt_time(b.at),
            b.against.join(",")
        ));
        times.push(b.at);
    }
    let span = times.iter().min().copied().zip(times.iter().max().copied());
    (entries.join("\u{1e}"), span)
}

/// [`encode_facts`] read back into `f`'s cycles, closings and evaluations;
/// an entry that does not read is skipped.
pub(crate) fn decode_facts(s: &str, f: &mut IssueFacts) {
    let time = gridline_model::parse_time;
    let names = |d: Option<&str>| -> Vec<String> {
        d.unwrap_or("")
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect()
    };
    for entry in s.split('\u{1e}').filter(|e| !e.is_empty()) {
        let mut p = entry.split('\u{1f}');
        match p.next() {
            Some("D") => {
                let Some(deadline) = p.next().and_then(time) else {
                    continue;
                };
                let closed_at = p.next().and_then(time);
                let departments = names(p.next());
                f.cycles.push(Cycle {
                    deadline,
                    closed_at,
                    departments,
                    deferred: p.next() == Some("1"),
                });
            }
            Some("C") => f.closings.extend(p.next().and_then(time)),
            Some("E") => {
                let Some(at) = p.next().and_then(time) else {
                    continue;
                };
                let satisfied = p.next() == Some("1");
                f.evaluations.push(Evaluation {
                    at,
                    satisfied,
                    against: names(p.next()),
                });
            }
            Some("S") => {
                let Some(at) = p.next().and_then(time) else {
                    continue;
                };
                f.send_backs.push(SendBack {
                    at,
                    against: names(p.next()),
                });
            }
            _ => {}
        }
    }
}

fn wish(tx: &Transaction<'_>, w: &Wish, hub: Option<&str>) -> Result<()> {
    let s = w.state(hub);
    tx.prepare_cached(
        "INSERT OR REPLACE INTO wishes (id, grid, household_id, title, category, value_yuan, stage, poster, claimant,
            pending_claims, posted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        w.id.to_string(),
        w.grid.as_str(),
        w.household.map(|h| h.to_string()),
        w.title,
        w.category,
        w.value_yuan as i64,
        s.stage.map(|st| st.key()),
        w.poster,
        s.claimant,
        s.pending.len() as i64,
        fmt_time(w.posted_at),
    ])?;
    Ok(())
}

fn mediation(tx: &Transaction<'_>, c: &MediationCase, limits: &StreetLimits) -> Result<()> {
    let s = c.state_with(limits);
    let facts = CaseFacts::of(c, &s);
    let fact = |f: fn(&CaseFacts) -> bool| facts.as_ref().is_some_and(f) as i64;
    let refused = s.outcomes.iter().filter(|o| o.refused.is_some()).count();
    let summary: String = c.summary.chars().take(60).collect();
    let households: Vec<String> = c.households.iter().map(ToString::to_string).collect();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO mediations (id, grid, case_type, stage, warning, kind, source, reporter, registered_at,
            deadline, concluded_at, households, from_issue, refused_events, summary,
            agreed, confirmed, followed_up, fully_performed, on_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    )?
    .execute(params![
        c.id.to_string(),
        c.grid.as_str(),
        c.case_type.key(),
        s.stage.map(|st| st.key()),
        i64::from(c.warning),
        s.kind.key(),
        c.source.key(),
        c.reporter,
        fmt_time(c.registered_at),
        s.deadline.map(fmt_time),
        s.concluded_at.map(fmt_time),
        households.join(","),
        c.from_issue.map(|i| i.to_string()),
        refused as i64,
        summary,
        fact(|f| f.agreed),
        fact(|f| f.confirmed),
        fact(|f| f.followed_up),
        fact(|f| f.fully_performed),
        s.on_time().map(i64::from),
    ])?;
    Ok(())
}

fn deliberation(tx: &Transaction<'_>, t: &Topic) -> Result<()> {
    let s = t.state();
    let refused = s.outcomes.iter().filter(|o| o.refused.is_some()).count();
    let dues: Vec<String> = s.open_task_dues().into_iter().map(fmt_time).collect();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO deliberations (id, grid, household, title, proposer, proposer_name, submitted_by,
            stage, proposed_at, accepted, resolved_at, closed_at, tasks, open_task_dues, implemented_on_time,
            refused_events)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        t.id.to_string(),
        t.grid.as_str(),
        t.household.map(|h| h.to_string()),
        t.title,
        t.proposer.key(),
        t.proposer_name,
        t.submitted_by,
        s.stage.map(|st| st.key()),
        fmt_time(t.proposed_at),
        s.accepted_at.is_some(),
        s.resolved_at.map(fmt_time),
        s.closed_at.map(fmt_time),
        s.tasks.len() as i64,
        dues.join(","),
        s.implemented_on_time(),
        refused as i64,
    ])?;
    Ok(())
}
