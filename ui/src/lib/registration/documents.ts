// The documents step's side of a document: the files the clerk picked, read as the station takes
// them (each page's bytes in base64), after the checks that need no station: how many files and
// how large, so a 40 MB photo is refused before it is read. The station checks everything again
// (the format from the bytes, the types from master data, that images decode).

import type { DocumentChoicesView, DocumentPage, DocumentView, FormDocuments, FormSpec } from '../backend/types';
import { pickLabel, pickMasterLabel, translate, type UiLanguage } from '../i18n/catalogues';
import { formatBytes } from '../i18n/numbers';

/** Why the picked files cannot be sent, as the station's codes name the same problems. */
export type PickProblem = 'empty' | 'too_large' | 'too_many_pages';

export type PickedPages = { pages: DocumentPage[] } | { problem: PickProblem; fileName?: string };

/** Base64 of `bytes`, in chunks (a spread of megabytes into `fromCharCode` overflows the stack). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + chunk));
  }
  return btoa(binary);
}

export async function readPicked(files: readonly File[], limits: FormDocuments): Promise<PickedPages> {
  if (files.length === 0) return { problem: 'empty' };
  if (files.length > limits.max_pages) return { problem: 'too_many_pages' };
  const tooLarge = files.find((file) => file.size > limits.max_file_bytes);
  if (tooLarge) return { problem: 'too_large', fileName: tooLarge.name };
  const empty = files.find((file) => file.size === 0);
  if (empty) return { problem: 'empty', fileName: empty.name };
  const pages: DocumentPage[] = [];
  for (const file of files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    pages.push({ file_name: file.name, data_base64: toBase64(bytes) });
  }
  return { pages };
}

/** The `accept` attribute of the file input: the formats the configuration allows. */
export function acceptedTypes(formats: readonly string[]): string {
  const types: Record<string, string> = { pdf: 'application/pdf,.pdf', jpeg: 'image/jpeg,.jpg,.jpeg', png: 'image/png,.png' };
  return formats.map((format) => types[format] ?? '').filter(Boolean).join(',');
}

/** "2 pages, 1.4 MB"; only the size for a PDF whose pages the station could not count. */
export function documentSummary(document: DocumentView, language: UiLanguage): string {
  const size = formatBytes(document.bytes, language);
  if (document.pages === null) return size;
  return translate(language, 'documents.summary', { pages: document.pages, size });
}

/** A file made of base64 bytes (a scanned page), to attach as a picked file is. */
export function fileFromBase64(base64: string, name: string, type: string): File {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return new File([bytes], name, { type });
}

/** What the form calls a category ("Proof of identity"), in the clerk's language. */
export function categoryLabel(spec: FormSpec | null, category: string, language: UiLanguage): string {
  const asked = spec?.documents?.categories.find((c) => c.category === category);
  return asked ? pickLabel(asked.label, language, category) : category;
}

/** What the master data calls a document type ("Passport"); its code until the list is loaded. */
export function documentTypeLabel(
  choices: DocumentChoicesView | null,
  category: string,
  code: string,
  language: UiLanguage,
): string {
  const entry = choices?.categories.find((c) => c.category === category)?.document_types.find((e) => e.code === code);
  return entry ? pickMasterLabel(entry.labels, language, code) : code;
}
