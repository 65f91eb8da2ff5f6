// The registration screen over a fake station: the wizard's steps (what a clerk types reaches
// the station, the documents, the review), the station's field errors under the input they
// concern on their step (in the UI language), and the officer's sign-off that hands the
// registration on. A supervisor's review shows the same form read-only.

import { cleanup, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test, vi } from 'vitest';

import type { Notice } from '../../lib/backend/errors';
import { translate } from '../../lib/i18n/catalogues';
import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import { dateFromAge } from '../../lib/registration/identity';
import {
  captureStepId,
  consentTextId,
  documentAttachedId,
  documentErrorId,
  documentFileId,
  documentPagesReadyId,
  documentPreviewId,
  documentReferenceId,
  documentRemoveId,
  documentPhotographId,
  documentScanId,
  documentTypeId,
  fieldAgeInputId,
  fieldErrorId,
  fieldInputId,
  stepSimulatedBadgeId,
  TestId,
  tileErrorId,
  tileMarkExceptionId,
  tileQualityId,
  tileThumbnailId,
  wizardStepId,
} from '../../lib/testIds';
import { captureEveryStep } from '../../test/biometrics';
import { FakeStation, fieldError, PASSWORD, validationFailed } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import { attachDocument, goToStep, signOff } from '../../test/wizard';
import RegistrationScreen from './RegistrationScreen.svelte';

afterEach(() => setUiLanguage('en'));

function open(station: FakeStation, registrationId: string) {
  const onDone = vi.fn<(notice: Notice | null) => void>();
  const onOpenSlip = vi.fn<(registrationId: string, notice: Notice | null) => void>();
  const onSignedOut = vi.fn();
  renderScreen(station, RegistrationScreen, { registrationId, onDone, onOpenSlip, onSignedOut });
  return { onDone, onOpenSlip, onSignedOut };
}

/** A draft of the officer's, open on the screen, with the form shown. */
async function openDraft() {
  const station = new FakeStation().signIn('sara.officer');
  const registrationId = (await station.newRegistration()).registration_id;
  // The consent step has tests of its own (below); these start from the form.
  await station.recordConsent(registrationId, true);
  const handlers = open(station, registrationId);
  await screen.findByTestId(fieldInputId('fullName', 'eng'));
  return { station, registrationId, ...handlers, user: userEvent.setup() };
}

/** Every step filled as a clerk would, ending on the biometrics step. */
async function fillValidForm(user: ReturnType<typeof userEvent.setup>, phone = '+212600112233') {
  await user.type(screen.getByTestId(fieldInputId('fullName', 'eng')), 'Amina Idrissi');
  await user.type(screen.getByTestId(fieldInputId('fullName', 'ara')), 'أمينة الإدريسي');
  await user.type(screen.getByTestId(fieldInputId('dateOfBirth')), '1990/02/28');
  await user.selectOptions(screen.getByTestId(fieldInputId('gender')), 'FLE');
  await user.type(screen.getByTestId(fieldInputId('phone')), phone);
  await user.click(screen.getByTestId(TestId.WizardNext));
  await attachDocument(user);
  await user.click(screen.getByTestId(TestId.WizardNext));
  await captureEveryStep(user);
}

