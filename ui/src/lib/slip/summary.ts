// What the acknowledgement slip lists of a registration: each filled field of the form, labelled
// in the clerk's language, with the resident's values as typed, a multilingual one in each of the
// form's languages side by side (each in its own direction), a dropdown's choice by its label.

import type { FormSpec, Value } from '../backend/types';
import { pickLabel, translate, type UiLanguage } from '../i18n/catalogues';
import { CHECKBOX_YES, valuesFromIdentity } from '../registration/identity';

export interface SlipValue {
  /** The form language's code ("eng", "ara") for a multilingual value; null for a plain one. */
  language: string | null;
  direction: 'ltr' | 'rtl' | 'auto';
  text: string;
}

export interface SlipLine {
  fieldId: string;
  label: string;
  values: SlipValue[];
}

export function slipLines(spec: FormSpec, identity: Value | null, language: UiLanguage): SlipLine[] {
  const values = valuesFromIdentity(spec, identity);
  const lines: SlipLine[] = [];
  for (const field of spec.fields) {
    const value = values[field.id];
    let shown: SlipValue[];
    const chosen = typeof value === 'object' ? spec.languages.map((l) => (value[l.code] ?? '').trim()).find(Boolean) : undefined;
    if (typeof value === 'object' && field.control === 'dropdown') {
      // One choice, its code written in every language: its label once, in the clerk's language.
      const option = field.options.find((o) => o.value === chosen);
      shown = chosen ? [{ language: null, direction: 'auto', text: option ? pickLabel(option.label, language, chosen) : chosen }] : [];
    } else if (typeof value === 'object') {
      shown = spec.languages
        .filter((l) => (value[l.code] ?? '').trim() !== '')
        .map((l) => ({ language: l.code, direction: l.direction, text: value[l.code].trim() }));
    } else if (value.trim() === '') {
      shown = [];
    } else if (field.control === 'checkbox') {
      shown = [{ language: null, direction: 'auto', text: translate(language, value === CHECKBOX_YES ? 'registration.yes' : 'registration.no') }];
    } else {
      const option = field.options.find((o) => o.value === value);
      const text = option ? pickLabel(option.label, language, value) : value;
      // A phone number or a date has no letters to tell its direction: in an Arabic slip it
      // would take the page's and read "212600445566+". It is written left to right everywhere.
      const direction = field.control === 'phone' || field.control === 'date' ? 'ltr' : 'auto';
      shown = [{ language: null, direction, text }];
    }
    if (shown.length > 0) lines.push({ fieldId: field.id, label: pickLabel(field.label, language, field.id), values: shown });
  }
  return lines;
}
