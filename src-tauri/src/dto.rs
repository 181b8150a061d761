//! What crosses the IPC boundary, as plain serde types. ts-rs writes each one
//! to `ui/src/lib/bindings/` (see `tests::bindings_are_current`), so the UI
//! and the shell cannot drift apart unnoticed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Every failed command answers with this: `code` to branch on, `message`
/// (Chinese, with the English in brackets) to show.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppError {
    /// invalid, refused, not_found, not_initialised, already_initialised,
    /// conflict, not_enrolled, offline, hub_refused, internal.
    pub code: String,
    /// Both languages, `中文 (English)`, for logs.
    pub message: String,
    /// What went wrong and what to do, in Chinese.
    pub zh: String,
    /// The same in English.
    pub en: String,
}

/// A message from the core in both languages; the UI shows one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl From<gridline_model::Text> for Msg {
    fn from(t: gridline_model::Text) -> Msg {
        Msg { zh: t.zh, en: t.en }
    }
}

impl From<&gridline_model::Text> for Msg {
    fn from(t: &gridline_model::Text) -> Msg {
        t.clone().into()
    }
}

/// Who a user id is, as the street's directory says: no phone, nothing
/// more than a label needs.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PersonName {
    /// As the admin enrolled them; never translated.
    pub name: String,
    /// The role's key (`grid-worker`, …); empty for one this build does not know.
    pub role: String,
    /// Every device of theirs is revoked; still named on their records.
    pub revoked: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeviceInfo {
    /// False until the device has exchanged an enrolment code with a hub.
    pub enrolled: bool,
    pub device_id: String,
    pub user_id: String,
    pub user_name: String,
    /// grid-worker, joint-leader, community-staff, street-staff, department-liaison, admin.
    pub role: String,
    pub scope: String,
    /// The scope as people say it: 第1网格, 社区001 (names from the hub,
    /// codes where it sent none). Show this, with `scope` second at most.
    pub scope_label: String,
    /// Grid and community names by code, from the hub at enrolment; a code
    /// missing here is shown as itself (`placeName` in ui/src/lib/places.ts).
    pub place_names: std::collections::BTreeMap<String, String>,
    /// The street's people by user id, from the directory the hub sends
    /// by sync (and this device's own user): what `personName` in
    /// ui/src/lib/people.ts shows for an author's id. An id missing here
    /// is shown as itself.
    pub people: std::collections::BTreeMap<String, PersonName>,
    pub hub_url: Option<String>,
    /// Community, street and admin users see the dashboard (数据看板).
    pub dashboard: bool,
    /// What this role may do, from the permission table: log_visit,
    /// report_issue, post_wish, report_case, read_cases, write_case_private,
    /// propose_topic, read_topics, accept_issues, merge_households.
    /// The UI offers only these buttons; the device and the hub enforce the
    /// rules regardless.
    pub may: Vec<String>,
    /// The grids this user works in, for new issues and wishes without a household.
    pub grids: Vec<String>,
    /// zh-CN or en.
    pub language: String,
    /// Where the device keeps its data, shown under 我的 → about.
    pub data_dir: String,
    /// A hub address the app was started with (GRIDLINE_HUB), to prefill enrolment.
    pub suggested_hub: Option<String>,
}

/// Whether the device's store is open, and what it takes to open it
/// (DESIGN §7). Read before anything else: a locked app shows only its lock
/// screen, and its other commands answer `locked`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LockState {
    /// `open`: the device is open (or there is none yet and nothing asks
    /// for a PIN); `locked`: its store is keyed by a PIN the user must type
    /// (`unlock`); `new_pin`: there is no key store here, so enrolment must
    /// first set a PIN (`enroll` with `pin`).
    pub state: String,
    /// keystore, pin or test: where the store's key is kept; none before a store exists.
    pub key_source: Option<String>,
    /// The same in words (我的: 数据已加密（…）).
    pub key_text: Option<Msg>,
    /// Only a PIN-keyed store can lock: a key-store device has nothing to unlock with.
    pub may_lock: bool,
    /// Minutes idle before the app locks; 0 is never. 0 while locked.
    pub idle_minutes: u32,
    /// What the idle lock offers (0, 5, 15, 30).
    pub idle_choices: Vec<u32>,
    /// The fewest characters a new PIN may have.
    pub pin_min: u32,
}

/// The sync panel and the offline banner; also the payload of the
/// `sync-state` event the background engine emits.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncInfo {
    pub enrolled: bool,
    pub hub_url: Option<String>,
    /// offline, syncing, up_to_date, error, idle (not yet tried).
    pub phase: String,
    pub syncing: bool,
    /// Documents received in this sync and, once the hub said, how many in all.
    pub received: u64,
    pub total: Option<u64>,
    /// While a long sync runs: the seconds left at its pace so far (none
    /// until a second page is in).
    pub seconds_left: Option<u64>,
    /// Records with changes the hub has not acknowledged.
    pub unsent: i64,
    pub conflicted: i64,
    pub refused_copies: u32,
    pub last_sync_at: Option<String>,
    pub last_error: Option<Msg>,
    pub last_error_code: Option<String>,
    /// This user's steps the last sync made void (another device's step came first).
    pub overruled: Vec<OverruledStep>,
}

