// @tensorflow/tfjs peers: the cpu backend (pure JS) and the wasm backend (XNNPACK, SIMD; its
// threads are unavailable in Node). Only float32 exists in tfjs. The union package is
// used because tfjs-core alone registers no gradients; gradients are written out here
// anyway, as the same operations every candidate runs.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { makeProblem } from './data.js';
import type { Candidate, DType, Runner, Size, Task } from './types.js';

let tfp: Promise<typeof TF> | undefined;

async function loadTf(): Promise<typeof TF> {
  tfp ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The wasm binaries are read from node_modules (no download).
    const require = createRequire(join(process.cwd(), 'package.json'));
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
    return tf;
  })();
  return tfp;
}

type Tensor = TF.Tensor;

async function prepareTf(backend: 'cpu' | 'wasm', vtStored: boolean, task: Task, dtype: DType, s: Size): Promise<Runner> {
  const tf = await loadTf();
  await tf.setBackend(backend);
  await tf.ready();
  const { B, d, n } = s;
  const p = makeProblem(dtype, s, task === 'ce');
  const H = tf.tensor2d(p.H as Float32Array, [B, d]);
  const V = tf.tensor2d(p.V as Float32Array, [n, d]);
  const Vt = vtStored ? tf.transpose(V) : null;
  const t = tf.tensor1d(p.targets, 'int32');
  const Z = task === 'ce' ? tf.tensor2d(p.Z as Float32Array, [B, n]) : null;
  const bulk = tf.tensor1d(p.bulk, 'int32');
  const held: Tensor[] = [H, V, t, bulk, ...(Vt ? [Vt] : []), ...(Z ? [Z] : [])];
  const ce = (logits: Tensor) => {
    const lse = tf.logSumExp(logits, 1);
    const onehot = tf.oneHot(t, n, 1, 0, 'float32');
    const loss = tf.mean(tf.sub(lse, tf.sum(tf.mul(logits, onehot), 1)));
    const G = tf.div(tf.sub(tf.softmax(logits), onehot), B);
    return { loss, G };
  };
  let state: { H: Tensor; V: Tensor } = { H, V };
  const run = (): void => {
    switch (task) {
      case 'matmul':
        tf.tidy(() => (Vt ? tf.matMul(H, Vt) : tf.matMul(H, V, false, true)).dataSync().length);
        break;
      case 'ce':
        tf.tidy(() => {
          const r = ce(Z as Tensor);
          r.loss.dataSync();
          r.G.dataSync();
        });
        break;
      case 'logPartition':
        tf.tidy(() => tf.logSumExp(tf.matMul(H, tf.gather(V, bulk), false, true), 1).dataSync());
        break;
      case 'step':
      case 'smallStep': {
        const next = tf.tidy(() => {
          const logits = tf.matMul(state.H, state.V, false, true);
          const { G } = ce(logits);
          const dV = tf.matMul(G, state.H, true, false);
          const dH = tf.matMul(G, state.V);
          return { H: tf.sub(state.H, tf.mul(dH, 0.01)), V: tf.sub(state.V, tf.mul(dV, 0.01)) };
        });
        next.V.dataSync();
        next.H.dataSync();
        if (state.H !== H) tf.dispose([state.H, state.V]);
        state = next;
        break;
      }
    }
  };
  return {
    run,
    dispose: () => {
      tf.dispose(held);
      if (state.H !== H) tf.dispose([state.H, state.V]);
    },
  };
}

/** A tfjs candidate on `backend`; `vtStored` keeps Vᵀ (d × n) for the matmul (tfjs-wasm's fast path). */
export function tfjsCandidate(name: string, backend: 'cpu' | 'wasm', vtStored = false): Candidate {
  return {
    name,
    family: 'tfjs',
    supports: (task, dtype) => dtype === 'float32' && (!vtStored || task === 'matmul'),
    activate: async () => {
      const tf = await loadTf();
      if (tf.getBackend() !== backend) await tf.setBackend(backend);
    },
    prepare: (task, dtype, size) => prepareTf(backend, vtStored, task, dtype, size),
  };
}
