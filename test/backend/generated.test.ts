import { execFileSync } from 'node:child_process';
import { Script } from 'node:vm';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KERNELS_RELAXED_WASM_BASE64,
  KERNELS_RELAXED_WASM_BYTES,
  KERNELS_SOURCE_SHA256,
  KERNELS_WASM_BASE64,
  KERNELS_WASM_BYTES,
} from '../../src/wasm/generated/kernels.js';
import { WORKER_INPUTS_SHA256, WORKER_SOURCE } from '../../src/wasm/generated/worker.js';

describe('generated WebAssembly module', () => {
  it('was compiled from the current AssemblyScript source (else run npm run build:wasm)', () => {
    const src = readFileSync(join(__dirname, '../../src/wasm/assembly/kernels.ts'), 'utf8');
    expect(createHash('sha256').update(src).digest('hex')).toBe(KERNELS_SOURCE_SHA256);
    // Both variants (portable and relaxed SIMD) come from that source in one build.
    for (const [b64, size] of [
      [KERNELS_WASM_BASE64, KERNELS_WASM_BYTES],
      [KERNELS_RELAXED_WASM_BASE64, KERNELS_RELAXED_WASM_BYTES],
    ] as const) {
      const bytes = Buffer.from(b64, 'base64');
      expect(bytes.length).toBe(size);
      // The WebAssembly magic number and version 1.
      expect(Array.from(bytes.subarray(0, 8))).toEqual([0, 97, 115, 109, 1, 0, 0, 0]);
    }
    expect(KERNELS_RELAXED_WASM_BASE64).not.toBe(KERNELS_WASM_BASE64);
  });
});

describe('generated worker program', () => {
  it('is the current bundle of src/backend/worker.ts and its imports (else run npm run build:worker)', () => {
    // --check bundles the sources again and compares the whole generated module, hash included.
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [join(__dirname, '../../scripts/build-worker.mjs'), '--check'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(WORKER_INPUTS_SHA256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is one self-contained script: no import/export, no Function source text, and it names its entry', () => {
    expect(WORKER_SOURCE).not.toMatch(/\bimport\s*[{(*'"]|\bexport\s/);
    expect(WORKER_SOURCE).not.toMatch(/toString\(\)|new Function/);
    // Parses as a script (the Node worker evaluates it as CommonJS, a Web Worker as a classic script).
    expect(() => new Script(WORKER_SOURCE)).not.toThrow();
  });
});
