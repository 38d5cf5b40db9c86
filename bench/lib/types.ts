// Shared types of the benchmark suite (bench/run.ts).

export type Task = 'matmul' | 'ce' | 'logPartition' | 'step' | 'smallStep';
export type DType = 'float32' | 'float64';

/** Problem sizes of one task: a batch of B contexts, dimension d, n words, a bulk of `bulk` words. */
export interface Size {
  B: number;
  d: number;
  n: number;
  bulk: number;
}

/** One timed operation, prepared (data allocated) and ready to run; returns nothing. */
export interface Runner {
  run(): void | Promise<void>;
  dispose?(): void;
}

/** A benchmark candidate: a library/backend that can (or cannot) run a task in a precision. */
export interface Candidate {
  name: string;
  /** 'self' for lmtransfer rows, else the peer library. */
  family: 'self' | 'tfjs' | 'ml-matrix' | 'numpy';
  supports(task: Task, dtype: DType): boolean;
  prepare(task: Task, dtype: DType, size: Size): Runner | Promise<Runner>;
  /** Called before each timed run (e.g. to select a backend or thread count). */
  activate?(): void | Promise<void>;
}

/** Floating-point operations of a task (the products; element-wise work is not counted). */
export function flopsOf(task: Task, s: Size): number {
  switch (task) {
    case 'matmul':
      return 2 * s.B * s.n * s.d;
    case 'logPartition':
      return 2 * s.B * s.bulk * s.d;
    case 'step':
    case 'smallStep':
      return 3 * 2 * s.B * s.n * s.d;
    case 'ce':
      return 0;
  }
}
