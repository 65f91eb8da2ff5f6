// Keeps a screen's copy of the sync status live: `watch_sync` answers with the status now and
// sends every later change down a Tauri channel. The station keeps one channel, the last one
// given, so the screen on view calls this when it opens; `stop` when it closes drops whatever
// still arrives for it (the station goes on sending until the next screen's call replaces it).

import { Channel } from '@tauri-apps/api/core';

import type { Backend } from '../backend/backend';
import { toBackendError, type BackendError } from '../backend/errors';
import type { SyncStatusView } from '../backend/types';

export interface SyncWatch {
  stop: () => void;
}

export interface SyncWatchHandlers {
  /** Every status, the first one (the answer) included, with the one heard before it. */
  onStatus: (status: SyncStatusView, previous: SyncStatusView | null) => void;
  /** `watch_sync` failed (nobody signed in, a locked session...): nothing more will come. */
  onError: (error: BackendError) => void;
}

export function watchSyncStatus(backend: Pick<Backend, 'watchSync'>, handlers: SyncWatchHandlers): SyncWatch {
  let stopped = false;
  // The answer is the status as it was when the station took the channel: a change that
  // arrives before it is newer, and the answer is then dropped.
  let heard = false;
  let last: SyncStatusView | null = null;

  function take(status: SyncStatusView) {
    if (stopped) return;
    const previous = last;
    last = status;
    handlers.onStatus(status, previous);
  }

  const channel = new Channel<SyncStatusView>();
  channel.onmessage = (status) => {
    heard = true;
    take(status);
  };
  backend.watchSync(channel).then(
    (status) => {
      if (!heard) take(status);
    },
    (error: unknown) => {
      if (!stopped) handlers.onError(toBackendError(error));
    },
  );

  return {
    stop() {
      stopped = true;
      channel.onmessage = () => undefined;
    },
  };
}
