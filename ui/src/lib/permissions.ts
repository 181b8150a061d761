// Which entry points to offer a role (DESIGN.md §3). The hub and the device
// enforce the rules; the UI only avoids offering a button that must fail.
// Workflow steps are not here: the backend lists them in `offered`.

const VISITORS = ['grid-worker', 'joint-leader'];
const REPORTERS = ['grid-worker', 'joint-leader', 'community-staff', 'street-staff'];
const WISH_POSTERS = ['grid-worker', 'joint-leader', 'community-staff'];

export const mayLogVisit = (role: string | undefined) => VISITORS.includes(role ?? '');
export const mayReportIssue = (role: string | undefined) => REPORTERS.includes(role ?? '');
export const mayPostWish = (role: string | undefined) => WISH_POSTERS.includes(role ?? '');
