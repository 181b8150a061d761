//! The hub's check of one reveal entry a device sent (DESIGN §7): what it
//! audits, or why it refuses it. Pure: the binding's user and the hub's
//! clock are passed in.

use gridline_model::{text, Instant, RecordId, Text, User};

use crate::{Refusal, RefusalCode, RevealEntry, MAX_REASON_CHARS, REVEAL_SKEW_SECS, REVEAL_VIA};

/// A reveal entry the hub may audit: its parts, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReveal {
    pub id: RecordId,
    pub at: Instant,
    pub household: RecordId,
    /// Trimmed; `None` when empty.
    pub reason: Option<String>,
    pub via: &'static str,
}

/// Checks one entry from the device bound to `user` at the hub's `now`: a
/// device-minted UUID v7, a household id, a time no later than `now` plus
/// [`REVEAL_SKEW_SECS`], a known `via`, a reason of at most
/// [`MAX_REASON_CHARS`], and `who` naming the binding's own user.
pub fn check_reveal(e: &RevealEntry, user: &User, now: Instant) -> Result<CheckedReveal, Refusal> {
    let malformed = |reason: Text| Refusal {
        id: e.id.clone(),
        code: RefusalCode::Malformed,
        reason,
    };
    let id = RecordId::parse_str(&e.id)
        .ok()
        .filter(|u| u.get_version() == Some(uuid::Version::SortRand))
        .ok_or_else(|| {
            malformed(text!(
                "查看记录的编号 \"{}\" 不是 UUID v7",
                "the reveal's id \"{}\" is not a UUID v7",
                e.id
            ))
        })?;
    let household = RecordId::parse_str(&e.household).map_err(|_| {
        malformed(text!(
            "查看记录的户编号 \"{}\" 无效",
            "the reveal's household \"{}\" is not a valid id",
            e.household
        ))
    })?;
    let at = gridline_model::parse_time(&e.at).ok_or_else(|| {
        malformed(text!(
            "查看记录的时间 \"{}\" 不是 RFC 3339 时间",
            "the reveal's time \"{}\" is not an RFC 3339 time",
            e.at
        ))
    })?;
    if at > now + chrono::Duration::seconds(REVEAL_SKEW_SECS) {
        return Err(malformed(text!(
            "查看记录的时间 {} 晚于枢纽时间 {}；请校准设备时钟",
            "the reveal's time {} is after the hub's time {}; set the device's clock right",
            e.at,
            gridline_model::fmt_time(now)
        )));
    }
    let via = REVEAL_VIA
        .iter()
        .find(|v| **v == e.via)
        .copied()
        .ok_or_else(|| {
            malformed(text!(
                "查看方式 \"{}\" 未知；可用 app、cli、export",
                "unknown via \"{}\"; use app, cli or export",
                e.via
            ))
        })?;
    let reason = e.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) = reason {
        let n = r.chars().count();
        if n > MAX_REASON_CHARS {
            return Err(malformed(text!(
                "查看理由有 {n} 个字，最多 {MAX_REASON_CHARS} 个",
                "the reveal's reason has {n} characters; at most {MAX_REASON_CHARS}"
            )));
        }
    }
    if e.who.id != user.id {
        return Err(Refusal {
            id: e.id.clone(),
            code: RefusalCode::ForgedAuthor,
            reason: text!(
                "查看记录署名 {}，而本设备绑定的用户是 {}",
                "the reveal names user {}, but this device is bound to {}",
                e.who.id,
                user.id
            ),
        });
    }
    Ok(CheckedReveal {
        id,
        at,
        household,
        reason: reason.map(str::to_owned),
        via,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RevealWho;
    use gridline_model::{Role, Scope};

    fn now() -> Instant {
        gridline_model::parse_time("2026-11-28T08:00:00Z").unwrap()
    }

    fn user() -> User {
        User {
            id: "gw1".into(),
            name: "李娜".into(),
            role: Role::GridWorker,
            scope: Scope::parse("grids:522701001001001").unwrap(),
        }
    }

    fn entry() -> RevealEntry {
        let id =
            uuid::Builder::from_unix_timestamp_millis(now().timestamp_millis() as u64, &[7; 10])
                .into_uuid();
        RevealEntry {
            id: id.to_string(),
            at: "2026-11-28T07:59:00.000Z".into(),
            household: uuid::Uuid::new_v4().to_string(),
            who: RevealWho {
                id: "gw1".into(),
                name: "李娜".into(),
            },
            reason: Some("  核对低保材料 ".into()),
            via: "cli".into(),
        }
    }

    #[test]
    fn a_well_formed_entry_is_read_with_its_reason_trimmed() {
        let c = check_reveal(&entry(), &user(), now()).expect("a device's own reveal");
        assert_eq!(
            c.reason.as_deref(),
            Some("核对低保材料"),
            "the reason is kept trimmed"
        );
        assert_eq!(c.via, "cli");
    }

    #[test]
    fn malformed_future_oversized_and_forged_entries_are_refused_clearly() {
        let cases: Vec<(&str, RevealEntry, RefusalCode, &str)> = vec![
            (
                "a v4 id",
                RevealEntry {
                    id: uuid::Uuid::new_v4().to_string(),
                    ..entry()
                },
                RefusalCode::Malformed,
                "UUID v7",
            ),
            (
                "an hour ahead",
                RevealEntry {
                    at: "2026-11-28T09:00:00Z".into(),
                    ..entry()
                },
                RefusalCode::Malformed,
                "clock",
            ),
            (
                "a long reason",
                RevealEntry {
                    reason: Some("理".repeat(MAX_REASON_CHARS + 1)),
                    ..entry()
                },
                RefusalCode::Malformed,
                "at most",
            ),
            (
                "an unknown via",
                RevealEntry {
                    via: "fax".into(),
                    ..entry()
                },
                RefusalCode::Malformed,
                "via",
            ),
            (
                "another user",
                RevealEntry {
                    who: RevealWho {
                        id: "cs1".into(),
                        name: "王芳".into(),
                    },
                    ..entry()
                },
                RefusalCode::ForgedAuthor,
                "bound to gw1",
            ),
        ];
        for (what, e, code, says) in cases {
            let r = check_reveal(&e, &user(), now()).expect_err(what);
            assert_eq!(r.code, code, "{what}: refused as {code:?}");
            assert!(
                r.reason.en.contains(says) && !r.reason.zh.is_empty(),
                "{what}: the refusal says why in both languages: {:?}",
                r.reason
            );
        }
        let skewed = RevealEntry {
            at: "2026-11-28T08:04:00Z".into(),
            ..entry()
        };
        assert!(
            check_reveal(&skewed, &user(), now()).is_ok(),
            "a clock four minutes fast is within the skew"
        );
    }
}
