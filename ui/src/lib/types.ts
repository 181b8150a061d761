// The IPC types, from the bindings ts-rs generates out of src-tauri/src/dto.rs.
//
// ts-rs writes Rust i64/u64 as `bigint`, but serde_json sends them as plain
// JSON numbers and that is what JavaScript receives; `Wire` maps the
// generated types to what actually arrives, so arithmetic and comparisons
// type-check honestly. Field names still come only from the bindings.

import type { AppError as RawAppError } from './bindings/AppError';
import type { DeviceInfo as RawDeviceInfo } from './bindings/DeviceInfo';
import type { SyncInfo as RawSyncInfo } from './bindings/SyncInfo';
import type { HouseholdQuery as RawHouseholdQuery } from './bindings/HouseholdQuery';
import type { HouseholdRow as RawHouseholdRow } from './bindings/HouseholdRow';
import type { Resident as RawResident } from './bindings/Resident';
import type { Conflict as RawConflict } from './bindings/Conflict';
import type { HouseholdDetail as RawHouseholdDetail } from './bindings/HouseholdDetail';
import type { HouseholdEdit as RawHouseholdEdit } from './bindings/HouseholdEdit';
import type { Visit as RawVisit } from './bindings/Visit';
import type { NewVisit as RawNewVisit } from './bindings/NewVisit';
import type { IssueQuery as RawIssueQuery } from './bindings/IssueQuery';
import type { IssueRow as RawIssueRow } from './bindings/IssueRow';
import type { NewIssue as RawNewIssue } from './bindings/NewIssue';
import type { TimelineEvent as RawTimelineEvent } from './bindings/TimelineEvent';
import type { IssueDetail as RawIssueDetail } from './bindings/IssueDetail';
import type { IssueAction as RawIssueAction } from './bindings/IssueAction';
import type { WishRow as RawWishRow } from './bindings/WishRow';
import type { WishDetail as RawWishDetail } from './bindings/WishDetail';
import type { NewWish as RawNewWish } from './bindings/NewWish';
import type { WishAction as RawWishAction } from './bindings/WishAction';
import type { Today as RawToday } from './bindings/Today';
import type { Count as RawCount } from './bindings/Count';
import type { Dashboard as RawDashboard } from './bindings/Dashboard';
import type { RefusedRecord as RawRefusedRecord } from './bindings/RefusedRecord';
import type { Vocabulary as RawVocabulary } from './bindings/Vocabulary';

export type Wire<T> = T extends bigint
  ? number
  : T extends string | number | boolean | null | undefined
    ? T
    : T extends readonly [infer A, infer B]
      ? [Wire<A>, Wire<B>]
      : T extends ReadonlyArray<infer U>
        ? Array<Wire<U>>
        : { [K in keyof T]: Wire<T[K]> };

export type AppError = Wire<RawAppError>;
export type DeviceInfo = Wire<RawDeviceInfo>;
export type SyncInfo = Wire<RawSyncInfo>;
export type HouseholdQuery = Wire<RawHouseholdQuery>;
export type HouseholdRow = Wire<RawHouseholdRow>;
export type Resident = Wire<RawResident>;
export type Conflict = Wire<RawConflict>;
export type HouseholdDetail = Wire<RawHouseholdDetail>;
export type HouseholdEdit = Wire<RawHouseholdEdit>;
export type Visit = Wire<RawVisit>;
export type NewVisit = Wire<RawNewVisit>;
export type IssueQuery = Wire<RawIssueQuery>;
export type IssueRow = Wire<RawIssueRow>;
export type NewIssue = Wire<RawNewIssue>;
export type TimelineEvent = Wire<RawTimelineEvent>;
export type IssueDetail = Wire<RawIssueDetail>;
export type IssueAction = Wire<RawIssueAction>;
export type WishRow = Wire<RawWishRow>;
export type WishDetail = Wire<RawWishDetail>;
export type NewWish = Wire<RawNewWish>;
export type WishAction = Wire<RawWishAction>;
export type Today = Wire<RawToday>;
export type Count = Wire<RawCount>;
export type Dashboard = Wire<RawDashboard>;
export type RefusedRecord = Wire<RawRefusedRecord>;
export type Vocabulary = Wire<RawVocabulary>;
