import * as Root from '../../src/index.js';
import * as Experiments from '../../src/experiments/index.js';
import { INTERNAL_MEMBERS, REGISTRY } from './registry.js';

/** The public surface: the root entry and the `lmtransfer/experiments` subpath (which re-exports the figures). */
const L = { ...Root, ...Experiments };

const isClass = (v: unknown): boolean => typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v));

/** Every public member a user can reach: exports, and the prototype and static members of exported classes. */
function publicSurface(): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(L)) {
    names.push(name);
    if (!isClass(value)) continue;
    const cls = value as unknown as { prototype: object } & Record<string, unknown>;
    const internal = INTERNAL_MEMBERS[name] ?? [];
    for (const m of Object.getOwnPropertyNames(cls.prototype)) if (m !== 'constructor' && !internal.includes(m)) names.push(`${name}.${m}`);
    for (const m of Object.getOwnPropertyNames(cls)) if (!['length', 'name', 'prototype'].includes(m) && !internal.includes(m)) names.push(`${name}.${m}`);
  }
  return names;
}

describe('the fuzz registry covers the public API', () => {
  it('every export of src/index.ts, and every public method, getter and static of its classes, has a fuzz entry', () => {
    const missing = publicSurface().filter((n) => !(n in REGISTRY));
    expect(missing).toEqual([]);
  });

  it('the registry has no entry for something that is not exported (a renamed export would leave it stale)', () => {
    const surface = new Set(publicSurface());
    expect(Object.keys(REGISTRY).filter((n) => !surface.has(n))).toEqual([]);
  });

  it('members listed as internal exist (so the list cannot hide a renamed public method)', () => {
    for (const [cls, members] of Object.entries(INTERNAL_MEMBERS)) {
      const proto = (L as unknown as Record<string, { prototype: object }>)[cls].prototype;
      for (const m of members) expect(Object.getOwnPropertyNames(proto)).toContain(m);
    }
  });
});
