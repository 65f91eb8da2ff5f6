// The values the station's commands take and return: generated from Rust into `bindings.ts`
// (see `src-tauri/src/bindings.rs`) and re-exported here under the names the screens use, with
// the few shapes that only the window knows (an identity document's JSON).

export type * from './bindings';
export type { RegistrationStateName as RegistrationState, RoleName as Role } from './bindings';

/** One language's value of a multilingual field, as MOSIP writes it. */
export type LanguageValue = {
  language: string;
  value: string;
};

/**
 * An identity document as the form edits it: MOSIP's `identity` object, a string or a number
 * per simple field and one value per language per multilingual field. The station receives and
 * returns it as plain JSON (`JsonValue` in the bindings) and validates it in Rust.
 */
// A type alias, not an interface, so that it is assignable to the bindings' JSON `Value`.
export type IdentityDocument = { [field: string]: string | LanguageValue[] | number };
