// The values the station's commands take and return, mirroring `station/src/views.rs` and
// `station/src/error.rs` field by field (snake_case, as serde writes them).
//
// Written by hand, kept honest by a drift check: `src-tauri/tests/contract` serializes a sample
// of every type to `contract.json` and fails when the Rust side changes; `contract.test.ts`
// fails when the shapes below (see `SHAPES`) disagree with that file. Change all three together.

export type RegistrationState =
  | 'draft'
  | 'pending_approval'
  | 'sealed'
  | 'uploaded'
  | 'acknowledged'
  | 'rejected';

export type Role = 'admin' | 'supervisor' | 'officer';

export interface SetupRequest {
  station_name: string;
  center_id: string;
  admin_username: string;
  admin_full_name: string;
  admin_password: string;
}

/** An operator for an admin to add; `role` is one of `Role`. */
export interface NewOperatorRequest {
  username: string;
  full_name: string;
  role: string;
  password: string;
}

export interface StationStatus {
  needs_setup: boolean;
  station_id: string | null;
  station_name: string | null;
  intake_url: string;
  operator: OperatorView | null;
  /** True when `operator`'s session locked after inactivity: show the lock screen. */
  session_locked: boolean;
  /** True when the capture devices are simulated (the UI must say so). */
  simulated_devices: boolean;
}

export interface OperatorView {
  username: string;
  full_name: string;
  role: Role;
}

/** A language the form is filled in: "eng", "fra", "ara". */
export interface FormLanguage {
  code: string;
  name: string;
  direction: 'ltr' | 'rtl';
  /** Whether every required multilingual field must be filled in this language. */
  mandatory: boolean;
}

/** Labels are keyed by UI language: "en", "fr", "ar". */
export type Labels = Record<string, string>;

export interface FormOption {
  value: string;
  label: Labels;
}

export type FormControl = 'text' | 'date' | 'dropdown' | 'phone';

export interface FormField {
  id: string;
  control: FormControl;
  label: Labels;
  required: boolean;
  multilingual: boolean;
  options: FormOption[];
  hint: Labels;
  max_length: number | null;
}

export interface FormSpec {
  languages: FormLanguage[];
  fields: FormField[];
}

export interface DeviceIdentity {
  make: string;
  model: string;
  serial: string;
  simulated: boolean;
}

export interface CaptureView {
  /** `data:image/png;base64,...` */
  preview_data_url: string;
  quality: number;
  device: DeviceIdentity;
}

export interface ReceiptView {
  intake_reference: string;
  received_at: string;
}

/** A multilingual value as MOSIP writes it. */
export interface LanguageValue {
  language: string;
  value: string;
}

/** An identity document: multilingual fields are lists, the others plain strings. */
export type IdentityDocument = Record<string, string | LanguageValue[] | number>;

export interface RegistrationView {
  registration_id: string;
  state: RegistrationState;
  identity: IdentityDocument | null;
  face: CaptureView | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  receipt: ReceiptView | null;
  last_error: ErrorView | null;
  /** The supervisor's decision once there is one, with the reason of a rejection. */
  decision: DecisionView | null;
}

export type DecisionOutcome = 'approved' | 'rejected';

/** What a supervisor decided (`station/src/views.rs`). */
export interface DecisionView {
  outcome: DecisionOutcome;
  by: string;
  /** A rejection's reason: on the registration only; null in the home lists. */
  reason: string | null;
}

export interface SyncReport {
  attempted: number;
  acknowledged: number;
  failures: SyncFailure[];
}

export interface SyncFailure {
  registration_id: string;
  code: string;
  message: string;
}

/** What `purge_expired` erased: the registrations purged now (their tombstones remain). */
export interface PurgeReport {
  purged: string[];
}

/** The station's policy as the admin's screen shows it (`station/src/policy.rs`). */
export interface PolicyView {
  idle_lock_minutes: number;
  retention_days: number;
  /** True when the admin has not chosen: the station's default applies. */
  idle_lock_is_default: boolean;
  retention_is_default: boolean;
  limits: PolicyLimits;
}

/** The ranges `set_policy` accepts, inclusive. */
export interface PolicyLimits {
  idle_lock_minutes_min: number;
  idle_lock_minutes_max: number;
  retention_days_min: number;
  retention_days_max: number;
}

export interface PolicyRequest {
  idle_lock_minutes: number;
  retention_days: number;
}

export type SessionState = 'signed_out' | 'active' | 'locked';

/** Where the session stands; asking is not activity (`station/src/session.rs`). */
export interface SessionView {
  state: SessionState;
  username: string | null;
  /** While active: milliseconds until the session locks unless a call comes first. */
  locks_in_ms: number | null;
}

/** Registrations per state (`station/src/home.rs`); `queued` is sealed, rejected and uploaded. */
export interface StateCountsView {
  draft: number;
  pending_approval: number;
  sealed: number;
  uploaded: number;
  acknowledged: number;
  rejected: number;
  queued: number;
}

/** The home screen's lists, by the name `home_page` takes. */
export type HomeListName = 'drafts' | 'pending_approval' | 'upload_queue' | 'acknowledged';

/** One row of a home list; what the row cannot know is null (names outside drafts, …). */
export interface HomeItem {
  registration_id: string;
  state: RegistrationState;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** Drafts only: the name typed so far. */
  display_name: string | null;
  decision: DecisionView | null;
  receipt: ReceiptView | null;
  last_error: ErrorView | null;
}

/** Where a page of a list ends; sent back as is for the next page. */
export interface HomeCursor {
  updated_at: string;
  registration_id: string;
}

export interface HomeList {
  items: HomeItem[];
  next_page: HomeCursor | null;
}

