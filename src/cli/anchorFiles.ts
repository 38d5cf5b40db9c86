/**
 * Loading the matrices of `lmtransfer anchor` from files: `.npy` (any version, float32/float64) and
 * safetensors (`model.safetensors[:tensor]`), recognised by their first bytes rather than by
 * extension. Every problem becomes an `LmTransferError` whose one-line message names the flag and
 * the file, so the dispatcher exits 2 with it.
 */
import { readFileSync } from 'node:fs';
import { LmTransferError, FormatError, ShapeError } from '../errors/errors.js';
import { readNpy } from '../io/readNpy.js';
import { readSafetensors } from '../io/readSafetensors.js';
import type { Matrix } from '../matrix/matrix.js';
import { UsageError } from './io.js';

/** A matrix read from a file, with a short description for the report. */
export interface LoadedMatrix {
  matrix: Matrix;
  /** e.g. `'H.npy'` or `'model.safetensors:wte.weight'`. */
  source: string;
  /** The number of axes in the file (1 or 2). */
  ndim: number;
}

/**
 * Tensor names tried, in order, when `--embeddings model.safetensors` names no tensor: the output
 * embeddings (or the tied input embeddings) of common Hugging Face checkpoints — GPT-2 (`wte.weight`,
 * `transformer.wte.weight`, `lm_head.weight`), Llama/Mistral (`lm_head.weight`,
 * `model.embed_tokens.weight`) and GPT-NeoX (`embed_out.weight`).
 */
export const EMBEDDING_TENSOR_NAMES = ['lm_head.weight', 'embed_out.weight', 'wte.weight', 'transformer.wte.weight', 'model.embed_tokens.weight'];

function readBytes(flag: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : code;
    throw new UsageError(`${flag}: cannot read '${path}': ${why}`);
  }
}

function rethrow(flag: string, source: string, e: unknown): never {
  if (e instanceof LmTransferError) {
    const Ctor = e.constructor as new (msg: string) => LmTransferError;
    throw new Ctor(`${flag} ${source}: ${e.message.split('\n')[0]}`);
  }
  throw e;
}

const NPY_MAGIC = '\x93NUMPY';

/**
 * Load a float matrix (or, with `allow1d`, a vector as an `m × 1` column) from `spec`, which is a
 * path, or for safetensors `path:tensor`. Integers are refused: these flags take real numbers.
 */
export function loadMatrix(flag: string, spec: string, opts: { allow1d?: boolean; allowSafetensors?: boolean; preferCols?: number } = {}): LoadedMatrix {
  let path = spec;
  let tensor: string | undefined;
  const m = /^(.*\.safetensors):([^:\\/]+)$/i.exec(spec);
  if (m && opts.allowSafetensors) {
    path = m[1];
    tensor = m[2];
  }
  const bytes = readBytes(flag, path);
  const head = String.fromCharCode(...bytes.subarray(0, 6));
  if (head === NPY_MAGIC) {
    if (tensor !== undefined) throw new UsageError(`${flag}: '${path}' is a .npy file, which has no tensor names (drop ':${tensor}')`);
    let arr;
    try {
      arr = readNpy(bytes);
    } catch (e) {
      rethrow(flag, path, e);
    }
    const ndimOk = arr.shape.length === 2 || (opts.allow1d === true && arr.shape.length === 1);
    if (!arr.matrix || !ndimOk) {
      throw new FormatError(
        `${flag} ${path}: must hold a ${opts.allow1d ? '1-D or 2-D' : '2-D'} float array (float16, float32 or float64); got ${arr.dtype} with shape (${arr.shape.join(', ')})`,
      );
    }
    return { matrix: arr.matrix, source: path, ndim: arr.shape.length };
  }
  const looksSafetensors = /\.safetensors$/i.test(path) || (bytes.length > 8 && bytes[8] === 0x7b);
  if (!opts.allowSafetensors || !looksSafetensors) {
    throw new FormatError(`${flag} ${path}: must be a .npy file${opts.allowSafetensors ? ' or a safetensors file' : ''}; got a file that starts with neither the .npy magic string nor a safetensors header`);
  }
  let file;
  try {
    // Validate the whole header, decode nothing yet: a model file may hold hundreds of tensors.
    file = readSafetensors(bytes, { names: [] });
  } catch (e) {
    rethrow(flag, path, e);
  }
  const floats2d = file.entries.filter((e) => e.shape.length === 2 && ['F64', 'F32', 'F16', 'BF16'].includes(e.dtype));
  let name = tensor;
  if (name === undefined) {
    name = EMBEDDING_TENSOR_NAMES.find((n) => floats2d.some((e) => e.name === n));
    if (name === undefined && floats2d.length === 1) name = floats2d[0].name;
    if (name === undefined) {
      const list = floats2d.slice(0, 6).map((e) => `${e.name} [${e.shape.join('×')}]`).join(', ');
      throw new UsageError(`${flag}: '${path}' holds ${floats2d.length} 2-D float tensor${floats2d.length === 1 ? '' : 's'} and none has a known embedding name; pick one with '${path}:NAME' (for example: ${list}${floats2d.length > 6 ? ', …' : ''})`);
    }
  }
  const entry = file.entries.find((e) => e.name === name);
  if (!entry) throw new UsageError(`${flag}: '${path}' has no tensor '${name}' (it has ${file.entries.length} tensor${file.entries.length === 1 ? '' : 's'}, e.g. ${file.entries.slice(0, 4).map((e) => e.name).join(', ')})`);
  if (entry.shape.length !== 2 || !['F64', 'F32', 'F16', 'BF16'].includes(entry.dtype)) {
    throw new FormatError(`${flag} ${path}:${name}: must be a 2-D float tensor; got ${entry.dtype} with shape [${entry.shape.join(', ')}]`);
  }
  let matrix: Matrix | undefined;
  try {
    matrix = readSafetensors(bytes, { names: [name] }).tensors.get(name)?.matrix;
  } catch (e) {
    rethrow(flag, path, e);
  }
  if (!matrix) throw new FormatError(`${flag} ${path}:${name}: could not be decoded as a matrix`);
  return { matrix, source: `${path}:${name}`, ndim: 2 };
}

/** A one-line dimension mismatch between two inputs (exit 2). */
export function mismatch(what: string): ShapeError {
  return new ShapeError(`mismatched dimensions: ${what}`);
}
