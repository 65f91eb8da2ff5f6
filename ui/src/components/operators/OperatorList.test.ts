// The admin's list of operators over a fake station: with the register's operator list in
// force, who it suspends or leaves out is said on their row, in French and in Arabic; without
// one, nothing is said.

import { screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, test, vi } from 'vitest';

import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import { operatorListingId, operatorRowId, TestId } from '../../lib/testIds';
import { FakeStation } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import OperatorList from './OperatorList.svelte';

afterEach(() => setUiLanguage('en'));

function show(station: FakeStation) {
  renderScreen(station, OperatorList, { me: 'admin', onNotice: vi.fn(), onSignedOut: vi.fn() });
}

describe('the list of operators', () => {
  test('says whom the register suspends or leaves out, in French', async () => {
    setUiLanguage('fr');
    const station = new FakeStation()
      .signIn('admin')
      .seedRegisterOperatorList({ admin: 'listed', 'sara.officer': 'suspended' });
    show(station);

    await screen.findByTestId(TestId.OperatorList);
    expect(screen.getByTestId(TestId.OperatorRegisterListNote).textContent).toContain(
      'La liste des opérateurs du registre s’applique',
    );
    expect(screen.getByTestId(operatorListingId('sara.officer')).textContent).toBe(
      'Suspendu par le registre : connexion impossible',
    );
    expect(screen.getByTestId(operatorListingId('karim.supervisor')).textContent).toBe(
      'Absent de la liste du registre : connexion impossible',
    );
    expect(within(screen.getByTestId(operatorRowId('admin'))).queryByText(/registre/)).toBeNull();
  });

  test('says it in Arabic too', async () => {
    setUiLanguage('ar');
    show(new FakeStation().signIn('admin').seedRegisterOperatorList({ admin: 'listed' }));
    expect((await screen.findByTestId(operatorListingId('sara.officer'))).textContent).toBe(
      'غير مدرج في قائمة السجلّ: لا يمكنه تسجيل الدخول',
    );
  });

  test('says nothing of a register list when the station holds none', async () => {
    show(new FakeStation().signIn('admin'));
    await screen.findByTestId(TestId.OperatorList);
    expect(screen.queryByTestId(TestId.OperatorRegisterListNote)).toBeNull();
    expect(screen.queryByTestId(operatorListingId('sara.officer'))).toBeNull();
  });
});
