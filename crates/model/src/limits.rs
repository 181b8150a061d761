//! Every bound the model's validation enforces, and the fields each workflow
//! step carries with whether the model refuses the step without them, in one
//! place. The app sends these to its UI with the vocabulary, so a form checks
//! exactly what the device will check and keeps no copies of its own.
//!
//! Lengths are counted as the model counts them: Unicode scalar values
//! (`str::chars`), not bytes or UTF-16 units.

use crate::{household, issue, wish};

/// The length and number bounds the records' validation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Free text: notes, descriptions, locations, step texts ([`crate::MAX_TEXT`]).
    pub text_max: usize,
    /// A resident's name ([`household::MAX_NAME`]).
    pub name_max: usize,
    /// A wish title, 1 to this many characters ([`wish::MAX_TITLE`]).
    pub wish_title_max: usize,
    /// A wish's estimated value in yuan ([`wish::MIN_VALUE_YUAN`], [`wish::MAX_VALUE_YUAN`]).
    pub wish_value_min: u32,
    pub wish_value_max: u32,
    /// An issue's urgency ([`issue::URGENCY`]).
    pub urgency_min: u8,
    pub urgency_max: u8,
    /// Why a user showed ID numbers in full ([`MAX_REVEAL_REASON`]).
    pub reveal_reason_max: usize,
}

/// The characters a reason for showing ID numbers in full may have (DESIGN
/// §7): the device refuses a longer one as it is typed, the hub an entry
/// that carries one.
pub const MAX_REVEAL_REASON: usize = 200;

pub const LIMITS: Limits = Limits {
    text_max: crate::MAX_TEXT,
    name_max: household::MAX_NAME,
    wish_title_max: wish::MAX_TITLE,
    wish_value_min: wish::MIN_VALUE_YUAN,
    wish_value_max: wish::MAX_VALUE_YUAN,
    urgency_min: *issue::URGENCY.start(),
    urgency_max: *issue::URGENCY.end(),
    reveal_reason_max: MAX_REVEAL_REASON,
};

/// One field a workflow step carries, named as the app's forms and the CLI
/// name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepField {
    pub name: &'static str,
    /// The model refuses the step when this field is missing or blank.
    pub required: bool,
    /// What the field is called in a message, in Chinese and English.
    pub zh: &'static str,
    pub en: &'static str,
}

const fn req(name: &'static str, zh: &'static str, en: &'static str) -> StepField {
    StepField {
        name,
        required: true,
        zh,
        en,
    }
}

const fn opt(name: &'static str, zh: &'static str, en: &'static str) -> StepField {
    StepField {
        name,
        required: false,
        zh,
        en,
    }
}

/// The fields of each issue step a user takes, by step key
/// ([`issue::IssueStep::key`]); `report` is the record itself.
pub const ISSUE_STEP_FIELDS: &[(&str, &[StepField])] = &[
    ("accept", &[]),
    ("reject", &[req("reason", "退回理由", "the reason")]),
    (
        "merge",
        &[req("into", "并入的事件编号", "the issue to merge into")],
    ),
    ("resolve", &[opt("note", "说明", "a note")]),
    ("escalate", &[opt("note", "说明", "a note")]),
    (
        "dispatch",
        &[
            req("departments", "派遣部门", "the departments"),
            req("grade", "响应等级", "the grade"),
        ],
    ),
    ("handle", &[req("feedback", "处置反馈", "the feedback")]),
    ("close", &[opt("note", "说明", "a note")]),
    (
        "evaluate",
        &[
            req("satisfied", "是否满意", "whether the resident is satisfied"),
            req("resident", "评价居民姓名", "the resident's name"),
            opt("comment", "评价意见", "a comment"),
        ],
    ),
    (
        "request-extension",
        &[
            req("amount", "延期时长", "how much more time"),
            req("reason", "延期理由", "the reason"),
        ],
    ),
    (
        "decide-extension",
        &[
            req("approve", "是否批准", "whether it is approved"),
            opt("note", "审批意见", "a note"),
        ],
    ),
    ("defer", &[req("reason", "缓办理由", "the reason")]),
    (
        "send-back",
        &[req(
            "reason",
            "核查不通过的理由",
            "what the verification found",
        )],
    ),
];

