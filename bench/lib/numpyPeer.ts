// NumPy peer: bench/numpy_peer.py as a long-lived child process (one JSON request per line), so
// that its repetitions interleave with the JavaScript ones. Skipped, with a message, when python3
// or NumPy is unavailable.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { join } from 'node:path';
import type { Candidate, DType, Size, Task } from './types.js';

interface Reply {
  ms?: number;
  error?: string;
  numpy?: string;
  blas?: string;
}

export class NumpyPeer {
  private child: ChildProcessWithoutNullStreams | null = null;
  private lines: Interface | null = null;
  private waiting: ((r: Reply) => void)[] = [];
  info: { numpy: string; blas: string } | null = null;
  skipReason = '';

  async start(): Promise<boolean> {
    try {
      const child = spawn('python3', [join(process.cwd(), 'bench', 'numpy_peer.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
      this.child = child;
      child.on('error', (e) => {
        this.skipReason = `python3 could not be started (${e.message})`;
        for (const w of this.waiting.splice(0)) w({ error: this.skipReason });
      });
      this.lines = createInterface({ input: child.stdout });
      this.lines.on('line', (line) => {
        const w = this.waiting.shift();
        if (w) w(JSON.parse(line) as Reply);
      });
      const r = await this.request({ task: 'info' });
      if (r.error || !r.numpy) {
        this.skipReason = r.error ?? 'NumPy did not answer';
        this.stop();
        return false;
      }
      this.info = { numpy: r.numpy, blas: r.blas ?? '?' };
      return true;
    } catch (e) {
      this.skipReason = String(e);
      return false;
    }
  }

  request(req: object): Promise<Reply> {
    return new Promise((resolve) => {
      if (!this.child) return resolve({ error: 'not started' });
      this.waiting.push(resolve);
      this.child.stdin.write(JSON.stringify(req) + '\n');
    });
  }

  stop(): void {
    this.child?.stdin.end();
    this.child?.kill();
    this.child = null;
  }

  /** A candidate for one precision; its run time is NumPy's own measurement (no pipe latency). */
  candidate(dtype: DType): Candidate & { lastMs: number } {
    const request = (req: object) => this.request(req);
    const c = {
      name: `numpy ${dtype === 'float32' ? 'f32' : 'f64'}`,
      family: 'numpy' as const,
      lastMs: NaN,
      supports: (_t: Task, dt: DType) => dt === dtype,
      prepare: (task: Task, dt: DType, s: Size) => {
        const req = { task: task === 'smallStep' ? 'step' : task, dtype: dt, B: s.B, d: s.d, n: s.n, bulk: s.bulk };
        return {
          run: async () => {
            const r = await request(req);
            if (r.error || r.ms === undefined) throw new Error(`numpy peer: ${r.error ?? 'no time'}`);
            c.lastMs = r.ms;
          },
        };
      },
    };
    return c;
  }
}
