// An in-memory station behind the `Backend` interface, for mounting screens in tests. It keeps
// operators, a session, registrations moving along the lifecycle (draft → pending_approval →
// sealed/rejected → uploaded → acknowledged), and answers like the real station: the same
// shapes, the same rules (roles, states, the finalize check, the capture policy of
// `station/src/biometrics/draft.rs`) and failures as `BackendError` with the station's codes.
//
// Its capture devices are simulated, as a training station's are; a test can swap them
// (`useDevices`) and script the quality of the next attempts at a step (`queueQualities`) to
// drive poor captures, which real simulated devices do not give on demand.
//
// Its sync sends the upload queue in review order and tells the watching window each step, as
// the station's monitor does (`station/src/sync_status.rs`): "Sync now" runs it, and so does
// `runBackgroundSync`, which stands in for the station's background thread (the fake has no
// thread of its own). A test plays whatever else the background sync would say with
// `pushSyncStatus` (the link, a packet's progress), sets a packet aside with `seedQuarantined`
// or has the register refuse one at the next run (`refuseAtIntake`), and holds a "Sync now" in
// the middle (`holdNextSync`) to see the window while it runs.
//
// Everything this file knows about the station's shapes (the views, the error's fields) is
// here and only here, so that when the IPC types change, this is the one file to adapt. Tests
// talk to it through `FakeStation`'s own small API (`seed*`, `failNext`, `calls`), not
// through those shapes.

import type { Channel } from '@tauri-apps/api/core';

import type { Backend } from '../lib/backend/backend';
import { toBackendError, type BackendError } from '../lib/backend/errors';
import { fieldApplies, valuesFromIdentity } from '../lib/registration/identity';
import { isRequestId, isResidentId } from '../lib/registration/process';
import type {
  AcknowledgementView,
  BatchApprovalView,
  BiometricsView,
  CaptureView,
  DashboardView,
  DayCountsView,
  DecisionView,
  DeviceKind,
  DeviceListView,
  DocumentCameraView,
  DocumentChoicesView,
  DocumentFileFormat,
  DocumentInput,
  DocumentPreviewView,
  DocumentView,
  ErrorView,
  ExceptionKindName,
  FieldError,
  FormSpec,
  HomeCursor,
  HomeItem,
  HomeList,
  HomeListName,
  HomeSummary,
  ErrorCode,
  IdentityDocument,
  LivePreviewView,
  MyFingerprintsView,
  NewOperatorRequest,
  OfflineView,
  PermissionRule,
  MasterEntryView,
  OperatorView,
  OperatorDayView,
  PolicyStep,
  ProcessView,
  Position,
  PositionView,
  PolicyRequest,
  PreviewFrameView,
  PolicyView,
  SettingsView,
  IntakeAddressRequest,
  UiLanguageRequest,
  QualityRange,
  QualityThresholdsRequest,
  PolicyModality,
  PurgeReport,
  ReceiptView,
  RegisterStatusName,
  RegisterStatusView,
  RegistrationState,
  ReturnedByRegisterView,
  ScannedPageView,
  ScannerView,
  RegistrationView,
  Role,
  SessionView,
  SetupRequest,
  StartRegistrationRequest,
  StationStatus,
  StepView,
  SyncReport,
  SyncStatusView,
  UploadCenterView,
  UploadEntryView,
  Value,
  WizardStep,
} from '../lib/backend/types';

// ---------------------------------------------------------------------------------------------
// Failures, in the one place that builds them. The fake rejects with what the station sends
// over IPC, turned into a `BackendError` by the same `toBackendError` the Tauri backend uses.
// The wire value is the station's `{code, params, fields}`; `detail` is what the station would
// write to its log, kept here for whoever reads a test, and not sent.

function failure(
  code: ErrorCode,
  detail: string,
  params: Record<string, string | number> = {},
  fields: FieldError[] = [],
): BackendError {
  void detail;
  return toBackendError({ code, params, fields });
}

function notPermitted(rule: PermissionRule, detail: string): BackendError {
  return failure('not_permitted', detail, { rule });
}

function invalidState(registration: { id: string; state: RegistrationState }): BackendError {
  return failure('invalid_state', `registration ${registration.id} is ${registration.state}`, {
    registration_id: registration.id,
    state: registration.state,
  });
}

/** An error as the station keeps it on a queued packet (its last upload failure). */
function errorView(code: ErrorCode, params: Record<string, string | number> = {}): ErrorView {
  return { code, params, fields: [] };
}

/** One field's problem, as the station's finalize check names it. */
export function fieldError(field: string, language: string | null, code: string, message = code): FieldError {
  return { field, language, code, message };
}

/** The station's `validation_failed` answer with these field problems. */
export function validationFailed(fields: FieldError[]): BackendError {
  return failure('validation_failed', 'some fields need attention', {}, fields);
}

// ---------------------------------------------------------------------------------------------
// The station's configuration: the default country's form (schemas/default/ui-spec.json with
// the ID schema's required fields), and a simulated camera.

export const FORM: FormSpec = {
  languages: [
    { code: 'eng', name: 'English', direction: 'ltr', mandatory: true },
    { code: 'ara', name: 'العربية', direction: 'rtl', mandatory: true },
    { code: 'fra', name: 'Français', direction: 'ltr', mandatory: false },
  ],
  fields: [
    {
      id: 'fullName',
      control: 'text',
      label: { en: 'Full name', fr: 'Nom complet', ar: 'الاسم الكامل' },
      required: true,
      multilingual: true,
      options: [],
      hint: {},
      max_length: 80,
      accepts_age: false,
      options_parent: null,
      shown_when: null,
    },
    {
      id: 'dateOfBirth',
      control: 'date',
      label: { en: 'Date of birth', fr: 'Date de naissance', ar: 'تاريخ الميلاد' },
      required: true,
      multilingual: false,
      options: [],
      hint: { en: 'YYYY/MM/DD', fr: 'AAAA/MM/JJ', ar: 'YYYY/MM/DD' },
      max_length: null,
      accepts_age: true,
      options_parent: null,
      shown_when: null,
    },
    {
      id: 'gender',
      control: 'dropdown',
      label: { en: 'Gender', fr: 'Genre', ar: 'الجنس' },
      required: true,
      multilingual: false,
      options: [
        { value: 'FLE', label: { en: 'Female', fr: 'Féminin', ar: 'أنثى' } },
        { value: 'MLE', label: { en: 'Male', fr: 'Masculin', ar: 'ذكر' } },
        { value: 'OTH', label: { en: 'Other', fr: 'Autre', ar: 'آخر' } },
      ],
      hint: {},
      max_length: null,
      accepts_age: false,
      options_parent: null,
      shown_when: null,
    },
    {
      id: 'region',
      control: 'dropdown',
      label: { en: 'Region', fr: 'Région', ar: 'الجهة' },
      required: false,
      multilingual: false,
      options: [
        { value: 'RSK', label: { en: 'Rabat-Salé-Kénitra', fr: 'Rabat-Salé-Kénitra', ar: 'الرباط سلا القنيطرة' } },
        { value: 'CS', label: { en: 'Casablanca-Settat', fr: 'Casablanca-Settat', ar: 'الدار البيضاء سطات' } },
      ],
      hint: {},
      max_length: null,
      accepts_age: false,
      options_parent: null,
      shown_when: null,
    },
    {
      id: 'province',
      control: 'dropdown',
      label: { en: 'Province or prefecture', fr: 'Province ou préfecture', ar: 'الإقليم أو العمالة' },
      required: false,
      multilingual: false,
      options: [
        { value: 'RSK-RABAT', label: { en: 'Prefecture of Rabat', fr: 'Préfecture de Rabat', ar: 'عمالة الرباط' }, parent: 'RSK' },
        { value: 'RSK-SALE', label: { en: 'Prefecture of Salé', fr: 'Préfecture de Salé', ar: 'عمالة سلا' }, parent: 'RSK' },
        { value: 'CS-SETTAT', label: { en: 'Province of Settat', fr: 'Province de Settat', ar: 'إقليم سطات' }, parent: 'CS' },
      ],
      hint: {},
      max_length: null,
      accepts_age: false,
      options_parent: 'region',
      shown_when: null,
    },
    {
      id: 'phone',
      control: 'phone',
      label: { en: 'Phone', fr: 'Téléphone', ar: 'الهاتف' },
      required: false,
      multilingual: false,
      options: [],
      hint: { en: '+212600000000', fr: '+212600000000', ar: '+212600000000' },
      max_length: 16,
      accepts_age: false,
      options_parent: null,
      shown_when: null,
    },
    {
      id: 'smsNotifications',
      control: 'checkbox',
      label: { en: 'Send news of the card by SMS', fr: 'Envoyer les nouvelles de la carte par SMS', ar: 'إرسال أخبار البطاقة عبر الرسائل القصيرة' },
      required: false,
      multilingual: false,
      options: [],
      hint: {},
      max_length: null,
      accepts_age: false,
      options_parent: null,
      shown_when: null,
    },
    {
      id: 'parentOrGuardianName',
      control: 'text',
      label: { en: 'Parent or guardian’s full name', fr: 'Nom complet du parent ou tuteur', ar: 'الاسم الكامل للولي أو الوصي' },
      required: true,
      multilingual: true,
      options: [],
      hint: {},
      max_length: 80,
      accepts_age: false,
      options_parent: null,
      shown_when: { age_below: { field: 'dateOfBirth', years: 18 } },
    },
  ],
  consent: {
    text: {
      en: 'The information and biometrics you give today are used to register you. Do you agree to be registered?',
      fr: 'Les informations et les données biométriques que vous donnez aujourd’hui servent à vous inscrire. Acceptez-vous d’être inscrit ?',
      ar: 'تُستخدم المعلومات والبيانات البيومترية التي تقدمها اليوم لتسجيلك. هل توافق على التسجيل؟',
    },
  },
  processes: [
    {
      process: 'update',
      label: { en: 'Update a registered resident', fr: 'Mise à jour d’un résident inscrit', ar: 'تحديث بيانات مقيم مسجل' },
      asks_for_id: true,
      groups: [
        { id: 'name', label: { en: 'Name', fr: 'Nom', ar: 'الاسم' }, fields: ['fullName'], documents: ['POI'], biometrics: false },
        {
          id: 'address',
          label: { en: 'Address', fr: 'Adresse', ar: 'العنوان' },
          fields: ['region', 'province'],
          documents: ['POA'],
          biometrics: false,
        },
        { id: 'contact', label: { en: 'Phone and email', fr: 'Téléphone et courriel', ar: 'الهاتف والبريد الإلكتروني' }, fields: ['phone', 'smsNotifications'], documents: [], biometrics: false },
        { id: 'biometrics', label: { en: 'Fingerprints, irises and photo', fr: 'Empreintes, iris et photo', ar: 'البصمات والقزحية والصورة' }, fields: [], documents: [], biometrics: true },
      ],
      fields_required: true,
      authentication: ['face'],
    },
    {
      process: 'lost',
      label: { en: 'Lost card: find the resident', fr: 'Carte perdue : retrouver le résident', ar: 'بطاقة مفقودة: البحث عن المقيم' },
      asks_for_id: false,
      groups: null,
      fields_required: false,
      authentication: ['face'],
    },
    {
      process: 'correction',
      label: { en: 'Correct a registration', fr: 'Correction d’une inscription', ar: 'تصحيح تسجيل' },
      asks_for_id: false,
      asks_for_request: true,
      groups: [
        { id: 'contact', label: { en: 'Phone and email', fr: 'Téléphone et courriel', ar: 'الهاتف والبريد الإلكتروني' }, fields: ['phone', 'smsNotifications'], documents: [], biometrics: false },
      ],
      fields_required: true,
      authentication: ['face'],
    },
  ],
  documents: {
    max_file_bytes: 5 * 1024 * 1024,
    max_pages: 10,
    formats: ['pdf', 'jpeg', 'png'],
    categories: [
      { category: 'POI', label: { en: 'Proof of identity', fr: 'Justificatif d’identité', ar: 'إثبات الهوية' }, required: true },
      { category: 'POA', label: { en: 'Proof of address', fr: 'Justificatif de domicile', ar: 'إثبات العنوان' }, required: false },
    ],
  },
};