describe('the consent step', () => {
  async function openNewDraft(language: 'en' | 'fr' | 'ar' = 'en') {
    setUiLanguage(language);
    const station = new FakeStation().signIn('sara.officer');
    const registrationId = (await station.newRegistration()).registration_id;
    const handlers = open(station, registrationId);
    await screen.findByTestId(TestId.ConsentStep);
    return { station, registrationId, ...handlers, user: userEvent.setup() };
  }

  test('a new registration starts with the consent, in every language, and agreeing opens the form', async () => {
    const { station, registrationId, user } = await openNewDraft();
    // The form is built behind the consent (so that agreeing only shows it), but hidden: out of
    // sight, out of the tab order, out of the accessibility tree.
    const wizard = screen.getByTestId(TestId.WizardBody);
    expect(wizard.hidden, 'no form before the consent').toBe(true);
    expect(wizard.contains(screen.getByTestId(fieldInputId('fullName', 'eng')))).toBe(true);
    expect(screen.queryByRole('textbox'), 'no field reachable before the consent').toBeNull();
    expect(screen.queryByTestId(TestId.FinalizeButton)).toBeNull();
    const arabic = screen.getByTestId(consentTextId('ar'));
    expect(arabic.getAttribute('dir')).toBe('rtl');
    expect(arabic.getAttribute('lang')).toBe('ar');
    expect(arabic.textContent).toContain('هل توافق على التسجيل؟');
    expect(screen.getByTestId(consentTextId('fr')).textContent).toContain('Acceptez-vous');
    // Keyboard first: the caret waits on "agrees".
    const agree = screen.getByTestId(TestId.ConsentAgree);
    await waitFor(() => expect(document.activeElement).toBe(agree));

    await user.keyboard('{Enter}');

    await waitFor(() => expect(screen.getByTestId(TestId.WizardBody).hidden).toBe(false));
    // The caret goes on to the form's first field, which took no focus while it was hidden.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(fieldInputId('fullName', 'eng'))));
    expect(station.calls.find((c) => c.method === 'recordConsent')?.args).toEqual([registrationId, true]);
    expect(screen.getByTestId(TestId.ConsentGiven).textContent).toContain('Consent given');
  });

  test('in French, a refusal is confirmed, ends the registration and goes home saying so', async () => {
    const { station, registrationId, onDone, user } = await openNewDraft('fr');
    // The clerk's language first.
    const texts = [...screen.getByTestId(TestId.ConsentStep).querySelectorAll('figure')].map((f) => f.getAttribute('lang'));
    expect(texts[0]).toBe('fr');

    await user.click(screen.getByTestId(TestId.ConsentRefuse));
    expect(screen.getByRole('alertdialog').textContent).toContain('Un refus met fin à cet enregistrement');
    // Going back changes nothing.
    await user.click(screen.getByTestId(TestId.ConsentRefuseCancel));
    expect(station.stateOf(registrationId)).toBe('draft');
    await user.click(screen.getByTestId(TestId.ConsentRefuse));
    await user.click(screen.getByTestId(TestId.ConsentRefuseConfirm));

    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(station.stateOf(registrationId)).toBe('purged');
    const notice = onDone.mock.calls[0][0];
    expect(notice?.kind).toBe('warning');
    expect(notice?.text('fr')).toBe(
      `Enregistrement ${registrationId} terminé : la personne a refusé son consentement. Le refus est consigné.`,
    );
  });

  test('a draft whose consent is recorded reopens on the form', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const registrationId = (await station.newRegistration()).registration_id;
    await station.recordConsent(registrationId, true);
    open(station, registrationId);
    await screen.findByTestId(fieldInputId('fullName', 'eng'));
    expect(screen.queryByTestId(TestId.ConsentStep)).toBeNull();
  });
});

