// The registration screen over a fake station: what a clerk types reaches the station, the
// station's field errors show under the input they concern (in the UI language), and
// Finalize hands the registration on. A supervisor's review shows the same form read-only.

import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test, vi } from 'vitest';

import type { Notice } from '../../lib/backend/errors';
import { translate } from '../../lib/i18n/catalogues';
import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import {
  captureStepId,
  consentTextId,
  fieldErrorId,
  fieldInputId,
  stepSimulatedBadgeId,
  TestId,
  tileErrorId,
  tileMarkExceptionId,
  tileQualityId,
  tileThumbnailId,
} from '../../lib/testIds';
import { captureEveryStep } from '../../test/biometrics';
import { FakeStation, fieldError, validationFailed } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
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

async function fillValidForm(user: ReturnType<typeof userEvent.setup>, phone = '+212600112233') {
  await user.type(screen.getByTestId(fieldInputId('fullName', 'eng')), 'Amina Idrissi');
  await user.type(screen.getByTestId(fieldInputId('fullName', 'ara')), 'أمينة الإدريسي');
  await user.type(screen.getByTestId(fieldInputId('dateOfBirth')), '1990/02/28');
  await user.selectOptions(screen.getByTestId(fieldInputId('gender')), 'FLE');
  await user.type(screen.getByTestId(fieldInputId('phone')), phone);
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
    expect(screen.queryByTestId(fieldInputId('fullName', 'eng')), 'no form before the consent').toBeNull();
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

    await screen.findByTestId(fieldInputId('fullName', 'eng'));
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
  test('what the clerk types is saved to the station, and Finalize hands it to a supervisor, then the slip', async () => {
    const { station, registrationId, onDone, onOpenSlip, user } = await openDraft();
    expect(screen.getByTestId(TestId.RegistrationId).textContent).toBe(`Registration ID: ${registrationId}`);
    // The Arabic name is typed right to left.
    expect(screen.getByTestId(fieldInputId('fullName', 'ara')).getAttribute('dir')).toBe('rtl');

    await fillValidForm(user);
    // The face is a step card like the others: its device said to be simulated, its quality
    // against the face's threshold, and no exception to record for it.
    expect(screen.getByTestId(stepSimulatedBadgeId('face')).textContent).toContain('SIMULATED');
    expect(screen.getByTestId(tileQualityId('face')).textContent).toBe('95 / threshold 90');
    expect(await screen.findByTestId(tileThumbnailId('face'))).toBeTruthy();
    expect(screen.queryByTestId(tileMarkExceptionId('face'))).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Finalize' }));

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

  test('Finalize with empty required fields names each one next to its input, without asking the station', async () => {
    const { station, onDone, user } = await openDraft();

    await user.click(screen.getByRole('button', { name: 'Finalize' }));

    expect((await screen.findByTestId(fieldErrorId('fullName', 'eng'))).textContent?.trim()).toBe('Required in English');
    expect(screen.getByTestId(fieldErrorId('fullName', 'ara')).textContent?.trim()).toBe('Required in العربية');
    expect(screen.getByTestId(fieldErrorId('dateOfBirth')).textContent?.trim()).toBe('This field is required');
    expect(screen.getByTestId(fieldErrorId('gender')).textContent?.trim()).toBe('This field is required');
    expect(screen.getByTestId(tileErrorId('face')).textContent?.trim()).toBe('Capture the face before finalizing');
    // French is optional in this form: no error there, and none for the optional phone.
    expect(screen.queryByTestId(fieldErrorId('fullName', 'fra'))).toBeNull();
    expect(screen.queryByTestId(fieldErrorId('phone'))).toBeNull();
    expect(screen.getByTestId(TestId.Banner).textContent).toContain('Some fields need attention');
    expect(station.calls.map((c) => c.method)).not.toContain('finalize');
    expect(onDone).not.toHaveBeenCalled();
  });

  test("the station's validation_failed answer shows under the input it names, and goes once corrected", async () => {
    const { station, registrationId, onOpenSlip, user } = await openDraft();
    // Only the station checks the schema's pattern for phone numbers.
    await fillValidForm(user, '12-34');
    await user.click(screen.getByRole('button', { name: 'Finalize' }));

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
    await user.click(screen.getByRole('button', { name: 'Finalize' }));
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
    await user.click(screen.getByRole('button', { name: 'Finaliser' }));

    const error = await screen.findByTestId(fieldErrorId('fullName', 'fra'));
    expect(error.textContent?.trim()).toBe('Obligatoire en Français');
    // Right under the French input, inside the same field.
    const french = screen.getByTestId(fieldInputId('fullName', 'fra'));
    expect(french.parentElement).toBe(error.parentElement);
    expect(french.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId(TestId.Banner).textContent).toContain('Certains champs sont à corriger');
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