/// One of this user's workflow steps a sync overruled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OverruledStep {
    /// The issue or wish.
    pub id: String,
    /// issue or wish.
    pub kind: String,
    /// The step's key (`accept`, `claim`, `withdraw-claim`, …).
    pub step: String,
    /// The step's own event id.
    pub event: String,
    pub why: Msg,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HouseholdQuery {
    /// Name, pinyin or pinyin initials (zs → 张三), or part of an address.
    pub query: Option<String>,
    pub tag: Option<String>,
    /// Only households not visited for this many days.
    pub not_visited_days: Option<u32>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HouseholdRow {
    pub id: String,
    pub grid: String,
    pub address: String,
    pub head_name: String,
    pub phone: Option<String>,
    pub resident_count: i64,
    pub tags: Vec<String>,
    pub last_visit: Option<String>,
    /// local, pending, synced, conflict.
    pub sync_state: String,
    /// The resident a search found this household through, when not the head.
    pub matched_name: Option<String>,
    /// Visits to it the hub has not acknowledged yet.
    pub unsent_visits: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Resident {
    pub id: String,
    pub name: String,
    /// head, spouse, child, parent, … (glossary key).
    pub relation: String,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub tags: Vec<String>,
    /// Like 5227**********123X; absent when there is none or the role may not see it.
    pub id_number_masked: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Conflict {
    /// The field, e.g. `phone` or `notes`.
    pub path: String,
    /// Every concurrent value; choosing one resolves the conflict.
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HouseholdDetail {
    pub id: String,
    pub grid: String,
    pub address: String,
    pub compound: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub phone: Option<String>,
    pub notes: String,
    pub tags: Vec<String>,
    /// Present only where the role may see the private part.
    pub sensitive_tags: Option<Vec<String>>,
    pub residents: Vec<Resident>,
    pub sync_state: String,
    pub conflicts: Vec<Conflict>,
    pub visits: Vec<Visit>,
    pub issues: Vec<IssueRow>,
    pub wishes: Vec<WishRow>,
    pub can_edit: bool,
    pub can_reveal: bool,
    /// Set when this household was merged into another (已合并到 …).
    pub merged_into: Option<MergeNote>,
    /// Households merged into this one, with the residents they bring that
    /// this one does not list; their visits, issues and wishes are above.
    pub merged_here: Vec<MergedFrom>,
}

/// Where a merged household went, who merged it, when and why.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MergeNote {
    /// The final survivor (after chains), to link to.
    pub survivor: String,
    pub survivor_address: Option<String>,
    pub by_user: String,
    pub at: String,
    pub reason: String,
}

/// A household merged into the one shown.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MergedFrom {
    pub id: String,
    pub address: String,
    pub residents: Vec<Resident>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HouseholdEdit {
    /// An empty string clears the phone; absent leaves it.
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Visit {
    pub id: String,
    pub household_id: String,
    pub grid: String,
    pub visitor: String,
    pub role: String,
    pub at: String,
    pub kind: String,
    pub address: Option<String>,
    /// The household's head of household, when the device holds the household.
    pub head_name: Option<String>,
    /// What the visitor wrote (empty when nothing).
    pub notes: String,
    /// local, pending, synced, conflict.
    pub sync_state: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewVisit {
    /// The id the draft minted when it started (a UUID v7), so saving the
    /// same draft twice is one visit; absent, the device mints one.
    pub id: Option<String>,
    pub household_id: String,
    /// routine (走访), home-service-day (上门服务日), follow-up (回访); defaults to routine.
    pub kind: Option<String>,
    pub notes: String,
    /// Photos taken for this step (`take_photo`), with their captions;
    /// absent or empty, none.
    #[serde(default)]
    #[ts(optional, as = "Option<Vec<PhotoAttach>>")]
    pub photos: Vec<PhotoAttach>,
    /// Where it was seen (WGS-84); absent, no position.
    #[serde(default)]
    #[ts(optional)]
    pub position: Option<Position>,
}

/// A WGS-84 position with its accuracy and source (DESIGN §9).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
    /// Metres, when known.
    pub accuracy_m: Option<f64>,
    /// gps, map or household.
    pub source: String,
    /// A link that opens Amap there (GCJ-02, made only for the link); set on the way out.
    #[serde(default)]
    pub map_url: Option<String>,
}

/// An issue's position for the dashboard's plot.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IssuePoint {
    pub id: String,
    pub lat: f64,
    pub lon: f64,
    pub state: Option<String>,
    pub category: String,
    pub reported_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IssueQuery {
    pub state: Option<String>,
    pub category: Option<String>,
    pub overdue: bool,
    /// yellow or red: only dispatched issues at that warning now (Today's
    /// 黄色预警 and 红色预警 open the list this way).
    #[serde(default)]
    #[ts(optional)]
    pub warning: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IssueRow {
    pub id: String,
    pub grid: String,
    pub category: String,
    /// reported, accepted, rejected, merged, resolved, escalated, dispatched,
    /// handled, closed; absent when the report itself was refused.
    pub state: Option<String>,
    pub urgency: i64,
    pub household_id: Option<String>,
    pub reporter: String,
    pub reported_at: String,
    pub deadline: Option<String>,
    pub departments: Vec<String>,
    pub refused_events: i64,
    pub summary: String,
    pub sync_state: String,
    pub overdue: bool,
    /// The linked household's address and head, when the device holds it.
    pub address: Option<String>,
    pub head_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewIssue {
    /// The draft's own id (UUID v7): a second save of it is the same issue.
    pub id: Option<String>,
    pub category: String,
    pub description: String,
    pub location: String,
    /// 1 low, 2 normal (default), 3 high.
    pub urgency: Option<u8>,
    pub household_id: Option<String>,
    /// Required when no household is given.
    pub grid: Option<String>,
    /// Photos taken for this step (`take_photo`), with their captions;
    /// absent or empty, none.
    #[serde(default)]
    #[ts(optional, as = "Option<Vec<PhotoAttach>>")]
    pub photos: Vec<PhotoAttach>,
    /// Where it was seen (WGS-84); absent, no position.
    #[serde(default)]
    #[ts(optional)]
    pub position: Option<Position>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimelineEvent {
    pub id: String,
    pub at: String,
    /// The step's key (report, accept, claim, grant, …).
    pub step: String,
    pub author_user: String,
    pub author_role: String,
    pub detail: String,
    /// Why the workflow refused this event; absent when it applied.
    pub refused: Option<Msg>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IssueDetail {
    pub id: String,
    pub grid: String,
    pub category: String,
    pub description: String,
    pub location: String,
    pub household_id: Option<String>,
    pub urgency: u8,
    pub reporter: String,
    pub reported_at: String,
    pub state: Option<String>,
    pub grade: Option<String>,
    pub deadline: Option<String>,
    pub overdue: bool,
    pub departments: Vec<String>,
    pub feedback: Vec<(String, String)>,
    pub satisfied: Option<bool>,
    pub sync_state: String,
    /// The steps this user may take now; the UI offers only these.
    pub offered: Vec<String>,
    pub events: Vec<TimelineEvent>,
    /// The linked household's address and head, when the device holds it.
    pub household_address: Option<String>,
    pub head_name: Option<String>,
    /// Where it was seen, when the report gave a position.
    pub position: Option<Position>,
    /// none, yellow, red or overdue, as the device folds it under the
    /// street's table and calendar (the UI shows it, never computes it).
    pub warning: String,
    /// Under deferral (缓办): no limit runs until it is handled.
    pub deferred: bool,
    /// The unit the running limit counts in (working-hours, working-days,
    /// calendar-hours) and the largest extension that unit allows.
    pub limit_unit: Option<String>,
    pub extension_max: Option<u32>,
    /// The open extension request (申请延期): who asked and how much.
    pub extension_department: Option<String>,
    pub extension_amount: Option<u32>,
    /// Send-backs after a failed verification (核查不通过), over its life.
    pub sent_back: u32,
    /// While it may still be merged as a duplicate: open issues of the same
    /// household and category reported within 7 days, newest first.
    pub likely_duplicates: Vec<IssueRow>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IssueAction {
    /// accept, reject, merge, resolve, escalate, dispatch, handle, close,
    /// evaluate, request-extension, decide-extension, defer, send-back.
    pub step: String,
    pub reason: Option<String>,
    pub into: Option<String>,
    pub note: Option<String>,
    pub departments: Vec<String>,
    /// urgent, normal, minor.
    pub grade: Option<String>,
    pub feedback: Option<String>,
    pub satisfied: Option<bool>,
    pub resident: Option<String>,
    pub comment: Option<String>,
    /// request-extension: how much more, in the unit of the issue's limit.
    #[serde(default)]
    #[ts(optional)]
    pub amount: Option<u32>,
    /// decide-extension: approved (true) or refused (false).
    #[serde(default)]
    #[ts(optional)]
    pub approve: Option<bool>,
    /// Photos taken for this step (`take_photo`), with their captions;
    /// absent or empty, none.
    #[serde(default)]
    #[ts(optional, as = "Option<Vec<PhotoAttach>>")]
    pub photos: Vec<PhotoAttach>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WishRow {
    pub id: String,
    pub grid: String,
    pub household_id: Option<String>,
    pub title: String,
    pub category: String,
    pub value_yuan: i64,
    /// posted, claimed, fulfilled, confirmed, withdrawn.
    pub state: Option<String>,
    pub poster: String,
    pub claimant: Option<String>,
    /// Claim requests the hub has not yet granted or refused.
    pub pending_claims: i64,
    pub posted_at: String,
    pub sync_state: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WishDetail {
    pub id: String,
    pub grid: String,
    pub household_id: Option<String>,
    pub title: String,
    pub category: String,
    pub value_yuan: u32,
    pub description: String,
    pub poster: String,
    pub posted_at: String,
    pub state: Option<String>,
    pub claimant: Option<String>,
    /// Users whose claim requests wait for the hub.
    pub pending: Vec<String>,
    /// Whether this user's own claim waits for the hub (待确认).
    pub my_claim_pending: bool,
    pub sync_state: String,
    /// claim, withdraw-claim, fulfil, confirm, withdraw (`WishStep::key`).
    pub offered: Vec<String>,
    pub events: Vec<TimelineEvent>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewWish {
    /// The draft's own id (UUID v7): a second save of it is the same wish.
    pub id: Option<String>,
    pub title: String,
    pub category: String,
    pub value_yuan: u32,
    pub description: String,
    pub household_id: Option<String>,
    pub grid: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WishAction {
    /// claim, withdraw-claim, fulfil, confirm, withdraw (`WishStep::key`).
    pub step: String,
    pub note: Option<String>,
    pub resident: Option<String>,
    pub reason: Option<String>,
    /// Photos taken for this step (`take_photo`), with their captions;
    /// absent or empty, none.
    #[serde(default)]
    #[ts(optional, as = "Option<Vec<PhotoAttach>>")]
    pub photos: Vec<PhotoAttach>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Today {
    pub overdue_issues: i64,
    /// Dispatched issues past the yellow and the red share of their time
    /// limit, not yet overdue, as the device folds them (never the UI).
    pub yellow_issues: i64,
    pub red_issues: i64,
    pub new_issues: i64,
    pub households_not_visited: i64,
    pub wishes_waiting: i64,
    pub unsent: i64,
    /// The mediation cases that need this user, most urgent first: for
    /// staff those waiting to be accepted, past their deadline or with a
    /// performance due; for a grid worker the follow-up visits due. Empty
    /// for other roles.
    pub cases_needing_me: Vec<CaseNeedingMe>,
}

/// A case on Today, shown as the cases list shows it, with why it needs the user.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseNeedingMe {
    pub case: CaseRow,
    pub why: Msg,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Count {
    pub key: String,
    pub n: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Dashboard {
    pub issues_by_state: Vec<Count>,
    pub issues_by_category: Vec<Count>,
    /// Reports per day over the last 14 days, oldest first (key = YYYY-MM-DD).
    pub issues_per_day: Vec<Count>,
    pub overdue: i64,
    pub median_hours_to_close: Option<f64>,
    pub wishes_by_state: Vec<Count>,
    pub households: i64,
    /// Households visited in the last 30 days.
    pub households_visited: i64,
    /// Reveals of ID numbers in full per person per month in this office's
    /// communities, as the hub last sent them: by community, name and
    /// month (a count, never a ranking). Empty for other roles.
    pub reveals: Vec<RevealCount>,
}

/// How many times one person showed ID numbers in full in one community in
/// one month (Beijing time).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RevealCount {
    pub community: String,
    pub user_id: String,
    pub user_name: String,
    /// YYYY-MM.
    pub month: String,
    pub n: u32,
}

/// Two households that are likely one (疑似重复), and why. An ID number
/// match says only that: the number itself never leaves the device's store.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DuplicatePairView {
    pub a: DuplicateSideView,
    pub b: DuplicateSideView,
    /// same-id-number, same-address, same-head.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DuplicateSideView {
    pub id: String,
    pub grid: String,
    pub address: String,
    pub head_name: String,
}

/// Two residents who are likely one person (疑似重复人员), each with the
/// household they are listed in. An ID-number match says only that.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DuplicateResidentView {
    pub a: ResidentSideView,
    pub b: ResidentSideView,
    /// same-person, same-id-number.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ResidentSideView {
    pub id: String,
    pub name: String,
    pub household: DuplicateSideView,
}

/// A roster file read for import: the preview, or what the import did.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportPreview {
    /// xlsx, xls, ods, csv; null when the file is no roster in any format.
    pub format: Option<String>,
    /// The workbook's sheets (empty for CSV) and the one read.
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    pub to_create: u32,
    pub matched: u32,
    /// The first rows to create, to recognise the file by.
    pub first: Vec<ImportRowView>,
    /// Every bad row by line and column; when any, nothing is imported.
    pub errors: Vec<ImportProblem>,
    /// The households were saved.
    pub saved: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportRowView {
    pub line: u32,
    pub grid: String,
    pub address: String,
    pub head_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportProblem {
    pub line: u32,
    /// The column's header as the file names it; empty for the file as a whole.
    pub column: String,
    pub message: Msg,
}

/// Rows done of rows in all, while an import builds its households.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
}

/// A spreadsheet the app wrote: where, and how many rows its first sheet has.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Exported {
    pub path: String,
    pub rows: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RefusedRecord {
    pub id: String,
    /// household, household_private, visit, issue, wish.
    pub kind: String,
    pub reason: Msg,
    pub refused_at: String,
    /// A line to recognise the record by (address, title, description).
    pub summary: String,
}

/// What a create command answers: the record's id, and whether a record
/// with that id was already saved (the same draft saved twice), in which
/// case nothing new was written.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Created {
    pub id: String,
    pub already_saved: bool,
}

/// The words forms choose from, in their stored (Chinese) form; the UI
/// translates them for display. With them, the bounds and required fields
/// the model checks, so forms check the same and keep no copies.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Vocabulary {
    pub issue_categories: Vec<String>,
    pub wish_categories: Vec<String>,
    /// Ordinary household tags.
    pub tags: Vec<String>,
    /// Sensitive tags: only roles that may read the private part see or set them.
    pub sensitive_tags: Vec<String>,
    pub limits: Limits,
    /// The fields of each issue step, by the step's key (accept, reject, …).
    pub issue_steps: Vec<StepFields>,
    /// The fields of each wish step, by the key act_on_wish takes (claim,
    /// withdraw-claim, fulfil, confirm, withdraw).
    pub wish_steps: Vec<StepFields>,
    /// The fields of each mediation case step, by the key act_on_case takes.
    pub mediation_steps: Vec<StepFields>,
    /// The words of a mediation case, as keys in the model's order; the UI
    /// translates them.
    pub mediation: MediationWords,
    /// The fields of each deliberation topic step, by the key act_on_topic takes.
    pub deliberation_steps: Vec<StepFields>,
    /// The words of a deliberation topic, as keys in the model's order.
    pub deliberation: DeliberationWords,
}

/// The closed lists a deliberation topic chooses from
/// (`gridline_model::deliberation`), as keys, with its rules' numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeliberationWords {
    pub proposers: Vec<String>,
    /// The bodies a meeting's attendance is counted by.
    pub member_types: Vec<String>,
    /// ordinary (议事会), tripartite (三方共议).
    pub meeting_types: Vec<String>,
    /// Every state a topic can be in, in workflow order.
    pub states: Vec<String>,
    /// The longest title, in characters.
    pub title_max: u32,
    /// How long before a meeting its notice must be up.
    pub min_notice_hours: u32,
}

/// The closed lists a mediation case chooses from (`gridline_model::mediation`), as keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MediationWords {
    pub case_types: Vec<String>,
    pub scales: Vec<String>,
    pub sources: Vec<String>,
    pub kinds: Vec<String>,
    pub agreement_forms: Vec<String>,
    pub referrals: Vec<String>,
    pub performances: Vec<String>,
    pub satisfactions: Vec<String>,
    /// Every state a case can be in, in workflow order.
    pub states: Vec<String>,
}

/// The model's bounds (`gridline_model::LIMITS`). Lengths count Unicode
/// characters (scalar values), as the model does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Limits {
    /// Notes, descriptions, locations, step texts.
    pub text_max: u32,
    /// A resident's name.
    pub name_max: u32,
    /// A wish title is 1 to this many characters.
    pub wish_title_max: u32,
    /// A wish's estimated value in whole yuan, inclusive.
    pub wish_value_min: u32,
    pub wish_value_max: u32,
    /// An issue's urgency, inclusive.
    pub urgency_min: u8,
    pub urgency_max: u8,
    /// A mediation case's warning level, inclusive (1 may lead to a mass incident).
    pub warning_min: u8,
    pub warning_max: u8,
    /// The most people a case may name as involved.
    pub people_max: u32,
    /// The longest extension one step may grant, in days.
    pub extension_days_max: u32,
    /// Why ID numbers are shown in full: at most this many characters.
    pub reveal_reason_max: u32,
    /// Photos one step may add.
    pub photos_per_step_max: u32,
    /// A photo's caption, in characters.
    pub caption_max: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StepFields {
    pub step: String,
    /// In the order a form shows them.
    pub fields: Vec<StepField>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StepField {
    /// As IssueAction, WishAction and CaseAction name it: reason, note, resident, …
    pub name: String,
    /// The device refuses the step without it.
    pub required: bool,
}

// ---- mediation cases (矛盾纠纷调解) ----------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseQuery {
    /// registered, accepted, declined, mediating, agreed, failed, performing,
    /// followed-up, closed (`CaseStage::key`); absent or empty for all.
    pub state: Option<String>,
    pub household: Option<String>,
    /// The case made from this issue ("转为调解"), if any.
    pub from_issue: Option<String>,
    pub limit: Option<u32>,
}

/// A case as lists show it; lists come overdue first, then newest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseRow {
    pub id: String,
    pub grid: String,
    /// neighbour, family, property, labour, land-housing, damages, other.
    pub case_type: String,
    /// Absent when the registration itself was refused.
    pub state: Option<String>,
    /// 1 (may lead to a mass incident) to 3.
    pub warning: u8,
    /// people, administrative, judicial.
    pub kind: String,
    pub reporter: String,
    pub registered_at: String,
    /// By when it must be concluded (once accepted).
    pub deadline: Option<String>,
    pub overdue: bool,
    pub households: Vec<String>,
    pub from_issue: Option<String>,
    pub refused_events: u32,
    pub summary: String,
    pub sync_state: String,
}

/// A household a case names, with a line to recognise it by where this
/// device holds it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseHousehold {
    pub id: String,
    /// Head of household and address; absent when not readable here.
    pub label: Option<String>,
}

/// What the follow-up visit (回访) found.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseFollowUp {
    pub at: String,
    /// fully, partly, not.
    pub performance: String,
    /// satisfied, basic, unsatisfied.
    pub satisfaction: String,
    pub risk: String,
}

/// Judicial confirmation (司法确认), as far as it has gone.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseConfirmation {
    /// applied, accepted, confirmed, refused.
    pub state: String,
    pub at: String,
    /// The court applied to (known from the application).
    pub court: Option<String>,
    /// The 调确字 case number, once the court accepted.
    pub case_number: Option<String>,
}

/// A party to the dispute (private part). The ID number is always masked.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseParty {
    pub name: String,
    /// Like 5227**********123X.
    pub id_number_masked: Option<String>,
    pub phone: Option<String>,
    pub address: String,
}

/// The record of one session (private part).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseSession {
    /// The public session step it belongs to.
    pub event: String,
    pub held_on: String,
    pub participants: String,
    pub notes: String,
}

/// The private part of a case: only for roles that may read it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CasePrivate {
    pub parties: Vec<CaseParty>,
    /// The facts and the disputed points.
    pub facts: String,
    pub sessions: Vec<CaseSession>,
    /// The agreement's terms.
    pub agreement: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseDetail {
    pub id: String,
    pub grid: String,
    pub households: Vec<CaseHousehold>,
    pub case_type: String,
    /// individual, multi-party, group.
    pub scale: String,
    pub people: u32,
    pub warning: u8,
    /// grid-report, application, walk-in, police, court, government.
    pub source: String,
    pub from_issue: Option<String>,
    pub from_visit: Option<String>,
    /// The mediation it is under now (transfers change it).
    pub kind: String,
    pub summary: String,
    pub reporter: String,
    pub registered_at: String,
    pub state: Option<String>,
    pub mediator: Option<String>,
    pub accepted_at: Option<String>,
    /// Conclude by: acceptance plus the time limit and every extension.
    pub deadline: Option<String>,
    pub overdue: bool,
    pub extensions: u32,
    pub sessions: u32,
    pub concluded_at: Option<String>,
    pub agreed_at: Option<String>,
    /// written, oral.
    pub form: Option<String>,
    /// By when the parties perform the agreement.
    pub perform_by: Option<String>,
    /// The performance deadline passed and nobody has followed up yet.
    pub follow_up_due: bool,
    /// litigation, arbitration, agency (a failed mediation).
    pub referral: Option<String>,
    pub follow_up: Option<CaseFollowUp>,
    pub confirmation: Option<CaseConfirmation>,
    /// The last day to apply for judicial confirmation, while nobody has.
    pub apply_by: Option<String>,
    /// When the court should accept (3 days) or rule (15 days) by.
    pub court_due: Option<String>,
    pub closed_at: Option<String>,
    pub sync_state: String,
    /// Step keys the rules accept from this user now; the UI offers only these.
    pub offered: Vec<String>,
    /// Oldest first; a refused step keeps its reason.
    pub events: Vec<TimelineEvent>,
    /// Absent for a role that may not read it (a joint-household leader).
    pub private: Option<CasePrivate>,
    /// This user may write the private part (parties, facts, session
    /// records, terms): community and street staff.
    pub may_edit_private: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewParty {
    pub name: String,
    /// Checked (format and check digit) by the device.
    pub id_number: Option<String>,
    /// A mobile number.
    pub phone: Option<String>,
    pub address: String,
}

/// A dispute as reported (上报纠纷).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewCase {
    /// The draft's own id (UUID v7): a second save of it is the same case.
    pub id: Option<String>,
    /// Report from this visit: its household, and its notes unless a summary is given.
    pub from_visit: Option<String>,
    pub households: Vec<String>,
    /// Required when no household or visit is given.
    pub grid: Option<String>,
    /// A case type key; neighbour by default.
    pub case_type: Option<String>,
    pub scale: Option<String>,
    /// 2 by default.
    pub people: Option<u32>,
    /// 1 to 3; 3 by default.
    pub warning: Option<u8>,
    pub source: Option<String>,
    pub kind: Option<String>,
    /// Required unless the case comes from a visit or an issue.
    pub summary: String,
    /// Private: only roles that write the private part may send these.
    pub parties: Vec<NewParty>,
    pub facts: String,
}

/// A case step as a form sends it: the step key and the fields that step
/// uses (the vocabulary's `mediation_steps`), plus what goes into the
/// private part in the same save: a session's participants and notes, an
/// agreement's terms.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseAction {
    /// accept, decline, session, agree, fail, transfer, extend, perform,
    /// follow-up, apply-confirmation, court-accept, court-rule, close.
    pub step: String,
    pub mediator: Option<String>,
    pub reason: Option<String>,
    /// RFC 3339 (or a Beijing-time `YYYY-MM-DD HH:MM`).
    pub held_on: Option<String>,
    pub form: Option<String>,
    /// RFC 3339, or a date meaning the end of that day.
    pub perform_by: Option<String>,
    pub referral: Option<String>,
    pub note: Option<String>,
    pub to: Option<String>,
    pub days: Option<u32>,
    pub consent: Option<bool>,
    pub performance: Option<String>,
    pub satisfaction: Option<String>,
    pub risk: Option<String>,
    pub court: Option<String>,
    pub case_number: Option<String>,
    pub confirmed: Option<bool>,
    /// Private: who took part in a session.
    pub participants: Option<String>,
    /// Private: what was said at a session.
    pub notes: Option<String>,
    /// Private: an agreement's terms.
    pub terms: Option<String>,
}

/// Parties to add to a case, and its facts (its private part). ID numbers
/// already recorded never come back to the UI unmasked, so a form adds
/// parties beside the recorded ones instead of sending the list again.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseParties {
    pub add: Vec<NewParty>,
    /// Absent leaves the facts as they are.
    pub facts: Option<String>,
}

