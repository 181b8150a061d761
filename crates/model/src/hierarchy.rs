//! Keys of the administrative hierarchy.
//!
//! A community is known by its 12-digit administrative division code (county 6 +
//! street 3 + community 3); a grid by that code plus a 3-digit grid number.

use crate::text;
use std::fmt;
use std::str::FromStr;

use crate::Invalid;

/// 12-digit administrative division code of a community.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommunityCode(String);

impl CommunityCode {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::new(
                "community",
                text!(
                    "社区代码应为 12 位数字，收到 \"{s}\"",
                    "a community code is 12 digits, got \"{s}\""
                ),
                text!(
                    "请使用区划代码，如 522701001001",
                    "use the division code, e.g. 522701001001"
                ),
            ));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The 9-digit street (subdistrict) code this community belongs to.
    pub fn street(&self) -> &str {
        &self.0[..9]
    }
}

impl fmt::Display for CommunityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A grid: its community's 12-digit code plus a 3-digit grid number (15 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GridId(String);

impl GridId {
    pub fn new(community: &CommunityCode, number: u16) -> Self {
        assert!(
            number < 1000,
            "grid number {number} must have at most 3 digits"
        );
        Self(format!("{}{number:03}", community.as_str()))
    }
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        if s.len() != 15 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::new(
                "grid",
                text!(
                    "网格编号应为 15 位数字，收到 \"{s}\"",
                    "a grid id is 15 digits, got \"{s}\""
                ),
                text!(
                    "网格编号 = 12 位社区代码 + 3 位网格号，如 522701001001001",
                    "community code + grid number"
                ),
            ));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn community(&self) -> CommunityCode {
        CommunityCode(self.0[..12].to_owned())
    }
    pub fn street(&self) -> &str {
        &self.0[..9]
    }
    pub fn number(&self) -> u16 {
        self.0[12..]
            .parse()
            .expect("grid ids are digits by construction")
    }
}

impl fmt::Display for GridId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for GridId {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Self::parse(s)
    }
}

impl FromStr for CommunityCode {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_id_is_community_plus_number() {
        let c = CommunityCode::parse("522701001002").unwrap();
        let g = GridId::new(&c, 7);
        assert_eq!(
            g.as_str(),
            "522701001002007",
            "grid id appends a zero-padded number"
        );
        assert_eq!(g.community(), c, "a grid knows its community");
        assert_eq!(g.street(), "522701001", "a grid knows its street");
        assert_eq!(g.number(), 7);
    }

    #[test]
    fn malformed_keys_are_refused_with_the_field_named() {
        let e = GridId::parse("52270100100").unwrap_err();
        assert_eq!(e.field, "grid", "the error names the field");
        assert!(
            CommunityCode::parse("52270100100x").is_err(),
            "letters are not a code"
        );
    }
}

/// A joint-household group (联户, "十联户"): one party-member leader linked to
/// about ten neighbouring households. The leader's scope is these households.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JointGroup {
    /// The leader's user id.
    pub leader: String,
    pub grid: GridId,
    pub households: Vec<crate::RecordId>,
}
