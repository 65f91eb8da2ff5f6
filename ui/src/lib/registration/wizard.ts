// The registration wizard's steps after the consent: demographics, documents (when the form asks
// for any), biometrics, review. The draft remembers its step in the station (`set_wizard_step`),
// so a registration left at any step reopens there. A problem the station names at finalize
// belongs to one step, and the wizard goes there to show it.

import type { FieldError, FormSpec, WizardStep } from '../backend/types';
import { isBiometricsError } from './biometrics';

/** Field errors about documents are named `documents.<category>`. */
const DOCUMENTS_PREFIX = 'documents.';

export function isDocumentsError(error: FieldError): boolean {
  return error.field === 'documents' || error.field.startsWith(DOCUMENTS_PREFIX);
}

/** The field id the station uses for a category's problem, e.g. `documents.POI`. */
export function documentsField(category: string): string {
  return `${DOCUMENTS_PREFIX}${category}`;
}

/** The steps this form has, in order, for a registration that asks for `categories` documents (the form's by default). */
export function wizardSteps(spec: FormSpec, categories: number = spec.documents?.categories.length ?? 0): WizardStep[] {
  const asksDocuments = categories > 0;
  return asksDocuments
    ? ['demographics', 'documents', 'biometrics', 'review']
    : ['demographics', 'biometrics', 'review'];
}

/** The step where `error` is fixed. */
export function stepOf(error: FieldError): WizardStep {
  if (isBiometricsError(error)) return 'biometrics';
  if (isDocumentsError(error)) return 'documents';
  return 'demographics';
}

/** The first step, in the wizard's order, that holds one of `errors`; null without any. */
export function firstStepWithErrors(steps: WizardStep[], errors: FieldError[]): WizardStep | null {
  const flagged = new Set(errors.map(stepOf));
  return steps.find((step) => flagged.has(step)) ?? null;
}

/** Where a draft reopens: the step it was left at, if this form still has it. */
export function resumeStep(steps: WizardStep[], saved: WizardStep | null): WizardStep {
  return saved && steps.includes(saved) ? saved : steps[0];
}