/** The master data's document types of the fake station, per category. */
const DOCUMENT_TYPES: Record<string, MasterEntryView[]> = {
  POI: [
    { code: 'CIN', labels: { eng: 'National identity card', fra: 'Carte nationale d’identité', ara: 'البطاقة الوطنية' } },
    { code: 'PASSPORT', labels: { eng: 'Passport', fra: 'Passeport', ara: 'جواز السفر' } },
  ],
  POA: [{ code: 'UTILITY_BILL', labels: { eng: 'Utility bill', fra: 'Facture', ara: 'فاتورة' } }],
};

/** How the station tells a file's format: by its first bytes. */
function formatOfBytes(base64: string): DocumentFileFormat | null {
  const head = atob(base64.slice(0, 16));
  if (head.startsWith('%PDF-')) return 'pdf';
  if (head.startsWith('\xff\xd8\xff')) return 'jpeg';
  if (head.startsWith('\x89PNG')) return 'png';
  return null;
}

/** The ID schema's pattern for `phone`, which only the station checks (as in the real one). */
const PHONE_PATTERN = /^\+?[0-9]{9,15}$/;

/** A 1×1 PNG: enough for an <img> to have a source. */
/** The start of a JPEG file, as a photographed page's bytes (base64): the fake tells formats by it. */
const JPEG_PAGE = btoa(String.fromCharCode(0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1));
const PREVIEW = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';

// ---------------------------------------------------------------------------------------------
// Biometric capture: the default capture policy (`schemas/default/capture-policy.json`, MOSIP's
// defaults) and the simulated devices a training station has.

/** The capture policy the fake applies; tests may pass another through `FakeStationOptions`. */
export interface FakeCapturePolicy {
  /** In order, the face among them. */
  steps: PolicyStep[];
  fingerThreshold: number;
  irisThreshold: number;
  faceThreshold: number;
  /** Attempts before a supervisor may sign a step off. */
  attempts: number;
  /** False for a country whose policy never allows force capture. */
  forceCapture: boolean;
  /** Whether an exception needs a photo that documents it. */
  exceptionPhoto: boolean;
  /** How far a supervisor may move each threshold (`adjustableQuality`); absent: fixed. */
  adjustable: Partial<Record<PolicyModality, QualityRange>>;
}

export const DEFAULT_CAPTURE_POLICY: FakeCapturePolicy = {
  steps: ['leftSlap', 'rightSlap', 'thumbs', 'bothIrises', 'face'],
  fingerThreshold: 40,
  irisThreshold: 60,
  faceThreshold: 90,
  attempts: 3,
  forceCapture: true,
  exceptionPhoto: true,
  adjustable: { finger: { min: 30, max: 60 }, iris: { min: 50, max: 80 }, face: { min: 80, max: 95 } },
};

/** The positions each step captures, as `CaptureStep::positions` in device-drivers. */
export const STEP_POSITIONS: Record<PolicyStep, Position[]> = {
  leftSlap: ['leftIndex', 'leftMiddle', 'leftRing', 'leftLittle'],
  rightSlap: ['rightIndex', 'rightMiddle', 'rightRing', 'rightLittle'],
  thumbs: ['leftThumb', 'rightThumb'],
  bothIrises: ['leftIris', 'rightIris'],
  leftIris: ['leftIris'],
  rightIris: ['rightIris'],
  face: ['face'],
};

/** The device kinds that can take a step (a slap scanner takes the thumbs too). */
const STEP_DEVICE_KINDS: Record<PolicyStep, DeviceKind[]> = {
  leftSlap: ['fingerSlap'],
  rightSlap: ['fingerSlap'],
  thumbs: ['fingerSlap'],
  bothIrises: ['irisDouble'],
  leftIris: ['irisSingle', 'irisDouble'],
  rightIris: ['irisSingle', 'irisDouble'],
  face: ['face'],
};

/** The quality a simulated device gives when the test scripted none: above the finger and iris
 * thresholds; a good face scores above the face's (MOSIP: 90). */
const DEFAULT_QUALITY = 85;
const DEFAULT_FACE_QUALITY = 95;

/** Longest exception reason the station keeps (`MAX_REASON_CHARS`). */
export const MAX_REASON_CHARS = 200;

function simulatedDevice(id: string, kind: DeviceKind, model: string, serial: string): DeviceListView {
  return {
    id,
    kind,
    backend: 'simulated',
    make: 'Enroll',
    model,
    serial,
    firmware: '1.0.0',
    certification: null,
    simulated: true,
    trust: 'notApplicable',
    status: 'ready',
  };
}

export const SIMULATED_DEVICES: readonly DeviceListView[] = [
  simulatedDevice('simulated-slap', 'fingerSlap', 'Simulated slap scanner', 'SIM-SLAP-0001'),
  simulatedDevice('simulated-iris', 'irisDouble', 'Simulated iris camera', 'SIM-IRIS-0001'),
  simulatedDevice('simulated-face', 'face', 'Simulated face camera', 'SIM-0001'),
];

interface KeptCapture {
  quality: number;
  device: DeviceListView;
  attempt: number;
}

/** What a draft keeps of its biometrics, as `BiometricsDraft`. */
interface Biometrics {
  captures: Map<Position, KeptCapture>;
  attempts: Map<PolicyStep, number>;
  exceptions: Map<Position, { kind: ExceptionKindName; reason: string; markedBy: string }>;
  forced: Map<PolicyStep, string>;
  exceptionPhoto: KeptCapture | null;
  /** The steps the registration's process takes, when fewer than the policy's (an update: the face). */
  only: PolicyStep[] | null;
}

function emptyBiometrics(): Biometrics {
  return { captures: new Map(), attempts: new Map(), exceptions: new Map(), forced: new Map(), exceptionPhoto: null, only: null };
}

type PositionState = { kind: 'not_captured' } | { kind: 'excepted' } | { kind: 'captured'; quality: number; meets: boolean };

// ---------------------------------------------------------------------------------------------
// The station.

interface Operator {
  view: OperatorView;
  password: string;
  /** Their interface language, once they chose one (`set_ui_language`). */
  uiLanguage?: string;
  /** The fingers they enrolled for signing off (`enroll_my_fingerprints`). */
  fingers?: { step: PolicyStep; positions: Position[]; enrolledAt: string };
}

/** The fingers of each finger step, in the station's order. */
const FINGERS_OF_STEP: Partial<Record<PolicyStep, Position[]>> = {
  rightSlap: ['rightIndex', 'rightMiddle', 'rightRing', 'rightLittle'],
  leftSlap: ['leftIndex', 'leftMiddle', 'leftRing', 'leftLittle'],
  thumbs: ['leftThumb', 'rightThumb'],
};

interface Registration {
  id: string;
  state: RegistrationState;
  identity: IdentityDocument;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  decision: { outcome: 'approved' | 'rejected'; by: string; reason: string | null } | null;
  receipt: ReceiptView | null;
  biometrics: Biometrics;
  /** When the review sealed it: the upload queue's order. */
  queuedAt: string | null;
  /** The upload queue's bookkeeping (`store/src/upload_queue.rs`): failed tries in a row... */
  uploadFailures: number;
  lastError: ErrorView | null;
  nextAttemptAt: string | null;
  /** ...and the quarantine, a mark on a queued packet, not a state. */
  quarantinedAt: string | null;
  /** The register refuses it for good at the next run (`refuseAtIntake`). */
  refusal: ErrorCode | null;
  /** What the register did with it once receipted, as the station last heard (`setRegisterStatus`). */
  registerStatus: RegisterStatusView | null;
  /** When the resident agreed to the form's consent text (seeded registrations: at creation). */
  consentGivenAt: string | null;
  documents: DocumentView[];
  wizardStep: WizardStep | null;
  process: ProcessView | null;
}

export interface FakeStationOptions {
  /** False for a station that still needs setup. */
  setUp?: boolean;
  stationName?: string;
  centerId?: string;
  /** Rows per page of a home list (the real station's is larger; tests page sooner). */
  pageSize?: number;
  /** The capture policy (default: MOSIP's, `DEFAULT_CAPTURE_POLICY`). */
  capturePolicy?: Partial<FakeCapturePolicy>;
  /** The form the station serves (default: `FORM`, the default country's). */
  form?: FormSpec;
}

/** The operators every set-up fake station has; the password is the same for all. */
export const PASSWORD = 'correct horse battery';
export const OPERATORS: readonly OperatorView[] = [
  { username: 'admin', full_name: 'Nadia Amrani', role: 'admin', register_listing: null },
  { username: 'karim.supervisor', full_name: 'Karim Haddad', role: 'supervisor', register_listing: null },
  { username: 'sara.officer', full_name: 'Sara Bennani', role: 'officer', register_listing: null },
];

/** The size of every fake packet, and how fast the fake intake takes it. */
export const PACKET_BYTES = 2_400_000;
export const PACKET_BYTES_PER_SECOND = 1_200_000;

/** A station well within its offline limits (the embedded defaults, synced today). */
export const OFFLINE_OK: OfflineView = {
  level: 'ok',
  reasons: [],
  days_since_sync: 0,
  last_sync_at: '2026-11-25T08:00:00Z',
  packets_not_uploaded: 0,
  free_disk_mb: 50_000,
  limits: { max_days_since_sync: 14, max_packets_not_uploaded: 500, min_free_disk_mb: 1024 },
};