/// A rate of DESIGN §8 as a count over a count, both kept so it can be recounted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Rate {
    pub n: u32,
    pub of: u32,
    /// n ÷ of; absent when `of` is 0.
    pub rate: Option<f64>,
}

/// The mediation figures for the dashboard (community and street staff).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MediationFigures {
    pub cases: u32,
    pub overdue: u32,
    /// Agreements ÷ cases concluded.
    pub success: Rate,
    /// Judicially confirmed ÷ agreements.
    pub confirmation: Rate,
    /// Fully performed ÷ agreements followed up.
    pub performance: Rate,
    /// Concluded by the deadline ÷ concluded.
    pub on_time: Rate,
    pub by_type: Vec<Count>,
    pub by_state: Vec<Count>,
    /// key = "1", "2", "3".
    pub by_warning: Vec<Count>,
}

// ---- deliberation topics (居民议事) -----------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TopicQuery {
    /// proposed, accepted, declined, met, resolved, implementing, fed-back,
    /// closed (`TopicStage::key`); absent or empty for all.
    pub state: Option<String>,
    pub limit: Option<u32>,
}

/// A topic as lists show it; lists come with an overdue task first, then newest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TopicRow {
    pub id: String,
    pub grid: String,
    pub title: String,
    /// resident, party-branch, owners-committee, property-company.
    pub proposer: String,
    pub proposer_name: String,
    /// Absent when the proposal itself was refused.
    pub state: Option<String>,
    pub proposed_at: String,
    pub resolved_at: Option<String>,
    pub tasks: u32,
    pub open_tasks: u32,
    pub overdue_tasks: u32,
    pub refused_events: u32,
    pub sync_state: String,
}

