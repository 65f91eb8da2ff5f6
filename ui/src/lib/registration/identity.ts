// The schema-driven form's values and the identity document they become. Pure functions: the
// registration screen holds a `FormValues`, turns it into MOSIP-style JSON for `save_draft`,
// and checks it locally before `finalize` (the station's check stays the authority).

import type { FieldError, FormField, FormOption, FormSpec, IdentityDocument, LanguageValue, Value } from '../backend/types';
import { takes, WHOLE_FORM, type Scope } from './process';

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

/** A checkbox's values, as the station checks them (`CHECKBOX_YES`/`CHECKBOX_NO` in Rust). */
export const CHECKBOX_YES = 'Y';
export const CHECKBOX_NO = 'N';

/** A field's one value: a plain field's text, a multilingual one's in the form's first language. */
export function plainValue(spec: FormSpec, values: FormValues, fieldId: string): string {
  const value = values[fieldId];
  if (typeof value === 'string') return value.trim();
  if (value && typeof value === 'object') {
    const first = spec.languages.find((l) => (value[l.code] ?? '').trim() !== '');
    return first ? value[first.code].trim() : '';
  }
  return '';
}

/** Full years from a `YYYY/MM/DD` birth date to `today`; null for a date that is not real. */
export function fullYears(born: string, today: Date): number | null {
  if (!isSlashedDate(born)) return null;
  const [year, month, day] = born.split('/').map(Number);
  const [nowYear, nowMonth, nowDay] = [today.getFullYear(), today.getMonth() + 1, today.getDate()];
  const beforeBirthday = nowMonth < month || (nowMonth === month && nowDay < day);
  return Math.max(0, nowYear - year - (beforeBirthday ? 1 : 0));
}

/**
 * The date of birth for an age given in years, as MOSIP's client computes it: today's day and
 * month that many years back (28 February for 29 February in a common year).
 */
export function dateFromAge(years: number, today: Date): string {
  const year = today.getFullYear() - years;
  const month = today.getMonth() + 1;
  let day = today.getDate();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (month === 2 && day === 29 && !leap) day = 28;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(year).padStart(4, '0')}/${two(month)}/${two(day)}`;
}

/**
 * Whether a field applies to these values today: the window's copy of the station's rule
 * (`applies` in `schemas/src/form.rs`), so that a guardian's name shows as soon as the date of
 * birth makes a minor. The station decides at finalize.
 */
export function fieldApplies(spec: FormSpec, field: FormField, values: FormValues, today: Date, scope: Scope = WHOLE_FORM): boolean {
  const condition = field.shown_when;
  if (!condition) return true;
  // A condition on a field the registration does not take cannot be decided: the field applies.
  const decider = 'age_below' in condition && condition.age_below ? condition.age_below.field : condition.equals?.field;
  if (decider && !takes(scope, decider)) return true;
  if ('age_below' in condition && condition.age_below) {
    const born = plainValue(spec, values, condition.age_below.field);
    const years = fullYears(born, today);
    const notFuture = born <= dateFromAge(0, today);
    return years !== null && notFuture && years < condition.age_below.years;
  }
  if ('equals' in condition && condition.equals) {
    return plainValue(spec, values, condition.equals.field) === condition.equals.value;
  }
  return true;
}

/** The values of the fields that apply today only: what the review reads back and the packet keeps. */
export function applyingValues(spec: FormSpec, values: FormValues, today: Date, scope: Scope = WHOLE_FORM): FormValues {
  return Object.fromEntries(
    spec.fields
      .filter((field) => takes(scope, field.id) && fieldApplies(spec, field, values, today, scope))
      .map((field) => [field.id, values[field.id]]),
  );
}

/** A dropdown's options as the form offers them now: a dependent one's, those under the parent's choice. */
export function optionsFor(spec: FormSpec, field: FormField, values: FormValues): FormOption[] {
  if (!field.options_parent) return field.options;
  const parent = plainValue(spec, values, field.options_parent);
  return parent === '' ? [] : field.options.filter((o) => o.parent === parent);
}

/**
 * The values after `fieldId` changed: every dropdown under it whose choice no longer hangs
 * under the new value is emptied, level by level (a new region empties the province, the
 * city, the district and the postal code), so that the form never shows Rabat in Casablanca.
 */
export function clearDependents(spec: FormSpec, values: FormValues, fieldId: string): FormValues {
  let next = values;
  for (const field of spec.fields) {
    if (field.options_parent !== fieldId) continue;
    const current = plainValue(spec, next, field.id);
    if (current === '' || optionsFor(spec, field, next).some((o) => o.value === current)) continue;
    next = { ...next, [field.id]: field.multilingual ? Object.fromEntries(spec.languages.map((l) => [l.code, ''])) : '' };
    next = clearDependents(spec, next, field.id);
  }
  return next;
}

function problem(field: FormField, language: string | null, code: string): FieldError {
  return { field: field.id, language, code, message: code };
}

/**
 * A quick check before `finalize`, so a clerk sees an empty required field at once: plain
 * required fields, required multilingual fields in every mandatory language, dates, options
 * and lengths. The station checks again (with the schema's patterns) and has the last word.
 */
export function checkLocally(spec: FormSpec, values: FormValues, today: Date = new Date(), scope: Scope = WHOLE_FORM): FieldError[] {
  const problems: FieldError[] = [];
  for (const baseField of spec.fields) {
    // Out of an update's changes, or hidden: left out of the packet, nothing to check.
    if (!takes(scope, baseField.id) || !fieldApplies(spec, baseField, values, today, scope)) continue;
    const field = scope.fieldsRequired ? baseField : { ...baseField, required: false };
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
        } else if (field.control === 'dropdown' && text.trim() !== '' && !optionsFor(spec, field, values).some((o) => o.value === text.trim())) {
          problems.push(problem(field, language.code, 'not_an_option'));
        }
      }
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (text === '' || (field.control === 'checkbox' && field.required && text !== CHECKBOX_YES)) {
      if (field.required) problems.push(problem(field, null, 'required'));
      continue;
    }
    if (field.max_length !== null && [...text].length > field.max_length) {
      problems.push(problem(field, null, 'too_long'));
    } else if (field.control === 'date' && !isSlashedDate(text)) {
      problems.push(problem(field, null, 'invalid_date'));
    } else if (field.control === 'dropdown' && !optionsFor(spec, field, values).some((o) => o.value === text)) {
      problems.push(problem(field, null, 'not_an_option'));
    }
  }
  return problems;
}

/** The errors that belong under one input (a language's input, or the field's only input). */
export function errorsAt(errors: FieldError[], fieldId: string, language: string | null): FieldError[] {
  return errors.filter((e) => e.field === fieldId && (e.language ?? null) === language);
}

/**
 * The errors under a multilingual dropdown's one select: the station names each language
 * ("required in English", "required in Arabic"), the clerk chooses once; one message per code.
 */
export function errorsOfField(errors: FieldError[], fieldId: string): FieldError[] {
  const mine = errors.filter((e) => e.field === fieldId);
  return mine.filter((e, index) => mine.findIndex((other) => other.code === e.code) === index);
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