/** The status of a station that has not asked the intake yet (tests build theirs from it). */
export const SYNC_STATUS_AT_START: SyncStatusView = {
  link: 'unknown',
  running: false,
  current: null,
  run_done: 0,
  run_total: 0,
  run_bytes_sent: 0,
  register_news: 0,
  last_contact_at: null,
  next_check_at: null,
  blocked: null,
};

const HOME_LISTS: Record<HomeListName, readonly RegistrationState[]> = {
  drafts: ['draft'],
  pending_approval: ['pending_approval'],
  upload_queue: ['sealed', 'rejected', 'uploaded'],
  acknowledged: ['acknowledged'],
};

type Method = keyof Backend;

export class FakeStation implements Backend {
  /** Every call, in order, with its arguments: for tests that check what was asked. */
  readonly calls: { method: Method; args: unknown[] }[] = [];
  /** Where the slip was saved as a PDF, in order. */
  readonly savedPdfs: string[] = [];
  private saveDialogAnswer: string | null | undefined = undefined;

  private stationName: string | null;
  private centerId: string;
  private readonly pageSize: number;
  private operators = new Map<string, Operator>();
  private registerListing: Map<string, 'listed' | 'suspended'> | null = null;
  private rejectionReasonList: MasterEntryView[] = [];
  private scans = 0;
  private session: { username: string; locked: boolean } | null = null;
  private intakeUrl = 'http://127.0.0.1:8470';
  /** The supervisor's thresholds (`set_quality_thresholds`); null: the policy's. */
  private chosenQuality: Record<PolicyModality, number> | null = null;
  private registrations = new Map<string, Registration>();
  private sequence = 0;
  // A clock that moves one minute per change, so `updated_at` orders the lists as the real one.
  private minutes = 0;
  private policyView: PolicyView = {
    idle_lock_minutes: 10,
    retention_days: 30,
    idle_lock_is_default: true,
    retention_is_default: true,
    limits: { idle_lock_minutes_min: 1, idle_lock_minutes_max: 120, retention_days_min: 1, retention_days_max: 3650 },
  };
  private failures = new Map<Method, BackendError>();
  private readonly capturePolicy: FakeCapturePolicy;
  private readonly formSpec: FormSpec;
  private deviceList: DeviceListView[] = SIMULATED_DEVICES.map((d) => ({ ...d }));
  /** Per step, the qualities of its next attempts (one per position of the step, in order). */
  private scriptedQualities = new Map<PolicyStep, number[][]>();
  /** The running live preview's channel, as the window handed it over; one at a time. */
  private previewChannel: Pick<Channel<PreviewFrameView>, 'onmessage'> | null = null;
  private syncStatus: SyncStatusView = structuredClone(SYNC_STATUS_AT_START);
  /** The station against its offline limits, as a test sets it (`setOffline`). */
  private offline: OfflineView = structuredClone(OFFLINE_OK);
  /** The channel of the last `watchSync`: the station tells only the last one. */
  private syncChannel: Pick<Channel<SyncStatusView>, 'onmessage'> | null = null;
  /** The next "Sync now" waits on this before it runs (`holdNextSync`). */
  private syncHold: Promise<void> | null = null;

  constructor(options: FakeStationOptions = {}) {
    const setUp = options.setUp ?? true;
    this.stationName = setUp ? (options.stationName ?? 'Rabat Central 1') : null;
    this.centerId = options.centerId ?? '10001';
    this.pageSize = options.pageSize ?? 20;
    this.capturePolicy = { ...DEFAULT_CAPTURE_POLICY, ...options.capturePolicy };
    this.formSpec = options.form ?? FORM;
    if (setUp) for (const view of OPERATORS) this.operators.set(view.username, { view: { ...view }, password: PASSWORD });
  }

  // --- The test's controls --------------------------------------------------------------------

  /** Signs `username` in without the login screen. */
  signIn(username: string): this {
    if (!this.operators.has(username)) throw new Error(`no operator ${username} in the fake station`);
    this.session = { username, locked: false };
    return this;
  }

  /**
   * What the clerk picks in the system's save dialog from now on: a path, or null for Cancel.
   * Unset, they keep the name offered, in a Documents folder.
   */
  answerSaveDialog(path: string | null): this {
    this.saveDialogAnswer = path;
    return this;
  }

  /** The next call of `method` rejects with `error` (once), before doing anything. */
  failNext(method: Method, error: BackendError): this {
    this.failures.set(method, error);
    return this;
  }

  /**
   * A registration already in `state`, made by `createdBy`, with `name` as its English full
   * name. Returns its id. A reviewed one has its decision; an acknowledged one its receipt.
   */
  seedRegistration(state: RegistrationState, options: { createdBy?: string; name?: string; decidedBy?: string } = {}): string {
    const registration = this.create(options.createdBy ?? 'sara.officer');
    registration.consentGivenAt = registration.createdAt;
    if (options.name) registration.identity.fullName = [{ language: 'eng', value: options.name }];
    if (state !== 'draft') {
      this.seedBiometricsComplete(registration.id);
      registration.documents = [{ category: 'POI', document_type: 'CIN', reference_number: null, format: 'jpeg', pages: 1, bytes: 48_000 }];
      registration.state = state;
    }
    const decidedBy = options.decidedBy ?? 'karim.supervisor';
    if (['sealed', 'uploaded', 'acknowledged'].includes(state)) {
      registration.decision = { outcome: 'approved', by: decidedBy, reason: null };
    } else if (state === 'rejected') {
      registration.decision = { outcome: 'rejected', by: decidedBy, reason: 'The photo is blurred' };
    }
    if (state === 'acknowledged') registration.receipt = this.receiptFor(registration);
    if (state !== 'draft' && state !== 'pending_approval') registration.queuedAt = registration.updatedAt;
    return registration.id;
  }

  /**
   * The station near or past its offline limits, as the real one measures them: `stopped`
   * makes `newRegistration` refuse with `offline_limit_reached` and the first reason.
   */
  setOffline(change: Partial<OfflineView>): this {
    this.offline = { ...this.offline, ...change };
    return this;
  }

  /**
   * Sets a queued packet aside, as the sync does when the register refuses it for good: its
   * reason (`code`) stays as its last error, and the sync passes it by until a supervisor
   * releases it.
   */
  /** The rejection reasons of the register's master data, as the station holds them. */
  seedRejectionReasons(reasons: MasterEntryView[]): this {
    this.rejectionReasonList = reasons;
    return this;
  }

  /** The register's operator list, as the station holds it: who it lists, and whether active. */
  seedRegisterOperatorList(listing: Record<string, 'listed' | 'suspended'>): this {
    this.registerListing = new Map(Object.entries(listing));
    return this;
  }

  seedQuarantined(registrationId: string, code: ErrorCode = 'packet_rejected'): this {
    const registration = this.queued(registrationId);
    registration.uploadFailures += 1;
    registration.lastError = errorView(code);
    registration.nextAttemptAt = null;
    registration.quarantinedAt = this.now();
    this.touch(registration);
    return this;
  }

  /** A queued packet whose last `failures` tries failed with `code`, waiting out its backoff. */
  seedUploadFailure(registrationId: string, code: ErrorCode = 'intake_error', failures = 1): this {
    const registration = this.queued(registrationId);
    registration.uploadFailures = failures;
    registration.lastError = errorView(code);
    registration.nextAttemptAt = this.inMinutes(5);
    return this;
  }

  /** The station heard the register's word on an acknowledged packet (its sync asked). */
  setRegisterStatus(registrationId: string, status: RegisterStatusName, reason: string | null = null): this {
    const registration = this.inState(registrationId, ['acknowledged']);
    registration.registerStatus = {
      registration_id: registrationId,
      status,
      reason,
      changed_at: this.now(),
      checked_at: this.now(),
      handled_by: null,
      handled_at: null,
    };
    // As the station's sync does: the watching window hears that the register's word changed.
    this.updateSync((sync) => {
      sync.register_news += 1;
    });
    return this;
  }

  /** At the next run, the register refuses this packet for good (`code`): it is set aside. */
  refuseAtIntake(registrationId: string, code: ErrorCode = 'packet_rejected'): this {
    this.queued(registrationId).refusal = code;
    return this;
  }

  /**
   * Whatever the background sync would tell the window now: `change` becomes part of the
   * status (the upload center reads it too) and the whole status goes to the watching channel.
   * False when no window watches.
   */
  pushSyncStatus(change: Partial<SyncStatusView>): boolean {
    return this.updateSync((status) => Object.assign(status, structuredClone(change)));
  }

  /** The station's background sync runs once now, whoever is signed in: see `syncNow`. */
  runBackgroundSync(): SyncReport {
    return this.runQueue();
  }

  /** The next `syncNow` waits, as a long run does, until the returned function is called. */
  holdNextSync(): () => void {
    let release: () => void = () => undefined;
    this.syncHold = new Promise<void>((resolve) => (release = resolve));
    return () => release();
  }

  /** Whether a packet is set aside now. */
  isQuarantined(registrationId: string): boolean {
    return (this.registrations.get(registrationId)?.quarantinedAt ?? null) !== null;
  }

  /**
   * The qualities the next attempts at `step` give, one entry per attempt: a number for every
   * position of the step, or one number per position in the step's order. Once the script is
   * used up, captures are good again (`DEFAULT_QUALITY`).
   */
  queueQualities(step: PolicyStep, ...attempts: (number | number[])[]): this {
    const positions = STEP_POSITIONS[step];
    const queue = this.scriptedQualities.get(step) ?? [];
    for (const attempt of attempts) queue.push(typeof attempt === 'number' ? positions.map(() => attempt) : attempt);
    this.scriptedQualities.set(step, queue);
    return this;
  }

  /** The devices the station finds from now on (none: every capture fails with `no_device`). */
  useDevices(devices: DeviceListView[]): this {
    this.deviceList = structuredClone(devices);
    return this;
  }

  /** Takes every step of a draft at good quality, as a clerk who had no trouble would. */
  seedBiometricsComplete(registrationId: string): this {
    const registration = this.find(registrationId);
    for (const step of this.biometricSteps(registration.biometrics)) {
      this.recordAttempt(registration, step, this.deviceFor(step) ?? SIMULATED_DEVICES[0], []);
    }
    return this;
  }

  /**
   * Sends `message` down the running live preview's channel, as the station's preview thread
   * would (a frame, or the end of the stream). False when no preview runs: the station stopped
   * it (a stop, another start, a capture, a sign-out), so nothing would reach the window.
   */
  sendPreview(message: PreviewFrameView): boolean {
    if (!this.previewChannel) return false;
    this.previewChannel.onmessage(message);
    return true;
  }

