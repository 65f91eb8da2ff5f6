// Moving through the registration wizard on screen, for tests whose subject is a step (the
// form, the biometrics, Finalize): go to a step by its button, attach a document from a file,
// and sign off with the officer's password.

import { screen, waitFor } from '@testing-library/svelte';
import type { UserEvent } from '@testing-library/user-event';
import { expect } from 'vitest';

import type { WizardStep } from '../lib/backend/types';
import {
  documentAttachedId,
  documentFileId,
  documentTypeId,
  TestId,
  wizardStepId,
} from '../lib/testIds';
import { PASSWORD } from './fakeBackend';

/** The first bytes of a JPEG, enough for the station to tell the format. */
export const JPEG_BYTES = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1]);

/** Goes to `step` by its button in the row of steps and waits until it is the current one. */
export async function goToStep(user: UserEvent, step: WizardStep): Promise<void> {
  await user.click(await screen.findByTestId(wizardStepId(step)));
  await waitFor(() => expect(screen.getByTestId(wizardStepId(step)).getAttribute('aria-current')).toBe('step'));
}

/** On the documents step: attaches a one-page JPEG as `category`'s document of `documentType`. */
export async function attachDocument(user: UserEvent, category = 'POI', documentType = 'CIN'): Promise<void> {
  const type = await screen.findByTestId(documentTypeId(category));
  await waitFor(() => expect(type.querySelector(`option[value="${documentType}"]`)).not.toBeNull());
  await user.selectOptions(type, documentType);
  const file = new File([JPEG_BYTES], 'identity-card.jpg', { type: 'image/jpeg' });
  await user.upload(screen.getByTestId(documentFileId(category)) as HTMLInputElement, file);
  const form = screen.getByTestId(documentFileId(category)).closest('form')!;
  await user.click(form.querySelector<HTMLButtonElement>('button[type="submit"]')!);
  await screen.findByTestId(documentAttachedId(category));
}

/** From any step: the review, Sign off, the officer's password and Enter. */
export async function signOff(user: UserEvent, password = PASSWORD): Promise<void> {
  await goToStep(user, 'review');
  await user.click(await screen.findByTestId(TestId.OfficerSignOffOpen));
  await user.type(await screen.findByTestId(TestId.OfficerSignOffPassword), `${password}{Enter}`);
}
