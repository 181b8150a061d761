//! Residents' deliberation topics (居民议事): the list, one topic, proposing
//! a topic, its steps from acceptance to closing, and the figures for the
//! dashboard.

use gridline_device::deliberation::{self as dd, AttendanceInput, NewTopic, TopicFilter};
use gridline_model::deliberation::TopicStage;
use tauri::State;

use crate::commands::households::created;
use crate::convert;
use crate::dto;
use crate::state::{now, with, AppState, Res};

/// Empty strings from a form mean "not given".
fn given(v: Option<String>) -> Option<String> {
    v.filter(|x| !x.trim().is_empty())
}

#[tauri::command]
pub async fn topics(s: State<'_, AppState>, query: dto::TopicQuery) -> Res<Vec<dto::TopicRow>> {
    let t = now();
    with(&s, |d| {
        let filter = TopicFilter {
            stage: given(query.state)
                .map(|x| TopicStage::parse(&x))
                .transpose()?,
            overdue_first: true,
            limit: Some(query.limit.map(|l| l as usize).unwrap_or(300)),
            ..Default::default()
        };
        let rows = d.topics(&filter, t)?;
        Ok(rows.into_iter().map(convert::topic_row).collect())
    })
    .await
}

#[tauri::command]
pub async fn topic(s: State<'_, AppState>, id: String) -> Res<dto::TopicDetail> {
    let t = now();
    with(&s, |d| Ok(convert::topic(d.topic(&id, t)?, t))).await
}

/// 提出议题, under the draft's id: a second save is the same topic.
#[tauri::command]
pub async fn propose_topic(s: State<'_, AppState>, topic: dto::NewTopic) -> Res<dto::Created> {
    let id = given(topic.id.clone());
    let new = NewTopic {
        grid: given(topic.grid),
        household: given(topic.household),
        title: topic.title,
        description: topic.description,
        proposer: given(topic.proposer),
        proposer_name: topic.proposer_name,
    };
    let c = with(&s, |d| d.propose_with_id(&new, id.as_deref(), now())).await?;
    s.kick();
    Ok(created(c))
}

#[tauri::command]
pub async fn act_on_topic(
    s: State<'_, AppState>,
    id: String,
    action: dto::TopicAction,
) -> Res<dto::TopicDetail> {
    let a = dd::TopicAction {
        step: action.step,
        reason: action.reason,
        held_on: action.held_on,
        place: action.place,
        notice_posted: action.notice_posted,
        meeting_type: action.meeting_type,
        attendance: action
            .attendance
            .into_iter()
            .map(|x| AttendanceInput {
                member: x.member,
                expected: x.expected,
                present: x.present,
            })
            .collect(),
        text: action.text,
        votes_for: action.votes_for,
        against: action.against,
        abstain: action.abstain,
        posted_on: action.posted_on,
        owner: action.owner,
        due: action.due,
        what: action.what,
        task: action.task,
        note: action.note,
    };
    let r = with(&s, |d| {
        let t = now();
        let step = dd::topic_step(&a, t)?;
        d.act_on_topic(&id, step, t)?;
        Ok(convert::topic(d.topic(&id, now())?, now()))
    })
    .await?;
    s.kick();
    Ok(r)
}

/// The deliberation figures (DESIGN §8) for the dashboard.
#[tauri::command]
pub async fn deliberation_figures(s: State<'_, AppState>) -> Res<dto::DeliberationFigures> {
    with(&s, |d| {
        Ok(convert::deliberation_figures(
            d.deliberation_figures(now())?,
        ))
    })
    .await
}
