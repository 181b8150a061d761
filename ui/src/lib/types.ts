// Temporary hand-written mirror of src-tauri/src/dto.rs, used until the
// generated bindings in ./bindings/ exist. Keep field names identical.

export interface AppError { code: string; message: string }

export interface DeviceInfo {
  enrolled: boolean;
  device_id: string;
  user_id: string;
  user_name: string;
  role: string;
  scope: string;
  hub_url: string | null;
  dashboard: boolean;
  grids: Array<string>;
  language: string;
  data_dir: string;
  suggested_hub: string | null;
}

export interface SyncInfo {
  enrolled: boolean;
  hub_url: string | null;
  phase: string;
  syncing: boolean;
  received: number;
  total: number | null;
  unsent: number;
  conflicted: number;
  refused_copies: number;
  last_sync_at: string | null;
  last_error: string | null;
  last_error_code: string | null;
}

export interface HouseholdQuery {
  query: string | null;
  tag: string | null;
  not_visited_days: number | null;
  limit: number | null;
}

export interface HouseholdRow {
  id: string;
  grid: string;
  address: string;
  head_name: string;
  phone: string | null;
  resident_count: number;
  tags: Array<string>;
  last_visit: string | null;
  sync_state: string;
}

export interface Resident {
  id: string;
  name: string;
  relation: string;
  gender: string | null;
  birth_date: string | null;
  phone: string | null;
  tags: Array<string>;
  id_number_masked: string | null;
}

export interface Conflict { path: string; values: Array<string> }

export interface HouseholdDetail {
  id: string;
  grid: string;
  address: string;
  compound: string;
  building: string;
  unit: string;
  room: string;
  phone: string | null;
  notes: string;
  tags: Array<string>;
  sensitive_tags: Array<string> | null;
  residents: Array<Resident>;
  sync_state: string;
  conflicts: Array<Conflict>;
  visits: Array<Visit>;
  issues: Array<IssueRow>;
  wishes: Array<WishRow>;
  can_edit: boolean;
  can_reveal: boolean;
}

export interface HouseholdEdit {
  phone: string | null;
  notes: string | null;
  add_tags: Array<string>;
  remove_tags: Array<string>;
}

export interface Visit {
  id: string;
  household_id: string;
  grid: string;
  visitor: string;
  role: string;
  at: string;
  kind: string;
  address: string | null;
}

export interface NewVisit { household_id: string; kind: string | null; notes: string }

export interface IssueQuery {
  state: string | null;
  category: string | null;
  overdue: boolean;
  limit: number | null;
}

export interface IssueRow {
  id: string;
  grid: string;
  category: string;
  state: string | null;
  urgency: number;
  household_id: string | null;
  reporter: string;
  reported_at: string;
  deadline: string | null;
  departments: Array<string>;
  refused_events: number;
  summary: string;
  sync_state: string;
  overdue: boolean;
}

export interface NewIssue {
  category: string;
  description: string;
  location: string;
  urgency: number | null;
  household_id: string | null;
  grid: string | null;
}

export interface TimelineEvent {
  id: string;
  at: string;
  step: string;
  author_user: string;
  author_role: string;
  detail: string;
  refused: string | null;
}

export interface IssueDetail {
  id: string;
  grid: string;
  category: string;
  description: string;
  location: string;
  household_id: string | null;
  urgency: number;
  reporter: string;
  reported_at: string;
  state: string | null;
  grade: string | null;
  deadline: string | null;
  overdue: boolean;
  departments: Array<string>;
  feedback: Array<[string, string]>;
  satisfied: boolean | null;
  sync_state: string;
  offered: Array<string>;
  events: Array<TimelineEvent>;
}

export interface IssueAction {
  step: string;
  reason: string | null;
  into: string | null;
  note: string | null;
  departments: Array<string>;
  grade: string | null;
  feedback: string | null;
  satisfied: boolean | null;
  resident: string | null;
  comment: string | null;
}

export interface WishRow {
  id: string;
  grid: string;
  household_id: string | null;
  title: string;
  category: string;
  value_yuan: number;
  state: string | null;
  poster: string;
  claimant: string | null;
  pending_claims: number;
  posted_at: string;
  sync_state: string;
}

export interface WishDetail {
  id: string;
  grid: string;
  household_id: string | null;
  title: string;
  category: string;
  value_yuan: number;
  description: string;
  poster: string;
  posted_at: string;
  state: string | null;
  claimant: string | null;
  pending: Array<string>;
  my_claim_pending: boolean;
  sync_state: string;
  offered: Array<string>;
  events: Array<TimelineEvent>;
}

export interface NewWish {
  title: string;
  category: string;
  value_yuan: number;
  description: string;
  household_id: string | null;
  grid: string | null;
}

export interface WishAction {
  step: string;
  note: string | null;
  resident: string | null;
  reason: string | null;
}

export interface Today {
  overdue_issues: number;
  new_issues: number;
  households_not_visited: number;
  wishes_waiting: number;
  unsent: number;
}

export interface Count { key: string; n: number }

export interface Dashboard {
  issues_by_state: Array<Count>;
  issues_by_category: Array<Count>;
  issues_per_day: Array<Count>;
  overdue: number;
  median_hours_to_close: number | null;
  wishes_by_state: Array<Count>;
  households: number;
  households_visited: number;
}

export interface RefusedRecord {
  id: string;
  kind: string;
  reason: string;
  refused_at: string;
  summary: string;
}

export interface Vocabulary {
  issue_categories: Array<string>;
  wish_categories: Array<string>;
  tags: Array<string>;
  sensitive_tags: Array<string>;
}
