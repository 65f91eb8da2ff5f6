// The UI half of the drift check between `types.ts` and the station's Rust types. The Rust
// half (`src-tauri/tests/contract`) writes `contract.json` from real serialized values and
// fails when they change; this test fails when `SHAPES` (which the compiler ties to the
// interfaces in `types.ts`) no longer describes that file.

import { describe, expect, it } from 'vitest';

import contract from './contract.json';
import { REGISTRATION_STATES, SHAPES, type Kind } from './types';

type Samples = Record<string, Record<string, unknown>>;
const samples = Object.fromEntries(Object.entries(contract).filter(([name]) => !name.startsWith('_'))) as Samples;

function kindOf(value: unknown): Kind {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'object?';
  return typeof value as Kind;
}

function fits(value: unknown, kind: Kind): boolean {
  if (kind.endsWith('?')) return value === null || kindOf(value) === kind.slice(0, -1);
  return kindOf(value) === kind;
}

describe('types.ts against the Rust contract', () => {
  it('describes every type the Rust side samples, and no other', () => {
    expect(Object.keys(SHAPES).sort()).toEqual(Object.keys(samples).sort());
  });

  for (const [name, shape] of Object.entries(SHAPES)) {
    it(`${name} has the same fields with the same kinds`, () => {
      const sample = samples[name];
      expect(sample, `contract.json has no ${name}`).toBeDefined();
      expect(Object.keys(shape).sort()).toEqual(Object.keys(sample).sort());
      for (const [field, kind] of Object.entries(shape)) {
        expect(fits(sample[field], kind as Kind), `${name}.${field} should be ${kind}, is ${JSON.stringify(sample[field])}`).toBe(true);
      }
    });
  }

  it('samples only decisions the UI knows', () => {
    expect(['approved', 'rejected']).toContain(samples.DecisionView.outcome);
  });

  it('samples only registration states the UI knows', () => {
    for (const name of ['RegistrationView', 'HomeItem']) {
      expect(REGISTRATION_STATES).toContain(samples[name].state);
    }
  });
});
