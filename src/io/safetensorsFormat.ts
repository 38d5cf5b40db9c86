/**
 * Shared pieces of the safetensors reader and writer.
 *
 * The format (huggingface/safetensors, README "Format"): 8 bytes `N`, an unsigned little-endian
 * 64-bit header size; `N` bytes of UTF-8 JSON starting with `{` and possibly padded with spaces,
 * mapping each tensor name to `{"dtype", "shape", "data_offsets": [BEGIN, END]}` (offsets relative
 * to the start of the data section, END one past the last byte), plus an optional
 * `"__metadata__"` map of strings to strings; then the data section, little-endian, C order, which
 * the tensors must cover entirely without overlaps or holes.
 *
 * @internal
 */

/** Element types of the safetensors format. */
export type SafetensorsDType =
  | 'F64' | 'F32' | 'F16' | 'BF16'
  | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL'
  | 'U16' | 'U32' | 'U64' | 'F8_E4M3' | 'F8_E5M2';

/** Bytes per element of every dtype the format defines (all of them are checked for size). */
export const SAFETENSORS_ITEMSIZE: Record<SafetensorsDType, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2,
  I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
  U16: 2, U32: 4, U64: 8, F8_E4M3: 1, F8_E5M2: 1,
};

/** Dtypes that `readSafetensors` decodes into numbers (the others are validated but not decoded). */
export const SAFETENSORS_DECODED: readonly SafetensorsDType[] = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'];

/**
 * The largest header `readSafetensors` accepts, 100,000,000 bytes: the limit of the reference
 * implementation (safetensors' `MAX_HEADER_SIZE`), which protects against a corrupt length field
 * making the reader allocate gigabytes.
 */
export const SAFETENSORS_MAX_HEADER = 100_000_000;