/// The fields of each wish step a user takes, by step key
/// ([`wish::WishStep::key`]); grants and refusals are the hub's.
pub const WISH_STEP_FIELDS: &[(&str, &[StepField])] = &[
    ("claim", &[]),
    ("withdraw-claim", &[]),
    ("fulfil", &[opt("note", "兑现说明", "a note")]),
    (
        "confirm",
        &[req("resident", "确认居民姓名", "the resident's name")],
    ),
    ("withdraw", &[opt("reason", "撤回理由", "a reason")]),
];

/// The fields of each mediation step a user takes, by step key
/// ([`crate::mediation::CaseStep::key`]); `register` is the case itself.
pub const MEDIATION_STEP_FIELDS: &[(&str, &[StepField])] = &[
    ("accept", &[req("mediator", "调解员", "the mediator")]),
    ("decline", &[req("reason", "不予受理理由", "the reason")]),
    ("session", &[req("held_on", "调解日期", "the date")]),
    (
        "agree",
        &[
            req("form", "协议形式", "the form of the agreement"),
            req("perform_by", "履行期限", "the performance deadline"),
        ],
    ),
    (
        "fail",
        &[
            req("referral", "引导去向", "where the parties are referred"),
            opt("note", "说明", "a note"),
        ],
    ),
    (
        "transfer",
        &[
            req("to", "转为的调解类型", "the mediation to transfer to"),
            req("reason", "转换理由", "the reason"),
        ],
    ),
    (
        "extend",
        &[
            req("days", "延期天数", "the days"),
            req("reason", "延期理由", "the reason"),
            req("consent", "当事人同意", "the parties' consent"),
        ],
    ),
    ("perform", &[opt("note", "履行情况", "a note")]),
    (
        "follow-up",
        &[
            req("performance", "履行情况", "how the agreement was performed"),
            req("satisfaction", "满意度", "the parties' satisfaction"),
            opt("risk", "遗留风险", "any remaining risk"),
        ],
    ),
    (
        "apply-confirmation",
        &[req("court", "申请确认的法院", "the court")],
    ),
    (
        "court-accept",
        &[req("case_number", "调确字案号", "the 调确字 case number")],
    ),
    ("court-rule", &[req("confirmed", "裁定结果", "the ruling")]),
    ("close", &[opt("note", "结案说明", "a note")]),
];

/// The fields of the mediation step `step` (none for an unknown step).
pub fn mediation_step_fields(step: &str) -> &'static [StepField] {
    lookup(MEDIATION_STEP_FIELDS, step)
}

fn lookup(table: &[(&str, &'static [StepField])], step: &str) -> &'static [StepField] {
    table
        .iter()
        .find(|(k, _)| *k == step)
        .map_or(&[], |(_, f)| *f)
}

/// The fields of the issue step `step` (none for an unknown step).
pub fn issue_step_fields(step: &str) -> &'static [StepField] {
    lookup(ISSUE_STEP_FIELDS, step)
}

/// The fields of the wish step `step` (none for an unknown step).
pub fn wish_step_fields(step: &str) -> &'static [StepField] {
    lookup(WISH_STEP_FIELDS, step)
}

/// The fields of each deliberation step a user takes, by step key
/// ([`crate::deliberation::TopicStep::key`]); `propose` is the topic itself,
/// and a task's id is minted with its `task` step.
pub const DELIBERATION_STEP_FIELDS: &[(&str, &[StepField])] = &[
    ("accept", &[]),
    ("decline", &[req("reason", "不予受理理由", "the reason")]),
    (
        "meeting",
        &[
            req("held_on", "开会时间", "when the meeting was held"),
            req("place", "开会地点", "the place"),
            req(
                "notice_posted",
                "通知张贴时间",
                "when the notice was posted",
            ),
            req("meeting_type", "会议类型", "the kind of meeting"),
            req(
                "attendance",
                "各方应到和实到人数",
                "who was expected and who came",
            ),
        ],
    ),
    (
        "resolve",
        &[
            req("text", "决议内容", "the resolution's text"),
            req("votes_for", "赞成票数", "the votes for"),
            req("against", "反对票数", "the votes against"),
            req("abstain", "弃权票数", "the abstentions"),
            req("posted_on", "决议公示时间", "when it was posted"),
        ],
    ),
    (
        "task",
        &[
            req("owner", "责任方", "who carries it out"),
            req("due", "完成期限", "the due date"),
            req("what", "任务内容", "what is to be done"),
        ],
    ),
    (
        "task-done",
        &[
            req("task", "任务", "the task"),
            req("note", "完成情况", "what was done"),
        ],
    ),
    (
        "feedback",
        &[req("note", "反馈内容", "what residents were told")],
    ),
    ("close", &[]),
];

/// The fields of the deliberation step `step` (none for an unknown step).
pub fn deliberation_step_fields(step: &str) -> &'static [StepField] {
    lookup(DELIBERATION_STEP_FIELDS, step)
}

