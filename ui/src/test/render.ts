// Mounting a screen over a fake station, the way the window does it.

import { render } from '@testing-library/svelte';
import type { Component } from 'svelte';

import type { Backend } from '../lib/backend/backend';
import WithBackend from './WithBackend.svelte';

/** Renders `screen` with `props`, its `useBackend()` answered by `backend`. */
export function renderScreen<Props extends Record<string, unknown>>(
  backend: Backend,
  screen: Component<Props>,
  props: Props,
) {
  // WithBackend is generic; the testing library's `render` sees it through `Component<any>`.
  return render(WithBackend as Component<{ backend: Backend; screen: Component<Props>; props: Props }>, {
    props: { backend, screen, props },
  });
}
