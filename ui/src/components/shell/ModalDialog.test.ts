// The modal dialog keeps Tab and Shift+Tab inside itself, the way WebKitGTK reports the keys:
// there Shift+Tab arrives as GTK's ISO_Left_Tab, whose `key` is "Unidentified" and `code` is
// "Tab" (the end-to-end test `e2e/tests/app/keyboard/` saw it leave the dialog). Shown
// through the officer's sign-off dialog: a password, Sign off, Cancel.

import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, test, vi } from 'vitest';

import PasswordConfirmDialog from './PasswordConfirmDialog.svelte';

const IDS = { dialog: 'dialog', password: 'password', error: 'error', confirm: 'confirm', cancel: 'cancel' };

function open() {
  render(PasswordConfirmDialog, {
    props: {
      ids: IDS,
      title: 'Sign off',
      intro: 'Your password',
      passwordLabel: 'Password',
      missing: 'Type your password',
      confirm: 'Sign off',
      confirming: 'Signing off…',
      working: false,
      problem: null,
      onSubmit: vi.fn(async () => true),
      onClose: vi.fn(),
      returnFocus: () => null,
    },
  });
  return { password: screen.getByTestId(IDS.password), cancel: screen.getByTestId(IDS.cancel) };
}

describe('the modal dialog’s Tab trap', () => {
  test('opens with the caret in its first field', async () => {
    const { password } = open();
    await vi.waitFor(() => expect(document.activeElement).toBe(password));
  });

  test('Shift+Tab as WebKitGTK reports it wraps from the first field to the last button', async () => {
    const { password, cancel } = open();
    await vi.waitFor(() => expect(document.activeElement).toBe(password));
    const notPrevented = await fireEvent.keyDown(password, { key: 'Unidentified', code: 'Tab', shiftKey: true });
    expect(notPrevented, 'the browser’s own Shift+Tab would leave the dialog').toBe(false);
    expect(document.activeElement).toBe(cancel);
  });

  test('Tab from the last button wraps to the first field, by `key` or by `code`', async () => {
    const { password, cancel } = open();
    cancel.focus();
    expect(await fireEvent.keyDown(cancel, { key: 'Tab', code: 'Tab' })).toBe(false);
    expect(document.activeElement).toBe(password);
    cancel.focus();
    expect(await fireEvent.keyDown(cancel, { key: 'Unidentified', code: 'Tab' })).toBe(false);
    expect(document.activeElement).toBe(password);
  });

  test('other keys are left alone', async () => {
    const { password } = open();
    await vi.waitFor(() => expect(document.activeElement).toBe(password));
    expect(await fireEvent.keyDown(password, { key: 'a', code: 'KeyA' })).toBe(true);
    expect(document.activeElement).toBe(password);
  });
});
