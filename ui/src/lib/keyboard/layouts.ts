// The keyboard layouts a form field can follow, by physical key: what each key of the
// alphanumeric block types, unshifted and with Shift, on the layout of the field's language.
// Keys are `KeyboardEvent.code` values, which name the physical position (by its US QWERTY
// legend: `KeyQ` is the top row's first letter key on every keyboard, the `A` of a French
// AZERTY one), so the table holds whatever the operating system's own layout is.
//
// Only the first two levels: AltGr (the third level) is never remapped (followLayout.ts).
//
// The digit row (`Digit1`…`Digit0`) and the numeric keypad are not in any table, on purpose:
// the registration data uses Western digits 0-9, so digits (and what Shift gives on that row)
// are typed the same way in every field, the one the operating system's layout gives; never
// the Arabic-Indic digits ٠-٩ that other layouts put there. Space, Tab, Enter, Backspace,
// arrows and the other named keys are not in the tables either.

import type { MessageKey } from '../i18n/en';

/** What one physical key types: unshifted, and with Shift. */
export interface KeyOutput {
  readonly base: string;
  readonly shift: string;
}

export interface KeyboardLayout {
  /** The form language (ISO 639-3) whose fields follow this layout. */
  readonly language: string;
  /** Where the table comes from. */
  readonly source: string;
  /** The catalogue key of the layout's name, for the indicator beside the field. */
  readonly labelKey: MessageKey;
  /**
   * Characters of the layout's script: when the operating system's layout already types
   * them (`event.key` matches), the system is left to do it.
   */
  readonly script: RegExp;
  /** `KeyboardEvent.code` → what the key types. */
  readonly keys: Readonly<Record<string, KeyOutput>>;
}

function key(base: string, shift: string = base): KeyOutput {
  return Object.freeze({ base, shift });
}

/**
 * Arabic (101): the standard Arabic layout, as the Linux xkb layout `ara` (its `basic` variant,
 * xkeyboard-config 2.35 `symbols/ara`) puts it, levels 1 and 2. Shift gives the harakat on the
 * top and home rows (fatha on Q, kasra on A…), hamza forms (أ on H, إ on Y, آ on N) and
 * punctuation.
 *
 * One deliberate difference: where xkb types a lam-alef ligature (B, Shift+B, Shift+G,
 * Shift+T), a presentation-form character (U+FEF5…U+FEFB), this table types the two letters
 * lam + alef (U+0644 + U+0627, U+0622, U+0623, U+0625), as the Windows Arabic (101) layout
 * does. Presentation forms are compatibility characters for fonts (NFKC turns them into those
 * two letters); names in the register must not hold them, or "لا" typed two ways would not
 * compare equal. WebKit shapes the pair into the ligature on screen anyway.
 */
export const ARABIC_101: KeyboardLayout = Object.freeze({
  language: 'ara',
  source: 'Arabic (101), xkb symbols/ara(basic), levels 1-2; lam-alef as two letters',
  labelKey: 'keyboard.layout.ara',
  // Script_Extensions: also the Arabic comma, semicolon and question mark, tatweel and harakat.
  script: /\p{Script_Extensions=Arabic}/u,
  keys: Object.freeze({
    Backquote: key('ذ', '\u0651'), // thal; shadda
    Minus: key('-', '_'),
    Equal: key('=', '+'),

    KeyQ: key('ض', '\u064E'), // dad; fatha
    KeyW: key('ص', '\u064B'), // sad; fathatan
    KeyE: key('ث', '\u064F'), // theh; damma
    KeyR: key('ق', '\u064C'), // qaf; dammatan
    KeyT: key('ف', '\u0644\u0625'), // feh; lam + alef with hamza below (xkb: U+FEF9)
    KeyY: key('غ', 'إ'), // ghain; alef with hamza below
    KeyU: key('ع', '`'), // ain
    KeyI: key('ه', '÷'), // heh
    KeyO: key('خ', '×'), // khah
    KeyP: key('ح', '؛'), // hah; Arabic semicolon
    BracketLeft: key('ج', '<'), // jeem
    BracketRight: key('د', '>'), // dal

    KeyA: key('ش', '\u0650'), // sheen; kasra
    KeyS: key('س', '\u064D'), // seen; kasratan
    KeyD: key('ي', ']'), // yeh
    KeyF: key('ب', '['), // beh
    KeyG: key('ل', '\u0644\u0623'), // lam; lam + alef with hamza above (xkb: U+FEF7)
    KeyH: key('ا', 'أ'), // alef; alef with hamza above
    KeyJ: key('ت', '\u0640'), // teh; tatweel
    KeyK: key('ن', '،'), // noon; Arabic comma
    KeyL: key('م', '/'), // meem
    Semicolon: key('ك', ':'), // kaf
    Quote: key('ط', '"'), // tah
    Backslash: key('\\', '…'),

    IntlBackslash: key('|', '¦'), // the extra key left of Z on ISO keyboards
    KeyZ: key('ئ', '~'), // yeh with hamza above
    KeyX: key('ء', '\u0652'), // hamza; sukun
    KeyC: key('ؤ', '}'), // waw with hamza above
    KeyV: key('ر', '{'), // reh
    KeyB: key('\u0644\u0627', '\u0644\u0622'), // lam + alef (xkb: U+FEFB); lam + alef with madda (xkb: U+FEF5)
    KeyN: key('ى', 'آ'), // alef maksura; alef with madda above
    KeyM: key('ة', "'"), // teh marbuta
    Comma: key('و', ','), // waw
    Period: key('ز', '.'), // zain
    Slash: key('ظ', '؟'), // zah; Arabic question mark
  }),
});

