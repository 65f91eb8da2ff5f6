import type { Channel } from '@tauri-apps/api/core';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { BackendError } from '../backend/errors';
import type { SyncStatusView } from '../backend/types';
import { watchSyncStatus } from './watch';
import { SYNC_STATUS_AT_START } from '../../test/fakeBackend';

// A Tauri channel needs the IPC internals to exist; the tests deliver the messages themselves.
beforeEach(() => mockIPC(() => undefined));
afterEach(() => clearMocks());

const STATUS: SyncStatusView = SYNC_STATUS_AT_START;

/** A station whose `watchSync` answers when the test says, keeping the channel it was given. */
function station() {
  let channel: Channel<SyncStatusView> | null = null;
  let answer: (status: SyncStatusView) => void = () => undefined;
  let refuse: (error: unknown) => void = () => undefined;
  const backend = {
    watchSync: vi.fn((given: Channel<SyncStatusView>) => {
      channel = given;
      return new Promise<SyncStatusView>((resolve, reject) => {
        answer = resolve;
        refuse = reject;
      });
    }),
  };
  return {
    backend,
    send: (status: SyncStatusView) => channel?.onmessage(status),
    answer: (status: SyncStatusView) => answer(status),
    refuse: (error: unknown) => refuse(error),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('watchSyncStatus', () => {
  it('gives the answer first, then every change with the one before it', async () => {
    const fake = station();
    const onStatus = vi.fn();
    watchSyncStatus(fake.backend, { onStatus, onError: vi.fn() });
    expect(fake.backend.watchSync).toHaveBeenCalledTimes(1);

    const online = { ...STATUS, link: 'online' as const };
    fake.answer(online);
    await settle();
    const running = { ...online, running: true, run_total: 2 };
    fake.send(running);

    expect(onStatus.mock.calls).toEqual([
      [online, null],
      [running, online],
    ]);
  });

  it('drops the answer when a change came before it (the change is newer)', async () => {
    const fake = station();
    const onStatus = vi.fn();
    watchSyncStatus(fake.backend, { onStatus, onError: vi.fn() });

    const running = { ...STATUS, running: true, run_total: 1 };
    fake.send(running);
    fake.answer(STATUS);
    await settle();

    expect(onStatus.mock.calls).toEqual([[running, null]]);
  });

  it('hears nothing more once stopped', async () => {
    const fake = station();
    const onStatus = vi.fn();
    const watch = watchSyncStatus(fake.backend, { onStatus, onError: vi.fn() });
    watch.stop();
    fake.answer(STATUS);
    await settle();
    fake.send({ ...STATUS, link: 'offline' });
    expect(onStatus).not.toHaveBeenCalled();
  });

  it('hands a refusal over as a BackendError', async () => {
    const fake = station();
    const onError = vi.fn();
    watchSyncStatus(fake.backend, { onStatus: vi.fn(), onError });
    fake.refuse({ code: 'not_signed_in', params: {}, fields: [] });
    await settle();
    expect(onError).toHaveBeenCalledTimes(1);
    const error = onError.mock.calls[0][0];
    expect(error).toBeInstanceOf(BackendError);
    expect(error.code).toBe('not_signed_in');
  });
});
