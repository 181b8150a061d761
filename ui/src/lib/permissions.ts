// Which entry points to offer: the shell says what the user's role may start
// (DeviceInfo.may, from the permission table in crates/model). The hub and
// the device enforce the rules; the UI only avoids offering a button that
// must fail. Workflow steps are not here: the backend lists them in `offered`.
import type { DeviceInfo } from './types';

type Device = Pick<DeviceInfo, 'may'> | null | undefined;

export const mayLogVisit = (d: Device) => !!d?.may.includes('log_visit');
export const mayReportIssue = (d: Device) => !!d?.may.includes('report_issue');
export const mayPostWish = (d: Device) => !!d?.may.includes('post_wish');
export const mayReportCase = (d: Device) => !!d?.may.includes('report_case');
export const mayReadCases = (d: Device) => !!d?.may.includes('read_cases');
export const mayProposeTopic = (d: Device) => !!d?.may.includes('propose_topic');
export const mayAcceptIssues = (d: Device) => !!d?.may.includes('accept_issues');
/** 合并住户: community staff of the community (the device and the hub check where). */
export const mayMergeHouseholds = (d: Device) => !!d?.may.includes('merge_households');
export const mayReadTopics = (d: Device) => !!d?.may.includes('read_topics');
export const mayWriteCasePrivate = (d: Device) => !!d?.may.includes('write_case_private');