/**
 * Tifinagh: the IRCAM's basic Tifinagh keyboard, as the Linux xkb layout `ma(tifinagh)`
 * ("Berber (Morocco, Tifinagh)", xkeyboard-config 2.35 `symbols/ma`) puts it, levels 1 and 2.
 * It is AZERTY-based: most Tifinagh letters are where the French AZERTY keyboard has the Latin
 * letter they are transcribed with (ⴰ on AZERTY's A, which is `KeyQ`; ⵎ on AZERTY's M, which
 * is `Semicolon`; ⵄ, ⵃ and ⵖ on O, P and V), and AZERTY's punctuation stays where it is (`,`
 * on `KeyM`). It types all 33 letters of the IRCAM alphabet (ⴳⵯ and ⴽⵯ with ⵯ, the
 * labialisation mark, on `BracketLeft`), the emphatics with Shift (ⵥ, ⴹ, ⵕ, ⵚ, ⵟ). Chosen
 * over `ma(tifinagh-alt)`, which adds Tuareg and neo-Tifinagh letters that Standard Moroccan
 * Tamazight does not use, and a dead key.
 *
 * Tifinagh has no case: a key xkb gives one symbol types it with or without Shift. Where xkb
 * leaves one level of a key empty (`NoSymbol`: Shift+E, Shift+², unshifted ù), the key types
 * its other level, so no key of the table types nothing and none falls back to the system's
 * Latin letter (ù on AZERTY).
 */
export const TIFINAGH_IRCAM: KeyboardLayout = Object.freeze({
  language: 'zgh',
  source: 'Tifinagh (IRCAM), xkb symbols/ma(tifinagh), levels 1-2',
  labelKey: 'keyboard.layout.zgh',
  script: /\p{Script_Extensions=Tifinagh}/u,
  keys: Object.freeze({
    Backquote: key('²'), // xkb: Shift empty
    Minus: key(')', '°'),
    Equal: key('=', '+'),

    KeyQ: key('ⴰ'), // ya
    KeyW: key('ⵣ', 'ⵥ'), // yaz; yazz
    KeyE: key('ⴻ'), // yey (xkb: Shift empty; AltGr €)
    KeyR: key('ⵔ', 'ⵕ'), // yar; yarr
    KeyT: key('ⵜ', 'ⵟ'), // yat; yatt
    KeyY: key('ⵢ'), // yay
    KeyU: key('ⵓ'), // yu
    KeyI: key('ⵉ'), // yi
    KeyO: key('ⵄ'), // yaɛ
    KeyP: key('ⵃ'), // yaḥ
    BracketLeft: key('ⵯ'), // labialisation mark
    BracketRight: key('$', '£'),

    KeyA: key('ⵇ'), // yaq
    KeyS: key('ⵙ', 'ⵚ'), // yas; yass
    KeyD: key('ⴷ', 'ⴹ'), // yad; yadd
    KeyF: key('ⴼ'), // yaf
    KeyG: key('ⴳ'), // yag
    KeyH: key('ⵀ'), // yah
    KeyJ: key('ⵊ'), // yaj
    KeyK: key('ⴽ'), // yak
    KeyL: key('ⵍ'), // yal
    Semicolon: key('ⵎ'), // yam
    Quote: key('%'), // xkb: unshifted empty
    Backslash: key('*', 'µ'),

    KeyZ: key('ⵡ'), // yaw
    KeyX: key('ⵅ'), // yax
    KeyC: key('ⵛ'), // yach
    KeyV: key('ⵖ'), // yaɣ
    KeyB: key('ⴱ'), // yab
    KeyN: key('ⵏ'), // yan
    KeyM: key(',', '?'),
    Comma: key(';', '.'),
    Period: key(':', '/'),
    Slash: key('!', '§'),
  }),
});

/** The layouts by form language (ISO 639-3). English and French fields have none. */
export const LAYOUTS: Readonly<Record<string, KeyboardLayout>> = Object.freeze({
  ara: ARABIC_101,
  zgh: TIFINAGH_IRCAM,
});

/** The layout a field in `language` follows, or null (no table: the system's layout types). */
export function layoutFor(language: string | null | undefined): KeyboardLayout | null {
  if (!language || !Object.hasOwn(LAYOUTS, language)) return null;
  return LAYOUTS[language];
}
