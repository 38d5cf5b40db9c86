import { getBackendInfo, setBackend, setThreads } from '../../src/index.js';
import { runEntry, type FuzzCounts } from './harness.js';
import { REGISTRY } from './registry.js';

/**
 * The API fuzz suite (issue 13): every registry entry on valid and mutated arguments. A call either
 * returns a finite result that passes the entry's oracle, or throws an LmTransferError naming the
 * called function; inputs are never mutated; every call returns within its time bound. The counts
 * per entry are printed at the end (calls, typed errors, clean results and the failure classes).
 */
const table: Record<string, FuzzCounts> = {};
const backend = getBackendInfo();

afterAll(() => {
  // The backend entries touch global state; put it back as it was.
  setBackend(backend.requested);
  setThreads(backend.threads);
  const total = { calls: 0, typedErrors: 0, clean: 0, untyped: 0, misnamed: 0, nonFinite: 0, oracleFailures: 0, mutations: 0, slow: 0 };
  const lines = Object.entries(table).map(([name, c]) => {
    for (const k of Object.keys(total) as (keyof FuzzCounts)[]) total[k] += c[k];
    return `${name.padEnd(36)} ${String(c.calls).padStart(4)} ${String(c.typedErrors).padStart(5)} ${String(c.clean).padStart(5)}  ${c.untyped}/${c.misnamed}/${c.nonFinite}/${c.oracleFailures}/${c.mutations}/${c.slow}`;
  });
  if (process.env.LMTRANSFER_FUZZ_REPORT) {
    console.log(
      ['entry                                calls typed clean  untyped/misnamed/nonfinite/oracle/mutated/slow', ...lines, `TOTAL ${JSON.stringify(total)}`].join('\n'),
    );
  }
});

describe('API fuzz: finite-or-typed-error, no mutation, bounded time', () => {
  it.each(Object.keys(REGISTRY))('%s', (name) => {
    const { counts, failures } = runEntry(name, REGISTRY[name]);
    table[name] = counts;
    expect(failures).toEqual([]);
    expect(counts.calls).toBeGreaterThan(0);
    // An entry whose valid arguments never reach a clean result tests only the argument checks (a
    // registry arbitrary that is itself invalid passes unnoticed otherwise); constants have no call.
    if (REGISTRY[name].kind !== 'constant') expect({ name, cleanResults: counts.clean > 0 }).toEqual({ name, cleanResults: true });
  });
});
