import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DomainError, FormatError } from '../core/errors.js';
import { FileMatrix, readExactly, type StoredFloatDType } from './FileMatrix.js';
import { parseSafetensorsHeader, type SafetensorsEntry } from './readSafetensors.js';
import { countOf } from '../core/countOf.js';

const FN = 'openSafetensorsTensor';

/** Options of `openSafetensorsTensor`. */
export interface OpenSafetensorsTensorOptions {
  /**
   * When no `name` is given: tensor names tried in order (the first present is opened); when none
   * is present and the checkpoint has exactly one 2-D float tensor, that one.
   */
  candidates?: readonly string[];
}

const FLOAT_DTYPES: Record<string, StoredFloatDType | undefined> = { F16: 'float16', BF16: 'bfloat16', F32: 'float32', F64: 'float64' };

/** The validated header of one safetensors file (reads `8 + N` bytes). */
function readHeader(path: string): { entries: SafetensorsEntry[]; dataStart: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const what = `argument 'path' must be a valid safetensors file ('${path}')`;
    let prefix = new Uint8Array(Math.min(size, 9));
    readExactly(fd, prefix, 0, prefix.length, 0, path);
    // The 9-byte prefix lets the parser check the header length (against the file size and the
    // 100 MB limit) and the opening brace before anything more is read.
    let h = parseSafetensorsHeader(FN, what, prefix, size);
    if (h === null) {
      const want = 8 + Number(new DataView(prefix.buffer).getBigUint64(0, true));
      prefix = new Uint8Array(want);
      readExactly(fd, prefix, 0, want, 0, path);
      h = parseSafetensorsHeader(FN, what, prefix, size)!;
    }
    return h;
  } finally {
    closeSync(fd);
  }
}

const isFloat2d = (e: SafetensorsEntry): boolean => e.shape.length === 2 && FLOAT_DTYPES[e.dtype] !== undefined;

/**
 * Open one 2-D float tensor (F16, BF16, F32 or F64) of a safetensors checkpoint WITHOUT reading its
 * data: from a single `model.safetensors` file of any size (the header is read and validated
 * against the file size), from a sharded checkpoint through its `model.safetensors.index.json`
 * (whose `weight_map` says which shard holds the tensor; only that shard's header is read), or from
 * a directory holding either. The returned `FileMatrix` reads rows on demand by positional reads;
 * 16-bit floats are widened to float32 block by block. Node-only.
 *
 * @param path - a `.safetensors` file, a `*.index.json` file, or a directory with `model.safetensors.index.json` or `model.safetensors`.
 * @param name - the tensor; when omitted, `opts.candidates` decide.
 * @param opts - `candidates`.
 * @returns the tensor as a `FileMatrix` (`source` is `path:name`).
 * @throws FormatError when a file is not valid safetensors or index JSON, or the tensor is not a 2-D float tensor.
 * @throws DomainError when the tensor is not in the checkpoint, or no name was given and none of the candidates is present.
 * @throws Error (Node's, with `code`) when a file cannot be opened.
 * @example
 * ```ts
 * // checkpoint/: model.safetensors.index.json and two shards, as a Hugging Face download has
 * const V = openSafetensorsTensor('checkpoint/', 'lm_head.weight').readAll();  // from the shard that holds it
 * [V.rows, V.cols]; // → [200, 8]
 * openSafetensorsTensor('checkpoint/', 'lm_head.weight').storedDType; // → 'bfloat16'
 * openSafetensorsTensor('checkpoint/', 'lm_head'); // throws DomainError
 * ```
 */