/// One member type at a meeting.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TopicAttendance {
    /// party-organisation, residents-committee, resident-representatives,
    /// owners-committee, property-company.
    pub member: String,
    pub expected: u32,
    pub present: u32,
}

/// The last meeting held on a topic, with its totals and quorum.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TopicMeeting {
    pub held_on: String,
    pub place: String,
    pub notice_posted: String,
    /// ordinary, tripartite.
    pub meeting_type: String,
    pub attendance: Vec<TopicAttendance>,
    pub expected: u32,
    pub present: u32,
    /// Two thirds of those expected, rounded up.
    pub quorum: u32,
}

/// The last vote on a resolution, adopted or not.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TopicResolution {
    pub text: String,
    pub votes_for: u32,
    pub against: u32,
    pub abstain: u32,
    pub posted_on: String,
    /// More than half of those present voted for it.
    pub adopted: bool,
}

/// An implementation task (落实任务).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TopicTask {
    pub id: String,
    pub owner: String,
    pub what: String,
    pub due: String,
    pub done_at: Option<String>,
    pub note: Option<String>,
    /// Not done and past its due date.
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TopicDetail {
    pub id: String,
    pub grid: String,
    pub household: Option<String>,
    pub title: String,
    pub description: String,
    pub proposer: String,
    pub proposer_name: String,
    pub submitted_by: String,
    pub proposed_at: String,
    pub state: Option<String>,
    pub accepted_at: Option<String>,
    pub decline_reason: Option<String>,
    pub meeting: Option<TopicMeeting>,
    pub meetings: u32,
    pub resolution: Option<TopicResolution>,
    pub votes_failed: u32,
    pub resolved_at: Option<String>,
    pub tasks: Vec<TopicTask>,
    pub overdue_tasks: u32,
    pub feedback: Option<String>,
    pub fed_back_at: Option<String>,
    pub closed_at: Option<String>,
    pub sync_state: String,
    /// Step keys the rules accept from this user now; the UI offers only these.
    pub offered: Vec<String>,
    /// Oldest first; a refused step keeps its reason.
    pub events: Vec<TimelineEvent>,
}

