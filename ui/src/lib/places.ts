// Grids and communities by name: the hub sends their names at enrolment
// (DeviceInfo.place_names); a code it sent no name for (an older hub, a
// trial device) is shown as itself. The one place codes become names.
import { app } from './app.svelte';

export type PlaceNames = { [code in string]?: string };

/** What people call a grid or community: its name, else its code. */
export function placeName(code: string, names: PlaceNames | null | undefined = app.device?.place_names): string {
  return names?.[code.trim()] || code;
}

/** Whether the hub named this code, so the code is worth showing second. */
export function hasName(code: string, names: PlaceNames | null | undefined = app.device?.place_names): boolean {
  return !!names?.[code.trim()];
}