  /** The state a registration is in now (for tests that check what a click changed). */
  stateOf(registrationId: string): RegistrationState | undefined {
    return this.registrations.get(registrationId)?.state;
  }

  /** What the station stored for a draft (as `save_draft` received it). */
  identityOf(registrationId: string): IdentityDocument | undefined {
    return this.registrations.get(registrationId)?.identity;
  }

  // --- Backend --------------------------------------------------------------------------------

  async status(): Promise<StationStatus> {
    this.enter('status', []);
    const operator = this.session ? this.operator(this.session.username).view : null;
    return {
      needs_setup: this.stationName === null,
      station_id: this.stationName === null ? null : `ST-${this.centerId}-0001`,
      station_name: this.stationName,
      intake_url: this.intakeUrl,
      operator: operator ? { ...operator } : null,
      ui_language: this.session ? (this.operator(this.session.username).uiLanguage ?? null) : null,
      session_locked: this.session?.locked ?? false,
      simulated_devices: true,
    };
  }

  async setUp(request: SetupRequest): Promise<StationStatus> {
    this.enter('setUp', [request]);
    if (this.stationName !== null) throw failure('already_set_up', 'the station is already set up');
    this.stationName = request.station_name;
    this.centerId = request.center_id;
    this.operators.set(request.admin_username, {
      view: { username: request.admin_username, full_name: request.admin_full_name, role: 'admin', register_listing: null },
      password: request.admin_password,
    });
    return this.status();
  }

  async logIn(username: string, password: string): Promise<OperatorView> {
    this.enter('logIn', [username, '***']);
    this.requireSetUp();
    const operator = this.operators.get(username);
    if (!operator || operator.password !== password) throw failure('wrong_credentials', 'wrong username or password');
    this.session = { username, locked: false };
    return { ...operator.view };
  }

  async logOut(): Promise<null> {
    this.enter('logOut', []);
    this.session = null;
    this.previewChannel = null;
    return null;
  }

  async addOperator(request: NewOperatorRequest): Promise<OperatorView> {
    this.enter('addOperator', [{ ...request, password: '***' }]);
    this.requireAdmin('only an admin adds operators');
    if (this.operators.has(request.username)) throw failure('operator_exists', `operator ${request.username} exists`);
    const view: OperatorView = {
      username: request.username,
      full_name: request.full_name,
      role: request.role as Role,
      register_listing: null,
    };
    this.operators.set(request.username, { view, password: request.password });
    return { ...view };
  }

  async listOperators(): Promise<OperatorView[]> {
    this.enter('listOperators', []);
    this.requireAdmin('only an admin lists operators');
    return [...this.operators.values()].map((o) => ({
      ...o.view,
      register_listing: this.registerListing?.get(o.view.username) ?? (this.registerListing ? 'not_listed' : null),
    }));
  }

  async removeOperator(username: string): Promise<null> {
    this.enter('removeOperator', [username]);
    const me = this.requireAdmin('only an admin removes operators');
    if (username === me.view.username) throw notPermitted('remove_self', 'an admin cannot remove themselves');
    if (!this.operators.delete(username)) throw failure('not_found', `no operator ${username}`);
    return null;
  }

  async resetPassword(username: string, newPassword: string): Promise<null> {
    this.enter('resetPassword', [username, '***']);
    this.requireAdmin('only an admin resets passwords');
    const operator = this.operators.get(username);
    if (!operator) throw failure('not_found', `no operator ${username}`);
    operator.password = newPassword;
    return null;
  }

  async changePassword(oldPassword: string, newPassword: string): Promise<null> {
    this.enter('changePassword', ['***', '***']);
    const me = this.requireSession();
    if (me.password !== oldPassword) {
      throw validationFailed([fieldError('old_password', null, 'wrong_password', 'not the current password')]);
    }
    me.password = newPassword;
    return null;
  }

  async policy(): Promise<PolicyView> {
    this.enter('policy', []);
    this.requireAdmin('only an admin sees the policy');
    return structuredClone(this.policyView);
  }

  async setPolicy(request: PolicyRequest): Promise<PolicyView> {
    this.enter('setPolicy', [request]);
    this.requireAdmin('only an admin sets the policy');
    this.policyView = {
      ...this.policyView,
      ...request,
      idle_lock_is_default: false,
      retention_is_default: false,
    };
    return structuredClone(this.policyView);
  }

  async settings(): Promise<SettingsView> {
    this.enter('settings', []);
    const me = this.requireSession();
    const modalities: PolicyModality[] = ['finger', 'iris', 'face'];
    const quality = modalities.map((modality) => ({
      modality,
      threshold: this.chosenQuality?.[modality] ?? this.configuredThreshold(modality),
      configured: this.configuredThreshold(modality),
      range: this.capturePolicy.adjustable[modality] ?? null,
    }));
    return {
      intake_url: this.intakeUrl,
      may_change_intake: me.view.role === 'admin',
      quality,
      may_change_quality: me.view.role !== 'officer' && quality.some((q) => q.range !== null),
    };
  }

  /** The station's rules (`station/src/settings.rs`): each threshold within its range, a
   *  fixed one unchanged; supervisors and admins only. */
  async setQualityThresholds(request: QualityThresholdsRequest): Promise<SettingsView> {
    this.enter('setQualityThresholds', [request]);
    const me = this.requireSession();
    if (me.view.role === 'officer') throw notPermitted('supervisor_only', 'only a supervisor changes thresholds');
    const problems: FieldError[] = [];
    for (const modality of ['finger', 'iris', 'face'] as const) {
      const asked = request[modality];
      const range = this.capturePolicy.adjustable[modality];
      if (range && !(Number.isInteger(asked) && asked >= range.min && asked <= range.max)) {
        problems.push(fieldError(`quality.${modality}`, null, 'out_of_range'));
      } else if (!range && asked !== this.configuredThreshold(modality)) {
        problems.push(fieldError(`quality.${modality}`, null, 'not_adjustable'));
      }
    }
    if (problems.length > 0) throw validationFailed(problems);
    this.chosenQuality = { finger: request.finger, iris: request.iris, face: request.face };
    return this.settings();
  }

