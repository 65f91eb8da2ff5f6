// What a clerk reads under a field: the station's stable field-error codes in the UI
// language. A code we do not know reads "Check this value": the station's English stays in its log.

import type { FieldError, FormSpec } from '../backend/types';
import { pickLabel, translate, type UiLanguage } from '../i18n/catalogues';

export function fieldErrorMessage(spec: FormSpec, error: FieldError, language: UiLanguage): string {
  const field = spec.fields.find((f) => f.id === error.field);
  const hint = field ? pickLabel(field.hint, language) : '';
  switch (error.code) {
    case 'required': {
      const formLanguage = spec.languages.find((l) => l.code === error.language);
      return formLanguage
        ? translate(language, 'field.requiredIn', { language: formLanguage.name })
        : translate(language, 'field.required');
    }
    case 'invalid_format':
      return hint ? translate(language, 'field.invalid_formatLike', { hint }) : translate(language, 'field.invalid_format');
    case 'invalid_date':
      return translate(language, 'field.invalid_date', { hint: hint || 'YYYY/MM/DD' });
    case 'not_an_option':
      return translate(language, 'field.not_an_option');
    case 'too_long':
      if (field?.max_length != null) return translate(language, 'field.too_long', { max: field.max_length });
      return translate(language, 'field.invalid');
    default:
      return translate(language, 'field.invalid');
  }
}
