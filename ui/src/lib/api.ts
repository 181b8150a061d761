// The one module that talks to the Rust shell. Every command is a thin typed
// wrapper over `invoke`, with argument keys exactly as the commands declare.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  TopicAction, TopicDetail, TopicQuery, TopicRow, NewTopic, DeliberationFigures,
  CaseAction, CaseDetail, CaseParties, CaseQuery, CaseRow, Created, Dashboard, MediationFigures, NewCase, DeviceInfo, HouseholdDetail, HouseholdEdit, HouseholdQuery, HouseholdRow,
  IssueAction, IssueDetail, IssueQuery, IssueRow, NewIssue, NewVisit, NewWish,
  IssuePoint, Position,
  DuplicatePairView, DuplicateResidentView, Exported, ImportPreview, ImportProgress, LockState, PhotoItem, PhotoQueue, RefusedRecord, TakenPhoto, SyncInfo, Today, Visit, Vocabulary, WishAction, WishDetail, WishRow,
} from './types';

export const api = {
  deviceInfo: () => invoke<DeviceInfo>('device_info'),
  /** `pin`: the PIN the set-PIN step set, where there is no key store (after `pin_new`). */
  enroll: (hub: string, code: string, pin: string | null = null) => invoke<DeviceInfo>('enroll', { hub, code, pin }),
  lockState: () => invoke<LockState>('lock_state'),
  unlock: (pin: string) => invoke<DeviceInfo>('unlock', { pin }),
  lock: () => invoke<LockState>('lock'),
  setIdleLock: (minutes: number) => invoke<LockState>('set_idle_lock', { minutes }),
  vocabulary: () => invoke<Vocabulary>('vocabulary'),
  syncInfo: () => invoke<SyncInfo>('sync_info'),
  syncNow: () => invoke<SyncInfo>('sync_now'),
  today: () => invoke<Today>('today'),
  households: (query: HouseholdQuery) => invoke<HouseholdRow[]>('households', { query }),
  household: (id: string) => invoke<HouseholdDetail>('household', { id }),
  /** Recorded on the device (and sent to the hub) before the number comes back. */
  revealIdNumber: (household: string, resident: string, reason: string | null = null) =>
    invoke<string>('reveal_id_number', { household, resident, reason }),
  editHousehold: (id: string, edit: HouseholdEdit) =>
    invoke<HouseholdDetail>('edit_household', { id, edit }),
  mergeHouseholds: (merged: string, survivor: string, reason: string) =>
    invoke<HouseholdDetail>('merge_households', { merged, survivor, reason }),
  unmergeHousehold: (id: string, reason: string) =>
    invoke<HouseholdDetail>('unmerge_household', { id, reason }),
  resolveConflict: (id: string, path: string, value: string) =>
    invoke<HouseholdDetail>('resolve_conflict', { id, path, value }),
  logVisit: (visit: NewVisit) => invoke<Created>('log_visit', { visit }),
  visits: (household: string | null) => invoke<Visit[]>('visits', { household }),
  issues: (query: IssueQuery) => invoke<IssueRow[]>('issues', { query }),
  issue: (id: string) => invoke<IssueDetail>('issue', { id }),
  reportIssue: (issue: NewIssue) => invoke<Created>('report_issue', { issue }),
  actOnIssue: (id: string, action: IssueAction) =>
    invoke<IssueDetail>('act_on_issue', { id, action }),
  wishes: (state: string | null) => invoke<WishRow[]>('wishes', { state }),
  wish: (id: string) => invoke<WishDetail>('wish', { id }),
  postWish: (wish: NewWish) => invoke<Created>('post_wish', { wish }),
  actOnWish: (id: string, action: WishAction) => invoke<WishDetail>('act_on_wish', { id, action }),
  cases: (query: CaseQuery) => invoke<CaseRow[]>('cases', { query }),
  case: (id: string) => invoke<CaseDetail>('case', { id }),
  reportCase: (c: NewCase) => invoke<Created>('report_case', { case: c }),
  caseFromIssue: (issue: string, c: NewCase) => invoke<Created>('case_from_issue', { issue, case: c }),
  actOnCase: (id: string, action: CaseAction) => invoke<CaseDetail>('act_on_case', { id, action }),
  setCaseParties: (id: string, parties: CaseParties) => invoke<CaseDetail>('set_case_parties', { id, parties }),
  mediationFigures: () => invoke<MediationFigures>('mediation_figures'),
  topics: (query: TopicQuery) => invoke<TopicRow[]>('topics', { query }),
  topic: (id: string) => invoke<TopicDetail>('topic', { id }),
  proposeTopic: (topic: NewTopic) => invoke<Created>('propose_topic', { topic }),
  actOnTopic: (id: string, action: TopicAction) => invoke<TopicDetail>('act_on_topic', { id, action }),
  deliberationFigures: () => invoke<DeliberationFigures>('deliberation_figures'),
  refusedRecords: () => invoke<RefusedRecord[]>('refused_records'),
  exportRefused: (id: string) => invoke<string>('export_refused', { id }),
  dashboard: () => invoke<Dashboard>('dashboard'),
  draftGet: (key: string) => invoke<string | null>('draft_get', { key }),
  draftPut: (key: string, value: string) => invoke<void>('draft_put', { key, value }),
  draftClear: (key: string) => invoke<void>('draft_clear', { key }),
  setLanguage: (lang: string) => invoke<void>('set_language', { lang }),
  /** The picked file's bytes go as the raw body, not as JSON numbers. */
  takePhoto: (bytes: Uint8Array) => invoke<TakenPhoto>('take_photo', bytes),
  photosOf: (record: string) => invoke<PhotoItem[]>('photos_of', { record }),
  /** A `data:` URL; null while the thumbnail is not here and the hub is out of reach. */
  photoThumb: (hash: string) => invoke<string | null>('photo_thumb', { hash }),
  /** A `data:` URL, downloaded on demand; offline it fails with code `offline`. */
  photoFull: (hash: string) => invoke<string>('photo_full', { hash }),
  retryPhoto: (hash: string) => invoke<boolean>('retry_photo', { hash }),
  photoQueue: () => invoke<PhotoQueue>('photo_queue'),
  issuePoints: (days: number) => invoke<IssuePoint[]>('issue_points', { days }),
  householdPosition: (id: string) => invoke<Position | null>('household_position', { id }),
  /** Writes an .xlsx into Downloads: `monthly` (with `month` YYYY-MM), `issues`, `roster`, `wishes`. */
  exportOffice: (what: string, month: string | null = null) => invoke<Exported>('export_office', { what, month }),
  /** The picked roster's bytes go as the raw body; answers the preview. */
  stageImport: (bytes: Uint8Array) => invoke<ImportPreview>('stage_import', bytes),
  previewImport: (sheet: string | null) => invoke<ImportPreview>('preview_import', { sheet }),
  runImport: (sheet: string | null) => invoke<ImportPreview>('run_import', { sheet }),
  duplicateHouseholds: () => invoke<DuplicatePairView[]>('duplicate_households'),
  duplicateResidents: () => invoke<DuplicateResidentView[]>('duplicate_residents'),
};

/** Follows an import: rows built of rows in all. */
export function onImportProgress(handler: (p: ImportProgress) => void): Promise<UnlistenFn> {
  return listen<ImportProgress>('import-progress', (event) => handler(event.payload));
}

/** Follows the photo queue: a photo's state changed. */
export function onPhotoState(handler: (queue: PhotoQueue) => void): Promise<UnlistenFn> {
  return listen<PhotoQueue>('photo-state', (event) => handler(event.payload));
}

/** Follows the background sync engine; returns the function that stops listening. */
export function onSyncState(handler: (info: SyncInfo) => void): Promise<UnlistenFn> {
  return listen<SyncInfo>('sync-state', (event) => handler(event.payload));
}
