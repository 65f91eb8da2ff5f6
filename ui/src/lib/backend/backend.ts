// The one typed surface between the screens and the station. Components receive a `Backend`
// (see `context.ts`) and never call `invoke` themselves, so tests can hand them a fake and
// every command name and argument is spelled in one place (`tauri.ts`).

import type {
  CaptureView,
  FormSpec,
  HomeCursor,
  HomeList,
  HomeListName,
  HomeSummary,
  IdentityDocument,
  NewOperatorRequest,
  OperatorView,
  PolicyRequest,
  PolicyView,
  PurgeReport,
  RegistrationView,
  SessionView,
  SetupRequest,
  StationStatus,
  SyncReport,
} from './types';

/** Every method rejects with a `BackendError` (see `errors.ts`), never with a bare value. */
export interface Backend {
  status(): Promise<StationStatus>;
  setUp(request: SetupRequest): Promise<StationStatus>;
  logIn(username: string, password: string): Promise<OperatorView>;
  logOut(): Promise<void>;
  addOperator(request: NewOperatorRequest): Promise<OperatorView>;
  listOperators(): Promise<OperatorView[]>;
  removeOperator(username: string): Promise<void>;
  resetPassword(username: string, newPassword: string): Promise<void>;
  changePassword(oldPassword: string, newPassword: string): Promise<void>;
  policy(): Promise<PolicyView>;
  setPolicy(request: PolicyRequest): Promise<PolicyView>;
  purgeExpired(): Promise<PurgeReport>;
  /** Where the session stands; does not count as activity (the idle lock's timer asks it). */
  sessionState(): Promise<SessionView>;
  /** Counts and the first page of each home list. */
  homeSummary(): Promise<HomeSummary>;
  /** The page of one home list after `after` (a `next_page` it handed out). */
  homePage(list: HomeListName, after: HomeCursor): Promise<HomeList>;
  form(): Promise<FormSpec>;
  newRegistration(): Promise<RegistrationView>;
  saveDraft(registrationId: string, identity: IdentityDocument): Promise<RegistrationView>;
  captureFace(registrationId: string): Promise<CaptureView>;
  finalize(registrationId: string): Promise<RegistrationView>;
  approve(registrationId: string): Promise<RegistrationView>;
  reject(registrationId: string, reason: string): Promise<RegistrationView>;
  registration(registrationId: string): Promise<RegistrationView>;
  syncNow(): Promise<SyncReport>;
}
