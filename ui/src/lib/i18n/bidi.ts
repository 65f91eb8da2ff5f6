// Text that is never written right to left (a web address, a request number) placed inside a
// sentence of any language: isolated (first strong isolate … pop directional isolate) so that
// an Arabic sentence does not reorder it, with a left-to-right mark before the end so that its
// trailing punctuation ("https://") stays with it: WebKit drew "https://" as "//:https" in an
// Arabic sentence with the isolate alone.
export function leftToRight(text: string): string {
  return String.fromCodePoint(0x2068) + text + String.fromCodePoint(0x200e) + String.fromCodePoint(0x2069);
}