/// Checks the texts a new step carries against its table: each required one
/// present, none longer than [`crate::MAX_TEXT`].
pub(crate) fn check_step_texts(
    fields: &[StepField],
    texts: &[(&'static str, &str)],
) -> Result<(), crate::Invalid> {
    for (name, value) in texts {
        crate::check_length(name, value)?;
        let field = fields.iter().find(|f| f.name == *name && f.required);
        if let (Some(f), true) = (field, value.trim().is_empty()) {
            let (zh, en) = (f.zh, f.en);
            let t = crate::text!("这一步需要填写{zh}", "this step needs {en}");
            let fix = crate::text!("填写{zh}后再提交", "fill in {en} and submit again");
            return Err(crate::Invalid::new(*name, t, fix));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Grade, IssueStep, RecordId, WishStep};

    /// A step of each key with every field filled, and the same step with
    /// one field blanked, for every field that can be blank in the type.
    fn issue_steps() -> Vec<(IssueStep, Vec<(&'static str, IssueStep)>)> {
        let t = || "写了".to_owned();
        vec![
            (IssueStep::Accept, vec![]),
            (
                IssueStep::Reject { reason: t() },
                vec![("reason", IssueStep::Reject { reason: " ".into() })],
            ),
            (
                IssueStep::Merge {
                    into: RecordId::nil(),
                },
                vec![],
            ),
            (
                IssueStep::Resolve { note: t() },
                vec![("note", IssueStep::Resolve { note: "".into() })],
            ),
            (
                IssueStep::Escalate { note: t() },
                vec![("note", IssueStep::Escalate { note: "".into() })],
            ),
            (
                IssueStep::Dispatch {
                    departments: vec!["城管".into()],
                    grade: Grade::Normal,
                },
                vec![(
                    "departments",
                    IssueStep::Dispatch {
                        departments: vec![" ".into()],
                        grade: Grade::Normal,
                    },
                )],
            ),
            (
                IssueStep::Handle { feedback: t() },
                vec![(
                    "feedback",
                    IssueStep::Handle {
                        feedback: "".into(),
                    },
                )],
            ),
            (
                IssueStep::VerifyClose { note: t() },
                vec![("note", IssueStep::VerifyClose { note: "".into() })],
            ),
            (
                IssueStep::Evaluate {
                    satisfied: true,
                    resident: t(),
                    comment: t(),
                },
                vec![
                    (
                        "resident",
                        IssueStep::Evaluate {
                            satisfied: true,
                            resident: "".into(),
                            comment: t(),
                        },
                    ),
                    (
                        "comment",
                        IssueStep::Evaluate {
                            satisfied: true,
                            resident: t(),
                            comment: "".into(),
                        },
                    ),
                ],
            ),
            (
                IssueStep::RequestExtension {
                    amount: 2,
                    reason: t(),
                },
                vec![(
                    "reason",
                    IssueStep::RequestExtension {
                        amount: 2,
                        reason: " ".into(),
                    },
                )],
            ),
            (
                IssueStep::DecideExtension {
                    approve: true,
                    note: t(),
                },
                vec![(
                    "note",
                    IssueStep::DecideExtension {
                        approve: false,
                        note: "".into(),
                    },
                )],
            ),
            (
                IssueStep::Defer { reason: t() },
                vec![("reason", IssueStep::Defer { reason: "".into() })],
            ),
            (
                IssueStep::SendBack { reason: t() },
                vec![("reason", IssueStep::SendBack { reason: "".into() })],
            ),
        ]
    }

    #[test]
    fn every_issue_step_a_user_takes_is_listed() {
        let listed: Vec<&str> = ISSUE_STEP_FIELDS.iter().map(|(k, _)| *k).collect();
        let steps: Vec<&str> = issue_steps().iter().map(|(s, _)| s.key()).collect();
        assert_eq!(listed, steps, "the table lists each step exactly once");
    }

    #[test]
    fn an_issue_step_without_a_field_is_refused_exactly_when_the_table_requires_it() {
        for (full, blanked) in issue_steps() {
            let key = full.key();
            assert_eq!(
                full.validate(),
                Ok(()),
                "{key} with every field filled is valid"
            );
            for (field, step) in blanked {
                let spec = issue_step_fields(key)
                    .iter()
                    .find(|f| f.name == field)
                    .unwrap_or_else(|| panic!("{key}.{field} is in the table"));
                let refused = step.validate().err();
                assert_eq!(
                    refused.is_some(),
                    spec.required,
                    "{key} without {field}: the model refuses it iff the table says required ({refused:?})"
                );
                if let Some(e) = refused {
                    assert_eq!(e.field, field, "the refusal names the field");
                    assert!(
                        e.problem.contains(spec.zh) && e.problem.contains(spec.en),
                        "the message names the field in words, in both languages: {e}"
                    );
                }
            }
        }
    }

    #[test]
    fn typed_step_fields_cannot_be_left_out_so_the_table_requires_them() {
        // `into`, `grade` and `satisfied` have no blank value in the model's
        // types: a step cannot be made without them.
        for (key, field) in [
            ("merge", "into"),
            ("dispatch", "grade"),
            ("evaluate", "satisfied"),
            ("request-extension", "amount"),
            ("decide-extension", "approve"),
        ] {
            assert!(
                issue_step_fields(key)
                    .iter()
                    .any(|f| f.name == field && f.required),
                "{key}.{field} is required"
            );
        }
    }

    #[test]
    fn a_wish_step_without_a_field_is_refused_exactly_when_the_table_requires_it() {
        let t = || "写了".to_owned();
        let cases = [
            (WishStep::RequestClaim, vec![]),
            (WishStep::WithdrawClaim, vec![]),
            (
                WishStep::Fulfil { note: t() },
                vec![("note", WishStep::Fulfil { note: "".into() })],
            ),
            (
                WishStep::Confirm { resident: t() },
                vec![(
                    "resident",
                    WishStep::Confirm {
                        resident: " ".into(),
                    },
                )],
            ),
            (
                WishStep::WithdrawWish { reason: t() },
                vec![("reason", WishStep::WithdrawWish { reason: "".into() })],
            ),
        ];
        let listed: Vec<&str> = WISH_STEP_FIELDS.iter().map(|(k, _)| *k).collect();
        let steps: Vec<&str> = cases.iter().map(|(s, _)| s.key()).collect();
        assert_eq!(listed, steps, "the table lists each user step exactly once");
        for (full, blanked) in cases {
            let key = full.key();
            assert_eq!(full.validate(), Ok(()), "{key} filled in is valid");
            for (field, step) in blanked {
                let spec = wish_step_fields(key)
                    .iter()
                    .find(|f| f.name == field)
                    .unwrap_or_else(|| panic!("{key}.{field} is in the table"));
                assert_eq!(
                    step.validate().is_err(),
                    spec.required,
                    "{key} without {field}: refused iff required"
                );
            }
        }
    }

    #[test]
    fn a_step_text_longer_than_the_limit_is_refused() {
        let long = "字".repeat(LIMITS.text_max + 1);
        let e = IssueStep::Resolve { note: long }
            .validate()
            .expect_err("a note over the limit is refused");
        assert_eq!(e.field, "note", "the refusal names the field: {e}");
        assert_eq!(
            IssueStep::Resolve {
                note: "字".repeat(LIMITS.text_max)
            }
            .validate(),
            Ok(()),
            "the limit counts characters, not bytes: {} Chinese characters are allowed",
            LIMITS.text_max
        );
    }
}
