// Workflow states in the order a record moves through them (model/issue.rs,
// model/wish.rs): the filter chips and the dashboard list them this way.

export const ISSUE_STATES = [
  'reported', 'accepted', 'escalated', 'dispatched', 'handled', 'resolved', 'closed', 'evaluated', 'rejected', 'merged',
] as const;

export const WISH_STATES = ['posted', 'claimed', 'fulfilled', 'confirmed', 'withdrawn'] as const;