/** The home screen: counts, and the first page of each list. */
export interface HomeSummary {
  counts: StateCountsView;
  drafts: HomeList;
  pending_approval: HomeList;
  upload_queue: HomeList;
  acknowledged: HomeList;
}

/** A problem with one form field. */
export interface FieldError {
  field: string;
  language: string | null;
  code: string;
  message: string;
}

/** Every command error, as it crosses IPC. */
export interface ErrorView {
  code: string;
  message: string;
  fields: FieldError[];
}

// ---------------------------------------------------------------------------------------------
// Shapes for the drift check. `Shape<T>` must name every key of T (the compiler refuses a
// missing or extra one), with the JSON kind its value has; `?` marks a value that may be null.

export type Kind =
  | 'string'
  | 'number'
  | 'boolean'
  | 'object'
  | 'array'
  | 'string?'
  | 'number?'
  | 'object?';

export type Shape<T> = { [K in keyof Required<T>]: Kind };

export const SHAPES = {
  SetupRequest: {
    station_name: 'string',
    center_id: 'string',
    admin_username: 'string',
    admin_full_name: 'string',
    admin_password: 'string',
  } satisfies Shape<SetupRequest>,
  NewOperatorRequest: {
    username: 'string',
    full_name: 'string',
    role: 'string',
    password: 'string',
  } satisfies Shape<NewOperatorRequest>,
  StationStatus: {
    needs_setup: 'boolean',
    station_id: 'string?',
    station_name: 'string?',
    intake_url: 'string',
    operator: 'object?',
    session_locked: 'boolean',
    simulated_devices: 'boolean',
  } satisfies Shape<StationStatus>,
  OperatorView: { username: 'string', full_name: 'string', role: 'string' } satisfies Shape<OperatorView>,
  FormLanguage: { code: 'string', name: 'string', direction: 'string', mandatory: 'boolean' } satisfies Shape<FormLanguage>,
  FormOption: { value: 'string', label: 'object' } satisfies Shape<FormOption>,
  FormField: {
    id: 'string',
    control: 'string',
    label: 'object',
    required: 'boolean',
    multilingual: 'boolean',
    options: 'array',
    hint: 'object',
    max_length: 'number?',
  } satisfies Shape<FormField>,
  FormSpec: { languages: 'array', fields: 'array' } satisfies Shape<FormSpec>,
  DeviceIdentity: { make: 'string', model: 'string', serial: 'string', simulated: 'boolean' } satisfies Shape<DeviceIdentity>,
  CaptureView: { preview_data_url: 'string', quality: 'number', device: 'object' } satisfies Shape<CaptureView>,
  ReceiptView: { intake_reference: 'string', received_at: 'string' } satisfies Shape<ReceiptView>,
  RegistrationView: {
    registration_id: 'string',
    state: 'string',
    identity: 'object?',
    face: 'object?',
    created_by: 'string',
    created_at: 'string',
    updated_at: 'string',
    receipt: 'object?',
    last_error: 'object?',
    decision: 'object?',
  } satisfies Shape<RegistrationView>,
  DecisionView: { outcome: 'string', by: 'string', reason: 'string?' } satisfies Shape<DecisionView>,
  SyncReport: { attempted: 'number', acknowledged: 'number', failures: 'array' } satisfies Shape<SyncReport>,
  SyncFailure: { registration_id: 'string', code: 'string', message: 'string' } satisfies Shape<SyncFailure>,
  PurgeReport: { purged: 'array' } satisfies Shape<PurgeReport>,
  PolicyView: {
    idle_lock_minutes: 'number',
    retention_days: 'number',
    idle_lock_is_default: 'boolean',
    retention_is_default: 'boolean',
    limits: 'object',
  } satisfies Shape<PolicyView>,
  PolicyLimits: {
    idle_lock_minutes_min: 'number',
    idle_lock_minutes_max: 'number',
    retention_days_min: 'number',
    retention_days_max: 'number',
  } satisfies Shape<PolicyLimits>,
  PolicyRequest: { idle_lock_minutes: 'number', retention_days: 'number' } satisfies Shape<PolicyRequest>,
  SessionView: { state: 'string', username: 'string?', locks_in_ms: 'number?' } satisfies Shape<SessionView>,
  StateCountsView: {
    draft: 'number',
    pending_approval: 'number',
    sealed: 'number',
    uploaded: 'number',
    acknowledged: 'number',
    rejected: 'number',
    queued: 'number',
  } satisfies Shape<StateCountsView>,
  HomeItem: {
    registration_id: 'string',
    state: 'string',
    created_by: 'string',
    created_at: 'string',
    updated_at: 'string',
    display_name: 'string?',
    decision: 'object?',
    receipt: 'object?',
    last_error: 'object?',
  } satisfies Shape<HomeItem>,
  HomeCursor: { updated_at: 'string', registration_id: 'string' } satisfies Shape<HomeCursor>,
  HomeList: { items: 'array', next_page: 'object?' } satisfies Shape<HomeList>,
  HomeSummary: {
    counts: 'object',
    drafts: 'object',
    pending_approval: 'object',
    upload_queue: 'object',
    acknowledged: 'object',
  } satisfies Shape<HomeSummary>,
  FieldError: { field: 'string', language: 'string?', code: 'string', message: 'string' } satisfies Shape<FieldError>,
  ErrorView: { code: 'string', message: 'string', fields: 'array' } satisfies Shape<ErrorView>,
} as const;

/** The `state` values the station writes; the contract test checks the fixture uses only these. */
export const REGISTRATION_STATES: readonly RegistrationState[] = [
  'draft',
  'pending_approval',
  'sealed',
  'uploaded',
  'acknowledged',
  'rejected',
];
