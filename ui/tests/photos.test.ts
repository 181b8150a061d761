import { describe, expect, it } from 'vitest';
import {
  addPicked, captionMax, formatBytes, imageFiles, mayRetry, perStepMax, removePicked, room, stateText, stateTone,
  stepTakesPhotos, toAttach, type PickedPhoto,
} from '../src/lib/photos';
import type { Limits, TakenPhoto } from '../src/lib/types';
// The vocabulary exactly as the shell sends it (kept equal by a Rust test).
import sent from './fixtures/vocabulary.json';

const limits: Limits = sent.limits;
const taken = (n: number): TakenPhoto => ({
  hash: n.toString(16).padStart(64, '0'),
  size: 1000,
  thumb: (n + 1000).toString(16).padStart(64, '0'),
  width: 1600,
  height: 1200,
  taken_at: '2026-12-02T06:00:00.000Z',
});

describe('photo bounds', () => {
  it('takes the per-step bound and the caption length from the model', () => {
    expect(perStepMax(limits)).toBe(12);
    expect(captionMax(limits)).toBe(limits.caption_max);
    expect(perStepMax(null)).toBe(12);
  });

  it('adds a photo once and none past the step bound', () => {
    let picked: PickedPhoto[] = [];
    for (let i = 0; i < 14; i++) picked = addPicked(limits, picked, taken(i));
    expect(picked).toHaveLength(12);
    expect(room(limits, picked)).toBe(0);
    const again = addPicked(limits, removePicked(picked, taken(3).hash), taken(0));
    expect(again).toHaveLength(11);
    expect(again.filter((p) => p.hash === taken(0).hash)).toHaveLength(1);
  });

  it('sends trimmed captions cut at the bound, counted in characters', () => {
    const long = '𠀀'.repeat(limits.caption_max + 5);
    const sentPhotos = toAttach(limits, [
      { hash: 'a', thumb: 'b', caption: '  电梯门  ' },
      { hash: 'c', thumb: 'd', caption: long },
    ]);
    expect(sentPhotos[0]).toEqual({ hash: 'a', caption: '电梯门' });
    expect([...sentPhotos[1].caption]).toHaveLength(limits.caption_max);
    expect(toAttach(limits, undefined)).toEqual([]);
  });

  it('keeps images from a picker or a drop, and files a phone gives without a type', () => {
    const files = [
      { name: 'a.jpg', type: 'image/jpeg' },
      { name: 'notes.pdf', type: 'application/pdf' },
      { name: 'IMG_0001.HEIC', type: '' },
      { name: 'b.png', type: 'image/png' },
    ];
    expect(imageFiles(files, 12).map((f) => f.name)).toEqual(['a.jpg', 'IMG_0001.HEIC', 'b.png']);
    expect(imageFiles(files, 1).map((f) => f.name)).toEqual(['a.jpg']);
  });
});

describe('photo steps', () => {
  it('offers photos on handling, resolving, verifying and fulfilling', () => {
    for (const s of ['handle', 'resolve', 'close']) expect(stepTakesPhotos('issue', s)).toBe(true);
    for (const s of ['accept', 'reject', 'dispatch', 'escalate']) expect(stepTakesPhotos('issue', s)).toBe(false);
    expect(stepTakesPhotos('wish', 'fulfil')).toBe(true);
    expect(stepTakesPhotos('wish', 'claim')).toBe(false);
    expect(stepTakesPhotos('issue', null)).toBe(false);
  });
});

describe('photo states', () => {
  const failed = { state: 'failed', state_text: { zh: '上传失败：照片过大', en: 'upload failed: too large' } };

  it('shows the device words in the chosen language', () => {
    expect(stateText(failed, 'zh-CN')).toBe('上传失败：照片过大');
    expect(stateText(failed, 'en')).toBe('upload failed: too large');
  });

  it('is red only when failed, and only a failure asks for a retry', () => {
    expect(stateTone('failed')).toBe('error');
    expect(stateTone('waiting')).toBe('wait');
    expect(stateTone('uploading')).toBe('wait');
    expect(stateTone('uploaded')).toBe('done');
    expect(stateTone('downloaded')).toBe('done');
    expect(stateTone('remote')).toBe('remote');
    expect(mayRetry(failed)).toBe(true);
    expect(mayRetry({ state: 'waiting' })).toBe(false);
  });

  it('says a queue size in bytes, KB or MB', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(340 * 1024)).toBe('340 KB');
    expect(formatBytes(1.25 * 1024 * 1024)).toBe('1.3 MB');
  });
});
