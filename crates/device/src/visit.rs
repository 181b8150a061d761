//! Visits: log and list.

use gridline_model::permission::{check, Action, Kind};
use gridline_model::text;
use gridline_model::{Instant, Invalid, RecordId, Visit, VisitKind};
use gridline_records::{visit, Record};
use gridline_store::Origin;

use crate::{parse_id, Created, Device, NewId, Result};

#[derive(Debug, Clone, Default)]
pub struct NewVisit {
    pub household: String,
    /// routine / home-service-day / follow-up (or 走访 / 上门服务日 / 回访); without one,
    /// notes make it routine and an empty visit is refused.
    pub kind: Option<String>,
    pub notes: String,
    /// When the visit happened, RFC 3339 or `YYYY-MM-DD HH:MM` (local time is
    /// not guessed: UTC); default now.
    pub at: Option<String>,
}

impl Device {
    pub fn log_visit(&mut self, new: &NewVisit, now: Instant) -> Result<RecordId> {
        Ok(self.log_visit_with_id(new, None, now)?.id)
    }

    /// [`Device::log_visit`] under the caller's id (a UUID v7), so a retried
    /// save is the same visit, not a second one.
    pub fn log_visit_with_id(
        &mut self,
        new: &NewVisit,
        id: Option<&str>,
        now: Instant,
    ) -> Result<Created> {
        self.log_visit_with_photos(new, id, &[], now)
    }

    /// [`Device::log_visit_with_id`] with photos of the visit, saved with it.
    pub fn log_visit_with_photos(
        &mut self,
        new: &NewVisit,
        id: Option<&str>,
        photos: &[crate::Attach],
        now: Instant,
    ) -> Result<Created> {
        let evidence = crate::Evidence {
            photos: photos.to_vec(),
            position: None,
        };
        self.log_visit_with_evidence(new, id, &evidence, now)
    }

    /// [`Device::log_visit_with_id`] with its photos and where it was made.
    pub fn log_visit_with_evidence(
        &mut self,
        new: &NewVisit,
        id: Option<&str>,
        evidence: &crate::Evidence,
        now: Instant,
    ) -> Result<Created> {
        let photos = &evidence.photos;
        if let Some(p) = &evidence.position {
            p.validate()?;
        }
        let household = parse_id(&new.household, "household")?;
        let target = self.household_target(household)?;
        check(self.user(), Kind::Visit, Action::Create, &target)?;
        let id = match self.new_record_id(id, Kind::Visit, &target.grid, Some(household), now)? {
            NewId::AlreadySaved(id) => {
                return Ok(Created {
                    id,
                    already_saved: true,
                })
            }
            NewId::Use(id) => id,
        };
        let at = match new.at.as_deref().filter(|s| !s.trim().is_empty()) {
            None => now,
            Some(s) => parse_when(s)?,
        };
        let kind = new
            .kind
            .as_deref()
            .filter(|k| !k.trim().is_empty())
            .map(VisitKind::parse)
            .transpose()?;
        let v = Visit {
            id,
            household,
            grid: target.grid,
            visitor: self.user().author(),
            at,
            kind: kind.unwrap_or(VisitKind::Routine),
            notes: new.notes.trim().to_owned(),
        };
        v.validate(now)?;
        // Without a kind, only notes make it a (routine) visit: an empty
        // one is refused rather than saved as if it said something.
        gridline_model::visit::kind_of_new_visit(kind, &v.notes)?;
        let refs = self.photo_refs(photos, gridline_model::PhotoStep::Visit, &[], now)?;
        let mut doc = self.new_doc();
        visit::create(&mut doc, &v)?;
        gridline_records::photos::add(&mut doc, &refs, now)?;
        if let Some(p) = &evidence.position {
            gridline_records::position::set(&mut doc, p, now)?;
        }
        let id = v.id;
        self.store
            .save(&mut doc, &Record::Visit(v), Origin::Local, now)?;
        Ok(Created {
            id,
            already_saved: false,
        })
    }

    /// Visits of a household, or by a visitor, newest first.
    pub fn visits(
        &self,
        household: Option<&str>,
        visitor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<crate::views::VisitSummary>> {
        if let Some(h) = household {
            let target = self.household_target(parse_id(h, "household")?)?;
            check(self.user(), Kind::Visit, Action::Read, &target)?;
        }
        let rows = self.store.visits(household, visitor, limit)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let v = crate::views::visit(r)?;
            if check(self.user(), Kind::Visit, Action::Read, &v.target()).is_ok() {
                out.push(v);
            }
        }
        Ok(out)
    }
}

/// Parses a time given on the command line: RFC 3339, or `YYYY-MM-DD HH:MM`
/// / `YYYY-MM-DD` taken as China Standard Time (UTC+8), the users' clock.
pub fn parse_when(s: &str) -> Result<Instant> {
    let s = s.trim();
    if let Some(t) = gridline_records::parse_time(s) {
        return Ok(t);
    }
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").or_else(|_| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| d.and_hms_opt(9, 0, 0).expect("09:00 exists"))
    });
    match naive {
        Ok(n) => Ok(n
            .and_local_timezone(cst)
            .single()
            .expect("fixed offsets are unambiguous")
            .with_timezone(&chrono::Utc)),
        Err(_) => Err(Invalid::new(
            "at",
            text!("\"{s}\" 不是时间", "not a time \"{s}\""),
            text!(
                "格式 YYYY-MM-DD HH:MM，如 2026-11-28 14:05 (北京时间)",
                "use YYYY-MM-DD HH:MM, Beijing time"
            ),
        )
        .into()),
    }
}
