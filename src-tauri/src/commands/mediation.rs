//! Mediation cases (矛盾纠纷调解): the list, one case, reporting a dispute
//! (from a household, a visit or an issue), case steps, the parties, and
//! the figures for the dashboard.

use gridline_device::mediation::{self as dm, CaseFilter, NewCase, NewParty, PrivateNote};
use gridline_device::{Device, Error};
use gridline_model::mediation::CaseStage;
use gridline_model::permission::{check, Action, Kind, Target};
use gridline_model::Instant;
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
pub async fn cases(s: State<'_, AppState>, query: dto::CaseQuery) -> Res<Vec<dto::CaseRow>> {
    let t = now();
    with(&s, |d| {
        let id = |v: Option<String>, what: &'static str| {
            given(v)
                .map(|x| {
                    gridline_model::RecordId::parse_str(x.trim()).map_err(|_| {
                        Error::from(gridline_model::Invalid::new(
                            what,
                            gridline_model::text!("\"{x}\" 不是有效编号", "not a valid id \"{x}\""),
                            gridline_model::text!("请从列表中打开", "open it from a list"),
                        ))
                    })
                })
                .transpose()
        };
        let filter = CaseFilter {
            stage: given(query.state)
                .map(|x| CaseStage::parse(&x))
                .transpose()?,
            household: id(query.household, "household")?,
            from_issue: id(query.from_issue, "issue")?,
            overdue_first: true,
            limit: Some(query.limit.map(|l| l as usize).unwrap_or(300)),
            ..Default::default()
        };
        let rows = d.cases(&filter, t)?;
        Ok(rows.into_iter().map(convert::case_row).collect())
    })
    .await
}

/// One case as the app shows it, with its households' labels.
pub(crate) fn case_detail(
    d: &Device,
    id: &str,
    t: Instant,
) -> gridline_device::Result<dto::CaseDetail> {
    let view = d.case(id, t)?;
    let households = view
        .case
        .households
        .iter()
        .map(|h| dto::CaseHousehold {
            id: h.to_string(),
            // Households outside this user's scope keep only their id.
            label: d.household(&h.to_string(), t).ok().map(|v| {
                let head = v.household.head_name();
                format!("{head} {}", v.household.address.line())
                    .trim()
                    .to_owned()
            }),
        })
        .collect();
    let may_edit_private = check(
        d.user(),
        Kind::MediationPrivate,
        Action::Edit,
        &Target::grid(view.case.grid.clone()),
    )
    .is_ok();
    Ok(convert::case(view, households, may_edit_private, t))
}

#[tauri::command]
pub async fn case(s: State<'_, AppState>, id: String) -> Res<dto::CaseDetail> {
    with(&s, |d| case_detail(d, &id, now())).await
}

fn new_parties(p: Vec<dto::NewParty>) -> Vec<NewParty> {
    p.into_iter()
        .map(|p| NewParty {
            name: p.name,
            id_number: given(p.id_number),
            phone: given(p.phone),
            address: p.address,
        })
        .collect()
}

fn new_case(c: dto::NewCase) -> NewCase {
    NewCase {
        grid: given(c.grid),
        households: c
            .households
            .into_iter()
            .filter(|h| !h.trim().is_empty())
            .collect(),
        case_type: given(c.case_type),
        scale: given(c.scale),
        people: c.people,
        warning: c.warning,
        source: given(c.source),
        kind: given(c.kind),
        summary: c.summary,
        parties: new_parties(c.parties),
        facts: c.facts,
    }
}

/// 上报纠纷: from households (or a grid), or from a visit. Under the
/// draft's id a second save is the same case.
#[tauri::command]
pub async fn report_case(s: State<'_, AppState>, case: dto::NewCase) -> Res<dto::Created> {
    let id = given(case.id.clone());
    let visit = given(case.from_visit.clone());
    let new = new_case(case);
    let c = with(&s, |d| match &visit {
        Some(v) => d.case_from_visit(v, &new, id.as_deref(), now()),
        None => d.report_dispute_with_id(&new, id.as_deref(), now()),
    })
    .await?;
    s.kick();
    Ok(created(c))
}

/// 转为调解: a case made from an issue, linked to it; an issue already
/// turned into a case answers with that case (`already_saved`).
#[tauri::command]
pub async fn case_from_issue(
    s: State<'_, AppState>,
    issue: String,
    case: dto::NewCase,
) -> Res<dto::Created> {
    let id = given(case.id.clone());
    let new = new_case(case);
    let c = with(&s, |d| {
        d.case_from_issue(&issue, &new, id.as_deref(), now())
    })
    .await?;
    s.kick();
    Ok(created(c))
}

#[tauri::command]
pub async fn act_on_case(
    s: State<'_, AppState>,
    id: String,
    action: dto::CaseAction,
) -> Res<dto::CaseDetail> {
    let step = dm::case_step(&dm::CaseAction {
        step: action.step,
        mediator: action.mediator,
        reason: action.reason,
        held_on: action.held_on,
        form: action.form,
        perform_by: action.perform_by,
        referral: action.referral,
        note: action.note,
        to: action.to,
        days: action.days,
        consent: action.consent,
        performance: action.performance,
        satisfaction: action.satisfaction,
        risk: action.risk,
        court: action.court,
        case_number: action.case_number,
        confirmed: action.confirmed,
    })?;
    let note = PrivateNote {
        participants: action.participants.unwrap_or_default(),
        notes: action.notes.unwrap_or_default(),
        terms: action.terms.unwrap_or_default(),
    };
    let r = with(&s, |d| {
        d.act_on_case(&id, step, &note, now())?;
        case_detail(d, &id, now())
    })
    .await?;
    s.kick();
    Ok(r)
}

/// Adds parties and sets the facts (the private part).
#[tauri::command]
pub async fn set_case_parties(
    s: State<'_, AppState>,
    id: String,
    parties: dto::CaseParties,
) -> Res<dto::CaseDetail> {
    let add = new_parties(parties.add);
    let r = with(&s, |d| {
        // The device replaces the parties with the list it is given: the
        // recorded ones (read here, in full) first, then the new ones.
        let list: Vec<NewParty> = if add.is_empty() {
            Vec::new()
        } else {
            let recorded = d.case(&id, now())?.private.map(|p| p.parties);
            recorded
                .unwrap_or_default()
                .into_iter()
                .map(|p| NewParty {
                    name: p.name,
                    id_number: p.id_number.map(|n| n.as_str().to_owned()),
                    phone: p.phone.map(|n| n.as_str().to_owned()),
                    address: p.address,
                })
                .chain(add)
                .collect()
        };
        d.set_case_parties(&id, &list, parties.facts.as_deref(), now())?;
        case_detail(d, &id, now())
    })
    .await?;
    s.kick();
    Ok(r)
}

/// The mediation figures (DESIGN §8) for the dashboard.
#[tauri::command]
pub async fn mediation_figures(s: State<'_, AppState>) -> Res<dto::MediationFigures> {
    with(&s, |d| {
        Ok(convert::mediation_figures(d.mediation_figures(now())?))
    })
    .await
}
