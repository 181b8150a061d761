// People by name: the street's directory the hub sends by sync
// (DeviceInfo.people). The one place a user id becomes 张伟 (网格员); an id
// the directory does not name (a device not synced since, someone of
// another street) is shown as itself, never blank.
import { app, term } from './app.svelte';
import type { PersonName } from './bindings/PersonName';

export type People = { [id in string]?: PersonName };

/** The user id the hub's own steps (claim grants) carry. */
const HUB_USER = 'hub';

/**
 * 张伟 (网格员): the name as written, the role in the reader's language.
 * `role` is the role a step was taken in, when there is one (it wins over
 * the directory's, as the rules judged the step by it); an unknown id with
 * a role reads `gw-1 (网格员)`, without one just the id.
 */
export function personLabel(
  id: string,
  role: string | null | undefined,
  people: People | null | undefined,
  roleWord: (role: string) => string,
): string {
  const key = id.trim();
  const p = people?.[key];
  const r = role || p?.role || '';
  if (!p && key === HUB_USER) return roleWord('hub');
  const name = p?.name || key;
  return r ? `${name} (${roleWord(r)})` : name;
}

/** [`personLabel`] with the device's directory and the app's language. */
export function personName(id: string, role?: string | null, people: People | null | undefined = app.device?.people): string {
  return personLabel(id, role, people, (r) => term('role', r));
}
