// The schema-driven form's values and the identity document they become. Pure functions: the
// registration screen holds a `FormValues`, turns it into MOSIP-style JSON for `save_draft`,
// and checks it locally before `finalize` (the station's check stays the authority).

import type { FieldError, FormField, FormSpec, IdentityDocument, LanguageValue, Value } from '../backend/types';

/** One string per plain field; one string per form language for a multilingual field. */
export type FormValues = Record<string, string | Record<string, string>>;

export function emptyValues(spec: FormSpec): FormValues {
  const values: FormValues = {};
  for (const field of spec.fields) {
    values[field.id] = field.multilingual ? Object.fromEntries(spec.languages.map((l) => [l.code, ''])) : '';
  }
  return values;
}

/**
 * Reads a stored identity document (plain JSON from the station) back into form values;
 * unknown keys and values of the wrong shape are left out.
 */
export function valuesFromIdentity(spec: FormSpec, identity: Value | null): FormValues {
  const values = emptyValues(spec);
  if (!identity || typeof identity !== 'object' || Array.isArray(identity)) return values;
  for (const field of spec.fields) {
    const stored = identity[field.id];
    if (field.multilingual && Array.isArray(stored)) {
      const perLanguage = values[field.id] as Record<string, string>;
      for (const entry of stored) {
        if (!isLanguageValue(entry)) continue;
        if (entry.language in perLanguage) perLanguage[entry.language] = entry.value;
      }
    } else if (!field.multilingual && typeof stored === 'string') {
      values[field.id] = stored;
    }
  }
  return values;
}

function isLanguageValue(entry: Value): entry is LanguageValue {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    !Array.isArray(entry) &&
    typeof entry.language === 'string' &&
    typeof entry.value === 'string'
  );
}

/**
 * The identity document for `save_draft`: empty values are left out (a draft may be
 * incomplete), multilingual values are listed in the form's language order.
 */
export function identityFromValues(spec: FormSpec, values: FormValues): IdentityDocument {
  const identity: IdentityDocument = {};
  for (const field of spec.fields) {
    const value = values[field.id];
    if (field.multilingual && typeof value === 'object') {
      const entries: LanguageValue[] = spec.languages
        .map((language) => ({ language: language.code, value: value[language.code] ?? '' }))
        .filter((entry) => entry.value.trim() !== '');
      if (entries.length > 0) identity[field.id] = entries;
    } else if (typeof value === 'string' && value.trim() !== '') {
      identity[field.id] = value.trim();
    }
  }
  return identity;
}

const SLASHED_DATE = /^(\d{4})\/(\d{2})\/(\d{2})$/;

/** True for a real calendar date written `YYYY/MM/DD`. */
export function isSlashedDate(text: string): boolean {
  const match = SLASHED_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function problem(field: FormField, language: string | null, code: string): FieldError {
  return { field: field.id, language, code, message: code };
}

/**
 * A quick check before `finalize`, so a clerk sees an empty required field at once: plain
 * required fields, required multilingual fields in every mandatory language, dates, options
 * and lengths. The station checks again (with the schema's patterns) and has the last word.
 */
export function checkLocally(spec: FormSpec, values: FormValues): FieldError[] {
  const problems: FieldError[] = [];
  for (const field of spec.fields) {
    const value = values[field.id];
    if (field.multilingual && typeof value === 'object') {
      for (const language of spec.languages) {
        if (field.required && language.mandatory && (value[language.code] ?? '').trim() === '') {
          problems.push(problem(field, language.code, 'required'));
        }
      }
      for (const language of spec.languages) {
        const text = value[language.code] ?? '';
        if (field.max_length !== null && [...text].length > field.max_length) {
          problems.push(problem(field, language.code, 'too_long'));
        }
      }
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (text === '') {
      if (field.required) problems.push(problem(field, null, 'required'));
      continue;
    }
    if (field.max_length !== null && [...text].length > field.max_length) {
      problems.push(problem(field, null, 'too_long'));
    } else if (field.control === 'date' && !isSlashedDate(text)) {
      problems.push(problem(field, null, 'invalid_date'));
    } else if (field.control === 'dropdown' && !field.options.some((o) => o.value === text)) {
      problems.push(problem(field, null, 'not_an_option'));
    }
  }
  return problems;
}

/** The errors that belong under one input (a language's input, or the field's only input). */
export function errorsAt(errors: FieldError[], fieldId: string, language: string | null): FieldError[] {
  return errors.filter((e) => e.field === fieldId && (e.language ?? null) === language);
}

/** Errors that name no field on the form (shown in the banner rather than lost). */
export function errorsOffForm(spec: FormSpec, errors: FieldError[]): FieldError[] {
  return errors.filter(
    (e) =>
      !spec.fields.some(
        (f) => f.id === e.field && (e.language === null || (f.multilingual && spec.languages.some((l) => l.code === e.language))),
      ),
  );
}
