// MOSIP's sample ID schema on the registration screen. The form is the FormSpec the station's
// Rust form builds from MOSIP's `id-schema-sample.json` (shared fixtures), our UI spec for it
// (`schemas/tests/mosip_sample/ui-spec.json`) and the default master data, committed as
// `src/test/fixtures/mosip-sample-form.json`; `cargo test -p enroll-schemas --test mosip_sample`
// fails when that file is not what the Rust code builds now, so this test cannot drift from it.
// The fake station serves that form; the screen must render it and check it as MOSIP says.

import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test, vi } from 'vitest';

import type { FormSpec } from '../../lib/backend/types';
import type { Notice } from '../../lib/backend/errors';
import type { UiLanguage } from '../../lib/i18n/catalogues';
import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import { dateFromAge } from '../../lib/registration/identity';
import { fieldErrorId, fieldInputId, TestId, wizardStepId } from '../../lib/testIds';
import { captureEveryStep } from '../../test/biometrics';
import { FakeStation } from '../../test/fakeBackend';
import sample from '../../test/fixtures/mosip-sample-form.json';
import { renderScreen } from '../../test/render';
import { attachDocument, goToStep, signOff } from '../../test/wizard';
import RegistrationScreen from './RegistrationScreen.svelte';

const MOSIP_FORM = sample as FormSpec;

/** The fields every resident has; the introducer's are shown for a child under five only. */
const ALWAYS_SHOWN = [
  'fullName',
  'dateOfBirth',
  'gender',
  'residenceStatus',
  'addressLine1',
  'addressLine2',
  'addressLine3',
  'region',
  'province',
  'city',
  'zone',
  'postalCode',
  'phone',
  'email',
  'referenceIdentityNumber',
];
const INTRODUCER = ['introducerName', 'introducerUIN', 'introducerRID'];

afterEach(() => setUiLanguage('en'));

function field(id: string) {
  const found = MOSIP_FORM.fields.find((f) => f.id === id);
  if (!found) throw new Error(`the sample form has no ${id}`);
  return found;
}

/** A draft of the officer's with the resident's consent, open on the sample form. */
async function openDraft(language: UiLanguage = 'en') {
  setUiLanguage(language);
  const station = new FakeStation({ form: structuredClone(MOSIP_FORM) }).signIn('sara.officer');
  const registrationId = (await station.newRegistration()).registration_id;
  await station.recordConsent(registrationId, true);
  const onDone = vi.fn<(notice: Notice | null) => void>();
  const onOpenSlip = vi.fn<(registrationId: string, notice: Notice | null) => void>();
  renderScreen(station, RegistrationScreen, { registrationId, onDone, onOpenSlip, onSignedOut: vi.fn() });
  const fullName = await screen.findByTestId(fieldInputId('fullName', 'eng'));
  return { station, registrationId, onOpenSlip, form: fullName.closest('form')!, user: userEvent.setup() };
}

/** A field's label (a legend for a field typed in each language) on the demographics step. */
function labelOf(form: HTMLElement, text: string): HTMLElement | null {
  return within(form).queryByText(text, { selector: 'label, legend' });
}

function select(id: string): HTMLSelectElement {
  return screen.getByTestId(fieldInputId(id)) as HTMLSelectElement;
}

const optionValues = (id: string) => [...select(id).options].map((o) => o.value);
const optionTexts = (id: string) => [...select(id).options].map((o) => o.textContent?.trim());

