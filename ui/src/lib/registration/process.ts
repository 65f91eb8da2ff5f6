// The registration's process in the window: which part of the form an update, a lost card or a
// correction takes (the station's `FormProcess::scope`, mirrored for speed), and the shape of a
// resident's ID number. The station checks both again and has the last word.

import type { FormDocumentCategory, FormProcess, FormSpec, ProcessKind, ProcessView } from '../backend/types';

/** What a registration takes of the form. */
export interface Scope {
  /** null: every field. */
  fields: Set<string> | null;
  /** null: the form's categories as configured; else only these, each required. */
  documents: Set<string> | null;
  fieldsRequired: boolean;
}

export const WHOLE_FORM: Scope = { fields: null, documents: null, fieldsRequired: true };

export function processOf(spec: FormSpec, kind: ProcessKind): FormProcess | undefined {
  return spec.processes.find((p) => p.process === kind);
}

/** The part of the form a registration of `process` takes (the whole form for a new one). */
export function scopeOf(spec: FormSpec, process: ProcessView | null): Scope {
  if (!process) return WHOLE_FORM;
  const configured = processOf(spec, process.process);
  if (!configured) return WHOLE_FORM;
  // Keys the configuration may leave out arrive absent: their defaults are the station's.
  const fieldsRequired = configured.fields_required ?? true;
  if (!configured.groups) return { fields: null, documents: null, fieldsRequired };
  const chosen = configured.groups.filter((group) => process.changes.includes(group.id));
  return {
    fields: new Set(chosen.flatMap((group) => group.fields ?? [])),
    documents: new Set(chosen.flatMap((group) => group.documents ?? [])),
    fieldsRequired,
  };
}

/** Whether `fieldId` is part of the registration. */
export function takes(scope: Scope, fieldId: string): boolean {
  return scope.fields === null || scope.fields.has(fieldId);
}

/** The document categories the registration asks for, with whether each is required. */
export function categoriesIn(spec: FormSpec, scope: Scope): FormDocumentCategory[] {
  const categories = spec.documents?.categories ?? [];
  if (scope.documents === null) return categories;
  const only = scope.documents;
  return categories.filter((c) => only.has(c.category)).map((c) => ({ ...c, required: true }));
}

// Verhoeff's tables: the check digit MOSIP's UINs (and our registration ids) end with.
const MULTIPLY = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const PERMUTE = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** A resident's ID number as MOSIP issues it: 10 digits, the last checking the others. */
/** An example of the register's request numbers (MOSIP's additional-information requests). */
export const REQUEST_ID_EXAMPLE = '10001100010000120261125094920-BIOMETRIC_CORRECTION-1';

/** The shape the station accepts (`is_request_id` in `station/src/process.rs`): 10 to 40
 *  digits, a name of capitals and underscores, a count of 1 to 4 digits, joined by dashes. */
export function isRequestId(text: string): boolean {
  return text.length <= 100 && /^\d{10,40}-[A-Z][A-Z_]*-\d{1,4}$/.test(text);
}

export function isResidentId(text: string): boolean {
  if (!/^\d{10}$/.test(text)) return false;
  let check = 0;
  [...text].reverse().forEach((digit, index) => {
    check = MULTIPLY[check][PERMUTE[index % 8][Number(digit)]];
  });
  return check === 0;
}
