// @vitest-environment node
// The bundled Tifinagh font as app.css declares it: the file is there and is a WOFF2, the face
// covers the Tifinagh block, and the family comes before the system fonts that have Tifinagh
// of their own. The end-to-end test (`e2e/tests/app/tifinagh.rs`) checks that WebKit draws with it.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../../app.css', import.meta.url), 'utf8');
const face = css.match(/@font-face\s*{[^}]*font-family:\s*'Noto Sans Tifinagh'[^}]*}/)?.[0] ?? '';

describe('the bundled Tifinagh font', () => {
  it('is declared for the Tifinagh block only', () => {
    expect(face).toContain('unicode-range: U+2D30-2D7F;');
  });

  it('is a WOFF2 file beside its licence', () => {
    const url = face.match(/url\('([^']+)'\)\s*format\('woff2'\)/)?.[1];
    expect(url).toBeDefined();
    const font = readFileSync(new URL(`../../${url}`, import.meta.url));
    expect(font.subarray(0, 4).toString('latin1')).toBe('wOF2');
    // A subset: small enough that bundling it costs nothing worth weighing.
    expect(font.length).toBeLessThan(64 * 1024);
    const licence = readFileSync(new URL('../../assets/fonts/OFL.txt', import.meta.url), 'utf8');
    expect(licence).toContain('SIL OPEN FONT LICENSE Version 1.1');
  });

  it('comes before DejaVu Sans in the window’s font stack', () => {
    const stack = css.match(/:root\s*{[^}]*font-family:\s*([^;]+);/)?.[1] ?? '';
    const tifinagh = stack.indexOf("'Noto Sans Tifinagh'");
    expect(tifinagh).toBeGreaterThan(-1);
    expect(tifinagh).toBeLessThan(stack.indexOf("'DejaVu Sans'"));
  });
});