/// A topic as proposed (提出议题).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewTopic {
    /// The draft's own id (UUID v7): a second save of it is the same topic.
    pub id: Option<String>,
    /// The proposing resident's household (a leader must name one).
    pub household: Option<String>,
    /// Required when no household is given and the scope is not one grid.
    pub grid: Option<String>,
    pub title: String,
    pub description: String,
    /// A proposer key; resident by default.
    pub proposer: Option<String>,
    pub proposer_name: String,
}

/// One member type's attendance as the meeting form sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttendanceInput {
    pub member: String,
    pub expected: u32,
    pub present: u32,
}

/// A topic step as a form sends it: the step key and the fields that step
/// uses (the vocabulary's `deliberation_steps`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TopicAction {
    /// accept, decline, meeting, resolve, task, task-done, feedback, close.
    pub step: String,
    pub reason: Option<String>,
    /// RFC 3339 (or a Beijing-time `YYYY-MM-DD HH:MM`).
    pub held_on: Option<String>,
    pub place: Option<String>,
    pub notice_posted: Option<String>,
    pub meeting_type: Option<String>,
    /// Only a meeting sends it; other steps may leave it out.
    #[serde(default)]
    pub attendance: Vec<AttendanceInput>,
    pub text: Option<String>,
    pub votes_for: Option<u32>,
    pub against: Option<u32>,
    pub abstain: Option<u32>,
    /// Absent means now.
    pub posted_on: Option<String>,
    pub owner: Option<String>,
    /// RFC 3339, or a date meaning the end of that day.
    pub due: Option<String>,
    pub what: Option<String>,
    /// The task a task-done step names.
    pub task: Option<String>,
    pub note: Option<String>,
}

