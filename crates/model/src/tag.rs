//! The household tag vocabulary (glossary: Household tags).
//!
//! Four tags are sensitive personal information and live only in the
//! household-private document: 残疾人, 低保户, 特困, 易地扶贫搬迁.

use crate::text;
use std::fmt;

use crate::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tag {
    ElderlyAlone,
    EmptyNest,
    LeftBehindChild,
    Disabled,
    LowIncome,
    ExtremeHardship,
    Relocated,
    Veteran,
    PartyMember,
    NeedsAttention,
    RentedHome,
    Migrant,
}

impl Tag {
    pub const ALL: [Tag; 12] = [
        Tag::ElderlyAlone,
        Tag::EmptyNest,
        Tag::LeftBehindChild,
        Tag::Disabled,
        Tag::LowIncome,
        Tag::ExtremeHardship,
        Tag::Relocated,
        Tag::Veteran,
        Tag::PartyMember,
        Tag::NeedsAttention,
        Tag::RentedHome,
        Tag::Migrant,
    ];

    /// The word users see, in Chinese: also the stored form.
    pub fn zh(self) -> &'static str {
        match self {
            Tag::ElderlyAlone => "独居老人",
            Tag::EmptyNest => "空巢老人",
            Tag::LeftBehindChild => "留守儿童",
            Tag::Disabled => "残疾人",
            Tag::LowIncome => "低保户",
            Tag::ExtremeHardship => "特困",
            Tag::Relocated => "易地扶贫搬迁",
            Tag::Veteran => "退役军人",
            Tag::PartyMember => "党员",
            Tag::NeedsAttention => "重点关注",
            Tag::RentedHome => "出租屋",
            Tag::Migrant => "流动人口",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Tag::ElderlyAlone => "elderly living alone",
            Tag::EmptyNest => "empty-nest elderly",
            Tag::LeftBehindChild => "left-behind child",
            Tag::Disabled => "disabled",
            Tag::LowIncome => "low-income",
            Tag::ExtremeHardship => "extreme hardship",
            Tag::Relocated => "relocated",
            Tag::Veteran => "veteran",
            Tag::PartyMember => "party member",
            Tag::NeedsAttention => "needs attention",
            Tag::RentedHome => "rented home",
            Tag::Migrant => "migrant residents",
        }
    }

    /// Sensitive tags are stored in the household-private document only.
    pub fn is_sensitive(self) -> bool {
        matches!(
            self,
            Tag::Disabled | Tag::LowIncome | Tag::ExtremeHardship | Tag::Relocated
        )
    }

    /// Accepts the Chinese word (as stored and as offices write it), the English
    /// word, or a few common variants (低保 for 低保户).
    pub fn parse(s: &str) -> Result<Tag, Invalid> {
        let s = s.trim();
        let found = Tag::ALL
            .into_iter()
            .find(|t| t.zh() == s || t.en().eq_ignore_ascii_case(s))
            .or(match s {
                "低保" => Some(Tag::LowIncome),
                "残疾" => Some(Tag::Disabled),
                "易地搬迁" => Some(Tag::Relocated),
                "low income" | "dibao" => Some(Tag::LowIncome),
                _ => None,
            });
        found.ok_or_else(|| {
            let known: Vec<&str> = Tag::ALL.iter().map(|t| t.zh()).collect();
            Invalid::new(
                "tag",
                text!("未知标签 \"{s}\"", "unknown tag \"{s}\""),
                text!("可用标签：{}", "known tags: {}", known.join("、")),
            )
        })
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.zh())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_four_tags_are_sensitive() {
        let sensitive: Vec<_> = Tag::ALL
            .into_iter()
            .filter(|t| t.is_sensitive())
            .map(Tag::zh)
            .collect();
        assert_eq!(
            sensitive,
            ["残疾人", "低保户", "特困", "易地扶贫搬迁"],
            "glossary fixes the sensitive set"
        );
    }

    #[test]
    fn tags_parse_from_either_language_and_round_trip() {
        for t in Tag::ALL {
            assert_eq!(
                Tag::parse(t.zh()).unwrap(),
                t,
                "stored form must parse back"
            );
            assert_eq!(Tag::parse(t.en()).unwrap(), t, "English form must parse");
        }
        assert_eq!(
            Tag::parse("低保").unwrap(),
            Tag::LowIncome,
            "offices write 低保 for 低保户"
        );
        let e = Tag::parse("富豪").unwrap_err();
        assert!(
            e.fix.contains("独居老人"),
            "the error lists the vocabulary: {e}"
        );
    }
}