describe('registration form', () => {
  test('in French, an officer who enrolled their fingers signs off with a finger; a stranger’s finger finalizes nothing', async () => {
    setUiLanguage('fr');
    const { station, registrationId, onOpenSlip, user } = await openDraft();
    await station.enrollMyFingerprints(PASSWORD, 'rightSlap');
    await fillValidForm(user);
    await user.click(screen.getByTestId(TestId.WizardNext));
    await user.click(await screen.findByTestId(TestId.OfficerSignOffOpen));
    const byFinger = await screen.findByTestId(TestId.OfficerSignOffByFinger);
    expect(byFinger.textContent?.trim()).toBe('Valider avec mon empreinte');

    station.fingerAtScanner = 'stranger';
    await user.click(byFinger);
    expect((await screen.findByTestId(TestId.OfficerSignOffError)).textContent).toBe(
      'Le doigt ne correspond pas aux empreintes que vous avez enregistrées. Recommencez, ou validez avec votre mot de passe.',
    );
    expect(station.stateOf(registrationId)).toBe('draft');
    expect(screen.getByTestId(TestId.OfficerSignOffDialog)).toBeTruthy();

    station.fingerAtScanner = 'own';
    await user.click(screen.getByTestId(TestId.OfficerSignOffByFinger));
    await waitFor(() => expect(onOpenSlip).toHaveBeenCalledOnce());
    expect(station.stateOf(registrationId)).toBe('pending_approval');
    expect(station.calls.filter((c) => c.method === 'finalizeByFingerprint')).toHaveLength(2);
  });

  test('an officer who enrolled no fingers is offered the password alone', async () => {
    const { station, user } = await openDraft();
    await fillValidForm(user);
    await user.click(screen.getByTestId(TestId.WizardNext));
    await user.click(await screen.findByTestId(TestId.OfficerSignOffOpen));
    await screen.findByTestId(TestId.OfficerSignOffPassword);
    // The station was asked, and answered: nothing enrolled.
    await waitFor(() => expect(station.calls.some((c) => c.method === 'myFingerprints')).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(screen.queryByTestId(TestId.OfficerSignOffByFinger)).toBeNull();
  });

  test('what the clerk types, the document and the biometrics are reviewed, and the officer’s sign-off hands them to a supervisor, then the slip', async () => {
    const { station, registrationId, onDone, onOpenSlip, user } = await openDraft();
    expect(screen.getByTestId(TestId.RegistrationId).textContent).toBe(`Registration ID: ${registrationId}`);
    // The Arabic name is typed right to left.
    expect(screen.getByTestId(fieldInputId('fullName', 'ara')).getAttribute('dir')).toBe('rtl');
    expect(screen.getByTestId(wizardStepId('demographics')).getAttribute('aria-current')).toBe('step');

    await fillValidForm(user);
    // The face is a step card like the others: its device said to be simulated, its quality
    // against the face's threshold, and no exception to record for it.
    expect(screen.getByTestId(stepSimulatedBadgeId('face')).textContent).toContain('SIMULATED');
    expect(screen.getByTestId(tileQualityId('face')).textContent).toBe('95 / threshold 90');
    expect(await screen.findByTestId(tileThumbnailId('face'))).toBeTruthy();
    expect(screen.queryByTestId(tileMarkExceptionId('face'))).toBeNull();

    // The review reads everything back before the sign-off.
    await user.click(screen.getByTestId(TestId.WizardNext));
    const review = await screen.findByTestId(TestId.ReviewStep);
    await waitFor(() => expect(review.textContent).toContain('Face'));
    expect(review.textContent).toContain('Amina Idrissi');
    expect(review.querySelector('[lang="ar"]')?.textContent).toBe('أمينة الإدريسي');
    expect(review.textContent).toContain('National identity card');
    expect(review.textContent).not.toContain('Still to do');

    // A wrong password finalizes nothing; the right one does.
    await user.click(screen.getByTestId(TestId.OfficerSignOffOpen));
    await user.type(await screen.findByTestId(TestId.OfficerSignOffPassword), 'not my password{Enter}');
    expect((await screen.findByTestId(TestId.OfficerSignOffError)).textContent).toBe('Wrong password. Nothing was finalized.');
    expect(station.stateOf(registrationId)).toBe('draft');
    await user.type(screen.getByTestId(TestId.OfficerSignOffPassword), `${PASSWORD}{Enter}`);

    await waitFor(() => expect(onOpenSlip).toHaveBeenCalledOnce());
    expect(onDone).not.toHaveBeenCalled();
    expect(onOpenSlip.mock.calls[0][0]).toBe(registrationId);
    expect(station.stateOf(registrationId)).toBe('pending_approval');
    expect(station.identityOf(registrationId)).toEqual({
      fullName: [
        { language: 'eng', value: 'Amina Idrissi' },
        { language: 'ara', value: 'أمينة الإدريسي' },
      ],
      dateOfBirth: '1990/02/28',
      gender: 'FLE',
      phone: '+212600112233',
    });
    const notice = onOpenSlip.mock.calls[0][1];
    expect(notice?.kind).toBe('success');
    expect(notice?.text('en')).toBe(`Registration ${registrationId} is waiting for a supervisor’s approval`);
  });

  test('the review lists what is still to do, and Sign off names each missing field on its step, without asking the station', async () => {
    const { station, onDone, user } = await openDraft();
    await goToStep(user, 'review');
    const review = await screen.findByTestId(TestId.ReviewStep);
    await waitFor(() => expect(review.textContent).toContain('Still to do before sign-off'));
    for (const step of ['Demographics', 'Documents', 'Biometrics']) expect(review.textContent).toContain(step);

    await user.click(screen.getByTestId(TestId.OfficerSignOffOpen));

    // The first step to fix is shown, each of its problems next to its input.
    expect((await screen.findByTestId(fieldErrorId('fullName', 'eng'))).textContent?.trim()).toBe('Required in English');
    expect(screen.getByTestId(wizardStepId('demographics')).getAttribute('aria-current')).toBe('step');
    expect(screen.getByTestId(fieldErrorId('fullName', 'ara')).textContent?.trim()).toBe('Required in العربية');
    expect(screen.getByTestId(fieldErrorId('dateOfBirth')).textContent?.trim()).toBe('This field is required');
    expect(screen.getByTestId(fieldErrorId('gender')).textContent?.trim()).toBe('This field is required');
    // French is optional in this form: no error there, and none for the optional phone.
    expect(screen.queryByTestId(fieldErrorId('fullName', 'fra'))).toBeNull();
    expect(screen.queryByTestId(fieldErrorId('phone'))).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(fieldInputId('fullName', 'eng'))));
    // The other steps with something to fix say so in the row of steps, and on the step.
    for (const step of ['documents', 'biometrics'] as const) {
      expect(screen.getByTestId(wizardStepId(step)).textContent).toContain('to fix');
    }
    await goToStep(user, 'documents');
    expect(screen.getByTestId(documentErrorId('POI')).textContent).toBe('This document is required.');
    await goToStep(user, 'biometrics');
    expect((await screen.findByTestId(tileErrorId('face'))).textContent?.trim()).toBe('Capture the face before finalizing');
    expect(screen.getByTestId(TestId.Banner).textContent).toContain('Some fields need attention');
    expect(screen.queryByTestId(TestId.OfficerSignOffDialog)).toBeNull();
    expect(station.calls.map((c) => c.method)).not.toContain('finalize');
    expect(onDone).not.toHaveBeenCalled();
  });

  test("the station's validation_failed answer shows under the input it names, on its step, and goes once corrected", async () => {
    const { station, registrationId, onOpenSlip, user } = await openDraft();
    // Only the station checks the schema's pattern for phone numbers.
    await fillValidForm(user, '12-34');
    await signOff(user);

    const error = await screen.findByTestId(fieldErrorId('phone'));
    expect(error.textContent?.trim()).toBe('Not in the expected format, e.g. +212600000000');
    const phone = screen.getByTestId(fieldInputId('phone'));
    expect(phone.getAttribute('aria-invalid')).toBe('true');
    expect(phone.getAttribute('aria-describedby')).toBe(fieldErrorId('phone'));
    expect(screen.getByRole('alert').textContent).toContain('Some fields need attention');
    expect(station.stateOf(registrationId)).toBe('draft');

    await user.clear(phone);
    await user.type(phone, '+212600112233');
    expect(screen.queryByTestId(fieldErrorId('phone'))).toBeNull();
    await signOff(user);
    await waitFor(() => expect(onOpenSlip).toHaveBeenCalledOnce());
    expect(station.stateOf(registrationId)).toBe('pending_approval');
  });

  test('in French, a required field the station names is said next to its input in French', async () => {
    setUiLanguage('fr');
    const { station, user } = await openDraft();
    await fillValidForm(user);
    // A station whose schema requires the French name too: the form did not say so, the
    // station's check (the authority) does.
    station.failNext('finalize', validationFailed([fieldError('fullName', 'fra', 'required', 'required in Français')]));
    await goToStep(user, 'review');
    expect(screen.getByTestId(TestId.OfficerSignOffOpen).textContent?.trim()).toBe('Signer et finaliser');
    await signOff(user);

    const error = await screen.findByTestId(fieldErrorId('fullName', 'fra'));
    expect(error.textContent?.trim()).toBe('Obligatoire en Français');
    // Right under the French input, inside the same field.
    const french = screen.getByTestId(fieldInputId('fullName', 'fra'));
    expect(french.parentElement).toBe(error.parentElement);
    expect(french.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId(TestId.Banner).textContent).toContain('Certains champs sont à corriger');
  });
});