  /** The station's rules (`station/src/settings.rs`): trimmed; http(s) with a host, no
   *  query, fragment or password; https beyond this machine. */
  async setIntakeAddress(request: IntakeAddressRequest): Promise<SettingsView> {
    this.enter('setIntakeAddress', [request]);
    this.requireAdmin('only an admin changes the intake address');
    const typed = request.intake_url.trim();
    if (typed === '') throw validationFailed([fieldError('intake_url', null, 'required', 'the intake address is required')]);
    let url: URL;
    try {
      url = new URL(typed);
    } catch {
      throw validationFailed([fieldError('intake_url', null, 'invalid_format', 'relative URL without a base')]);
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username || url.password) {
      throw validationFailed([fieldError('intake_url', null, 'invalid_format', 'not an intake address')]);
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (url.protocol === 'http:' && !loopback) {
      throw validationFailed([fieldError('intake_url', null, 'not_secure', 'http:// is for this machine only')]);
    }
    this.intakeUrl = typed;
    return this.settings();
  }

  async setUiLanguage(request: UiLanguageRequest): Promise<null> {
    this.enter('setUiLanguage', [request]);
    const me = this.requireSession();
    if (!['en', 'fr', 'ar', 'zgh'].includes(request.language)) {
      throw validationFailed([fieldError('language', null, 'not_an_option', 'the interface is in en, fr, ar, zgh')]);
    }
    me.uiLanguage = request.language;
    return null;
  }

  async purgeExpired(): Promise<PurgeReport> {
    this.enter('purgeExpired', []);
    this.requireAdmin('only an admin purges');
    return { purged: [] };
  }

  async sessionState(): Promise<SessionView> {
    this.enter('sessionState', []);
    if (!this.session) return { state: 'signed_out', username: null, locks_in_ms: null };
    if (this.session.locked) return { state: 'locked', username: this.session.username, locks_in_ms: null };
    return { state: 'active', username: this.session.username, locks_in_ms: this.policyView.idle_lock_minutes * 60_000 };
  }

  async homeSummary(): Promise<HomeSummary> {
    this.enter('homeSummary', []);
    this.requireSession();
    const all = [...this.registrations.values()];
    const count = (state: RegistrationState) => all.filter((r) => r.state === state).length;
    return {
      counts: {
        draft: count('draft'),
        pending_approval: count('pending_approval'),
        sealed: count('sealed'),
        uploaded: count('uploaded'),
        acknowledged: count('acknowledged'),
        rejected: count('rejected'),
        queued: count('sealed') + count('rejected') + count('uploaded'),
      },
      drafts: this.page('drafts', null),
      pending_approval: this.page('pending_approval', null),
      upload_queue: this.page('upload_queue', null),
      acknowledged: this.page('acknowledged', null),
      offline: structuredClone(this.offline),
      returned_by_register: this.returnedView(),
    };
  }

  /** The packets the register returned that no supervisor has handled, oldest first. */
  private returnedView(): ReturnedByRegisterView {
    const items = [...this.registrations.values()]
      .map((r) => r.registerStatus)
      .filter((s): s is RegisterStatusView => s !== null)
      .filter((s) => (s.status === 'rejected' || s.status === 're_register') && s.handled_at === null)
      .sort((a, b) => a.changed_at.localeCompare(b.changed_at));
    return structuredClone({ items: items.slice(0, 50), total: items.length });
  }

  async homePage(list: HomeListName, after: HomeCursor): Promise<HomeList> {
    this.enter('homePage', [list, after]);
    this.requireSession();
    return this.page(list, after);
  }

  async form(): Promise<FormSpec> {
    this.enter('form', []);
    return structuredClone(this.formSpec);
  }

  async newRegistration(): Promise<RegistrationView> {
    this.enter('newRegistration', []);
    const me = this.requireSession();
    if (this.offline.level === 'stopped') {
      throw failure('offline_limit_reached', 'new registrations are stopped', { reason: this.offline.reasons[0] });
    }
    return this.view(this.create(me.view.username));
  }

  /** As the station (`Station::start_registration`): the process's rules, nothing made when one is broken. */
  async startRegistration(request: StartRegistrationRequest): Promise<RegistrationView> {
    this.enter('startRegistration', [request]);
    const me = this.requireSession();
    if (request.process === 'new') return this.newRegistration();
    const configured = this.formSpec.processes.find((p) => p.process === request.process);
    if (!configured) throw failure('invalid_input', `this form has no ${request.process} process`);
    const id = request.resident_id?.trim() ?? '';
    if (!configured.asks_for_id && id !== '') throw failure('invalid_input', 'this process takes no ID number');
    if (configured.asks_for_id && id === '') throw validationFailed([fieldError('process.resident_id', null, 'required')]);
    if (configured.asks_for_id && !isResidentId(id)) throw validationFailed([fieldError('process.resident_id', null, 'invalid_format')]);
    const requestId = request.request_id?.trim() ?? '';
    if (!configured.asks_for_request && requestId !== '') throw failure('invalid_input', 'this process answers no request');
    if (configured.asks_for_request && requestId === '') throw validationFailed([fieldError('process.request_id', null, 'required')]);
    if (configured.asks_for_request && !isRequestId(requestId)) {
      throw validationFailed([fieldError('process.request_id', null, 'invalid_format')]);
    }
    const groups = configured.groups;
    if (groups && request.changes.length === 0) throw validationFailed([fieldError('process.changes', null, 'required')]);
    if (!groups && request.changes.length > 0) throw validationFailed([fieldError('process.changes', null, 'not_an_option')]);
    if (groups && request.changes.some((change) => !groups.some((g) => g.id === change))) {
      throw validationFailed([fieldError('process.changes', null, 'not_an_option')]);
    }
    const registration = this.create(me.view.username);
    registration.process = {
      process: request.process,
      resident_id: configured.asks_for_id ? id : null,
      changes: [...request.changes],
      request_id: configured.asks_for_request ? requestId : null,
    };
    const chosen = groups?.filter((g) => request.changes.includes(g.id)) ?? [];
    if (groups && !chosen.some((g) => g.biometrics)) registration.biometrics.only = [...(configured.authentication ?? ['face'])];
    return this.view(registration);
  }

  /** As the station: agreeing is recorded once; refusing ends the draft (purged, content erased). */
  async recordConsent(registrationId: string, agreed: boolean): Promise<RegistrationView> {
    this.enter('recordConsent', [registrationId, agreed]);
    const me = this.requireSession();
    const registration = this.inState(registrationId, ['draft']);
    if (me.view.role === 'officer' && registration.createdBy !== me.view.username) {
      throw notPermitted('others_draft', `record the consent of ${registrationId}`);
    }
    if (agreed) {
      registration.consentGivenAt ??= this.now();
    } else {
      registration.state = 'purged';
      registration.identity = {};
      registration.biometrics = emptyBiometrics();
    }
    this.touch(registration);
    return this.view(registration);
  }

  async saveDraft(registrationId: string, identity: Value): Promise<RegistrationView> {
    this.enter('saveDraft', [registrationId, identity]);
    this.requireSession();
    const registration = this.inState(registrationId, ['draft']);
    // The station checks the draft's shape in Rust; the screens send an identity object.
    if (typeof identity !== 'object' || identity === null || Array.isArray(identity)) {
      throw failure('validation_failed', 'a draft is a JSON object', {}, [fieldError('identity', null, 'wrong_type')]);
    }
    registration.identity = structuredClone(identity) as IdentityDocument;
    this.touch(registration);
    return this.view(registration);
  }

  async devices(): Promise<DeviceListView[]> {
    this.enter('devices', []);
    this.requireSession();
    return structuredClone(this.deviceList);
  }

  async refreshDevices(): Promise<DeviceListView[]> {
    this.enter('refreshDevices', []);
    this.requireSession();
    return structuredClone(this.deviceList);
  }

  async biometrics(registrationId: string): Promise<BiometricsView> {
    this.enter('biometrics', [registrationId]);
    this.requireSession();
    // As the station: a draft's biometrics, or a pending registration's for the review.
    return this.biometricsView(this.inState(registrationId, ['draft', 'pending_approval']));
  }

  /** A stand-in QR code: the real one is the station's (`station/src/acknowledgement.rs`). */
  async acknowledgement(registrationId: string): Promise<AcknowledgementView> {
    this.enter('acknowledgement', [registrationId]);
    this.requireSession();
    const registration = this.inState(registrationId, ['pending_approval']);
    const maker = this.operators.get(registration.createdBy);
    return structuredClone({
      registration_id: registration.id,
      qr_code: `data:image/svg+xml;base64,${btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><path d="M0 0h1v1H0z"/></svg>')}`,
      station_name: this.stationName ?? '',
      center_id: this.centerId,
      officer: maker?.view.full_name ?? registration.createdBy,
      registered_at: registration.updatedAt,
      identity: registration.identity,
      photo: registration.biometrics.captures.has('face') ? PREVIEW : null,
    });
  }

  /** As the station's shell: refuses what it would (`src-tauri/src/slip_pdf.rs`), else keeps the path. */
  async saveSlipPdf(path: string): Promise<null> {
    this.enter('saveSlipPdf', [path]);
    if (!path.startsWith('/') || !/.\.pdf$/i.test(path)) throw failure('invalid_path', `not a PDF path: ${path}`);
    this.savedPdfs.push(path);
    return null;
  }

  /** The clerk's answer to the save dialog, as the test set it (`answerSaveDialog`). */
  async choosePdfPath(defaultName: string, title: string): Promise<string | null> {
    this.enter('choosePdfPath', [defaultName, title]);
    return this.saveDialogAnswer === undefined ? `/home/clerk/Documents/${defaultName}` : this.saveDialogAnswer;
  }

  async biometricPreview(registrationId: string, position: Position): Promise<CaptureView> {
    this.enter('biometricPreview', [registrationId, position]);
    this.requireSession();
    const biometrics = this.inState(registrationId, ['draft', 'pending_approval']).biometrics;
    const capture = position === 'exceptionPhoto' ? biometrics.exceptionPhoto : biometrics.captures.get(position);
    if (!capture) throw failure('not_found', `capture of ${position} in ${registrationId}`);
    const { make, model, serial, simulated } = capture.device;
    return { preview_data_url: PREVIEW, quality: capture.quality, device: { make, model, serial, simulated } };
  }

  async captureBiometrics(registrationId: string, step: PolicyStep): Promise<BiometricsView> {
    this.enter('captureBiometrics', [registrationId, step]);
    this.requireSession();
    this.requirePolicyStep(step);
    const registration = this.inState(registrationId, ['draft']);
    const expected = STEP_POSITIONS[step].filter((p) => !registration.biometrics.exceptions.has(p));
    if (expected.length === 0) throw failure('invalid_input', `every position of ${step} is an exception`);
    const device = this.deviceFor(step);
    if (!device) throw failure('no_device', `no device can take ${step}`, { step });
    if (device.status === 'busy') throw failure('device_busy', `${device.id} is busy`);
    if (device.status !== 'ready') throw failure('device_not_connected', `${device.id} is ${device.status}`);
    // As the station: a capture stops the live preview.
    this.previewChannel = null;
    this.recordAttempt(registration, step, device, this.scriptedQualities.get(step)?.shift() ?? []);
    this.touch(registration);
    return this.biometricsView(registration);
  }

  async startBiometricPreview(
    registrationId: string,
    step: PolicyStep,
    channel: Channel<PreviewFrameView>,
  ): Promise<LivePreviewView> {
    this.enter('startBiometricPreview', [registrationId, step]);
    this.requireSession();
    if (!this.capturePolicy.steps.includes(step)) throw failure('invalid_input', `${step} is not a step of this policy`);
    this.inState(registrationId, ['draft']);
    const device = this.deviceFor(step);
    if (!device) throw failure('no_device', `no device can take ${step}`, { step });
    // One preview at a time: a start replaces the running one.
    this.previewChannel = channel;
    return { step, device: structuredClone(device) };
  }

  async stopBiometricPreview(): Promise<null> {
    this.enter('stopBiometricPreview', []);
    this.previewChannel = null;
    return null;
  }

  async markBiometricException(
    registrationId: string,
    position: Position,
    kind: ExceptionKindName,
    reason: string,
  ): Promise<BiometricsView> {
    this.enter('markBiometricException', [registrationId, position, kind, reason]);
    const me = this.requireSession();
    const step = this.capturePolicy.steps.find((s) => STEP_POSITIONS[s].includes(position));
    if (!step || step === 'face') throw failure('invalid_input', `${position} is not a finger or eye this policy captures`);
    const trimmed = reason.trim();
    if (trimmed === '' || [...trimmed].length > MAX_REASON_CHARS) {
      throw validationFailed([fieldError('reason', null, trimmed === '' ? 'required' : 'too_long')]);
    }
    const registration = this.inState(registrationId, ['draft']);
    registration.biometrics.captures.delete(position);
    registration.biometrics.exceptions.set(position, { kind, reason: trimmed, markedBy: me.view.username });
    this.touch(registration);
    return this.biometricsView(registration);
  }

  async clearBiometricException(registrationId: string, position: Position): Promise<BiometricsView> {
    this.enter('clearBiometricException', [registrationId, position]);
    this.requireSession();
    const registration = this.inState(registrationId, ['draft']);
    const biometrics = registration.biometrics;
    biometrics.exceptions.delete(position);
    if (biometrics.exceptions.size === 0) biometrics.exceptionPhoto = null;
    this.touch(registration);
    return this.biometricsView(registration);
  }

  async captureExceptionPhoto(registrationId: string): Promise<BiometricsView> {
    this.enter('captureExceptionPhoto', [registrationId]);
    this.requireSession();
    const registration = this.inState(registrationId, ['draft']);
    if (registration.biometrics.exceptions.size === 0) {
      throw failure('invalid_input', 'an exception photo documents an exception: record one first');
    }
    const camera = this.deviceFor('face');
    if (!camera) throw failure('no_device', 'no face camera for the exception photo', { step: 'exceptionPhoto' });
    registration.biometrics.exceptionPhoto = { quality: 87, device: camera, attempt: 1 };
    this.touch(registration);
    return this.biometricsView(registration);
  }

  async forceCapture(registrationId: string, step: PolicyStep, supervisor: string, password: string): Promise<BiometricsView> {
    this.enter('forceCapture', [registrationId, step, supervisor, '***']);
    this.requirePolicyStep(step);
    const clerk = this.requireSession();
    const registration = this.inState(registrationId, ['draft']);
    if (!this.capturePolicy.forceCapture) throw failure('force_capture_not_allowed', 'the policy never allows it', { step });
    if (!this.mayForce(registration.biometrics, step)) {
      throw failure('force_capture_not_allowed', 'attempts left, nothing under the threshold, or signed off', { step });
    }
    const signer = this.operators.get(supervisor.trim());
    if (!signer || password === '' || signer.password !== password) {
      throw failure('wrong_credentials', 'wrong supervisor username or password');
    }
    const username = signer.view.username;
    if (signer.view.role === 'officer' || username === clerk.view.username || username === registration.createdBy) {
      throw notPermitted('sign_off_needs_supervisor', `force capture of ${step} signed by ${username}`);
    }
    registration.biometrics.forced.set(step, username);
    this.touch(registration);
    return this.biometricsView(registration);
  }

  /** As the station: the officer's own password first (nothing finalized on a wrong one). */
  async finalize(registrationId: string, password: string): Promise<RegistrationView> {
    this.enter('finalize', [registrationId, '***']);
    const me = this.requireSession();
    if (me.password !== password) throw failure('wrong_credentials', 'wrong password');
    return this.finalizeChecked(registrationId);
  }

  /** As the station: the enrolled step taken again; a stranger's finger finalizes nothing. */
  async finalizeByFingerprint(registrationId: string): Promise<RegistrationView> {
    this.enter('finalizeByFingerprint', [registrationId]);
    const me = this.requireSession();
    if (!me.fingers) throw failure('no_fingerprints_enrolled', 'no fingers enrolled');
    this.inState(registrationId, ['draft']);
    if (this.fingerAtScanner === 'stranger') throw failure('fingerprint_not_recognised', 'not their finger');
    return this.finalizeChecked(registrationId);
  }

  async myFingerprints(): Promise<MyFingerprintsView> {
    this.enter('myFingerprints', []);
    return this.fingerprintsView(this.requireSession());
  }

  /** As the station: the password first, then the step's fingers replace those enrolled. */
  async enrollMyFingerprints(password: string, step: PolicyStep): Promise<MyFingerprintsView> {
    this.enter('enrollMyFingerprints', ['***', step]);
    const me = this.requireSession();
    const positions = FINGERS_OF_STEP[step];
    if (!positions) throw failure('invalid_input', `fingers are enrolled from a slap or the thumbs, not ${step}`);
    if (me.password !== password) throw failure('wrong_credentials', 'wrong password');
    me.fingers = { step, positions: [...positions], enrolledAt: this.now() };
    return this.fingerprintsView(me);
  }

  /** Whose finger the next sign-off by finger reads (tests stage a stranger's). */
  fingerAtScanner: 'own' | 'stranger' = 'own';

  private fingerprintsView(operator: Operator): MyFingerprintsView {
    return {
      positions: [...(operator.fingers?.positions ?? [])],
      step: operator.fingers?.step ?? null,
      enrolled_at: operator.fingers?.enrolledAt ?? null,
      enrolment_steps: ['rightSlap', 'leftSlap', 'thumbs'],
    };
  }

  private finalizeChecked(registrationId: string): RegistrationView {
    const registration = this.inState(registrationId, ['draft']);
    const problems = this.check(registration);
    if (this.formSpec.consent && registration.consentGivenAt === null) problems.push(fieldError('consent', null, 'required'));
    for (const category of this.formSpec.documents?.categories ?? []) {
      if (category.required && !registration.documents.some((d) => d.category === category.category)) {
        problems.push(fieldError(`documents.${category.category}`, null, 'required'));
      }
    }
    if (problems.length > 0) throw validationFailed(problems);
    registration.state = 'pending_approval';
    this.touch(registration);
    return this.view(registration);
  }

  async setWizardStep(registrationId: string, step: WizardStep): Promise<RegistrationView> {
    this.enter('setWizardStep', [registrationId, step]);
    const me = this.requireSession();
    const registration = this.inState(registrationId, ['draft']);
    if (me.view.role === 'officer' && registration.createdBy !== me.view.username) {
      throw notPermitted('others_draft', `work on ${registrationId}`);
    }
    registration.wizardStep = step;
    return this.view(registration);
  }

  async documentChoices(): Promise<DocumentChoicesView> {
    this.enter('documentChoices', []);
    this.requireSession();
    const rules = this.formSpec.documents!;
    return structuredClone({
      categories: rules.categories.map((c) => ({ ...c, document_types: DOCUMENT_TYPES[c.category] ?? [] })),
      max_file_bytes: rules.max_file_bytes,
      max_pages: rules.max_pages,
      formats: rules.formats,
    });
  }

  /** As the station: the category and type checked, the format told by the bytes. */
  async attachDocument(registrationId: string, document: DocumentInput): Promise<RegistrationView> {
    this.enter('attachDocument', [registrationId, { ...document, pages: document.pages.map((p) => p.file_name) }]);
    this.requireSession();
    const registration = this.inState(registrationId, ['draft']);
    const field = `documents.${document.category}`;
    const types = DOCUMENT_TYPES[document.category];
    if (!types) throw validationFailed([fieldError(field, null, 'unknown_category')]);
    if (!types.some((t) => t.code === document.document_type)) throw validationFailed([fieldError(field, null, 'unknown_type')]);
    if (document.pages.length === 0) throw validationFailed([fieldError(field, null, 'empty')]);
    const formats = document.pages.map((p) => formatOfBytes(p.data_base64));
    if (formats.some((f) => f === null)) throw validationFailed([fieldError(field, null, 'unsupported_format')]);
    if (formats.includes('pdf') && formats.length > 1) throw validationFailed([fieldError(field, null, 'mixed_pdf_and_images')]);
    const bytes = document.pages.reduce((sum, p) => sum + Math.floor((p.data_base64.length * 3) / 4), 0);
    const view: DocumentView = {
      category: document.category,
      document_type: document.document_type,
      reference_number: document.reference_number,
      format: formats.length > 1 ? 'pdf' : formats[0]!,
      pages: formats[0] === 'pdf' ? null : formats.length,
      bytes,
    };
    registration.documents = [...registration.documents.filter((d) => d.category !== document.category), view];
    this.touch(registration);
    return this.view(registration);
  }

  async removeDocument(registrationId: string, category: string): Promise<RegistrationView> {
    this.enter('removeDocument', [registrationId, category]);
    this.requireSession();
    const registration = this.inState(registrationId, ['draft']);
    registration.documents = registration.documents.filter((d) => d.category !== category);
    this.touch(registration);
    return this.view(registration);
  }

  /** As a station on simulated devices: SANE's test backend, labelled simulated. */
  async documentScanners(): Promise<ScannerView[]> {
    this.enter('documentScanners', []);
    this.requireSession();
    return [{ name: 'test:0', vendor: 'Noname', model: 'frontend-tester', simulated: true }];
  }

  async scanDocumentPage(device: string): Promise<ScannedPageView> {
    this.enter('scanDocumentPage', [device]);
    this.requireSession();
    if (device !== 'test:0') throw failure('device_not_connected', `${device} is not connected`);
    this.scans += 1;
    return { file_name: `scan-${this.scans}.png`, media_type: 'image/png', data_base64: PREVIEW.split(',')[1], width: 1, height: 1, dpi: 300 };
  }

  /** As a station on simulated devices: the simulated face camera. */
  async documentCamera(): Promise<DocumentCameraView | null> {
    this.enter('documentCamera', []);
    this.requireSession();
    return { make: 'Enroll', model: 'Simulated face camera', simulated: true };
  }

  async photographDocumentPage(): Promise<ScannedPageView> {
    this.enter('photographDocumentPage', []);
    this.requireSession();
    this.scans += 1;
    return { file_name: `photo-${this.scans}.jpg`, media_type: 'image/jpeg', data_base64: JPEG_PAGE, width: 1, height: 1, dpi: 0 };
  }

  async documentPagePreview(registrationId: string, category: string, page: number): Promise<DocumentPreviewView> {
    this.enter('documentPagePreview', [registrationId, category, page]);
    this.requireSession();
    const document = this.inState(registrationId, ['draft', 'pending_approval']).documents.find((d) => d.category === category);
    if (!document) throw failure('not_found', `the document ${category} of ${registrationId}`);
    return {
      category,
      page,
      page_count: document.pages,
      format: document.format,
      bytes: document.bytes,
      preview_data_url: document.format === 'pdf' ? null : PREVIEW,
    };
  }

  async approve(registrationId: string): Promise<RegistrationView> {
    this.enter('approve', [registrationId]);
    const registration = this.review(registrationId);
    registration.decision = { outcome: 'approved', by: this.session!.username, reason: null };
    registration.state = 'sealed';
    this.touch(registration);
    registration.queuedAt = registration.updatedAt;
    return this.view(registration);
  }

  /** As the station: the password first (nothing approved on a wrong one), then each on its own. */
  async approveBatch(registrationIds: string[], password: string): Promise<BatchApprovalView> {
    this.enter('approveBatch', [[...registrationIds], '***']);
    const me = this.requireSession();
    if (me.view.role === 'officer') throw notPermitted('officer_cannot_review', 'only a supervisor or an admin reviews');
    const ids = [...new Set(registrationIds)];
    if (ids.length === 0 || ids.length > 200) throw validationFailed([fieldError('registration_ids', null, ids.length === 0 ? 'required' : 'too_many')]);
    if (me.password !== password) throw failure('wrong_credentials', 'wrong password');
    const report: BatchApprovalView = { approved: [], refused: [] };
    for (const id of ids) {
      try {
        await this.approve(id);
        report.approved.push(id);
      } catch (caught) {
        const error = toBackendError(caught);
        report.refused.push({ registration_id: id, error: { code: error.code, params: error.params, fields: error.fields } as ErrorView });
      }
    }
    return report;
  }

  async rejectionReasons(): Promise<MasterEntryView[]> {
    this.enter('rejectionReasons', []);
    this.requireSession();
    return this.rejectionReasonList.map((reason) => ({ ...reason, labels: { ...reason.labels } }));
  }

  async reject(registrationId: string, reason: string): Promise<RegistrationView> {
    this.enter('reject', [registrationId, reason]);
    if (reason.trim() === '') throw validationFailed([fieldError('reason', null, 'required')]);
    const registration = this.review(registrationId);
    registration.decision = { outcome: 'rejected', by: this.session!.username, reason: reason.trim() };
    registration.state = 'rejected';
    this.touch(registration);
    registration.queuedAt = registration.updatedAt;
    return this.view(registration);
  }

  async registration(registrationId: string): Promise<RegistrationView> {
    this.enter('registration', [registrationId]);
    this.requireSession();
    return this.view(this.find(registrationId));
  }

  /** Every queued packet that is not set aside, backoff or not: see `runQueue`. */
  async syncNow(): Promise<SyncReport> {
    this.enter('syncNow', []);
    this.requireSession();
    const hold = this.syncHold;
    this.syncHold = null;
    if (hold) await hold;
    return this.runQueue();
  }

  async watchSync(channel: Channel<SyncStatusView>): Promise<SyncStatusView> {
    this.enter('watchSync', []);
    this.requireSession();
    // The last caller's channel replaces the one before.
    this.syncChannel = channel;
    return structuredClone(this.syncStatus);
  }

  async uploadCenter(): Promise<UploadCenterView> {
    this.enter('uploadCenter', []);
    this.requireSession();
    return this.uploadCenterView();
  }

  async releaseQuarantined(registrationId: string): Promise<UploadCenterView> {
    this.enter('releaseQuarantined', [registrationId]);
    const me = this.requireSession();
    if (me.view.role === 'officer') throw notPermitted('officer_cannot_review', `release ${registrationId} from quarantine`);
    const registration = this.inState(registrationId, [...HOME_LISTS.upload_queue]);
    if (registration.quarantinedAt === null) throw invalidState(registration);
    // Back in the queue as if new; its last error stays until a try replaces it.
    registration.quarantinedAt = null;
    registration.uploadFailures = 0;
    registration.nextAttemptAt = null;
    this.touch(registration);
    return this.uploadCenterView();
  }

  async markRegisterReturnHandled(registrationId: string): Promise<ReturnedByRegisterView> {
    this.enter('markRegisterReturnHandled', [registrationId]);
    const me = this.requireSession();
    if (me.view.role === 'officer') throw notPermitted('officer_cannot_review', `mark ${registrationId} as handled`);
    const registration = this.inState(registrationId, ['acknowledged']);
    const status = registration.registerStatus;
    if (!status || !(status.status === 'rejected' || status.status === 're_register') || status.handled_at !== null) {
      throw invalidState(registration);
    }
    status.handled_by = me.view.username;
    status.handled_at = this.now();
    return this.returnedView();
  }

  /**
   * As the station's `dashboard`: supervisors and admins. The fake keeps no audit chain, so a
   * registration counts on the day it was created (the fake clock's day): started by its maker,
   * finalized once past draft, approved or rejected by its decision.
   */
  async dashboard(utcOffsetMinutes: number): Promise<DashboardView> {
    this.enter('dashboard', [utcOffsetMinutes]);
    const me = this.requireSession();
    if (me.view.role === 'officer') throw notPermitted('supervisor_only', 'see the dashboard');
    const now = this.inMinutes(0);
    const day = new Date(Date.parse(now) + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
    const all = [...this.registrations.values()];
    const today = all.filter((r) => new Date(Date.parse(r.createdAt) + utcOffsetMinutes * 60_000).toISOString().startsWith(day));
    const zero = (): DayCountsView => ({ started: 0, finalized: 0, approved: 0, rejected: 0 });
    const rows = new Map<string, OperatorDayView>();
    const rowOf = (username: string): OperatorDayView => {
      let row = rows.get(username);
      if (!row) {
        const known = this.operators.get(username)?.view;
        row = { username, full_name: known?.full_name ?? null, role: known?.role ?? null, counts: zero() };
        rows.set(username, row);
      }
      return row;
    };
    for (const operator of this.operators.values()) if (operator.view.role === 'officer') rowOf(operator.view.username);
    const total = zero();
    for (const registration of today) {
      const counts = rowOf(registration.createdBy).counts;
      const add = (key: keyof DayCountsView) => {
        counts[key] += 1;
        total[key] += 1;
      };
      add('started');
      if (registration.state !== 'draft') add('finalized');
      if (registration.decision?.outcome === 'approved') add('approved');
      if (registration.decision?.outcome === 'rejected') add('rejected');
    }
    const count = (...states: RegistrationState[]) => all.filter((r) => states.includes(r.state)).length;
    const oldest = all
      .filter((r) => r.state === 'pending_approval')
      .map((r) => r.updatedAt)
      .sort()[0];
    return structuredClone({
      station_name: this.stationName ?? '',
      station_id: '10001',
      center_id: this.centerId,
      day,
      generated_at: now,
      prepared_by: me.view.username,
      prepared_by_name: me.view.full_name,
      operators: [...rows.values()].sort((a, b) => a.username.localeCompare(b.username)),
      today: total,
      states: {
        draft: count('draft'),
        pending_approval: count('pending_approval'),
        not_uploaded: count('sealed', 'rejected'),
        awaiting_receipt: count('uploaded'),
        acknowledged: count('acknowledged'),
      },
      pending: {
        count: count('pending_approval'),
        oldest_since: oldest ?? null,
        oldest_age_minutes: oldest ? Math.max(0, Math.round((Date.parse(now) - Date.parse(oldest)) / 60_000)) : null,
      },
      sync: {
        link: this.syncStatus.link,
        last_sync_at: this.offline.last_sync_at,
        last_contact_at: this.syncStatus.last_contact_at,
        blocked: this.syncStatus.blocked,
      },
      devices: this.deviceList,
      offline: this.offline,
    });
  }

  // --- Inside the station ---------------------------------------------------------------------

  /** Every call starts here: it is recorded, and a failure the test asked for happens now. */
  private enter(method: Method, args: unknown[]): void {
    this.calls.push({ method, args });
    const planned = this.failures.get(method);
    if (planned) {
      this.failures.delete(method);
      throw planned;
    }
  }

  private now(): string {
    this.minutes += 1;
    return new Date(Date.UTC(2026, 10, 25, 9, 0) + this.minutes * 60_000).toISOString().replace('.000Z', 'Z');
  }

  private touch(registration: Registration): void {
    registration.updatedAt = this.now();
  }

  /** A time `minutes` after the fake clock's now, without moving it. */
  private inMinutes(minutes: number): string {
    return new Date(Date.UTC(2026, 10, 25, 9, 0) + (this.minutes + minutes) * 60_000).toISOString().replace('.000Z', 'Z');
  }

  private requireSetUp(): void {
    if (this.stationName === null) throw failure('not_set_up', 'the station is not set up');
  }

  private requireSession(): Operator {
    this.requireSetUp();
    if (!this.session || this.session.locked) throw failure('not_signed_in', 'sign in first');
    return this.operator(this.session.username);
  }

  private requireAdmin(why: string): Operator {
    const me = this.requireSession();
    if (me.view.role !== 'admin') throw notPermitted('admin_only', why);
    return me;
  }

  private operator(username: string): Operator {
    const operator = this.operators.get(username);
    if (!operator) throw failure('not_signed_in', 'the operator is gone');
    return operator;
  }

  private create(createdBy: string): Registration {
    this.sequence += 1;
    const at = this.now();
    const registration: Registration = {
      id: `${this.centerId}-20261125-${String(this.sequence).padStart(6, '0')}`,
      state: 'draft',
      identity: {},
      createdBy,
      createdAt: at,
      updatedAt: at,
      decision: null,
      receipt: null,
      biometrics: emptyBiometrics(),
      queuedAt: null,
      uploadFailures: 0,
      lastError: null,
      nextAttemptAt: null,
      quarantinedAt: null,
      refusal: null,
      registerStatus: null,
      consentGivenAt: null,
      documents: [],
      wizardStep: null,
      process: null,
    };
    this.registrations.set(registration.id, registration);
    return registration;
  }

  private receiptFor(registration: Registration): ReceiptView {
    return { intake_reference: `INT-${registration.id.slice(-6)}`, received_at: this.now() };
  }

  private find(registrationId: string): Registration {
    const registration = this.registrations.get(registrationId);
    if (!registration) throw failure('not_found', `no registration ${registrationId}`);
    return registration;
  }

  /** A packet of the upload queue, for the test's controls (a test that seeds wrong says so). */
  private queued(registrationId: string): Registration {
    const registration = this.find(registrationId);
    if (!HOME_LISTS.upload_queue.includes(registration.state)) {
      throw new Error(`${registrationId} is ${registration.state}, not in the upload queue`);
    }
    return registration;
  }

  private inState(registrationId: string, states: RegistrationState[]): Registration {
    const registration = this.find(registrationId);
    if (!states.includes(registration.state)) throw invalidState(registration);
    return registration;
  }

  /** A supervisor's or admin's decision on someone else's pending registration. */
  private review(registrationId: string): Registration {
    const me = this.requireSession();
    if (me.view.role === 'officer') throw notPermitted('officer_cannot_review', 'only a supervisor or an admin reviews');
    const registration = this.inState(registrationId, ['pending_approval']);
    if (registration.createdBy === me.view.username) throw notPermitted('own_registration', 'nobody reviews their own registration');
    return registration;
  }

  /** The station's finalize check: the form's rules plus the schema's patterns. */
  private check(registration: Registration): FieldError[] {
    const problems: FieldError[] = [];
    const identity = registration.identity;
    const spec = this.formSpec;
    const values = valuesFromIdentity(spec, identity);
    for (const field of spec.fields) {
      if (!fieldApplies(spec, field, values, new Date())) continue;
      const value = identity[field.id];
      if (field.multilingual) {
        const entries = Array.isArray(value) ? value : [];
        for (const language of spec.languages) {
          const has = entries.some((e) => e.language === language.code && e.value.trim() !== '');
          if (field.required && language.mandatory && !has) {
            problems.push(fieldError(field.id, language.code, 'required', `required in ${language.name}`));
          }
        }
      } else if (typeof value !== 'string' || value.trim() === '') {
        if (field.required) problems.push(fieldError(field.id, null, 'required', 'required'));
      } else if (field.id === 'phone' && !PHONE_PATTERN.test(value)) {
        problems.push(fieldError(field.id, null, 'invalid_format', 'does not match the pattern'));
      }
    }
    problems.push(...this.biometricProblems(registration.biometrics));
    return problems;
  }

  // --- Biometrics, with the rules of `BiometricsDraft` ----------------------------------------

  /** The policy's steps, the face among them; those of the registration's process when it takes fewer. */
  private biometricSteps(biometrics?: Biometrics): PolicyStep[] {
    const only = biometrics?.only;
    return only ? this.capturePolicy.steps.filter((step) => only.includes(step)) : this.capturePolicy.steps;
  }

  private requirePolicyStep(step: PolicyStep): void {
    if (!this.capturePolicy.steps.includes(step)) throw failure('invalid_input', `${step} is not a step of this policy`);
  }

  private threshold(step: PolicyStep): number {
    const modality: PolicyModality =
      step === 'face' ? 'face' : step.endsWith('Iris') || step === 'bothIrises' ? 'iris' : 'finger';
    return this.chosenQuality?.[modality] ?? this.configuredThreshold(modality);
  }

  private configuredThreshold(modality: PolicyModality): number {
    if (modality === 'face') return this.capturePolicy.faceThreshold;
    return modality === 'iris' ? this.capturePolicy.irisThreshold : this.capturePolicy.fingerThreshold;
  }

  /** The device that takes `step`: a real one before a simulated one, as `DeviceRegistry::for_step`. */
  private deviceFor(step: PolicyStep): DeviceListView | null {
    const candidates = this.deviceList.filter((d) => STEP_DEVICE_KINDS[step].includes(d.kind));
    return [...candidates].sort((a, b) => Number(a.simulated) - Number(b.simulated))[0] ?? null;
  }

  /** One attempt: counted, a sign-off withdrawn, the better capture per position kept (the newer on a tie). */
  private recordAttempt(registration: Registration, step: PolicyStep, device: DeviceListView, qualities: number[]): void {
    const biometrics = registration.biometrics;
    const attempt = (biometrics.attempts.get(step) ?? 0) + 1;
    biometrics.attempts.set(step, attempt);
    biometrics.forced.delete(step);
    STEP_POSITIONS[step].forEach((position, index) => {
      // A position recorded as an exception is not asked of the device.
      if (biometrics.exceptions.has(position)) return;
      const quality = qualities[index] ?? (position === 'face' ? DEFAULT_FACE_QUALITY : DEFAULT_QUALITY);
      const kept = biometrics.captures.get(position);
      if (!kept || quality >= kept.quality) biometrics.captures.set(position, { quality, device, attempt });
    });
  }

  private positionState(biometrics: Biometrics, step: PolicyStep, position: Position): PositionState {
    if (biometrics.exceptions.has(position)) return { kind: 'excepted' };
    const capture = biometrics.captures.get(position);
    if (!capture) return { kind: 'not_captured' };
    return { kind: 'captured', quality: capture.quality, meets: capture.quality >= this.threshold(step) };
  }

  private stepDone(biometrics: Biometrics, step: PolicyStep): boolean {
    const forced = biometrics.forced.has(step);
    return STEP_POSITIONS[step].every((position) => {
      const state = this.positionState(biometrics, step, position);
      return state.kind === 'excepted' || (state.kind === 'captured' && (state.meets || forced));
    });
  }

  private mayForce(biometrics: Biometrics, step: PolicyStep): boolean {
    if (!this.capturePolicy.forceCapture || biometrics.forced.has(step)) return false;
    if ((biometrics.attempts.get(step) ?? 0) < this.capturePolicy.attempts) return false;
    const states = STEP_POSITIONS[step].map((p) => this.positionState(biometrics, step, p));
    return states.every((s) => s.kind !== 'not_captured') && states.some((s) => s.kind === 'captured' && !s.meets);
  }

  private exceptionPhotoMissing(biometrics: Biometrics): boolean {
    return this.capturePolicy.exceptionPhoto && biometrics.exceptions.size > 0 && biometrics.exceptionPhoto === null;
  }

  /** What keeps the biometrics from finalizing, as the station names it (`BiometricsDraft::problems`). */
  private biometricProblems(biometrics: Biometrics): FieldError[] {
    const problems: FieldError[] = [];
    for (const step of this.biometricSteps(biometrics)) {
      const forced = biometrics.forced.has(step);
      for (const position of STEP_POSITIONS[step]) {
        const state = this.positionState(biometrics, step, position);
        if (state.kind === 'not_captured') problems.push(fieldError(`biometrics.${position}`, null, 'required'));
        else if (state.kind === 'captured' && !state.meets && !forced) {
          problems.push(fieldError(`biometrics.${position}`, null, 'below_threshold'));
        }
      }
    }
    if (this.exceptionPhotoMissing(biometrics)) problems.push(fieldError('biometrics.exceptionPhoto', null, 'required'));
    return problems;
  }

  private biometricsView(registration: Registration): BiometricsView {
    const biometrics = registration.biometrics;
    const steps: StepView[] = this.biometricSteps(biometrics).map((step) => ({
      step,
      threshold: this.threshold(step),
      attempts: biometrics.attempts.get(step) ?? 0,
      attempts_allowed: this.capturePolicy.attempts,
      done: this.stepDone(biometrics, step),
      may_force: this.mayForce(biometrics, step),
      forced_by: biometrics.forced.get(step) ?? null,
      device: this.deviceFor(step),
      positions: STEP_POSITIONS[step].map((position): PositionView => {
        const state = this.positionState(biometrics, step, position);
        const exception = biometrics.exceptions.get(position);
        return {
          position,
          state: state.kind,
          quality: state.kind === 'captured' ? state.quality : null,
          meets_threshold: state.kind === 'captured' && state.meets,
          exception: exception ? { kind: exception.kind, reason: exception.reason } : null,
          device_simulated: biometrics.captures.get(position)?.device.simulated ?? null,
        };
      }),
    }));
    const exceptionPhotoMissing = this.exceptionPhotoMissing(biometrics);
    return structuredClone({
      steps,
      exception_photo_missing: exceptionPhotoMissing,
      has_exception_photo: biometrics.exceptionPhoto !== null,
      complete: steps.every((s) => s.done) && !exceptionPhotoMissing,
    });
  }

  private decisionView(registration: Registration, withReason: boolean): DecisionView | null {
    const decision = registration.decision;
    if (!decision) return null;
    return { outcome: decision.outcome, by: decision.by, reason: withReason ? decision.reason : null };
  }

  private view(registration: Registration): RegistrationView {
    // Once sealed, the station can no longer read the identity (only the envelope is left).
    const readable = registration.state === 'draft' || registration.state === 'pending_approval';
    return structuredClone({
      registration_id: registration.id,
      state: registration.state,
      identity: readable ? registration.identity : null,
      created_by: registration.createdBy,
      created_at: registration.createdAt,
      updated_at: registration.updatedAt,
      receipt: registration.receipt,
      last_error: this.lastUploadError(registration),
      decision: this.decisionView(registration, true),
      register_status: registration.registerStatus,
      consent_given_at: readable ? registration.consentGivenAt : null,
      documents: readable ? registration.documents : [],
      wizard_step: registration.state === 'draft' ? registration.wizardStep : null,
      process: readable ? registration.process : null,
    });
  }

  private item(registration: Registration): HomeItem {
    const name = registration.identity.fullName;
    const displayName = Array.isArray(name) ? (name.find((e) => e.value.trim() !== '')?.value ?? null) : null;
    return structuredClone({
      registration_id: registration.id,
      state: registration.state,
      created_by: registration.createdBy,
      created_at: registration.createdAt,
      updated_at: registration.updatedAt,
      display_name: registration.state === 'draft' ? displayName : null,
      decision: this.decisionView(registration, false),
      receipt: registration.receipt,
      last_error: this.lastUploadError(registration),
    });
  }

  /** A packet's last upload failure, while it is queued. */
  private lastUploadError(registration: Registration): ErrorView | null {
    return HOME_LISTS.upload_queue.includes(registration.state) ? registration.lastError : null;
  }

  // --- The sync, as `station/src/sync_queue.rs` runs it ---------------------------------------

  /** Changes the status and tells the watching window (a copy, as IPC would). */
  private updateSync(change: (status: SyncStatusView) => void): boolean {
    change(this.syncStatus);
    if (!this.syncChannel) return false;
    this.syncChannel.onmessage(structuredClone(this.syncStatus));
    return true;
  }

  /** The upload queue, quarantined packets included, in the order the reviews sealed them. */
  private uploadQueue(): Registration[] {
    const key = (r: Registration) => r.queuedAt ?? r.updatedAt;
    return [...this.registrations.values()]
      .filter((r) => HOME_LISTS.upload_queue.includes(r.state))
      .sort((a, b) => (key(a) === key(b) ? (a.id < b.id ? -1 : 1) : key(a) < key(b) ? -1 : 1));
  }

  /**
   * One run: every packet not set aside, in order, each told from its start to its end. The
   * fake intake takes every packet whole and receipts it at once, but for one it refuses for
   * good (`refuseAtIntake`), which is set aside with its reason while the run goes on.
   */
  private runQueue(): SyncReport {
    const queue = this.uploadQueue().filter((r) => r.quarantinedAt === null);
    const report: SyncReport = { attempted: queue.length, acknowledged: 0, failures: [], quarantined: [] };
    this.updateSync((status) => {
      status.running = true;
      status.run_done = 0;
      status.run_total = queue.length;
      status.run_bytes_sent = 0;
      status.current = null;
      status.next_check_at = null;
    });
    for (const registration of queue) {
      const id = registration.id;
      this.updateSync((status) => {
        status.current = { registration_id: id, sent: 0, total: PACKET_BYTES, bytes_per_second: 0 };
        status.link = 'online';
        status.last_contact_at = this.inMinutes(0);
      });
      const refusal = registration.refusal;
      if (refusal) {
        registration.refusal = null;
        registration.uploadFailures += 1;
        registration.lastError = errorView(refusal);
        registration.nextAttemptAt = null;
        registration.quarantinedAt = this.now();
        this.touch(registration);
        report.failures.push({ registration_id: id, error: errorView(refusal) });
        report.quarantined.push(id);
      } else {
        this.updateSync((status) => {
          const total = PACKET_BYTES;
          // The intake holds it whole; the fake's speed is one of its constants.
          status.current = { registration_id: id, sent: total, total, bytes_per_second: PACKET_BYTES_PER_SECOND };
          status.run_bytes_sent += PACKET_BYTES;
        });
        registration.state = 'acknowledged';
        registration.receipt = this.receiptFor(registration);
        registration.uploadFailures = 0;
        registration.lastError = null;
        registration.nextAttemptAt = null;
        this.touch(registration);
        report.acknowledged += 1;
      }
      this.updateSync((status) => {
        status.current = null;
        status.run_done += 1;
      });
    }
    this.updateSync((status) => {
      status.running = false;
      status.current = null;
    });
    return report;
  }

  private uploadCenterView(): UploadCenterView {
    const status = this.syncStatus;
    const entries = this.uploadQueue().map(
      (r): UploadEntryView => ({
        registration_id: r.id,
        state: r.state,
        queued_at: r.queuedAt ?? r.updatedAt,
        created_by: r.createdBy,
        decision: this.decisionView(r, false),
        progress: status.current?.registration_id === r.id ? status.current : null,
        failures: r.uploadFailures,
        last_error: r.lastError,
        next_attempt_at: r.nextAttemptAt,
        quarantined_at: r.quarantinedAt,
      }),
    );
    const quarantined = entries.filter((e) => e.quarantined_at !== null).length;
    return structuredClone({ status, entries, waiting: entries.length - quarantined, quarantined });
  }

  /** A key-paged list, newest first, as the station's `(state, updated_at)` index reads. */
  private page(list: HomeListName, after: HomeCursor | null): HomeList {
    const key = (r: { updatedAt: string; id: string }) => `${r.updatedAt} ${r.id}`;
    const rows = [...this.registrations.values()]
      .filter((r) => HOME_LISTS[list].includes(r.state))
      .sort((a, b) => (key(a) < key(b) ? 1 : -1))
      .filter((r) => !after || key(r) < key({ updatedAt: after.updated_at, id: after.registration_id }));
    const items = rows.slice(0, this.pageSize);
    const last = items[items.length - 1];
    return {
      items: items.map((r) => this.item(r)),
      next_page: rows.length > items.length && last ? { updated_at: last.updatedAt, registration_id: last.id } : null,
    };
  }
}
