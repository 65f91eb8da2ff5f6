// The operator's own fingers in the settings, over a fake station that applies the station's
// rules: nothing enrolled at first, a wrong password enrols nothing and is said beside the
// field, the right one enrols the chosen hand and the screen names its fingers, in French and
// in Arabic.

import { screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, test, vi } from 'vitest';

import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import { inputErrorId, TestId } from '../../lib/testIds';
import { FakeStation, PASSWORD } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import MyFingerprints from './MyFingerprints.svelte';

afterEach(() => setUiLanguage('en'));

async function show(station: FakeStation) {
  renderScreen(station, MyFingerprints, { onSignedOut: vi.fn() });
  return { status: await screen.findByTestId(TestId.SettingsFingersStatus), user: userEvent.setup() };
}

test('in French, an officer enrols their left hand after their password, a wrong one enrolling nothing', async () => {
  setUiLanguage('fr');
  const station = new FakeStation().signIn('sara.officer');
  const { status, user } = await show(station);
  expect(status.textContent?.trim()).toBe('Aucun doigt enregistré pour l’instant.');

  await user.selectOptions(screen.getByTestId(TestId.SettingsFingersStep), 'leftSlap');
  await user.type(screen.getByTestId(TestId.SettingsFingersPassword), 'pas le mien{Enter}');
  expect((await screen.findByTestId(inputErrorId(TestId.SettingsFingersPassword))).textContent).toBe(
    'Mot de passe incorrect. Rien n’a été enregistré.',
  );
  expect((await station.myFingerprints()).positions).toEqual([]);

  await user.type(screen.getByTestId(TestId.SettingsFingersPassword), `${PASSWORD}{Enter}`);
  expect((await screen.findByTestId(TestId.SettingsFingersOutcome)).textContent).toContain(
    'Vos doigts sont enregistrés : vous pouvez valider avec eux.',
  );
  await waitFor(() => expect(screen.getByTestId(TestId.SettingsFingersStatus).dataset.enrolled).toBe('4'));
  expect(screen.getByTestId(TestId.SettingsFingersStatus).textContent).toMatch(
    /Enregistrés le .+ : Index gauche, Majeur gauche, Annulaire gauche et Auriculaire gauche\./,
  );
  // The password is never kept.
  expect((screen.getByTestId(TestId.SettingsFingersPassword) as HTMLInputElement).value).toBe('');
  expect(station.calls.find((c) => c.method === 'enrollMyFingerprints')?.args).toEqual(['***', 'leftSlap']);
});

test('in Arabic, an empty password is said beside the field and the enrolled fingers are named in Arabic', async () => {
  setUiLanguage('ar');
  const station = new FakeStation().signIn('sara.officer');
  await station.enrollMyFingerprints(PASSWORD, 'thumbs');
  const { status, user } = await show(station);
  expect(status.dataset.enrolled).toBe('2');
  expect(status.textContent).toContain('سُجّلت في');
  // The step to enrol again is the one enrolled.
  expect((screen.getByTestId(TestId.SettingsFingersStep) as HTMLSelectElement).value).toBe('thumbs');

  await user.click(screen.getByTestId(TestId.SettingsFingersEnroll));
  expect((await screen.findByTestId(inputErrorId(TestId.SettingsFingersPassword))).textContent).toBe(
    'أدخل كلمة المرور لتسجيل أصابعك.',
  );
  expect(station.calls.filter((c) => c.method === 'enrollMyFingerprints')).toHaveLength(1);
});
