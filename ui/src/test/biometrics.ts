// Taking the biometrics through the screen, for tests whose subject is something else (the
// form, Finalize): every step of the fake's policy captured once, at the fake's good quality.

import { screen, waitFor } from '@testing-library/svelte';
import type { UserEvent } from '@testing-library/user-event';
import { expect } from 'vitest';

import type { PolicyStep } from '../lib/backend/types';
import { captureStepId, stepAttemptsId } from '../lib/testIds';
import { DEFAULT_CAPTURE_POLICY } from './fakeBackend';

/** The steps the biometrics card shows under the default policy, the face among them. */
export const BIOMETRIC_STEPS: PolicyStep[] = DEFAULT_CAPTURE_POLICY.steps;

/** Clicks Capture on every step and waits until each counted its attempt. */
export async function captureEveryStep(user: UserEvent): Promise<void> {
  for (const step of BIOMETRIC_STEPS) {
    const button = await screen.findByTestId(captureStepId(step));
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false));
    const before = Number(screen.getByTestId(stepAttemptsId(step)).getAttribute('data-attempts'));
    await user.click(button);
    await waitFor(() =>
      expect(Number(screen.getByTestId(stepAttemptsId(step)).getAttribute('data-attempts'))).toBe(before + 1),
    );
  }
}