describe('MOSIP’s sample ID schema', () => {
  test('every field is on the demographics step with its inputs and options, in English and in French', async () => {
    const { form } = await openDraft();
    expect(MOSIP_FORM.fields.map((f) => f.id)).toEqual([...ALWAYS_SHOWN, ...INTRODUCER]);

    for (const id of ALWAYS_SHOWN) {
      const spec = field(id);
      expect(labelOf(form, spec.label.en), `${id} is labelled “${spec.label.en}”`).not.toBeNull();
      if (spec.multilingual && spec.control !== 'dropdown') {
        // Typed in each form language, each in its own direction.
        for (const language of MOSIP_FORM.languages) {
          const input = within(form).getByTestId(fieldInputId(id, language.code));
          expect(input.getAttribute('dir'), `${id} in ${language.code}`).toBe(language.direction);
        }
      } else {
        // A plain field, or a multilingual dropdown: ONE control, its code written in every language.
        expect(within(form).getByTestId(fieldInputId(id))).toBeTruthy();
        expect(within(form).queryByTestId(fieldInputId(id, 'eng')), `${id} has one control`).toBeNull();
      }
    }
    expect(screen.getByTestId(fieldInputId('addressLine2', 'ara')).getAttribute('dir')).toBe('rtl');
    expect(optionTexts('gender')).toEqual(['Choose…', 'Male', 'Female', 'Other']);
    expect(optionTexts('residenceStatus')).toEqual(['Choose…', 'Non-foreigner', 'Foreigner']);
    expect(optionValues('region')).toEqual(['', 'RSK', 'CS']);
    expect(optionTexts('region')).toEqual(['Choose…', 'Rabat-Salé-Kénitra', 'Casablanca-Settat']);
    // An adult's form (no date of birth yet) has no introducer.
    for (const id of INTRODUCER) expect(labelOf(form, field(id).label.en), id).toBeNull();

    setUiLanguage('fr');
    await waitFor(() => expect(labelOf(form, 'Nom complet')).not.toBeNull());
    for (const id of ALWAYS_SHOWN) {
      expect(labelOf(form, field(id).label.fr), `${id} is labelled “${field(id).label.fr}”`).not.toBeNull();
    }
    expect(optionTexts('gender').slice(1)).toEqual(['Masculin', 'Féminin', 'Autre']);
    expect(optionTexts('residenceStatus').slice(1)).toEqual(['Non-étranger', 'Étranger']);
  });

  test('a child under five has an introducer, whose fields go again for an adult', async () => {
    const { form, user } = await openDraft();
    const dateOfBirth = screen.getByTestId(fieldInputId('dateOfBirth'));
    await user.type(dateOfBirth, dateFromAge(3, new Date()));

    await waitFor(() => expect(labelOf(form, 'Introducer’s name')).not.toBeNull());
    for (const id of INTRODUCER) expect(labelOf(form, field(id).label.en), id).not.toBeNull();
    for (const language of MOSIP_FORM.languages) {
      expect(screen.getByTestId(fieldInputId('introducerName', language.code))).toBeTruthy();
    }
    expect(screen.getByTestId(fieldInputId('introducerUIN'))).toBeTruthy();

    await user.clear(dateOfBirth);
    await user.type(dateOfBirth, '1958/01/29');
    await waitFor(() => expect(labelOf(form, 'Introducer’s name')).toBeNull());
    expect(screen.queryByTestId(fieldInputId('introducerName', 'eng'))).toBeNull();
  });

  test('the name is typed per language, and each place offers only what lies in the one chosen above it', async () => {
    const { station, registrationId, user } = await openDraft();
    await user.type(screen.getByTestId(fieldInputId('fullName', 'eng')), 'Pavlo Tvlcs');
    await user.type(screen.getByTestId(fieldInputId('fullName', 'ara')), 'بافلو تفلكس');
    await user.type(screen.getByTestId(fieldInputId('fullName', 'fra')), 'Pavlo Tvlcs');
    await user.selectOptions(select('gender'), 'MLE');

    // Nothing to choose below a level not chosen yet.
    expect(optionValues('province')).toEqual(['']);
    expect(optionValues('postalCode')).toEqual(['']);
    await user.selectOptions(select('region'), 'RSK');
    await waitFor(() => expect(optionValues('province')).toEqual(['', 'RSK-RABAT', 'RSK-SALE', 'RSK-KENITRA']));
    expect(optionTexts('province').slice(1)).toEqual(['Prefecture of Rabat', 'Prefecture of Salé', 'Province of Kénitra']);
    expect(optionValues('city')).toEqual(['']);
    await user.selectOptions(select('province'), 'RSK-KENITRA');
    await waitFor(() => expect(optionValues('city')).toEqual(['', 'KENITRA']));
    await user.selectOptions(select('city'), 'KENITRA');
    await waitFor(() => expect(optionValues('zone')).toEqual(['', 'KENITRA-MAAMOURA']));
    await user.selectOptions(select('zone'), 'KENITRA-MAAMOURA');
    await waitFor(() => expect(optionValues('postalCode')).toEqual(['', '14020']));
    await user.selectOptions(select('postalCode'), '14020');

    // Another region: its own provinces, and every level below it chosen again.
    await user.selectOptions(select('region'), 'CS');
    await waitFor(() => expect(optionValues('province')).toEqual(['', 'CS-CASABLANCA', 'CS-SETTAT']));
    expect(select('province').value).toBe('');
    expect(optionValues('city')).toEqual(['']);
    expect(select('postalCode').value).toBe('');

    // The station keeps what MOSIP writes: a name per language, a choice's code in each.
    const everyLanguage = (code: string) => MOSIP_FORM.languages.map((l) => ({ language: l.code, value: code }));
    await waitFor(() =>
      expect(station.identityOf(registrationId)).toEqual({
        fullName: [
          { language: 'eng', value: 'Pavlo Tvlcs' },
          { language: 'ara', value: 'بافلو تفلكس' },
          { language: 'fra', value: 'Pavlo Tvlcs' },
        ],
        gender: everyLanguage('MLE'),
        region: everyLanguage('CS'),
      }),
    );
  });

  test('Sign off with fields missing names each field MOSIP requires, on the form, without asking the station', async () => {
    const { station, user } = await openDraft();
    await user.type(screen.getByTestId(fieldInputId('fullName', 'eng')), 'Pavlo Tvlcs');
    await user.type(screen.getByTestId(fieldInputId('fullName', 'ara')), 'بافلو تفلكس');
    await goToStep(user, 'review');
    await user.click(await screen.findByTestId(TestId.OfficerSignOffOpen));

    expect((await screen.findByTestId(fieldErrorId('addressLine2', 'eng'))).textContent?.trim()).toBe('Required in English');
    expect(screen.getByTestId(wizardStepId('demographics')).getAttribute('aria-current')).toBe('step');
    for (const id of ['addressLine1', 'addressLine2', 'addressLine3']) {
      expect(screen.getByTestId(fieldErrorId(id, 'eng')).textContent?.trim(), id).toBe('Required in English');
      expect(screen.getByTestId(fieldErrorId(id, 'ara')).textContent?.trim(), id).toBe('Required in العربية');
      // French is optional in this form.
      expect(screen.queryByTestId(fieldErrorId(id, 'fra')), id).toBeNull();
    }
    for (const id of ['dateOfBirth', 'postalCode', 'phone', 'email']) {
      expect(screen.getByTestId(fieldErrorId(id)).textContent?.trim(), id).toBe('This field is required');
      expect(screen.getByTestId(fieldInputId(id)).getAttribute('aria-invalid'), id).toBe('true');
    }
    // The multilingual dropdowns: one select each, flagged, its problem under it.
    for (const id of ['gender', 'region', 'province', 'city', 'zone']) {
      expect(screen.getByTestId(fieldInputId(id)).getAttribute('aria-invalid'), id).toBe('true');
      expect(screen.getByTestId(fieldErrorId(id)).textContent?.trim(), id).not.toBe('');
    }
    // The name is there, the optional fields may stay empty, and an adult has no introducer.
    for (const [id, language] of [
      ['fullName', 'eng'],
      ['fullName', 'ara'],
      ['fullName', 'fra'],
      ['residenceStatus', undefined],
      ['referenceIdentityNumber', undefined],
      ['introducerName', 'eng'],
    ] as const) {
      expect(screen.queryByTestId(fieldErrorId(id, language)), `${id} ${language ?? ''}`).toBeNull();
    }
    expect(station.calls.map((c) => c.method)).not.toContain('finalize');
  });

  test('a resident registered on the sample form reaches the station as MOSIP writes an identity', async () => {
    const { station, registrationId, onOpenSlip, user } = await openDraft();
    const type = (id: string, language: string | undefined, text: string) =>
      user.type(screen.getByTestId(fieldInputId(id, language)), text);
    await type('fullName', 'eng', 'Pavlo Tvlcs');
    await type('fullName', 'ara', 'بافلو تفلكس');
    await type('fullName', 'fra', 'Pavlo Tvlcs');
    await type('dateOfBirth', undefined, '1958/01/29');
    await user.selectOptions(select('gender'), 'MLE');
    await type('addressLine1', 'eng', '12 Avenue Mohammed V');
    await type('addressLine1', 'ara', '12 شارع محمد الخامس');
    await type('addressLine2', 'eng', 'Apartment 4');
    await type('addressLine2', 'ara', 'شقة 4');
    await type('addressLine3', 'eng', 'Maamora');
    await type('addressLine3', 'ara', 'المعمورة');
    for (const [id, code] of [
      ['region', 'RSK'],
      ['province', 'RSK-KENITRA'],
      ['city', 'KENITRA'],
      ['zone', 'KENITRA-MAAMOURA'],
      ['postalCode', '14020'],
    ]) {
      await waitFor(() => expect(optionValues(id)).toContain(code));
      await user.selectOptions(select(id), code);
    }
    // The sample packet's own phone and email.
    await type('phone', undefined, '0000535081');
    await type('email', undefined, 'pavlotvlcsqnqwbzujyxdclbcaod.iafpvwdivlxhhtwnvvpiahqlsurq.8172@mailinator.com');
    await user.click(screen.getByTestId(TestId.WizardNext));
    await attachDocument(user);
    await user.click(screen.getByTestId(TestId.WizardNext));
    await captureEveryStep(user);
    await signOff(user);

    await waitFor(() => expect(onOpenSlip).toHaveBeenCalledOnce());
    expect(station.stateOf(registrationId)).toBe('pending_approval');
    const everyLanguage = (code: string) => MOSIP_FORM.languages.map((l) => ({ language: l.code, value: code }));
    const engAra = (eng: string, ara: string) => [
      { language: 'eng', value: eng },
      { language: 'ara', value: ara },
    ];
    expect(station.identityOf(registrationId)).toEqual({
      fullName: [...engAra('Pavlo Tvlcs', 'بافلو تفلكس'), { language: 'fra', value: 'Pavlo Tvlcs' }],
      dateOfBirth: '1958/01/29',
      gender: everyLanguage('MLE'),
      addressLine1: engAra('12 Avenue Mohammed V', '12 شارع محمد الخامس'),
      addressLine2: engAra('Apartment 4', 'شقة 4'),
      addressLine3: engAra('Maamora', 'المعمورة'),
      region: everyLanguage('RSK'),
      province: everyLanguage('RSK-KENITRA'),
      city: everyLanguage('KENITRA'),
      zone: everyLanguage('KENITRA-MAAMOURA'),
      postalCode: '14020',
      phone: '0000535081',
      email: 'pavlotvlcsqnqwbzujyxdclbcaod.iafpvwdivlxhhtwnvvpiahqlsurq.8172@mailinator.com',
    });
  });
});