export function openSafetensorsTensor(path: string, name?: string, opts: OpenSafetensorsTensorOptions = {}): FileMatrix {
  let file = path;
  if (statSync(path).isDirectory()) {
    const index = join(path, 'model.safetensors.index.json');
    const single = join(path, 'model.safetensors');
    const exists = (p: string): boolean => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    };
    if (exists(index)) file = index;
    else if (exists(single)) file = single;
    else throw new DomainError(`${FN}: argument 'path' must be a safetensors file, an index file or a directory holding model.safetensors.index.json or model.safetensors; got the directory '${path}' with neither`);
  }
  if (/\.json$/i.test(file)) return openFromIndex(file, path, name, opts);
  const { entries, dataStart } = readHeader(file);
  const chosen = name ?? pick(entries.map((e) => e.name), entries.filter(isFloat2d).map((e) => e.name), opts, `'${path}'`, path);
  const entry = entries.find((e) => e.name === chosen);
  if (!entry) {
    throw new DomainError(`${FN}: argument 'name' must be a tensor of '${path}'; got '${chosen}' (it has no tensor '${chosen}'; it has ${entries.length} tensor${entries.length === 1 ? "" : "s"}, e.g. ${entries.slice(0, 4).map((e) => e.name).join(', ')})`);
  }
  return matrixOf(file, `${path}:${chosen}`, entry, dataStart);
}

function pick(all: string[], float2d: string[], opts: OpenSafetensorsTensorOptions, where: string, path: string): string {
  const cand = opts.candidates ?? [];
  const found = cand.find((c) => all.includes(c));
  if (found !== undefined) return found;
  if (float2d.length === 1) return float2d[0];
  const list = (float2d.length > 0 ? float2d : all).slice(0, 6).join(', ');
  throw new DomainError(
    `${FN}: argument 'name' must name a tensor (${where} holds ${float2d.length > 0 ? countOf(float2d.length, '2-D float tensor') : countOf(all.length, 'tensor')} and none has a known name${cand.length ? ` (${cand.join(', ')})` : ''}); got none: pick one with '${path}:NAME', e.g. ${list}${all.length > 6 ? ', …' : ''}`,
  );
}

function matrixOf(file: string, source: string, e: SafetensorsEntry, dataStart: number): FileMatrix {
  const dt = FLOAT_DTYPES[e.dtype];
  if (e.shape.length !== 2 || dt === undefined) {
    throw new FormatError(`${FN}: argument 'name' must be a 2-D float tensor (F16, BF16, F32 or F64); got '${e.name}', ${e.dtype} with shape [${e.shape.join(', ')}]`);
  }
  return new FileMatrix({ path: file, source, dataStart: dataStart + e.dataOffsets[0], rows: e.shape[0], cols: e.shape[1], ndim: 2, storedDType: dt, littleEndian: true, fortranOrder: false });
}

/** A sharded checkpoint: `weight_map` names the shard of each tensor. */
function openFromIndex(index: string, path: string, name: string | undefined, opts: OpenSafetensorsTensorOptions): FileMatrix {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(index, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw e;
    throw new FormatError(`${FN}: argument 'path' must be a safetensors index (JSON); got '${index}' with a parse error: ${(e as Error).message.split('\n')[0]}`);
  }
  const map = (doc as { weight_map?: unknown } | null)?.weight_map;
  if (map === null || typeof map !== 'object' || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string' || v.includes('/') || v.includes('\\'))) {
    throw new FormatError(`${FN}: argument 'path' must be a safetensors index with a 'weight_map' of tensor names to shard file names; got '${index}' without one`);
  }
  const weightMap = map as Record<string, string>;
  const names = Object.keys(weightMap);
  // Candidates first; otherwise the only 2-D float tensor cannot be known without every shard's header.
  const chosen = name ?? pick(names, [], opts, `the index '${index}'`, path);
  const shard = weightMap[chosen];
  if (shard === undefined) {
    throw new DomainError(`${FN}: argument 'name' must be a tensor of the index '${index}'; got '${chosen}' (it has no tensor '${chosen}'; it has ${names.length} tensor${names.length === 1 ? "" : "s"}, e.g. ${names.slice(0, 4).join(', ')})`);
  }
  const file = join(dirname(index), shard);
  const { entries, dataStart } = readHeader(file);
  const entry = entries.find((e) => e.name === chosen);
  if (!entry) throw new FormatError(`${FN}: the index '${index}' must point to the shard holding '${chosen}'; got '${shard}', which has no such tensor`);
  return matrixOf(file, `${path}:${chosen}`, entry, dataStart);
}
