//! Visits (走访): who visited which household, when, and why.

use crate::{text, Text};
use crate::{Author, GridId, Instant, Invalid, RecordId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VisitKind {
    Routine,
    HomeServiceDay,
    FollowUp,
}

impl VisitKind {
    pub const ALL: [VisitKind; 3] = [
        VisitKind::Routine,
        VisitKind::HomeServiceDay,
        VisitKind::FollowUp,
    ];
    pub fn key(self) -> &'static str {
        match self {
            VisitKind::Routine => "routine",
            VisitKind::HomeServiceDay => "home-service-day",
            VisitKind::FollowUp => "follow-up",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            VisitKind::Routine => "走访",
            VisitKind::HomeServiceDay => "上门服务日",
            VisitKind::FollowUp => "回访",
        }
    }
    pub fn parse(s: &str) -> Result<VisitKind, Invalid> {
        VisitKind::ALL
            .into_iter()
            .find(|k| k.key() == s.trim() || k.zh() == s.trim())
            .ok_or_else(|| {
                Invalid::new(
                    "kind",
                    text!("未知走访类型 \"{s}\"", "unknown visit kind \"{s}\""),
                    text!(
                        "可用：routine/走访, home-service-day/上门服务日, follow-up/回访",
                        "use: routine/走访, home-service-day/上门服务日, follow-up/回访"
                    ),
                )
            })
    }
}

/// The kind of a visit being logged: the one chosen, or 走访 (routine) when
/// only notes were written. A visit with neither says nothing at all, and a
/// silent default would let it pass as a routine visit, so it is refused.
pub fn kind_of_new_visit(kind: Option<VisitKind>, notes: &str) -> Result<VisitKind, Invalid> {
    match kind {
        Some(k) => Ok(k),
        None if !notes.trim().is_empty() => Ok(VisitKind::Routine),
        None => Err(Invalid::new(
            "kind",
            text!(
                "走访记录是空的：没有选类型，也没有写记录",
                "the visit is empty: no kind chosen and no notes"
            ),
            text!(
                "请选择走访类型（走访、上门服务日、回访），或写下走访记录",
                "choose a kind (routine, home-service-day, follow-up) or write notes"
            ),
        )),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub id: RecordId,
    pub household: RecordId,
    pub grid: GridId,
    pub visitor: Author,
    pub at: Instant,
    pub kind: VisitKind,
    pub notes: String,
}

impl Visit {
    pub fn validate(&self, now: Instant) -> Result<(), Invalid> {
        // A phone's clock drifts; allow five minutes before calling it the future.
        if self.at > now + chrono::Duration::minutes(5) {
            return Err(Invalid::new(
                "at",
                Text::new(
                    format!("走访时间 {} 在未来", self.at.format("%Y-%m-%d %H:%M")),
                    format!(
                        "visit time {} is in the future",
                        self.at.format("%Y-%m-%d %H:%M")
                    ),
                ),
                text!("请填写实际走访时间", "use the time of the visit"),
            ));
        }
        if self.notes.chars().count() > crate::MAX_TEXT {
            return Err(Invalid::new(
                "notes",
                Text::new(
                    format!("走访记录超过 {} 字", crate::MAX_TEXT),
                    format!("notes longer than {} characters", crate::MAX_TEXT),
                ),
                text!("请精简记录", "shorten the notes"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_visit_is_refused_but_a_kind_or_notes_is_enough() {
        let e = kind_of_new_visit(None, "  \n").expect_err("no kind and blank notes");
        assert_eq!(e.field, "kind", "the form field to fix");
        let text = e.to_string();
        assert!(
            text.contains("走访记录是空的") && text.contains("the visit is empty"),
            "says what is wrong in both languages: {text}"
        );
        assert_eq!(
            kind_of_new_visit(Some(VisitKind::FollowUp), "").ok(),
            Some(VisitKind::FollowUp),
            "a chosen kind is a visit even without notes"
        );
        assert_eq!(
            kind_of_new_visit(None, "老人身体好").ok(),
            Some(VisitKind::Routine),
            "notes without a kind are a routine visit, as old scripts log them"
        );
    }
}
