// Workflow states in the order a record moves through them (model/issue.rs,
// model/wish.rs, model/mediation.rs): the filter chips and the dashboard list them this way.

export const ISSUE_STATES = [
  'reported', 'accepted', 'escalated', 'dispatched', 'handled', 'resolved', 'closed', 'evaluated', 'rejected', 'merged',
] as const;

export const WISH_STATES = ['posted', 'claimed', 'fulfilled', 'confirmed', 'withdrawn'] as const;

/** Deliberation topic states in workflow order, as the vocabulary sends them (a test keeps them equal). */
export const TOPIC_STATES = [
  'proposed', 'accepted', 'declined', 'met', 'resolved', 'implementing', 'fed-back', 'closed',
] as const;

/** Mediation case states in workflow order, as the vocabulary sends them (a test keeps them equal). */
export const CASE_STATES = [
  'registered', 'accepted', 'mediating', 'agreed', 'performing', 'followed-up', 'closed', 'declined', 'failed',
] as const;
