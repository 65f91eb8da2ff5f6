// The keyboard follows the field's language: in an Arabic (or Tifinagh) input, a key types what
// the same physical key types on the Arabic (101) (or IRCAM Tifinagh) layout, whatever layout
// the operating system has (a clerk's laptop is usually on French AZERTY or English QWERTY),
// so the clerk need not switch the system's layout between the fields of one form.
//
// Mapped by physical key (`KeyboardEvent.code`, tables in layouts.ts), not by `event.key`.
// Left to the system: a key the system's layout already types in the field's script (it is on
// the Arabic layout: nothing to do); anything with Ctrl, Alt, Meta or AltGr held (shortcuts,
// copy and paste, third-level characters); keys outside the tables (Tab, Enter, arrows,
// Backspace, Space, the digit row: see layouts.ts); an input method composing.

import { layoutFor } from './layouts';
import type { MessageKey } from '../i18n/en';

/** The parts of a `KeyboardEvent` the mapping reads. */
export interface KeyLike {
  readonly code: string;
  readonly key: string;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
  readonly isComposing: boolean;
  /** AltGr held (`event.getModifierState('AltGraph')`): Linux reports it without `altKey`. */
  readonly altGraph?: boolean;
}

/**
 * What the key of `event` types in a field in `language` (ISO 639-3), or null when the key is
 * left to the system: no table for the language (eng, fra), a modifier other than Shift held,
 * input method composition, a key outside the table, the system's layout already typing the
 * field's script, or the layout typing the same character as the system.
 */
export function mappedCharacter(language: string | null | undefined, event: KeyLike): string | null {
  const layout = layoutFor(language);
  if (!layout) return null;
  // An input method composing, or processing the key (keyCode 229, `key` "Process"): it owns
  // the key, and cancelling the keydown would not stop its own insertion.
  if (event.isComposing || event.key === 'Process') return null;
  if (event.ctrlKey || event.altKey || event.metaKey || event.altGraph) return null;
  if (!Object.hasOwn(layout.keys, event.code)) return null;
  // The system is on a layout of this script already (an Arabic one in an Arabic field).
  if (layout.script.test(event.key)) return null;
  const output = layout.keys[event.code];
  const text = event.shiftKey ? output.shift : output.base;
  return text === event.key ? null : text;
}

/** Whether fields in `language` follow a layout of their own (ara, zgh). */
export function hasLayout(language: string | null | undefined): boolean {
  return layoutFor(language) !== null;
}

/**
 * The catalogue key of the name of the layout a field in `language` follows
 * (`keyboard.layout.ara`, `keyboard.layout.zgh`), or null: for the indicator,
 * `t('keyboard.follows', { layout: t(key) })`.
 */
export function layoutName(language: string | null | undefined): MessageKey | null {
  return layoutFor(language)?.labelKey ?? null;
}

/** Where the clerk's choice is kept, on this station's window. */
export const LAYOUT_FOLLOWING_STORAGE_KEY = 'enroll.keyboard.followFieldLayout';

/** The choice when `localStorage` cannot be used (tests, a storage error). */
let followingInMemory = true;

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // A browser that refuses storage throws on the mere access.
    return null;
  }
}

/**
 * Whether fields follow their language's layout (on unless the clerk turned it off). Not
 * reactive: a component showing the switch keeps its own `$state` and calls
 * `setLayoutFollowing` when it changes; the action reads this at every key.
 */
export function isLayoutFollowing(): boolean {
  const stored = readStored();
  return stored ?? followingInMemory;
}

/** Turn the following on or off, kept across restarts of the window. */
export function setLayoutFollowing(enabled: boolean): void {
  followingInMemory = enabled;
  try {
    storage()?.setItem(LAYOUT_FOLLOWING_STORAGE_KEY, enabled ? 'on' : 'off');
  } catch {
    // Storage full or refused: the choice holds until the window closes.
  }
}

function readStored(): boolean | null {
  try {
    const value = storage()?.getItem(LAYOUT_FOLLOWING_STORAGE_KEY);
    return value === 'on' ? true : value === 'off' ? false : null;
  } catch {
    return null;
  }
}

export interface FollowLanguageLayout {
  update(language: string | null): void;
  destroy(): void;
}

/**
 * Svelte action: `<input use:followLanguageLayout={language.code}>`. While the field's language
 * has a layout and following is on, a mapped key inserts its character at the caret (replacing
 * the selection, within `maxlength`), then dispatches an `input` event (bubbling, `insertText`)
 * as typing would, so `oninput` and `bind:value` see the new value. A key whose text does not
 * fit whole in `maxlength` inserts nothing, as the system would for a single character.
 *
 * The insertion is not on the browser's undo stack (`setRangeText`): Ctrl+Z does not take back
 * a mapped character.
 */
export function followLanguageLayout(
  node: HTMLInputElement | HTMLTextAreaElement,
  language: string | null,
): FollowLanguageLayout {
  let current = language;

  function keydown(event: KeyboardEvent): void {
    if (event.defaultPrevented || node.readOnly || node.disabled || !isLayoutFollowing()) return;
    const text = mappedCharacter(current, {
      code: event.code,
      key: event.key,
      shiftKey: event.shiftKey,
      ctrlKey: event.ctrlKey,
      altKey: event.altKey,
      metaKey: event.metaKey,
      isComposing: event.isComposing,
      altGraph: event.getModifierState?.('AltGraph') ?? false,
    });
    if (text === null) return;
    const start = node.selectionStart;
    const end = node.selectionEnd;
    // An input type without a caret (none the form uses): leave the key to the system.
    if (start === null || end === null) return;
    // From here the key is ours: the system's character must not go in as well.
    event.preventDefault();
    if (node.maxLength >= 0 && node.value.length - (end - start) + text.length > node.maxLength) return;
    node.setRangeText(text, start, end, 'end');
    // The caret right after the text, as 'end' says; set again because not every engine
    // places it there (happy-dom, the tests' DOM, puts it at the end of the value).
    const caret = start + text.length;
    node.setSelectionRange(caret, caret);
    node.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: text }));
  }

  // Typed as HTMLElement: the union's two `addEventListener` overloads do not resolve.
  const element: HTMLElement = node;
  element.addEventListener('keydown', keydown);
  return {
    update(language: string | null) {
      current = language;
    },
    destroy() {
      element.removeEventListener('keydown', keydown);
    },
  };
}
