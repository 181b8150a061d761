// Photos in forms and on records (DESIGN §9): which steps take them, how
// many one step may add, what a form keeps, and a photo's state in words.
// The words of a state come from the device in both languages; the logic
// here only picks, bounds and orders.
import type { Lang } from './i18n';
import type { Limits, PhotoAttach, PhotoItem, TakenPhoto } from './types';

/** A photo taken for a form, kept in the form (and its draft) until saved. */
export interface PickedPhoto {
  hash: string;
  /** The thumbnail's hash, to show it in the form. */
  thumb: string;
  caption: string;
}

/** The model's bound when the vocabulary has not come (it says 12). */
const FALLBACK_PER_STEP = 12;
const FALLBACK_CAPTION = 200;

/** Issue and wish steps whose forms take photos, by the record kind. */
const PHOTO_STEPS: Record<'issue' | 'wish', readonly string[]> = {
  // 处置 and 社区办结 are the handling's evidence; 核查结案 the verification's.
  issue: ['handle', 'resolve', 'close'],
  wish: ['fulfil'],
};

export function stepTakesPhotos(kind: 'issue' | 'wish', step: string | null): boolean {
  return step !== null && PHOTO_STEPS[kind].includes(step);
}

export function perStepMax(limits: Limits | null): number {
  return limits?.photos_per_step_max ?? FALLBACK_PER_STEP;
}

export function captionMax(limits: Limits | null): number {
  return limits?.caption_max ?? FALLBACK_CAPTION;
}

/** How many more photos the form may take. */
export function room(limits: Limits | null, picked: readonly PickedPhoto[]): number {
  return Math.max(0, perStepMax(limits) - picked.length);
}

/**
 * Adds a photo just taken: the same photo twice is kept once (it is named
 * by its bytes), and none past the step's bound. Returns the new list.
 */
export function addPicked(limits: Limits | null, picked: readonly PickedPhoto[], taken: TakenPhoto): PickedPhoto[] {
  if (picked.some((p) => p.hash === taken.hash) || room(limits, picked) === 0) return [...picked];
  return [...picked, { hash: taken.hash, thumb: taken.thumb, caption: '' }];
}

export function removePicked(picked: readonly PickedPhoto[], hash: string): PickedPhoto[] {
  return picked.filter((p) => p.hash !== hash);
}

/** What a save sends: the hashes with trimmed captions, within the bounds. */
export function toAttach(limits: Limits | null, picked: readonly PickedPhoto[] | undefined): PhotoAttach[] {
  const max = captionMax(limits);
  return (picked ?? []).slice(0, perStepMax(limits)).map((p) => ({
    hash: p.hash,
    caption: [...p.caption.trim()].slice(0, max).join(''),
  }));
}

/** Files a picker or a drop gave that may be photos, at most `n` of them. */
export function imageFiles<F extends { type: string; name: string }>(files: Iterable<F>, n: number): F[] {
  const out: F[] = [];
  for (const f of files) {
    if (out.length >= n) break;
    // Some Android pickers give no type; the device decides what is a photo.
    if (f.type.startsWith('image/') || (f.type === '' && /\.(jpe?g|png|webp|heic|heif|gif|bmp|tiff?)$/i.test(f.name))) out.push(f);
  }
  return out;
}

/** The state in the user's language (等待上传 / 上传中 40% / 上传失败：…). */
export function stateText(p: Pick<PhotoItem, 'state_text'>, lang: Lang): string {
  return lang === 'en' ? p.state_text.en : p.state_text.zh;
}

export type Tone = 'done' | 'wait' | 'error' | 'remote';

/** The colour a state is shown in: red only for a failure. */
export function stateTone(state: string): Tone {
  switch (state) {
    case 'uploaded':
    case 'downloaded':
      return 'done';
    case 'failed':
      return 'error';
    case 'remote':
      return 'remote';
    default:
      return 'wait';
  }
}

/** Only a photo the hub refused needs the user to ask again; waiting ones go on by themselves. */
export function mayRetry(p: Pick<PhotoItem, 'state'>): boolean {
  return p.state === 'failed';
}

/** 1.2 MB, 340 KB: the queue's size for the Me tab. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
