import { LmTransferError } from '../../src/core/errors.js';

/**
 * Assert that `f` throws an error of class `cls` (an `LmTransferError`, named after its class) whose
 * message starts with `message`: a prefix, so that a test may stop before a long tail such as a
 * number, though most callers give the whole message. Calls `f` once. Every documented throw is
 * tested this way: class and message together.
 */
export function expectThrow(f: () => unknown, cls: abstract new (...args: never[]) => Error, message: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  expect(err).toBeInstanceOf(LmTransferError);
  expect((err as Error).name).toBe(cls.name);
  const got = (err as Error).message;
  if (!got.startsWith(message)) {
    // `expect(got).toBe(...)` prints a diff of the whole message, which is what one wants here.
    expect(got).toBe(message);
  }
}
