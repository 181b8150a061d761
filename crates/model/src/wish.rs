//! Micro-wishes (微心愿): posted → claim requested → granted by the hub (or
//! refused) → fulfilled → confirmed; withdrawn by the poster or community
//! staff before fulfilment; a claimant may withdraw their claim.
//!
//! A grant is valid only when the event was written by the hub's own actor:
//! the fold is told that actor, and a grant from anyone else is refused, so two
//! offline claims can never both win.

use crate::{text, Text};
use crate::{Author, GridId, Instant, Invalid, RecordId, Role};

pub const WISH_CATEGORIES: [&str; 6] = [
    "生活物资",
    "学习用品",
    "医疗健康",
    "助老助残",
    "文体活动",
    "其他",
];

/// The longest wish title, in characters (at least one is needed).
pub const MAX_TITLE: usize = 40;

/// The lowest estimated value of a micro-wish, in yuan: a wish worth nothing
/// is a typing slip, not a wish.
pub const MIN_VALUE_YUAN: u32 = 1;

/// The highest estimated value of a micro-wish, in yuan.
pub const MAX_VALUE_YUAN: u32 = 5000;

pub fn parse_wish_category(s: &str) -> Result<String, Invalid> {
    let s = s.trim();
    if WISH_CATEGORIES.contains(&s) {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new(
            "category",
            text!("未知心愿类别 \"{s}\"", "unknown wish category \"{s}\""),
            text!("可用类别：{}", "categories: {}", WISH_CATEGORIES.join("、")),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WishStep {
    Post,
    RequestClaim,
    /// The hub grants the claim request with this event id.
    Grant {
        claim: RecordId,
    },
    /// The hub refuses the claim request with this event id (claimed by someone else).
    RefuseClaim {
        claim: RecordId,
    },
    Fulfil {
        note: String,
    },
    Confirm {
        resident: String,
    },
    WithdrawWish {
        reason: String,
    },
    WithdrawClaim,
}

impl WishStep {
    pub fn key(&self) -> &'static str {
        match self {
            WishStep::Post => "post",
            WishStep::RequestClaim => "claim",
            WishStep::Grant { .. } => "grant",
            WishStep::RefuseClaim { .. } => "refuse-claim",
            WishStep::Fulfil { .. } => "fulfil",
            WishStep::Confirm { .. } => "confirm",
            WishStep::WithdrawWish { .. } => "withdraw",
            WishStep::WithdrawClaim => "withdraw-claim",
        }
    }
    /// The free texts this step carries, by their field names in
    /// [`crate::limits::WISH_STEP_FIELDS`].
    pub fn texts(&self) -> Vec<(&'static str, &str)> {
        match self {
            WishStep::Fulfil { note } => vec![("note", note)],
            WishStep::Confirm { resident } => vec![("resident", resident)],
            WishStep::WithdrawWish { reason } => vec![("reason", reason)],
            WishStep::Post
            | WishStep::RequestClaim
            | WishStep::Grant { .. }
            | WishStep::RefuseClaim { .. }
            | WishStep::WithdrawClaim => vec![],
        }
    }

    /// What a new step must carry before it is written: the fields
    /// [`crate::limits::WISH_STEP_FIELDS`] requires, and no text longer than
    /// [`crate::MAX_TEXT`]. The fold's own rules come after.
    pub fn validate(&self) -> Result<(), Invalid> {
        crate::limits::check_step_texts(crate::limits::wish_step_fields(self.key()), &self.texts())
    }

    pub fn zh(&self) -> &'static str {
        match self {
            WishStep::Post => "发布心愿",
            WishStep::RequestClaim => "认领",
            WishStep::Grant { .. } => "认领成功",
            WishStep::RefuseClaim { .. } => "已被他人认领",
            WishStep::Fulfil { .. } => "兑现",
            WishStep::Confirm { .. } => "确认",
            WishStep::WithdrawWish { .. } => "撤回心愿",
            WishStep::WithdrawClaim => "撤回认领",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WishEvent {
    pub id: RecordId,
    pub at: Instant,
    pub author: Author,
    /// Hex Automerge actor id of the change that added the event; read from the
    /// document itself, not from anything the author typed.
    pub actor: String,
    pub step: WishStep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WishStage {
    Posted,
    Claimed,
    Fulfilled,
    Confirmed,
    Withdrawn,
}

impl WishStage {
    pub const ALL: [WishStage; 5] = [
        WishStage::Posted,
        WishStage::Claimed,
        WishStage::Fulfilled,
        WishStage::Confirmed,
        WishStage::Withdrawn,
    ];
    pub fn key(self) -> &'static str {
        match self {
            WishStage::Posted => "posted",
            WishStage::Claimed => "claimed",
            WishStage::Fulfilled => "fulfilled",
            WishStage::Confirmed => "confirmed",
            WishStage::Withdrawn => "withdrawn",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            WishStage::Posted => "待认领",
            WishStage::Claimed => "已认领",
            WishStage::Fulfilled => "已兑现",
            WishStage::Confirmed => "已确认",
            WishStage::Withdrawn => "已撤回",
        }
    }
    pub fn parse(s: &str) -> Result<WishStage, Invalid> {
        WishStage::ALL
            .into_iter()
            .find(|st| st.key() == s.trim() || st.zh() == s.trim())
            .ok_or_else(|| {
                Invalid::new(
                    "state",
                    text!("未知心愿状态 \"{s}\"", "unknown wish state \"{s}\""),
                    text!(
                        "可用：posted, claimed, fulfilled, confirmed, withdrawn",
                        "use: posted, claimed, fulfilled, confirmed, withdrawn"
                    ),
                )
            })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Wish {
    pub id: RecordId,
    pub grid: GridId,
    pub household: Option<RecordId>,
    pub title: String,
    pub category: String,
    /// Estimated value in yuan.
    pub value_yuan: u32,
    pub description: String,
    pub poster: String,
    pub posted_at: Instant,
    pub events: Vec<WishEvent>,
}

impl Wish {
    pub fn validate(&self) -> Result<(), Invalid> {
        parse_wish_category(&self.category)?;
        crate::check_length("description", &self.description)?;
        let n = self.title.trim().chars().count();
        if n == 0 || n > MAX_TITLE {
            return Err(Invalid::new(
                "title",
                text!(
                    "心愿标题应为 1 到 {MAX_TITLE} 个字",
                    "a title is 1 to {MAX_TITLE} characters"
                ),
                text!(
                    "请简短写明心愿，如 \"一台助听器\"",
                    "say briefly what is wished"
                ),
            ));
        }
        if self.value_yuan < MIN_VALUE_YUAN {
            return Err(Invalid::new(
                "value",
                Text::new(
                    format!(
                        "心愿价值 {} 元过低，至少 {MIN_VALUE_YUAN} 元",
                        self.value_yuan
                    ),
                    format!("value under {MIN_VALUE_YUAN} yuan"),
                ),
                text!(
                    "请填写估计价值，{MIN_VALUE_YUAN} 到 {MAX_VALUE_YUAN} 元",
                    "give the estimated value, {MIN_VALUE_YUAN} to {MAX_VALUE_YUAN} yuan"
                ),
            ));
        }
        if self.value_yuan > MAX_VALUE_YUAN {
            return Err(Invalid::new(
                "value",
                Text::new(
                    format!("心愿价值 {} 元过高", self.value_yuan),
                    format!("value over {MAX_VALUE_YUAN} yuan"),
                ),
                text!(
                    "微心愿价值一般不超过 {MAX_VALUE_YUAN} 元",
                    "micro-wishes are small"
                ),
            ));
        }
        Ok(())
    }

    pub fn state(&self, hub_actor: Option<&str>) -> WishState {
        WishState::fold(&self.events, hub_actor)
    }
}

/// The fold of a wish's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WishState {
    pub stage: Option<WishStage>,
    pub poster: Option<String>,
    /// Claim requests not yet granted or refused: (claim event id, user).
    pub pending: Vec<(RecordId, String)>,
    pub claimant: Option<String>,
    pub outcomes: Vec<crate::issue::Outcome>,
}

impl WishState {
    pub fn fold(events: &[WishEvent], hub_actor: Option<&str>) -> WishState {
        let mut ordered: Vec<&WishEvent> = events.iter().collect();
        ordered.sort_by_key(|e| (e.at, e.id));
        let mut s = WishState {
            stage: None,
            poster: None,
            pending: Vec::new(),
            claimant: None,
            outcomes: Vec::new(),
        };
        for e in ordered {
            let refused = s.apply(e, hub_actor).err();
            s.outcomes.push(crate::issue::Outcome {
                event: e.id,
                refused,
            });
        }
        s
    }

    /// Why `who` may not ask to claim this wish, beyond the fold's rules: a
    /// claim promises someone else's help to the resident, so the poster
    /// never claims their own wish.
    ///
    /// Kept out of the fold on purpose: a wish its poster claimed before this
    /// rule (granted, fulfilled, confirmed) must fold as it always did on
    /// every device and hub. The device asks this before it writes a claim,
    /// and the hub answers a poster's claim with an explicit `RefuseClaim`
    /// step, which devices of every version understand.
    pub fn claim_refusal(&self, who: &str) -> Option<Text> {
        (self.poster.as_deref() == Some(who)).then(|| {
            text!(
                "不能认领自己发布的心愿，请等其他人认领",
                "you cannot claim a wish you posted; someone else claims it"
            )
        })
    }

    fn apply(&mut self, e: &WishEvent, hub_actor: Option<&str>) -> Result<(), Text> {
        use WishStage::*;
        use WishStep as S;
        let who = &e.author.user;
        let role = e.author.role;
        let stage = self.stage;
        let wrong_state = || match stage {
            Some(st) => Text::new(
                format!("心愿{}，不能{}", st.zh(), e.step.zh()),
                format!("cannot {} a wish that is {}", e.step.key(), st.key()),
            ),
            None => Text::new(
                format!("心愿尚未发布，不能{}", e.step.zh()),
                format!("cannot {} a wish that was never posted", e.step.key()),
            ),
        };
        match (&e.step, stage) {
            (S::Post, None) => {
                if !matches!(
                    role,
                    Role::GridWorker | Role::JointLeader | Role::CommunityStaff
                ) {
                    return Err(Text::new(
                        format!("{} 不能发布心愿", role.zh()),
                        format!("role {role} may not post a wish"),
                    ));
                }
                self.poster = Some(who.clone());
                self.stage = Some(Posted);
            }
            (S::Post, Some(_)) => return Err(text!("心愿已发布", "already posted")),
            (S::RequestClaim, Some(Posted)) => {
                if !matches!(
                    role,
                    Role::GridWorker | Role::JointLeader | Role::CommunityStaff | Role::StreetStaff
                ) {
                    return Err(Text::new(
                        format!("{} 不能认领心愿", role.zh()),
                        format!("role {role} may not claim"),
                    ));
                }
                if self.pending.iter().any(|(_, u)| u == who) {
                    return Err(text!("已提出认领", "already requested"));
                }
                self.pending.push((e.id, who.clone()));
            }
            (S::Grant { claim } | S::RefuseClaim { claim }, _) => {
                if hub_actor.is_none_or(|h| h != e.actor) || role != Role::Hub {
                    return Err(text!(
                        "只有街道枢纽能决定认领",
                        "only the hub grants or refuses a claim"
                    ));
                }
                let Some(pos) = self.pending.iter().position(|(id, _)| id == claim) else {
                    return Err(text!("没有这条待确认的认领", "no such pending claim"));
                };
                let (_, user) = self.pending.remove(pos);
                if matches!(e.step, S::Grant { .. }) {
                    if stage != Some(Posted) {
                        return Err(wrong_state());
                    }
                    self.claimant = Some(user);
                    self.stage = Some(Claimed);
                }
            }
            (S::Fulfil { .. }, Some(Claimed)) => {
                if self.claimant.as_deref() != Some(who.as_str()) {
                    return Err(text!("只有认领人能兑现", "only the claimant fulfils"));
                }
                self.stage = Some(Fulfilled);
            }
            (S::Confirm { resident }, Some(Fulfilled)) => {
                if !matches!(
                    role,
                    Role::GridWorker | Role::JointLeader | Role::CommunityStaff
                ) {
                    return Err(Text::new(
                        format!("{} 不能确认", role.zh()),
                        format!("role {role} may not confirm"),
                    ));
                }
                if resident.trim().is_empty() {
                    return Err(text!("确认需写明居民", "a confirmation names the resident"));
                }
                self.stage = Some(Confirmed);
            }
            (S::WithdrawWish { .. }, Some(Posted | Claimed)) => {
                if self.poster.as_deref() != Some(who.as_str()) && role != Role::CommunityStaff {
                    return Err(text!(
                        "只有发布人或社区能撤回心愿",
                        "only the poster or community staff withdraw a wish"
                    ));
                }
                self.pending.clear();
                self.stage = Some(Withdrawn);
            }
            (S::WithdrawClaim, Some(Posted | Claimed)) => {
                if let Some(pos) = self.pending.iter().position(|(_, u)| u == who) {
                    self.pending.remove(pos);
                } else if stage == Some(Claimed) && self.claimant.as_deref() == Some(who.as_str()) {
                    self.claimant = None;
                    self.stage = Some(Posted);
                } else {
                    return Err(text!(
                        "只能撤回自己的认领",
                        "you can withdraw only your own claim"
                    ));
                }
            }
            _ => return Err(wrong_state()),
        }
        Ok(())
    }

    pub fn refusal(&self, event: RecordId) -> Option<&Text> {
        self.outcomes
            .iter()
            .find(|o| o.event == event)
            .and_then(|o| o.refused.as_ref())
    }
}

#[cfg(test)]
mod value_tests {
    use super::*;

    fn wish(value_yuan: u32) -> Wish {
        Wish {
            id: RecordId::nil(),
            grid: GridId::parse("522701001001001").expect("a valid grid"),
            household: None,
            title: "一台助听器".into(),
            category: "医疗健康".into(),
            value_yuan,
            description: String::new(),
            poster: "gw-001".into(),
            posted_at: chrono::DateTime::from_timestamp(0, 0).expect("the epoch is a time"),
            events: Vec::new(),
        }
    }

    #[test]
    fn a_wish_is_worth_min_to_max_yuan() {
        let err = wish(0)
            .validate()
            .expect_err("a wish worth 0 yuan is refused");
        assert_eq!(err.field, "value", "the value is named: {err}");
        assert!(
            err.problem.contains("至少 1 元") && err.fix.contains("1 to 5000 yuan"),
            "the message says the bound in both languages: {err}"
        );
        assert!(
            wish(MIN_VALUE_YUAN).validate().is_ok(),
            "the lowest value is allowed"
        );
        assert!(
            wish(MAX_VALUE_YUAN).validate().is_ok(),
            "the highest value is allowed"
        );
        assert!(
            wish(MAX_VALUE_YUAN + 1).validate().is_err(),
            "above the highest is refused"
        );
    }
}
