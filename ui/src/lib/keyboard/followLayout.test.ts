// The keyboard follows the field's language: the mapping of a key press, the action on a real
// input (value, caret, selection, maxlength, input events, update and destroy), the clerk's
// switch and where it is kept, and a Svelte component wired with `use:`.

import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { setUiLanguage } from '../i18n/i18n.svelte';
import {
  followLanguageLayout,
  hasLayout,
  isLayoutFollowing,
  type KeyLike,
  LAYOUT_FOLLOWING_STORAGE_KEY,
  layoutName,
  mappedCharacter,
  setLayoutFollowing,
} from './followLayout';
import FollowLayoutFixture from './FollowLayoutFixture.svelte';

/** A key press with no modifier, as a QWERTY system reports it unless told otherwise. */
function press(code: string, key: string, extra: Partial<KeyLike> = {}): KeyLike {
  return { code, key, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false, isComposing: false, ...extra };
}

describe('mappedCharacter', () => {
  it('types the Arabic (101) letter of the physical key', () => {
    expect(mappedCharacter('ara', press('KeyQ', 'q'))).toBe('ض');
    expect(mappedCharacter('ara', press('KeyH', 'h'))).toBe('ا');
    expect(mappedCharacter('ara', press('Semicolon', ';'))).toBe('ك');
    expect(mappedCharacter('ara', press('Backquote', '`'))).toBe('ذ');
    expect(mappedCharacter('ara', press('KeyB', 'b'))).toBe('لا');
  });

  it('goes by the physical key, not by what the system layout types (AZERTY)', () => {
    // On AZERTY the top-left letter key types "a" and the key right of L types "m".
    expect(mappedCharacter('ara', press('KeyQ', 'a'))).toBe('ض');
    expect(mappedCharacter('ara', press('Semicolon', 'm'))).toBe('ك');
    // AZERTY's dead circumflex is where Arabic (101) has jeem.
    expect(mappedCharacter('ara', press('BracketLeft', 'Dead'))).toBe('ج');
  });

  it('types the shifted layer with Shift: harakat, hamza forms, punctuation', () => {
    expect(mappedCharacter('ara', press('KeyQ', 'Q', { shiftKey: true }))).toBe('\u064E'); // fatha
    expect(mappedCharacter('ara', press('KeyA', 'A', { shiftKey: true }))).toBe('\u0650'); // kasra
    expect(mappedCharacter('ara', press('KeyX', 'X', { shiftKey: true }))).toBe('\u0652'); // sukun
    expect(mappedCharacter('ara', press('Backquote', '~', { shiftKey: true }))).toBe('\u0651'); // shadda
    expect(mappedCharacter('ara', press('KeyH', 'H', { shiftKey: true }))).toBe('أ');
    expect(mappedCharacter('ara', press('KeyN', 'N', { shiftKey: true }))).toBe('آ');
    expect(mappedCharacter('ara', press('Slash', '?', { shiftKey: true }))).toBe('؟');
    expect(mappedCharacter('ara', press('KeyK', 'K', { shiftKey: true }))).toBe('،');
  });

  it('leaves digits to the system, Western 0-9, shifted or not, on QWERTY or AZERTY', () => {
    expect(mappedCharacter('ara', press('Digit1', '1'))).toBeNull();
    expect(mappedCharacter('ara', press('Digit0', '0'))).toBeNull();
    expect(mappedCharacter('ara', press('Digit1', '&'))).toBeNull();
    expect(mappedCharacter('ara', press('Digit1', '1', { shiftKey: true }))).toBeNull();
    expect(mappedCharacter('ara', press('Numpad5', '5'))).toBeNull();
    expect(mappedCharacter('zgh', press('Digit7', '7'))).toBeNull();
  });

  it('leaves shortcuts alone: Ctrl, Alt, Meta, AltGr', () => {
    expect(mappedCharacter('ara', press('KeyC', 'c', { ctrlKey: true }))).toBeNull();
    expect(mappedCharacter('ara', press('KeyV', 'v', { ctrlKey: true }))).toBeNull();
    expect(mappedCharacter('ara', press('KeyZ', 'Z', { ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(mappedCharacter('ara', press('KeyF', 'f', { altKey: true }))).toBeNull();
    expect(mappedCharacter('ara', press('KeyA', 'a', { metaKey: true }))).toBeNull();
    expect(mappedCharacter('ara', press('KeyE', '€', { altGraph: true }))).toBeNull();
    // Shift alone is not a shortcut.
    expect(mappedCharacter('ara', press('KeyC', 'C', { shiftKey: true }))).toBe('}');
  });

  it('leaves named keys alone', () => {
    for (const [code, key] of [
      ['Tab', 'Tab'],
      ['Enter', 'Enter'],
      ['Backspace', 'Backspace'],
      ['Delete', 'Delete'],
      ['ArrowLeft', 'ArrowLeft'],
      ['Home', 'Home'],
      ['Escape', 'Escape'],
      ['Space', ' '],
      ['ShiftLeft', 'Shift'],
      ['F5', 'F5'],
    ]) {
      expect(mappedCharacter('ara', press(code, key)), code).toBeNull();
    }
  });

  it('does nothing when the system layout already types the script', () => {
    expect(mappedCharacter('ara', press('KeyQ', 'ض'))).toBeNull();
    expect(mappedCharacter('ara', press('KeyK', '،', { shiftKey: true }))).toBeNull();
    expect(mappedCharacter('ara', press('KeyQ', '\u064E', { shiftKey: true }))).toBeNull();
    expect(mappedCharacter('zgh', press('KeyS', 'ⵙ'))).toBeNull();
    // A key the system's Arabic layout types as punctuation, the same as the table's: no work.
    expect(mappedCharacter('ara', press('KeyL', '/', { shiftKey: true }))).toBeNull();
  });

  it('does nothing during input method composition', () => {
    expect(mappedCharacter('ara', press('KeyQ', 'q', { isComposing: true }))).toBeNull();
    expect(mappedCharacter('ara', press('KeyQ', 'Process'))).toBeNull();
  });

  it('does nothing for languages without a layout', () => {
    for (const language of ['eng', 'fra', null, undefined, '']) {
      expect(mappedCharacter(language, press('KeyQ', 'q')), String(language)).toBeNull();
    }
    // A code that is an Object.prototype member is no key of the table.
    expect(mappedCharacter('ara', press('constructor', 'c'))).toBeNull();
  });

  it('types the IRCAM Tifinagh letter of the physical key (AZERTY positions)', () => {
    expect(mappedCharacter('zgh', press('KeyQ', 'a'))).toBe('ⴰ');
    expect(mappedCharacter('zgh', press('KeyQ', 'q'))).toBe('ⴰ');
    expect(mappedCharacter('zgh', press('Semicolon', 'm'))).toBe('ⵎ');
    expect(mappedCharacter('zgh', press('KeyA', 'q'))).toBe('ⵇ');
    expect(mappedCharacter('zgh', press('KeyV', 'v'))).toBe('ⵖ');
    expect(mappedCharacter('zgh', press('BracketLeft', 'Dead'))).toBe('ⵯ');
    // Shift: the emphatics; a letter without one types itself (Tifinagh has no case).
    expect(mappedCharacter('zgh', press('KeyS', 'S', { shiftKey: true }))).toBe('ⵚ');
    expect(mappedCharacter('zgh', press('KeyD', 'D', { shiftKey: true }))).toBe('ⴹ');
    expect(mappedCharacter('zgh', press('KeyQ', 'A', { shiftKey: true }))).toBe('ⴰ');
    // AZERTY punctuation where AZERTY has it: on QWERTY's M key, a comma.
    expect(mappedCharacter('zgh', press('KeyM', 'm'))).toBe(',');
    // Already a comma there on AZERTY: left to the system.
    expect(mappedCharacter('zgh', press('KeyM', ','))).toBeNull();
  });
});

describe('layout names', () => {
  afterEach(() => setUiLanguage('en'));

  it('name the layout of Arabic and Tifinagh fields only', () => {
    expect(hasLayout('ara')).toBe(true);
    expect(hasLayout('zgh')).toBe(true);
    expect(hasLayout('eng')).toBe(false);
    expect(hasLayout(null)).toBe(false);
    expect(layoutName('ara')).toBe('keyboard.layout.ara');
    expect(layoutName('zgh')).toBe('keyboard.layout.zgh');
    expect(layoutName('fra')).toBeNull();
  });
});

describe('the switch', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    localStorage.removeItem(LAYOUT_FOLLOWING_STORAGE_KEY);
    setLayoutFollowing(true);
  });

  it('is on by default', () => {
    localStorage.removeItem(LAYOUT_FOLLOWING_STORAGE_KEY);
    expect(isLayoutFollowing()).toBe(true);
  });

  it('is kept in localStorage', () => {
    setLayoutFollowing(false);
    expect(localStorage.getItem(LAYOUT_FOLLOWING_STORAGE_KEY)).toBe('off');
    expect(isLayoutFollowing()).toBe(false);
    setLayoutFollowing(true);
    expect(localStorage.getItem(LAYOUT_FOLLOWING_STORAGE_KEY)).toBe('on');
    expect(isLayoutFollowing()).toBe(true);
    // A later window reads what an earlier one stored.
    localStorage.setItem(LAYOUT_FOLLOWING_STORAGE_KEY, 'off');
    expect(isLayoutFollowing()).toBe(false);
  });

  it('works without localStorage, in memory', () => {
    vi.stubGlobal('localStorage', undefined);
    expect(isLayoutFollowing()).toBe(true);
    setLayoutFollowing(false);
    expect(isLayoutFollowing()).toBe(false);
    setLayoutFollowing(true);
    expect(isLayoutFollowing()).toBe(true);
  });

  it('works with a storage that refuses', () => {
    const refusing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    vi.stubGlobal('localStorage', refusing);
    setLayoutFollowing(false);
    expect(isLayoutFollowing()).toBe(false);
  });
});

describe('followLanguageLayout', () => {
  let input: HTMLInputElement;
  let inputs: InputEvent[];
  let action: ReturnType<typeof followLanguageLayout>;

  beforeEach(() => {
    const form = document.createElement('form');
    input = document.createElement('input');
    form.append(input);
    document.body.append(form);
    input.focus();
    inputs = [];
    // On the parent: the event must bubble, as Svelte's delegated `oninput` needs.
    form.addEventListener('input', (event) => inputs.push(event as InputEvent));
    action = followLanguageLayout(input, 'ara');
  });

  afterEach(() => {
    action.destroy();
    document.body.replaceChildren();
    setLayoutFollowing(true);
  });

  /** Dispatches a keydown on the input; whether the action took it (cancelled it). */
  function type(code: string, key: string, init: KeyboardEventInit = {}): boolean {
    const event = new KeyboardEvent('keydown', { code, key, bubbles: true, cancelable: true, ...init });
    input.dispatchEvent(event);
    return event.defaultPrevented;
  }

  it('types an Arabic name from a QWERTY keyboard, one input event per key', () => {
    // م ح م د on the keys L P L ].
    const taken = [type('KeyL', 'l'), type('KeyP', 'p'), type('KeyL', 'l'), type('BracketRight', ']')];
    expect(taken).toEqual([true, true, true, true]);
    expect(input.value).toBe('محمد');
    expect(input.selectionStart).toBe(4);
    expect(inputs.map((event) => [event.type, event.inputType, event.data, event.bubbles])).toEqual([
      ['input', 'insertText', 'م', true],
      ['input', 'insertText', 'ح', true],
      ['input', 'insertText', 'م', true],
      ['input', 'insertText', 'د', true],
    ]);
    expect(inputs.every((event) => event.target === input)).toBe(true);
  });

  it('types harakat with Shift, and lam-alef as two letters', () => {
    type('KeyV', 'v'); // ر
    type('KeyQ', 'Q', { shiftKey: true }); // fatha
    type('KeyB', 'b'); // لا
    expect(input.value).toBe('ر\u064E\u0644\u0627');
    expect(inputs.at(-1)?.data).toBe('لا');
  });

  it('inserts at the caret and replaces the selection', () => {
    input.value = 'سمير';
    input.setSelectionRange(1, 3); // "مي"
    expect(type('KeyF', 'f')).toBe(true); // ب
    expect(input.value).toBe('سبر');
    expect(input.selectionStart).toBe(2);
    expect(input.selectionEnd).toBe(2);
    input.setSelectionRange(0, 0);
    type('KeyH', 'h'); // ا
    expect(input.value).toBe('اسبر');
    expect(inputs.map((event) => event.data)).toEqual(['ب', 'ا']);
  });

  it('respects maxlength: nothing goes in past it, a selection can still be replaced', () => {
    input.maxLength = 3;
    type('KeyQ', 'q');
    type('KeyW', 'w');
    type('KeyE', 'e');
    expect(input.value).toBe('ضصث');
    // Full: the key is swallowed (no Latin "r" either), no input event.
    expect(type('KeyR', 'r')).toBe(true);
    expect(input.value).toBe('ضصث');
    expect(inputs).toHaveLength(3);
    // Replacing one character of a full field fits.
    input.setSelectionRange(2, 3);
    type('KeyR', 'r');
    expect(input.value).toBe('ضصق');
    // Lam-alef is two characters: with one free place it does not go in half.
    input.setSelectionRange(2, 3);
    type('KeyB', 'b');
    expect(input.value).toBe('ضصق');
    expect(inputs).toHaveLength(4);
  });

  it('leaves digits, shortcuts, named keys and composition to the system', () => {
    expect(type('Digit1', '1')).toBe(false);
    expect(type('KeyC', 'c', { ctrlKey: true })).toBe(false);
    expect(type('KeyA', 'a', { ctrlKey: true })).toBe(false);
    expect(type('Backspace', 'Backspace')).toBe(false);
    expect(type('Tab', 'Tab')).toBe(false);
    expect(type('ArrowLeft', 'ArrowLeft')).toBe(false);
    expect(type('KeyQ', 'q', { isComposing: true })).toBe(false);
    expect(type('KeyQ', 'ض')).toBe(false);
    expect(input.value).toBe('');
    expect(inputs).toHaveLength(0);
  });

  it('stops mapping once destroyed', () => {
    type('KeyQ', 'q');
    action.destroy();
    expect(type('KeyW', 'w')).toBe(false);
    expect(input.value).toBe('ض');
    expect(inputs).toHaveLength(1);
  });

  it('follows the language it is updated to', () => {
    type('KeyQ', 'q');
    action.update('eng');
    expect(type('KeyW', 'w')).toBe(false);
    expect(input.value).toBe('ض');
    action.update('zgh');
    expect(type('KeyW', 'w')).toBe(true);
    expect(input.value).toBe('ضⵣ');
    action.update(null);
    expect(type('KeyE', 'e')).toBe(false);
    action.update('ara');
    expect(type('KeyE', 'e')).toBe(true);
    expect(input.value).toBe('ضⵣث');
  });

  it('does nothing while the clerk has turned following off', () => {
    setLayoutFollowing(false);
    expect(type('KeyQ', 'q')).toBe(false);
    expect(input.value).toBe('');
    setLayoutFollowing(true);
    expect(type('KeyQ', 'q')).toBe(true);
    expect(input.value).toBe('ض');
  });

  it('does nothing in a read-only or disabled field, or after another handler cancelled the key', () => {
    input.readOnly = true;
    expect(type('KeyQ', 'q')).toBe(false);
    input.readOnly = false;
    input.disabled = true;
    expect(type('KeyQ', 'q')).toBe(false);
    input.disabled = false;
    const cancelled = new KeyboardEvent('keydown', { code: 'KeyQ', key: 'q', cancelable: true });
    cancelled.preventDefault();
    input.dispatchEvent(cancelled);
    expect(input.value).toBe('');
    expect(inputs).toHaveLength(0);
  });

  it('works on a textarea', () => {
    const textarea = document.createElement('textarea');
    document.body.append(textarea);
    const onTextarea = followLanguageLayout(textarea, 'zgh');
    const event = new KeyboardEvent('keydown', { code: 'KeyQ', key: 'a', cancelable: true });
    textarea.dispatchEvent(event);
    onTextarea.destroy();
    expect(event.defaultPrevented).toBe(true);
    expect(textarea.value).toBe('ⴰ');
  });
});

describe('a component wired with use:followLanguageLayout', () => {
  afterEach(() => {
    setUiLanguage('en');
    setLayoutFollowing(true);
  });

  it('updates the bound value through oninput, typed with user-event on QWERTY', async () => {
    const user = userEvent.setup();
    render(FollowLayoutFixture, { props: { language: 'ara' } });
    const field = screen.getByTestId<HTMLInputElement>('field');
    await user.click(field);
    // user-event sends each key's `code` (KeyS, KeyH, KeyD, KeyV) with its QWERTY `key`.
    await user.keyboard('shdv');
    expect(field.value).toBe('ساير');
    expect(screen.getByTestId('state').textContent).toBe('ساير');
    // Backspace stays the system's, and the component sees it too.
    await user.keyboard('{Backspace}');
    expect(field.value).toBe('ساي');
    expect(screen.getByTestId('state').textContent).toBe('ساي');
    expect(screen.getByTestId('indicator').textContent).toBe('Keyboard: Arabic');
  });

  it('respects the maxlength the component sets', async () => {
    const user = userEvent.setup();
    render(FollowLayoutFixture, { props: { language: 'zgh', maxlength: 2 } });
    const field = screen.getByTestId<HTMLInputElement>('field');
    await user.click(field);
    await user.keyboard('qwer');
    expect(field.value).toBe('ⴰⵣ');
    expect(screen.getByTestId('state').textContent).toBe('ⴰⵣ');
  });

  it('leaves an English field to the system, with no indicator', async () => {
    const user = userEvent.setup();
    render(FollowLayoutFixture, { props: { language: 'eng' } });
    const field = screen.getByTestId<HTMLInputElement>('field');
    await user.click(field);
    await user.keyboard('Sami');
    expect(field.value).toBe('Sami');
    expect(screen.getByTestId('state').textContent).toBe('Sami');
    expect(screen.queryByTestId('indicator')).toBeNull();
  });

  it('names the layout in the UI language', () => {
    setUiLanguage('fr');
    render(FollowLayoutFixture, { props: { language: 'zgh' } });
    expect(screen.getByTestId('indicator').textContent).toBe('Clavier : tifinagh');
  });
});
