/**
 * Small helpers for writing SVG as text.
 *
 * @internal
 */

/** Escape text for use in SVG character data and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * Estimated rendered width of `text` at `fontSize` in a sans-serif face. Headless rendering has no
 * font metrics, so layout uses an average advance of 0.6 em per character (DejaVu Sans, Chromium's
 * fallback on Debian, averages about 0.6 em on mixed text), which errs on the wide side for
 * Helvetica and Arial.
 */
export function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * 0.6;
}

/** A coordinate rounded to 0.01 px: enough for any screen, and it keeps the files small and stable. */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/**
 * Tableau 10, the default categorical palette of Tableau and of vega's `tableau10` scheme
 * (https://vega.github.io/vega/docs/schemes/#tableau10): ten colours chosen to stay distinct for
 * common colour-vision deficiencies.
 */
export const PALETTE: readonly string[] = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
];
