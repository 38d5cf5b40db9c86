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
