// @vitest-environment node
// The interface languages of the window and of the station are one list. The station keeps each
// operator's choice and accepts only the languages it lists: a catalogue added here and not
// there could never be kept, and the other way round the station would hand the window a
// language it cannot show.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { isUiLanguage, UI_LANGUAGES } from './catalogues';

describe('the interface languages', () => {
  it('are the ones the station accepts (station/src/settings.rs)', () => {
    const settings = readFileSync(new URL('../../../../station/src/settings.rs', import.meta.url), 'utf8');
    const listed = /pub const UI_LANGUAGES: &\[&str\] = &\[([^\]]*)\];/.exec(settings);
    expect(listed, 'UI_LANGUAGES in station/src/settings.rs').not.toBeNull();
    const codes = [...listed![1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(codes).toEqual(UI_LANGUAGES.map((language) => language.code));
    expect(isUiLanguage('fr')).toBe(true);
    expect(isUiLanguage('de')).toBe(false);
    expect(isUiLanguage(null)).toBe(false);
  });
});
