import { describe, expect, it } from 'vitest';

import { formatTime } from './time';

describe('formatTime', () => {
  it('keeps Latin digits in Arabic', () => {
    const text = formatTime('2026-11-25T10:05:00Z', 'ar');
    expect(text).toMatch(/2026/);
    expect(text).not.toMatch(/[\u0660-\u0669]/);
  });

  it('shows what it cannot parse as it came', () => {
    expect(formatTime('not a time', 'fr')).toBe('not a time');
  });
});