describe('the realistic form’s controls', () => {
  test('an age gives the date of birth, a minor brings the guardian’s name, the province follows the region and a box is ticked', async () => {
    const { station, registrationId, user } = await openDraft();
    // The guardian is asked for a minor only: hidden while the date is not known.
    expect(screen.queryByTestId(fieldInputId('parentOrGuardianName', 'eng'))).toBeNull();

    await user.type(screen.getByTestId(fieldAgeInputId('dateOfBirth')), '12');
    const born = (screen.getByTestId(fieldInputId('dateOfBirth')) as HTMLInputElement).value;
    expect(born).toBe(dateFromAge(12, new Date()));
    expect(screen.getByText('Age: 12 years')).toBeTruthy();
    const guardian = await screen.findByTestId(fieldInputId('parentOrGuardianName', 'ara'));
    await user.type(guardian, 'حسن');

    // The province offers nothing until a region is chosen, then that region's only.
    const province = screen.getByTestId(fieldInputId('province')) as HTMLSelectElement;
    expect([...province.options].map((o) => o.textContent)).toEqual(['Choose Region first']);
    await user.selectOptions(screen.getByTestId(fieldInputId('region')), 'RSK');
    expect([...province.options].map((o) => o.value)).toEqual(['', 'RSK-RABAT', 'RSK-SALE']);
    await user.selectOptions(province, 'RSK-SALE');
    // Another region empties the province chosen under the first.
    await user.selectOptions(screen.getByTestId(fieldInputId('region')), 'CS');
    expect(province.value).toBe('');
    expect([...province.options].map((o) => o.value)).toEqual(['', 'CS-SETTAT']);
    await user.selectOptions(province, 'CS-SETTAT');

    await user.click(screen.getByTestId(fieldInputId('smsNotifications')));

    await waitFor(() =>
      expect(station.identityOf(registrationId)).toMatchObject({
        dateOfBirth: born,
        region: 'CS',
        province: 'CS-SETTAT',
        smsNotifications: 'Y',
        parentOrGuardianName: [{ language: 'ara', value: 'حسن' }],
      }),
    );

    // Sign off asks for the guardian's English name too, on the demographics step.
    await goToStep(user, 'review');
    await user.click(await screen.findByTestId(TestId.OfficerSignOffOpen));
    expect((await screen.findByTestId(fieldErrorId('parentOrGuardianName', 'eng'))).textContent?.trim()).toBe('Required in English');

    // An adult after all: the guardian is hidden again, and the review does not read it back.
    const date = screen.getByTestId(fieldInputId('dateOfBirth'));
    await user.clear(date);
    await user.type(date, '1990/02/28');
    expect(screen.queryByTestId(fieldInputId('parentOrGuardianName', 'ara'))).toBeNull();
    await goToStep(user, 'review');
    const review = await screen.findByTestId(TestId.ReviewStep);
    await waitFor(() => expect(review.textContent).toContain('Province of Settat'));
    expect(review.textContent).not.toContain('حسن');
    expect(review.textContent).toContain('Send news of the card by SMS');
    expect(review.textContent).toContain('Yes');
  });

  test('in French, the dependent dropdown and the age speak French', async () => {
    setUiLanguage('fr');
    const { user } = await openDraft();
    const province = screen.getByTestId(fieldInputId('province')) as HTMLSelectElement;
    expect(province.options[0].textContent).toBe('Choisissez d’abord : Région');
    await user.type(screen.getByTestId(fieldAgeInputId('dateOfBirth')), '1');
    expect(screen.getByText('Âge : 1 an')).toBeTruthy();
    expect(screen.getByLabelText('ou âge en années')).toBeTruthy();
  });
});

