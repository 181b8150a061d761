// Positions (DESIGN §9): WGS-84 as stored, in words for a page, and laid
// out on the dashboard's plain plot of the community's extent (the app is
// offline: no map tiles). GCJ-02 exists only in the Amap link the device
// makes (`map_url`), never here.

export interface LatLon {
  lat: number;
  lon: number;
}

/** "26.259700, 107.518200": six decimals, about 0.1 m. */
export function coords(p: LatLon): string {
  return `${p.lat.toFixed(6)}, ${p.lon.toFixed(6)}`;
}

/** The accuracy in whole metres, or null when unknown. */
export function accuracyMetres(p: { accuracy_m: number | null }): number | null {
  return p.accuracy_m === null || !Number.isFinite(p.accuracy_m) ? null : Math.round(p.accuracy_m);
}

export interface Placed<T> {
  item: T;
  x: number;
  y: number;
}

/**
 * Lays points out in a `width` × `height` box with `pad` around: an
 * equirectangular view of their own extent, a degree of longitude shrunk by
 * the cosine of the middle latitude so that distances look right, north up,
 * the scale the same both ways. One point (or all in one place) sits in the
 * middle.
 */
export function layout<T extends LatLon>(points: T[], width: number, height: number, pad = 12): Placed<T>[] {
  if (points.length === 0) return [];
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const [minLat, maxLat] = [Math.min(...lats), Math.max(...lats)];
  const [minLon, maxLon] = [Math.min(...lons), Math.max(...lons)];
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = (maxLon - minLon) * k;
  const spanY = maxLat - minLat;
  const innerW = width - 2 * pad;
  const innerH = height - 2 * pad;
  const scale = Math.min(spanX > 0 ? innerW / spanX : Infinity, spanY > 0 ? innerH / spanY : Infinity);
  const s = Number.isFinite(scale) ? scale : 0;
  // Centre the extent in the box.
  const offX = pad + (innerW - spanX * s) / 2;
  const offY = pad + (innerH - spanY * s) / 2;
  return points.map((item) => ({
    item,
    x: offX + (item.lon - minLon) * k * s,
    y: offY + (maxLat - item.lat) * s,
  }));
}

/** The extent's width and height in metres, for the plot's scale line. */
export function extentMetres(points: LatLon[]): { width: number; height: number } {
  if (points.length < 2) return { width: 0, height: 0 };
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const mid = ((Math.min(...lats) + Math.max(...lats)) / 2) * (Math.PI / 180);
  const perDegree = 111_320;
  return {
    width: (Math.max(...lons) - Math.min(...lons)) * perDegree * Math.cos(mid),
    height: (Math.max(...lats) - Math.min(...lats)) * perDegree,
  };
}

/** The words for where a position came from (gps, map, household). */
export function sourceKey(source: string): 'position.source.gps' | 'position.source.map' | 'position.source.household' {
  return source === 'map' ? 'position.source.map' : source === 'household' ? 'position.source.household' : 'position.source.gps';
}
