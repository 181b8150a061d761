// Whether the window is a desk's: the same 900 px at which the bottom tabs
// become a left sidebar (Nav.svelte, app.css), so the lists turn into
// tables exactly when the sidebar appears, and a phone keeps its cards.
export const WIDE_QUERY = '(min-width: 900px)';

export const layout = $state({ wide: false });

if (typeof window !== 'undefined' && typeof window.matchMedia === 'function') {
  const mq = window.matchMedia(WIDE_QUERY);
  layout.wide = mq.matches;
  mq.addEventListener('change', (e) => (layout.wide = e.matches));
}
