// "Sync now", pressed with Enter on the home screen and in the upload center, keeps the keyboard's
// focus while the station sends: the button stays enabled, said busy by `aria-busy` and
// `aria-disabled`, so the clerk keeps their place and the next Tab goes on from it (a disabled
// button drops the focus on the page in WebKit: `e2e/tests/app/keyboard`). A second press while
// it sends does not start a second sync.

import { screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import { TestId } from '../../lib/testIds';
import { FakeStation } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import HomeScreen from '../home/HomeScreen.svelte';
import UploadCenterScreen from './UploadCenterScreen.svelte';

// The sync status comes down a Tauri channel, which needs the IPC internals to exist.
beforeEach(() => mockIPC(() => undefined));
afterEach(() => clearMocks());

/** A signed-in officer's station with one packet waiting to be sent. */
function stationWithPacket() {
  const station = new FakeStation().signIn('sara.officer');
  station.seedRegistration('sealed');
  return station;
}

async function showHome(station: FakeStation) {
  renderScreen(station, HomeScreen, {
    status: await station.status(),
    onOpenRegistration: vi.fn(),
    onOpenAdmin: vi.fn(),
    onOpenUploads: vi.fn(),
    onSignedOut: vi.fn(),
  });
  await screen.findByTestId(TestId.HomeCounts);
}

async function showUploads(station: FakeStation) {
  renderScreen(station, UploadCenterScreen, { status: await station.status(), onBack: vi.fn(), onSignedOut: vi.fn() });
  await screen.findByTestId(TestId.UploadCenter);
  await waitFor(() => expect(screen.queryByText('Loading the upload queue…')).toBeNull());
}

const syncCalls = (station: FakeStation) => station.calls.filter((c) => c.method === 'syncNow').length;

describe('"Sync now" keeps the keyboard’s focus while it sends', () => {
  test.each([
    { where: 'the home screen', show: showHome, testId: TestId.SyncNow },
    { where: 'the upload center', show: showUploads, testId: TestId.UploadCenterSync },
  ])('on $where, pressed with Enter, and a second press does nothing', async ({ show, testId }) => {
    const station = stationWithPacket();
    await show(station);
    const user = userEvent.setup();
    const release = station.holdNextSync();

    const button = screen.getByTestId(testId) as HTMLButtonElement;
    button.focus();
    await user.keyboard('{Enter}');

    await waitFor(() => expect(button.getAttribute('aria-busy')).toBe('true'));
    expect(button.getAttribute('aria-disabled')).toBe('true');
    expect(button.disabled).toBe(false);
    expect(document.activeElement).toBe(button);
    expect(syncCalls(station)).toBe(1);

    // Pressed again while it sends: the sync already running is the only one.
    await user.keyboard('{Enter}');
    expect(syncCalls(station)).toBe(1);
    expect(document.activeElement).toBe(button);

    release();
    await waitFor(() => expect(screen.getByTestId(TestId.Banner).textContent).toContain('Sync finished'));
    await waitFor(() => expect(button.getAttribute('aria-disabled')).toBeNull());
    expect(button.getAttribute('aria-busy')).toBe('false');
    expect(document.activeElement).toBe(button);
    expect(syncCalls(station)).toBe(1);
  });
});