describe('the wizard', () => {
  test('by keyboard: Enter in the form goes to the next step, and the caret follows to its first control', async () => {
    const { user } = await openDraft();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(fieldInputId('fullName', 'eng'))));
    await user.keyboard('Amina{Enter}');
    await waitFor(() => expect(screen.getByTestId(wizardStepId('documents')).getAttribute('aria-current')).toBe('step'));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(documentTypeId('POI'))));
    await user.click(screen.getByTestId(TestId.WizardPrevious));
    expect((await screen.findByTestId(fieldInputId('fullName', 'eng')) as HTMLInputElement).value).toBe('Amina');
  });

  test('a draft left at a step reopens there, the station keeping where it was', async () => {
    const { station, registrationId, user } = await openDraft();
    await goToStep(user, 'biometrics');
    await waitFor(() => expect(station.calls.some((c) => c.method === 'setWizardStep' && c.args[1] === 'biometrics')).toBe(true));
    cleanup();

    open(station, registrationId);
    await screen.findByTestId(TestId.BiometricsStatus);
    expect(screen.getByTestId(wizardStepId('biometrics')).getAttribute('aria-current')).toBe('step');
    expect(screen.queryByTestId(fieldInputId('fullName', 'eng'))).toBeNull();
  });
});

describe('the documents step', () => {
  const attachButton = (category: string) =>
    screen.getByTestId(documentFileId(category)).closest('form')!.querySelector<HTMLButtonElement>('button[type="submit"]')!;

  async function onDocuments(language: 'en' | 'fr' | 'ar' = 'en') {
    setUiLanguage(language);
    const opened = await openDraft();
    await goToStep(opened.user, 'documents');
    await screen.findByTestId(TestId.DocumentsStep);
    return opened;
  }

  test('a file is attached with its type and number, shown with its first page, replaced and removed', async () => {
    const { station, registrationId, user } = await onDocuments();
    await user.type(screen.getByTestId(documentReferenceId('POI')), 'AB123456');
    await attachDocument(user);
    const attached = screen.getByTestId(documentAttachedId('POI'));
    expect(attached.textContent).toContain('National identity card');
    expect(attached.textContent).toContain('No. AB123456');
    expect(attached.textContent).toContain('1 page');
    expect(await screen.findByTestId(documentPreviewId('POI'))).toBeTruthy();
    const call = station.calls.find((c) => c.method === 'attachDocument');
    expect(call?.args).toEqual([
      registrationId,
      { category: 'POI', document_type: 'CIN', reference_number: 'AB123456', pages: ['identity-card.jpg'] },
    ]);

    await attachDocument(user, 'POI', 'PASSPORT');
    expect(screen.getByTestId(documentAttachedId('POI')).getAttribute('data-type')).toBe('PASSPORT');
    await user.click(screen.getByTestId(documentRemoveId('POI')));
    await waitFor(() => expect(screen.queryByTestId(documentAttachedId('POI'))).toBeNull());
  });

  test('pages scanned on the (simulated) scanner are attached as one document', async () => {
    const { station, registrationId, user } = await onDocuments();
    // Each category offers it, marked simulated.
    expect(await screen.findAllByText('Scanner: Noname frontend-tester (simulated)')).toHaveLength(2);
    await user.selectOptions(screen.getByTestId(documentTypeId('POA')), 'UTILITY_BILL');
    await user.click(screen.getByTestId(documentScanId('POA')));
    await user.click(await screen.findByTestId(documentScanId('POA')));
    await waitFor(() => expect(screen.getByTestId(documentPagesReadyId('POA')).getAttribute('data-pages')).toBe('2'));
    expect(screen.getByTestId(documentPagesReadyId('POA')).textContent).toContain('Ready to attach: 2 pages');
    await user.click(attachButton('POA'));

    const attached = await screen.findByTestId(documentAttachedId('POA'));
    expect(attached.getAttribute('data-pages')).toBe('2');
    expect(attached.textContent).toContain('Utility bill');
    expect(station.calls.find((c) => c.method === 'attachDocument')?.args).toEqual([
      registrationId,
      { category: 'POA', document_type: 'UTILITY_BILL', reference_number: null, pages: ['scan-1.png', 'scan-2.png'] },
    ]);
    expect(screen.queryByTestId(documentPagesReadyId('POA'))).toBeNull();
  });

  test('a page photographed with the (simulated) camera is attached beside a scanned one', async () => {
    const { station, registrationId, user } = await onDocuments();
    expect(await screen.findAllByText('Camera: Enroll Simulated face camera (simulated)')).toHaveLength(2);
    await user.selectOptions(screen.getByTestId(documentTypeId('POA')), 'UTILITY_BILL');
    await user.click(screen.getByTestId(documentPhotographId('POA')));
    await user.click(await screen.findByTestId(documentScanId('POA')));
    await waitFor(() => expect(screen.getByTestId(documentPagesReadyId('POA')).getAttribute('data-pages')).toBe('2'));
    await user.click(attachButton('POA'));
    await screen.findByTestId(documentAttachedId('POA'));
    expect(station.calls.find((c) => c.method === 'attachDocument')?.args).toEqual([
      registrationId,
      { category: 'POA', document_type: 'UTILITY_BILL', reference_number: null, pages: ['photo-1.jpg', 'scan-2.png'] },
    ]);
  });

  test('in French, a file too large is refused before it is read, and one that is not a document by the station', async () => {
    const { station, user } = await onDocuments('fr');
    expect(screen.getByTestId(TestId.DocumentsStep).textContent).toContain('jusqu’à 10 pages, 5,2 Mo chacune');
    await user.selectOptions(screen.getByTestId(documentTypeId('POI')), 'CIN');
    const large = new File([new Uint8Array(6 * 1024 * 1024)], 'scan.png', { type: 'image/png' });
    await user.upload(screen.getByTestId(documentFileId('POI')) as HTMLInputElement, large);
    await user.click(attachButton('POI'));
    expect((await screen.findByTestId(documentErrorId('POI'))).textContent).toBe('scan.png dépasse 5,2 Mo.');
    expect(station.calls.map((c) => c.method)).not.toContain('attachDocument');

    const text = new File(['not a document'], 'notes.png', { type: 'image/png' });
    await user.upload(screen.getByTestId(documentFileId('POI')) as HTMLInputElement, text);
    expect(attachButton('POI').textContent?.trim()).toBe('Joindre');
    await user.click(attachButton('POI'));
    await waitFor(() => expect(station.calls.map((c) => c.method)).toContain('attachDocument'));
    expect(screen.getByTestId(documentFileId('POI')).getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId(documentAttachedId('POI'))).toBeNull();
  });
});

