// Hands the `Backend` down the component tree: `App.svelte` provides it once, screens take it.

import { getContext, setContext } from 'svelte';

import type { Backend } from './backend';

const KEY = Symbol('backend');

export function provideBackend(backend: Backend): void {
  setContext(KEY, backend);
}

export function useBackend(): Backend {
  const backend = getContext<Backend | undefined>(KEY);
  if (!backend) throw new Error('no backend: App.svelte must call provideBackend first');
  return backend;
}
