// Keyboard-first helpers: put the caret where the clerk types next.

/** Svelte action: focus this element when it appears (instead of `autofocus`, which only
 * works on page load, not when a screen is swapped in). `use:focusOnMount={false}` skips it. */
export function focusOnMount(element: HTMLElement, enabled: boolean = true): void {
  if (enabled) queueMicrotask(() => element.focus());
}

/** Focus the first invalid input inside `root`, if any. */
export function focusFirstInvalid(root: HTMLElement | undefined): void {
  root?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}
