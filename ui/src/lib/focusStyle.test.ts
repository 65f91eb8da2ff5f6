// @vitest-environment node
// The focus as app.css draws it, for a clerk on the keyboard: every control that takes the
// focus shows it. WebKitGTK draws checkboxes and radios with the GTK theme, which ignores
// box-shadow, so the focus shadow of the other inputs would leave them unmarked: they get an
// outline. The end-to-end test `e2e/tests/app/keyboard/` reads the computed style in the window.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../app.css', import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');

/** The declarations of the first rule whose selector list holds `selector`. */
function declarationsFor(selector: string): string {
  for (const [, selectors, body] of css.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
    if (selectors.split(',').some((s) => s.trim() === selector)) return body;
  }
  return '';
}

describe('the focus app.css draws', () => {
  it('is a shadow on text inputs, selects and buttons', () => {
    for (const selector of ['input:focus', 'select:focus', 'button:focus-visible']) {
      expect(declarationsFor(selector), selector).toMatch(/box-shadow:\s*var\(--focus\)/);
    }
  });

  it('is an outline on checkboxes and radios, which WebKitGTK draws without the shadow', () => {
    for (const selector of ["input[type='checkbox']:focus", "input[type='radio']:focus"]) {
      const declarations = declarationsFor(selector);
      expect(declarations, selector).toMatch(/outline:\s*\d+px solid var\(--accent\)/);
      expect(declarations, selector).not.toMatch(/outline:\s*none/);
    }
  });
});