/// The deliberation figures for the dashboard (community and street staff):
/// counts of topics, never of people.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeliberationFigures {
    pub raised: u32,
    pub accepted: u32,
    pub resolved: u32,
    /// Topics whose every task was done by its due date.
    pub implemented_on_time: u32,
    /// Median days from proposal to adopted resolution; absent with none resolved.
    pub median_days_to_resolution: Option<f64>,
    pub overdue_tasks: u32,
}

/// A photo a form attaches to the record or step it saves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhotoAttach {
    /// The hash `take_photo` answered.
    pub hash: String,
    #[serde(default)]
    pub caption: String,
}

/// A photo just taken: re-encoded and durable on the device, not yet on any
/// record. The form keeps `hash` (and shows `thumb` with `photo_thumb`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TakenPhoto {
    pub hash: String,
    pub size: u32,
    pub thumb: String,
    pub width: u32,
    pub height: u32,
    pub taken_at: String,
}

/// A photo on a record, with where it stands.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhotoItem {
    pub record: String,
    pub hash: String,
    pub thumb: String,
    pub size: u32,
    pub taken_at: String,
    pub caption: String,
    /// report, handling, verification, fulfilment, agreement.
    pub step: String,
    /// The user who took it.
    pub by: String,
    /// waiting, uploading, uploaded, failed, downloaded, remote.
    pub state: String,
    /// The state in words (等待上传 / 上传中 40% / 上传失败：…).
    pub state_text: Msg,
    /// The thumbnail is on this device.
    pub thumb_here: bool,
    /// The full photo is on this device.
    pub full_here: bool,
}

/// The photo queue, for the Me tab: this device's photos the hub does not
/// hold yet, and what others' photos take here.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhotoQueue {
    pub waiting: u32,
    pub waiting_bytes: u32,
    /// Refused for good; each says why on its record.
    pub failed: u32,
    pub uploaded: u32,
    /// Others' full photos kept here.
    pub downloaded: u32,
    pub downloaded_bytes: u32,
}
