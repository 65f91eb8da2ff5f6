// The station policy form (idle lock, retention): the numbers typed, checked against the
// ranges the station itself announced (`PolicyView.limits`), so the form and the station cannot
// disagree about them. The station checks again and has the last word.

import type { FieldError, PolicyLimits, PolicyRequest, PolicyView } from '../backend/types';
import type { Problem, Problems } from '../setup/validate';

export interface PolicyForm {
  idle_lock_minutes: string;
  retention_days: string;
}

export function formFromPolicy(policy: PolicyView): PolicyForm {
  return { idle_lock_minutes: String(policy.idle_lock_minutes), retention_days: String(policy.retention_days) };
}

/** A whole number as a person types it (Latin or Arabic-Indic digits, spaces around), or null. */
export function parseWholeNumber(text: string): number | null {
  const latin = text.trim().replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660));
  if (!/^\d{1,9}$/.test(latin)) return null;
  return Number(latin);
}

export function checkPolicy(
  form: PolicyForm,
  limits: PolicyLimits,
): { problems: Problems<keyof PolicyForm>; request: PolicyRequest | null } {
  const problems: Problems<keyof PolicyForm> = {};
  const idle = parseWholeNumber(form.idle_lock_minutes);
  const retention = parseWholeNumber(form.retention_days);
  if (idle === null || idle < limits.idle_lock_minutes_min || idle > limits.idle_lock_minutes_max) {
    problems.idle_lock_minutes = idleLockRange(limits);
  }
  if (retention === null || retention < limits.retention_days_min || retention > limits.retention_days_max) {
    problems.retention_days = retentionRange(limits);
  }
  if (Object.keys(problems).length > 0 || idle === null || retention === null) return { problems, request: null };
  return { problems, request: { idle_lock_minutes: idle, retention_days: retention } };
}

function idleLockRange(limits: PolicyLimits): Problem {
  return { key: 'policy.idleLockRange', params: { min: limits.idle_lock_minutes_min, max: limits.idle_lock_minutes_max } };
}

function retentionRange(limits: PolicyLimits): Problem {
  return { key: 'policy.retentionRange', params: { min: limits.retention_days_min, max: limits.retention_days_max } };
}

/** The station's field error on the policy form. */
export function policyProblem(error: FieldError, limits: PolicyLimits): Problem {
  if (error.code === 'out_of_range' && error.field === 'idle_lock_minutes') return idleLockRange(limits);
  if (error.code === 'out_of_range' && error.field === 'retention_days') return retentionRange(limits);
  return { key: 'field.invalid' };
}
