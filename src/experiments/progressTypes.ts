/** What an experiment reports to its `onProgress` callback. */
export interface ExperimentProgress {
  /** Units of work finished. */
  readonly done: number;
  /** Units of work in all (fixed for a run). */
  readonly total: number;
  /** A short status, such as the current step and excess loss. */
  readonly detail?: string;
}

/** `Array.isArray` without its narrowing to `any[]`, which would erase the element type of a checked option. */
export function isArrayValue(v: unknown): boolean {
  return Array.isArray(v);
}
