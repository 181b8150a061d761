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
