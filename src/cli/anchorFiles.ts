/**
 * Opening the inputs of `lmtransfer anchor`: `.npy` files (float16/32/64, any size) and safetensors
 * checkpoints (a single file of any size, a sharded checkpoint through its
 * `model.safetensors.index.json`, or a directory holding either; `PATH:NAME` picks a tensor),
 * recognised by their first bytes rather than by extension. Nothing is read beyond the headers
 * until rows are asked for (positional reads, src/io/FileMatrix.ts). Every problem becomes an
 * `LmTransferError` whose one-line message names the flag and the file, so the dispatcher exits 2.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { FormatError, LmTransferError, ShapeError } from '../core/errors.js';
import { FileMatrix, openNpyFile, openSafetensorsTensor } from '../io/files.js';
import type { Matrix } from '../core/matrix.js';
import { UsageError } from './io.js';
import { flagError } from './flags.js';

/** A matrix read whole from a file, with a short description for the report. */
export interface LoadedMatrix {
  matrix: Matrix;
  /** e.g. `'H.npy'` or `'model.safetensors:wte.weight'`. */
  source: string;
  /** The number of axes in the file (1 or 2). */
  ndim: number;
  /** The precision stored in the file (`float16` and `bfloat16` arrive widened to float32). */
  storedDType: string;
  /** The file the data was read from (a shard of a sharded checkpoint may differ from `source`). */
  path: string;
}

/**
 * Tensor names tried, in order, when `--embeddings` names a safetensors checkpoint without a
 * tensor: the output embeddings (or the tied input embeddings) of common Hugging Face checkpoints —
 * GPT-2 (`wte.weight`, `transformer.wte.weight`, `lm_head.weight`), Llama/Mistral
 * (`lm_head.weight`, `model.embed_tokens.weight`) and GPT-NeoX (`embed_out.weight`).
 */
export const EMBEDDING_TENSOR_NAMES = ['lm_head.weight', 'embed_out.weight', 'wte.weight', 'transformer.wte.weight', 'model.embed_tokens.weight'];

/** The one-line reason a file cannot be read, from Node's error code. */
function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : code;
}

function rethrow(flag: string, source: string, e: unknown): never {
  if (e instanceof LmTransferError) {
    const Ctor = e.constructor as new (msg: string) => LmTransferError;
    throw new Ctor(`${flag} ${source}: ${e.message.split('\n')[0]}`);
  }
  if ((e as NodeJS.ErrnoException).code) throw flagError(flag, `cannot read '${source}': ${fsReason(e)}`);
  throw e;
}

const exists = (p: string): boolean => {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
};

/** The first bytes of a file (fewer when it is shorter). */
function head(path: string, n: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const b = new Uint8Array(n);
    const got = readSync(fd, b, 0, n, 0);
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/**
 * Open a float matrix (or, with `allow1d`, a vector as an `m × 1` column) from `spec`: a path, or
 * for safetensors `path:tensor` (`path` a `.safetensors` file, an index `.json` or a directory).
 * Only the header is read. Integers are refused: these flags take real numbers.
 */
export function openMatrix(flag: string, spec: string, opts: { allow1d?: boolean; allowSafetensors?: boolean } = {}): FileMatrix {
  let path = spec;
  let tensor: string | undefined;
  const colon = spec.lastIndexOf(':');
  if (opts.allowSafetensors && !exists(spec) && colon > 0 && exists(spec.slice(0, colon))) {
    path = spec.slice(0, colon);
    tensor = spec.slice(colon + 1);
  }
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw flagError(flag, `cannot read '${path}': ${fsReason(e)}`);
  }
  let file: FileMatrix;
  try {
    const b = isDir ? new Uint8Array(0) : head(path, 9);
    if (!isDir && NPY_MAGIC.every((x, i) => b[i] === x)) {
      if (tensor !== undefined) throw flagError(flag, `'${path}' is a .npy file, which has no tensor names (drop ':${tensor}')`);
      file = openNpyFile(path);
    } else {
      const looksSafetensors = isDir || /\.(safetensors|json)$/i.test(path) || (b.length > 8 && b[8] === 0x7b);
      if (!opts.allowSafetensors || !looksSafetensors) {
        if (isDir) throw flagError(flag, `cannot read '${path}': it is a directory (expected a .npy file)`);
        throw new FormatError(`${flag} ${path}: must be a .npy file${opts.allowSafetensors ? ' or a safetensors file' : ''}; got a file that starts with neither the .npy magic string nor a safetensors header`);
      }
      file = openSafetensorsTensor(path, tensor, { candidates: EMBEDDING_TENSOR_NAMES });
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof FormatError && e.message.startsWith(`${flag} `))) throw e;
    rethrow(flag, path, e);
  }
  if (file.ndim !== 2 && !(opts.allow1d === true && file.ndim === 1)) {
    throw new FormatError(`${flag} ${file.source}: must hold a 2-D float array (float16, float32 or float64); got ${file.storedDType} with shape (${file.rows})`);
  }
  return file;
}

/** `openMatrix`, then read it whole. */
export function loadMatrix(flag: string, spec: string, opts: { allow1d?: boolean; allowSafetensors?: boolean } = {}): LoadedMatrix {
  const file = openMatrix(flag, spec, opts);
  let matrix: Matrix;
  try {
    matrix = file.readAll();
  } catch (e) {
    rethrow(flag, file.source, e);
  }
  return { matrix, source: file.source, ndim: file.ndim, storedDType: file.storedDType, path: file.path };
}

/**
 * A one-line dimension mismatch between two inputs (exit 2), in the CLI's message style
 * `<flag>: mismatched dimensions: <what>`, naming the flag whose file disagrees with the others.
 */
export function mismatch(flag: string, what: string): ShapeError {
  return new ShapeError(`${flag}: mismatched dimensions: ${what}`);
}
