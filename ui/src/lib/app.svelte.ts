// The app-wide reactive state: who this device is, the sync engine's state,
// the language, the current route and the toast. Screens read it directly.
import { api, onPhotoState, onSyncState } from './api';
import { describeError, pick, type Msg, type ShownError } from './errors';
import { capitalise, dictionaries, isLang, lookupTerm, translate, type Dict, type Key, type Lang, type Params, type TermKind } from './i18n';
import { parseRoute, type Route } from './router';
import type { DraftStore } from './drafts';
// A cycle (draftForm reads draftStore from here), used only inside functions.
import { flushDrafts } from './draftForm.svelte';
import type { DeviceInfo, LockState, PhotoQueue, SyncInfo, Vocabulary } from './types';

export interface Toast { id: number; kind: 'saved' | 'error'; text: string; hint?: string }

/**
 * The last language shown, kept by the webview: a locked app cannot read the
 * device's setting (it is inside the encrypted store), and its lock screen
 * should still speak the user's language. Not sensitive.
 */
const LANG_KEY = 'gridline.lang';

function rememberedLang(): Lang {
  try {
    const l = typeof localStorage === 'undefined' ? null : localStorage.getItem(LANG_KEY);
    return l !== null && isLang(l) ? l : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

function rememberLang(lang: Lang) {
  try {
    if (typeof localStorage !== 'undefined') localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* a language the next start does not remember is no harm */
  }
}

export const app = $state({
  lang: rememberedLang(),
  /** Whether the store is open, and what opening it takes; read first at boot. */
  lock: null as LockState | null,
  booting: true,
  bootError: null as ShownError | null,
  device: null as DeviceInfo | null,
  sync: null as SyncInfo | null,
  vocab: null as Vocabulary | null,
  route: parseRoute(typeof location === 'undefined' ? '' : location.hash) as Route,
  toast: null as Toast | null,
  /** Bumped when a sync brings new data, so open lists reload. */
  dataVersion: 0,
  /** The photo queue's counts; each `photo-state` event replaces them, so photo strips reload. */
  photos: null as PhotoQueue | null,
  /** Wall clock for relative times, refreshed every 30 s. */
  now: Date.now(),
});

export function dict(): Dict {
  return dictionaries[app.lang];
}

export function t(key: Key, params?: Params): string {
  return translate(dictionaries[app.lang], key, params);
}

export function term(kind: TermKind, raw: string | null | undefined): string {
  return lookupTerm(dictionaries[app.lang], kind, raw);
}

/** A backend word as a button label or title: capitalised in English. */
export function termTitle(kind: TermKind, raw: string | null | undefined): string {
  return capitalise(term(kind, raw));
}

/** A message from the core (Chinese and English apart) in the user's language. */
export function localText(message: Msg | null | undefined): string {
  return pick(message, app.lang);
}

/** Joins names the way the language lists them (、 or a comma). */
export function list(items: string[]): string {
  return items.join(t('common.listSep'));
}

/** "标签：值" / "Label: value" with the language's own colon. */
export function labelled(label: string, value: string | number): string {
  return t('common.labelled', { label, value });
}

export function errorOf(err: unknown): ShownError {
  return describeError(err, app.lang, dictionaries[app.lang]);
}

let toastSeq = 0;
let toastTimer: ReturnType<typeof setTimeout> | null = null;

function showToast(toast: Omit<Toast, 'id'>, ms: number) {
  if (toastTimer !== null) clearTimeout(toastTimer);
  app.toast = { ...toast, id: ++toastSeq };
  toastTimer = setTimeout(() => {
    app.toast = null;
    toastTimer = null;
  }, ms);
}

/** Call only after the command resolved: 已保存 means durably saved. */
export function toastSaved(key: Key = 'toast.saved') {
  showToast({ kind: 'saved', text: t(key) }, 2500);
}

/**
 * Runs a command that saves something: 已保存 once it resolved (the write is
 * durable then), or what `said` picks from the answer; the error in plain
 * words if it failed. Returns the command's answer, or undefined when it failed.
 */
export async function persist<T>(
  command: () => Promise<T>, said?: (value: T) => Key,
): Promise<{ value: T } | undefined> {
  try {
    const value = await command();
    toastSaved(said ? said(value) : 'toast.saved');
    refreshSync();
    return { value };
  } catch (err) {
    toastError(err);
    return undefined;
  }
}

export function toastError(err: unknown) {
  const e = errorOf(err);
  showToast({ kind: 'error', text: e.text, hint: e.hint }, 6000);
}

export const draftStore: DraftStore = {
  get: (key) => api.draftGet(key),
  put: (key, value) => api.draftPut(key, value),
  clear: (key) => api.draftClear(key),
};

export function navigate(hash: string) {
  if (location.hash === hash) app.route = parseRoute(hash);
  else location.hash = hash;
}

export function back(fallback: string) {
  if (history.length > 1) history.back();
  else navigate(fallback);
}

function applySync(info: SyncInfo) {
  const before = app.sync;
  app.sync = info;
  if (syncBroughtNews(before, info)) {
    app.dataVersion++;
    void refreshNames();
  }
}

/**
 * The street's people and place names come by sync (the hub's directory),
 * so after each sync that may have brought news the names are read again.
 */
async function refreshNames() {
  try {
    const fresh = await api.deviceInfo();
    // Locked or re-enrolled meanwhile: leave what the lock or enrolment set.
    if (!app.device || app.device.user_id !== fresh.user_id) return;
    app.device = { ...app.device, people: fresh.people, place_names: fresh.place_names, scope_label: fresh.scope_label };
  } catch {
    /* the names stay as they were until the next sync */
  }
}

/**
 * Whether open screens should reload: a sync just finished and may have
 * brought records or acknowledged ours. Failed attempts while offline (the
 * engine retries every few seconds) bring nothing and must not reload.
 */
export function syncBroughtNews(before: SyncInfo | null, after: SyncInfo): boolean {
  if (before === null) return false;
  const finished = (before.syncing && !after.syncing) || (before.phase !== 'up_to_date' && after.phase === 'up_to_date');
  return finished && (after.phase === 'up_to_date' || after.received > 0);
}

let syncListening = false;

async function startSyncFollow() {
  if (!syncListening) {
    syncListening = true;
    try {
      await onSyncState(applySync);
      await onPhotoState((q) => (app.photos = q));
    } catch {
      syncListening = false;
    }
  }
  // Read the current state every time (a retried boot, a new enrolment).
  try {
    applySync(await api.syncInfo());
  } catch {
    /* the banner stays hidden until the first event */
  }
}

async function loadVocabulary() {
  try {
    app.vocab = await api.vocabulary();
  } catch {
    app.vocab = null;
  }
}

export async function boot() {
  app.booting = true;
  app.bootError = null;
  try {
    app.lock = await api.lockState();
    // Locked: nothing of the store can be read until the PIN is typed.
    if (app.lock.state === 'locked') {
      app.device = null;
      return;
    }
    const device = await api.deviceInfo();
    app.device = device;
    if (isLang(device.language)) {
      app.lang = device.language;
      rememberLang(device.language);
    }
    if (device.enrolled) await Promise.all([startSyncFollow(), loadVocabulary()]);
  } catch (err) {
    app.bootError = errorOf(err);
  } finally {
    app.booting = false;
  }
}

/**
 * Locks the app now (the idle clock, or 立即锁定): every open form's draft
 * is written first, then the shell drops the device, and what the screens
 * showed goes with it. The route stays, so unlocking returns there.
 * Returns whether it locked.
 */
export async function lockNow(): Promise<boolean> {
  if (app.lock?.state !== 'open' || !app.lock.may_lock) return false;
  await flushDrafts();
  try {
    app.lock = await api.lock();
  } catch (err) {
    toastError(err);
    return false;
  }
  app.device = null;
  app.sync = null;
  app.toast = null;
  return true;
}

/** The PIN opened the store: the app comes back where it was. */
export async function unlocked(device: DeviceInfo) {
  app.device = device;
  if (isLang(device.language)) {
    app.lang = device.language;
    rememberLang(device.language);
  }
  app.lock = await api.lockState();
  if (device.enrolled) await Promise.all([startSyncFollow(), loadVocabulary()]);
  app.dataVersion++;
}

/** After enrolment the device knows its user; start following sync. */
export async function enrolled(device: DeviceInfo) {
  app.device = device;
  try {
    app.lock = await api.lockState();
  } catch {
    /* the Me tab reads it again */
  }
  // A language chosen on the enrolment screen is kept for the new user.
  if (device.language !== app.lang) {
    try {
      await api.setLanguage(app.lang);
      device.language = app.lang;
    } catch {
      if (isLang(device.language)) app.lang = device.language;
    }
  }
  await Promise.all([startSyncFollow(), loadVocabulary()]);
  app.dataVersion++;
}

export async function setLanguage(lang: Lang) {
  // Before enrolment there is no user to remember it for: switch the screen only.
  if (app.device?.enrolled) await api.setLanguage(lang);
  app.lang = lang;
  rememberLang(lang);
  if (app.device) app.device.language = lang;
  document.documentElement.lang = lang;
}

export async function syncNow() {
  applySync(await api.syncNow());
}

export function refreshSync() {
  api.syncInfo().then(applySync, () => {});
}

/** The offline banner shows only while offline or after a failed sync. */
export function bannerVisible(sync: SyncInfo | null): boolean {
  return sync !== null && (sync.phase === 'offline' || sync.phase === 'error');
}

/**
 * Loads data for a screen. A newer run wins over an older one still in
 * flight, so typing fast in a search box never shows stale rows.
 */
export class Loader<T> {
  data = $state<T | null>(null);
  error = $state<ShownError | null>(null);
  loading = $state(false);
  private seq = 0;

  constructor(private readonly fetcher: () => Promise<T>) {}

  /**
   * The first load has answered (with data or an error). Screens put their
   * `data-screen` on only then, so "the screen is there" also means "its
   * content is there" for whoever looks for it — a user or a test.
   */
  get settled(): boolean {
    return this.data !== null || this.error !== null;
  }

  async run(): Promise<void> {
    const mine = ++this.seq;
    const pending = this.fetcher();
    this.loading = true;
    try {
      const data = await pending;
      if (mine !== this.seq) return;
      this.data = data;
      this.error = null;
    } catch (err) {
      if (mine !== this.seq) return;
      this.error = errorOf(err);
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }
}
