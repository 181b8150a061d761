// Ids for new records, minted on the device as the Rust side mints them:
// UUID v7 (48 bits of milliseconds, then random bits), so they sort by
// creation time and the hub accepts them as device-minted.

type Fill = (bytes: Uint8Array) => Uint8Array;
const osRandom: Fill = (bytes) => crypto.getRandomValues(bytes);

export function newRecordId(now: number = Date.now(), fill: Fill = osRandom): string {
  const b = fill(new Uint8Array(16));
  let ms = Math.max(0, Math.floor(now));
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | (b[6] & 0x0f); // version 7
  b[8] = 0x80 | (b[8] & 0x3f); // RFC 4122 variant
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isRecordId(s: unknown): s is string {
  return typeof s === 'string' && V7.test(s);
}