describe('review screen', () => {
  test('a supervisor reviewing a pending registration sees the form read-only, with the face and every finger and iris', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const registrationId = station.seedRegistration('pending_approval', { name: 'Youssef Amrani' });
    const { onDone } = open(station, registrationId);

    const name = await screen.findByTestId(fieldInputId('fullName', 'eng'));
    expect((name as HTMLInputElement).value).toBe('Youssef Amrani');
    expect((name as HTMLInputElement).disabled).toBe(true);
    const statuses = screen.getAllByRole('status').map((s) => s.textContent ?? '');
    expect(statuses.some((text) => text.includes('can no longer be edited'))).toBe(true);
    // The biometrics as finalized: each image, the face's too, and nothing to capture or change.
    for (const position of ['face', 'leftIndex', 'rightLittle', 'leftThumb', 'rightIris'] as const) {
      expect(await screen.findByTestId(tileThumbnailId(position))).toBeTruthy();
    }
    expect(screen.queryByTestId(captureStepId('leftSlap'))).toBeNull();
    expect(screen.queryByTestId(tileMarkExceptionId('leftIndex'))).toBeNull();
    expect(screen.queryByRole('button', { name: 'Finalize' })).toBeNull();
    expect(screen.queryByTestId(captureStepId('face'))).toBeNull();

    await userEvent.setup().click(screen.getByRole('button', { name: 'Back to registrations' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(null));
  });

  test('the supervisor sees the documents beside the form, each with its type and first page', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const registrationId = station.seedRegistration('pending_approval', { name: 'Youssef Amrani' });
    open(station, registrationId);
    const documents = await screen.findByTestId(TestId.ReviewDocuments);
    await waitFor(() => expect(documents.textContent).toContain('National identity card'));
    expect(documents.textContent).toContain('Proof of identity');
    expect(await screen.findByTestId(documentPreviewId('POI'))).toBeTruthy();
    expect(screen.queryByTestId(documentRemoveId('POI'))).toBeNull();
  });

  test('the supervisor approves from the review screen, and home says so', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const registrationId = station.seedRegistration('pending_approval', { name: 'Youssef Amrani' });
    const { onDone } = open(station, registrationId);

    await userEvent.setup().click(await screen.findByTestId(TestId.ReviewApprove));
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(onDone.mock.calls[0][0]?.text('en')).toBe(`Registration ${registrationId} is approved and queued for upload`);
    expect((await station.registration(registrationId)).state).toBe('sealed');
  });

  test('in French, by keyboard alone, the supervisor rejects with a reason from the review screen', async () => {
    setUiLanguage('fr');
    const station = new FakeStation().signIn('karim.supervisor');
    const registrationId = station.seedRegistration('pending_approval', { name: 'Youssef Amrani' });
    const { onDone } = open(station, registrationId);
    const user = userEvent.setup();

    const decision = await screen.findByTestId(TestId.ReviewDecision);
    expect(within(decision).getByRole('heading').textContent).toBe('Votre décision');
    screen.getByTestId(TestId.ReviewReject).focus();
    await user.keyboard('{Enter}');
    const reason = await screen.findByTestId(TestId.ReviewRejectReason);
    await waitFor(() => expect(document.activeElement).toBe(reason));
    expect((screen.getByTestId(TestId.ReviewRejectConfirm) as HTMLButtonElement).disabled).toBe(true);
    await user.keyboard('La photo est floue');
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId(TestId.ReviewRejectConfirm));
    await user.keyboard('{Enter}');

    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(onDone.mock.calls[0][0]?.text('fr')).toBe(`L’enregistrement ${registrationId} est rejeté et scellé avec le motif`);
    const rejected = await station.registration(registrationId);
    expect(rejected.decision).toEqual({ outcome: 'rejected', by: 'karim.supervisor', reason: 'La photo est floue' });
  });

  test('a reason from the register’s list fills the reason in the reader’s language, and can still be worded', async () => {
    setUiLanguage('fr');
    const station = new FakeStation().signIn('karim.supervisor').seedRejectionReasons([
      { code: 'blurred', labels: { eng: 'Blurred photo', fra: 'Photo floue', ara: 'صورة غير واضحة' } },
      { code: 'missing_document', labels: { eng: 'A document is missing' } },
    ]);
    const registrationId = station.seedRegistration('pending_approval');
    const { onDone } = open(station, registrationId);
    const user = userEvent.setup();

    await user.click(await screen.findByTestId(TestId.ReviewReject));
    const choice = (await screen.findByTestId(TestId.ReviewRejectChoice)) as HTMLSelectElement;
    await waitFor(() => expect(document.activeElement).toBe(choice));
    // Labelled in French; one without a French label reads in English rather than not at all.
    expect([...choice.options].map((option) => option.textContent)).toEqual([
      'Choisissez, ou rédigez le vôtre ci-dessous',
      'Photo floue',
      'A document is missing',
    ]);
    await user.selectOptions(choice, 'blurred');
    const reason = screen.getByTestId(TestId.ReviewRejectReason) as HTMLTextAreaElement;
    expect(reason.value).toBe('Photo floue');
    await user.type(reason, ' (visage coupé)');
    await user.click(screen.getByTestId(TestId.ReviewRejectConfirm));

    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect((await station.registration(registrationId)).decision?.reason).toBe('Photo floue (visage coupé)');
  });

  test('an officer who opens a pending registration is told no by the station, in Arabic, and nothing changes', async () => {
    setUiLanguage('ar');
    const station = new FakeStation().signIn('sara.officer');
    const registrationId = station.seedRegistration('pending_approval', { createdBy: 'karim.supervisor' });
    const { onDone } = open(station, registrationId);

    await userEvent.setup().click(await screen.findByTestId(TestId.ReviewApprove));
    await waitFor(() =>
      expect(screen.getAllByTestId(TestId.Banner).map((banner) => banner.textContent ?? '')).toContainEqual(
        expect.stringContaining(translate('ar', 'error.not_permitted.officer_cannot_review')),
      ),
    );
    expect(onDone).not.toHaveBeenCalled();
    expect((await station.registration(registrationId)).state).toBe('pending_approval');
  });

  test('a rejected registration shows the decision with its reason, and no form', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const registrationId = station.seedRegistration('rejected', { decidedBy: 'karim.supervisor' });
    open(station, registrationId);

    const decision = await screen.findByTestId(TestId.RegistrationDecision);
    expect(decision.getAttribute('data-outcome')).toBe('rejected');
    expect(within(decision).getByText('Reason: The photo is blurred')).toBeTruthy();
    expect(decision.textContent).toContain('Rejected by karim.supervisor');
    expect(screen.queryByTestId(fieldInputId('fullName', 'eng'))).toBeNull();
  });
});

describe('the register’s word on a receipted registration', () => {
  test('its status, the register’s reason and who handled it are shown in French', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const registrationId = station.seedRegistration('acknowledged');
    station.setRegisterStatus(registrationId, 're_register', 'Empreintes illisibles');
    await station.markRegisterReturnHandled(registrationId);
    setUiLanguage('fr');
    open(station, registrationId);
    const line = await screen.findByTestId(TestId.RegistrationRegisterStatus);
    expect(line.dataset.status).toBe('re_register');
    expect(line.textContent).toContain('Au registre : le résident doit se réinscrire');
    expect(line.textContent).toContain('Motif du registre : Empreintes illisibles');
    expect(line.textContent).toContain('Traité par karim.supervisor');
  });

  test('nothing is said before the station heard from the register', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const registrationId = station.seedRegistration('acknowledged');
    open(station, registrationId);
    await screen.findByTestId(TestId.RegistrationReceipt);
    expect(screen.queryByTestId(TestId.RegistrationRegisterStatus)).toBeNull();
  });
});
