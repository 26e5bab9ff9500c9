// Typed calls to the Rust commands. Request and reply types are generated from the Rust types
// (ts-rs, in ./bindings); this file only names the commands.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { BulkProgress } from "./bindings/BulkProgress";
import type { BulkResult } from "./bindings/BulkResult";
import type { ProposalList } from "./bindings/ProposalList";
import type { BandSets } from "./bindings/BandSets";
import type { BandSetsDraft } from "./bindings/BandSetsDraft";
import type { ProposalStructure } from "./bindings/ProposalStructure";
import type { StartedFromStructure } from "./bindings/StartedFromStructure";
import type { AppInfo } from "./bindings/AppInfo";
import type { StartupTime } from "./bindings/StartupTime";
import type { Adjustment } from "./bindings/Adjustment";
import type { AdjustmentDraft } from "./bindings/AdjustmentDraft";
import type { BillAt } from "./bindings/BillAt";
import type { WorkProposalDraft } from "./bindings/WorkProposalDraft";
import type { BillingMonth } from "./bindings/BillingMonth";
import type { PlannedInvoice } from "./bindings/PlannedInvoice";
import type { ClientRevenue } from "./bindings/ClientRevenue";
import type { CreepRow } from "./bindings/CreepRow";
import type { Dashboard } from "./bindings/Dashboard";
import type { Backup } from "./bindings/Backup";
import type { BackupSettings } from "./bindings/BackupSettings";
import type { BackupsView } from "./bindings/BackupsView";
import type { ExportProgress } from "./bindings/ExportProgress";
import type { ExportSummary } from "./bindings/ExportSummary";
import type { Restored } from "./bindings/Restored";
import type { RestoreFrom } from "./bindings/RestoreFrom";
import type { Movement } from "./bindings/Movement";
import type { ProfitabilityReport } from "./bindings/ProfitabilityReport";
import type { ReportFilter } from "./bindings/ReportFilter";
import type { ReportKind } from "./bindings/ReportKind";
import type { RevenueReport } from "./bindings/RevenueReport";
import type { ServicesReport } from "./bindings/ServicesReport";
import type { BillingSettings } from "./bindings/BillingSettings";
import type { OutboxInvoice } from "./bindings/OutboxInvoice";
import type { PaymentsReport } from "./bindings/PaymentsReport";
import type { PostOptions } from "./bindings/PostOptions";
import type { PostingDryRun } from "./bindings/PostingDryRun";
import type { PostingProgress } from "./bindings/PostingProgress";
import type { PostingReport } from "./bindings/PostingReport";
import type { BoardRow } from "./bindings/BoardRow";
import type { Work } from "./bindings/Work";
import type { WorkDraft } from "./bindings/WorkDraft";
import type { ConflictChoice } from "./bindings/ConflictChoice";
import type { ContactSummary } from "./bindings/ContactSummary";
import type { MirroredContact } from "./bindings/MirroredContact";
import type { SyncBatch } from "./bindings/SyncBatch";
import type { SyncOptions } from "./bindings/SyncOptions";
import type { SyncProgress } from "./bindings/SyncProgress";
import type { SyncReport } from "./bindings/SyncReport";
import type { ConnectionsBoard } from "./bindings/ConnectionsBoard";
import type { FirstImportOptions } from "./bindings/FirstImportOptions";
import type { FirstImportPreview } from "./bindings/FirstImportPreview";
import type { FirstImportResult } from "./bindings/FirstImportResult";
import type { XeroLink } from "./bindings/XeroLink";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { ErrorReport } from "./bindings/ErrorReport";
import type { PricePreview } from "./bindings/PricePreview";
import type { Practice } from "./bindings/Practice";
import type { PracticeDraft } from "./bindings/PracticeDraft";
import type { PracticeSetup } from "./bindings/PracticeSetup";
import type { ReferenceData } from "./bindings/ReferenceData";
import type { Service } from "./bindings/Service";
import type { ServiceDraft } from "./bindings/ServiceDraft";
import type { ServiceFilter } from "./bindings/ServiceFilter";
import type { ConnectedOrganisation } from "./bindings/ConnectedOrganisation";
import type { SignInOutcome } from "./bindings/SignInOutcome";
import type { XeroLists } from "./bindings/XeroLists";
import type { XeroStatus } from "./bindings/XeroStatus";
import type { Client } from "./bindings/Client";
import type { ClientRow } from "./bindings/ClientRow";
import type { ClientDraft } from "./bindings/ClientDraft";
import type { ClientFilter } from "./bindings/ClientFilter";
import type { ClientImport } from "./bindings/ClientImport";
import type { ImportPreview } from "./bindings/ImportPreview";
import type { ChosenCsv } from "./bindings/ChosenCsv";
import type { ImportReport as ServicesImportReport } from "./bindings/ImportReport";
import type { ClientScope } from "./bindings/ClientScope";
import type { LineDraft } from "./bindings/LineDraft";
import type { Proposal } from "./bindings/Proposal";
import type { ProposalAction } from "./bindings/ProposalAction";
import type { ProposalDraft } from "./bindings/ProposalDraft";
import type { ProposalFilter } from "./bindings/ProposalFilter";
import type { ProposalPreview } from "./bindings/ProposalPreview";
import type { PriceIncrease } from "./bindings/PriceIncrease";
import type { ProposalTemplates } from "./bindings/ProposalTemplates";
import type { PriceIncreasePreview } from "./bindings/PriceIncreasePreview";
import type { PriceIncreaseResult } from "./bindings/PriceIncreaseResult";
import type { ComposedEmail } from "./bindings/ComposedEmail";
import type { EmailDraft } from "./bindings/EmailDraft";
import type { EmailSettings } from "./bindings/EmailSettings";
import type { EmailSettingsDraft } from "./bindings/EmailSettingsDraft";

/** A command's failure: the stable code, the sentence, and the fields to highlight. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly fields: Record<string, string>;

  constructor(report: ErrorReport) {
    super(report.message);
    this.code = report.code;
    this.fields = {};
    for (const f of report.fields) this.fields[f.field] ??= f.message;
  }
}

function isReport(value: unknown): value is ErrorReport {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

/**
 * What a failed command becomes. Scopebook's own errors arrive as reports; anything else came
 * from Tauri itself — a request whose arguments didn't match the command (a bug or a stale
 * window: `bad_request`), or the IPC failing.
 */
export function toApiError(error: unknown): ApiError {
  if (isReport(error)) return new ApiError(error);
  const text = String(error);
  if (/^invalid args|missing required key|unknown variant|invalid type/i.test(text)) {
    console.error("Scopebook: a request the app couldn't read:", text);
    return new ApiError({
      code: "bad_request",
      message: "Scopebook's window sent a request it couldn't read. Restart Scopebook; nothing was changed.",
      fields: [],
    });
  }
  return new ApiError({
    code: "io",
    message: `Scopebook couldn't complete that: ${text}`,
    fields: [],
  });
}

/**
 * When the figures benchmark puts an array here, each command's round trip (Rust, the IPC and
 * reading the reply) is recorded in it, so a slow screen can be told apart from a slow command.
 * Nothing is recorded otherwise.
 */
declare global {
  interface Window {
    __scopebookCalls?: { command: string; at: number; ms: number }[];
  }
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const started = performance.now();
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  } finally {
    window.__scopebookCalls?.push({ command, at: started, ms: performance.now() - started });
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  referenceData: () => call<ReferenceData>("reference_data"),
  /** How long ago the process started (the start-up figure). */
  startupTime: () => call<StartupTime>("startup_time"),
  setupPractice: (setup: PracticeSetup) => call<Practice>("setup_practice", { setup }),
  practiceDraft: () => call<PracticeDraft>("practice_draft"),
  updatePractice: (draft: PracticeDraft) => call<Practice>("update_practice", { draft }),
  setPracticeLogo: (base64: string) => call<Practice>("set_practice_logo", { base64 }),
  clearPracticeLogo: () => call<Practice>("clear_practice_logo"),
  practiceLogo: () => call<string | null>("practice_logo"),

  listServices: (filter: ServiceFilter) => call<Service[]>("list_services", { filter }),
  serviceCategories: () => call<string[]>("service_categories"),
  getService: (id: number) => call<Service>("get_service", { id }),
  blankServiceDraft: () => call<ServiceDraft>("blank_service_draft"),
  serviceDraft: (id: number) => call<ServiceDraft>("service_draft", { id }),
  createService: (draft: ServiceDraft) => call<Service>("create_service", { draft }),
  updateService: (id: number, draft: ServiceDraft) => call<Service>("update_service", { id, draft }),
  duplicateService: (id: number) => call<Service>("duplicate_service", { id }),
  archiveService: (id: number) => call<Service>("archive_service", { id }),
  restoreService: (id: number) => call<Service>("restore_service", { id }),
  previewPrice: (draft: ServiceDraft, quantity: string | null) =>
    call<PricePreview>("preview_price", { draft, quantity }),
  /** Rust asks where (native save dialog) and writes there; null when cancelled. */
  exportServicesCsv: () => call<number | null>("export_services_csv"),
  /** Rust opens the native open dialog, reads and checks the file; null when cancelled. */
  chooseServicesCsv: () => call<ChosenCsv<ServicesImportReport> | null>("choose_services_csv"),
  importServicesCsv: (token: string) => call<ServicesImportReport>("import_services_csv", { token }),
  /** The practice's bands (annual revenue, and an optional second set) that price services. */
  bandSets: () => call<BandSets>("band_sets"),
  saveBandSets: (draft: BandSetsDraft) => call<BandSets>("save_band_sets", { draft }),

  logWork: (draft: WorkDraft) => call<Work>("log_work", { draft }),
  workList: (clientId: number | null) => call<Work[]>("work_list", { clientId }),
  /** Gathers out-of-scope work into an amendment (a draft) that adds a service to cover it. */
  proposeWork: (draft: WorkProposalDraft) => call<Proposal>("propose_work", { draft }),
  /** Bills out-of-scope work on a month's invoice, at an hourly rate or a service's price. */
  billWork: (workId: number, month: string, at: BillAt) => call<Work>("bill_work", { workId, month, at }),
  /** The clients with the most unbilled out-of-scope time in the months `from`–`to`. */
  scopeCreepReport: (from: string, to: string) => call<CreepRow[]>("scope_creep_report", { from, to }),
  /** The home screen's figures. */
  dashboard: () => call<Dashboard>("dashboard"),
  /** Settings → Backups: how many are kept, where, and the backups newest first. */
  backups: () => call<BackupsView>("backups"),
  backUpNow: () => call<Backup>("back_up_now"),
  setBackupsKept: (kept: number) => call<BackupSettings>("set_backups_kept", { kept }),
  /** The native open dialog; the picked file checked and described (null when cancelled). */
  chooseBackupFile: () => call<Backup | null>("choose_backup_file"),
  /** A listed backup checked in full and described, for the confirmation. */
  inspectBackup: (fileName: string) => call<Backup>("inspect_backup", { fileName }),
  restoreBackup: (from: RestoreFrom) => call<Restored>("restore_backup", { from }),
  /** When the data file didn't open: the newest backup that reads as sound. */
  newestGoodBackup: () => call<Backup | null>("newest_good_backup"),
  /** Asks where to save, then writes the archive; `onProgress` hears after each step (null when cancelled). */
  exportEverything: (onProgress: (p: ExportProgress) => void) => {
    const progress = new Channel<ExportProgress>();
    progress.onmessage = onProgress;
    return call<ExportSummary | null>("export_everything", { progress });
  },
  revenueReport: (filter: ReportFilter) => call<RevenueReport>("revenue_report", { filter }),
  /** The clients behind one month's bar (`movement` null: all with revenue then). */
  revenueClients: (filter: ReportFilter, month: string, movement: Movement | null) =>
    call<ClientRevenue[]>("revenue_clients", { filter, month, movement }),
  servicesReport: (filter: ReportFilter) => call<ServicesReport>("services_report", { filter }),
  profitabilityReport: (filter: ReportFilter) => call<ProfitabilityReport>("profitability_report", { filter }),
  /** Saves the report as CSV or prints it to PDF where the bookkeeper chooses; rows written, null when cancelled. */
  exportReport: (kind: ReportKind, filter: ReportFilter, format: "csv" | "pdf") =>
    call<number | null>("export_report", { kind, filter, format }),
  /** The month's plan, its outbox and what is left to post (from the data file). */
  billingMonth: (month: string) => call<BillingMonth>("billing_month", { month }),
  /** One invoice of the month's plan in full, for its preview. */
  plannedInvoice: (month: string, clientId: number, seq: number) => call<PlannedInvoice>("planned_invoice", { month, clientId, seq }),
  billingSettings: () => call<BillingSettings>("billing_settings"),
  saveBillingSettings: (settings: BillingSettings) => call<BillingSettings>("save_billing_settings", { settings }),
  addBillingAdjustment: (draft: AdjustmentDraft) => call<Adjustment>("add_billing_adjustment", { draft }),
  removeBillingAdjustment: (id: number) => call<void>("remove_billing_adjustment", { id }),
  billingAdjustments: (month: string) => call<Adjustment[]>("billing_adjustments", { month }),
  /** Reads only: what posting would send, checked against Xero now. */
  dryRunPost: (month: string) => call<PostingDryRun>("dry_run_post", { month }),
  /** Posts the month's invoices, each exactly once; `onProgress` hears after each batch. */
  postInvoices: (month: string, options: PostOptions, onProgress: (p: PostingProgress) => void) => {
    const progress = new Channel<PostingProgress>();
    progress.onmessage = onProgress;
    return call<PostingReport>("post_invoices", { month, options, progress });
  },
  cancelPosting: () => call<void>("cancel_posting"),
  /** A voided invoice, posted again only when asked: a new invoice with its own reference. */
  repostVoidedInvoice: (outboxId: number) => call<OutboxInvoice>("repost_voided_invoice", { outboxId }),
  refreshPayments: () => call<PaymentsReport>("refresh_payments"),
  /** Invoices overdue today across every month, longest overdue first. */
  overdueInvoices: () => call<OutboxInvoice[]>("overdue_invoices"),
  openInvoiceInXero: (invoiceId: string) => call<void>("open_invoice_in_xero", { invoiceId }),

  xeroStatus: () => call<XeroStatus>("xero_status"),
  /** Syncs clients and Xero contacts both ways (a dry run changes nothing); `onProgress` hears as it goes. */
  syncXero: (options: SyncOptions, onProgress: (p: SyncProgress) => void) => {
    const progress = new Channel<SyncProgress>();
    progress.onmessage = onProgress;
    return call<SyncReport>("sync_xero", { options, progress });
  },
  /** Stops the running sync between pages and batches; what was done is kept. */
  cancelXeroSync: () => call<void>("cancel_xero_sync"),
  resolveXeroConflict: (clientId: number, choices: ConflictChoice[]) => call<void>("resolve_xero_conflict", { clientId, choices }),
  xeroConnectionOf: (clientId: number) => call<BoardRow>("xero_connection_of", { clientId }),
  xeroSyncBatches: () => call<SyncBatch[]>("xero_sync_batches"),
  /** Puts back what a sync changed here; Xero keeps what was sent to it. */
  undoXeroSync: (batch: string) => call<number>("undo_xero_sync", { batch }),
  /** One call: contacts whose name, number or email contains the text. */
  searchXeroContacts: (text: string) => call<MirroredContact[]>("search_xero_contacts", { text }),
  /** One call: outstanding, overdue, last invoice and payment. */
  xeroContactSummary: (clientId: number) => call<ContactSummary>("xero_contact_summary", { clientId }),
  openInXero: (clientId: number) => call<void>("open_in_xero", { clientId }),
  connectionsBoard: () => call<ConnectionsBoard>("connections_board"),
  /** Pulls the contacts from Xero, then previews the first import (changes no client). */
  previewXeroImport: (options: FirstImportOptions) => call<FirstImportPreview>("preview_xero_import", { options }),
  applyXeroImport: (options: FirstImportOptions) => call<FirstImportResult>("apply_xero_import", { options }),
  undoXeroImport: (batch: string) => call<number>("undo_xero_import", { batch }),
  linkXeroContact: (clientId: number, contactId: string) => call<XeroLink>("link_xero_contact", { clientId, contactId }),
  unlinkXeroContact: (clientId: number) => call<void>("unlink_xero_contact", { clientId }),
  /** Refused (code invalid, with the suggestions) while a contact in Xero may be the client. */
  createXeroContact: (clientId: number, confirmed: boolean) => call<XeroLink>("create_xero_contact", { clientId, confirmed }),
  setXeroClientId: (clientId: string) => call<XeroStatus>("set_xero_client_id", { clientId }),
  connectXero: () => call<SignInOutcome>("connect_xero"),
  cancelXeroConnect: () => call<void>("cancel_xero_connect"),
  chooseXeroOrganisation: (tenantId: string) =>
    call<ConnectedOrganisation>("choose_xero_organisation", { tenantId }),
  xeroLists: () => call<XeroLists>("xero_lists"),
  refreshXeroLists: () => call<XeroLists>("refresh_xero_lists"),
  disconnectXero: () => call<XeroStatus>("disconnect_xero"),
  switchDemo: (demo: boolean) => call<void>("switch_demo", { demo }),

  /** The list's rows (no addresses or invoicing settings: `getClient` has those). */
  listClients: (filter: ClientFilter) => call<ClientRow[]>("list_clients", { filter }),
  getClient: (id: number) => call<Client>("get_client", { id }),
  blankClientDraft: () => call<ClientDraft>("blank_client_draft"),
  createClient: (draft: ClientDraft) => call<Client>("create_client", { draft }),
  updateClient: (id: number, draft: ClientDraft) => call<Client>("update_client", { id, draft }),
  archiveClient: (id: number) => call<Client>("archive_client", { id }),
  setClientBands: (id: number, band1Id: number | null, band2Id: number | null) =>
    call<Client>("set_client_bands", { id, band1Id, band2Id }),
  restoreClient: (id: number) => call<Client>("restore_client", { id }),
  deleteClient: (id: number) => call<void>("delete_client", { id }),
  // The file's bytes, as chosen: Rust works out the encoding and the separator.
  previewClientImport: (csv: Uint8Array) => call<ImportPreview>("preview_client_import", { csv: Array.from(csv) }),
  importClients: (csv: Uint8Array) => call<ClientImport>("import_clients", { csv: Array.from(csv) }),
  undoClientImport: (batch: string) => call<number>("undo_client_import", { batch }),
  /** Opens the save dialog (in Rust) and writes the CSV there; null when cancelled. */
  exportClientsCsv: (filter: ClientFilter) => call<number | null>("export_clients_csv", { filter }),

  /** Proposal templates: a proposal's structure saved under a name, and a new one started from it. */
  saveProposalStructure: (id: number, name: string) => call<ProposalStructure>("save_proposal_structure", { id, name }),
  proposalStructures: () => call<ProposalStructure[]>("proposal_structures"),
  deleteProposalStructure: (id: number) => call<null>("delete_proposal_structure", { id }),
  startFromStructure: (id: number, clientId: number) => call<StartedFromStructure>("start_from_structure", { id, clientId }),
  /** The proposals the filter picks, as summaries, and the pipeline's stages over them. */
  /** Every match, or with `first` only the first few (`total` says how many match). */
  listProposals: (filter: ProposalFilter, first: number | null = null) => call<ProposalList>("list_proposals", { filter, first }),
  getProposal: (id: number) => call<Proposal>("get_proposal", { id }),
  blankProposal: (clientId: number) => call<ProposalDraft>("blank_proposal", { clientId }),
  /** A new line of the service; its price drivers start where the client's last proposal had them. */
  proposalLineForService: (serviceId: number, clientId: number | null = null) =>
    call<LineDraft>("proposal_line_for_service", { serviceId, clientId }),
  createProposal: (draft: ProposalDraft) => call<Proposal>("create_proposal", { draft }),
  updateProposal: (id: number, draft: ProposalDraft) => call<Proposal>("update_proposal", { id, draft }),
  changeProposalStatus: (id: number, action: ProposalAction, acceptedBy: string | null, chosenLines: number[], chosenOption: number | null = null) =>
    call<Proposal>("change_proposal_status", { id, action, acceptedBy, chosenOption, chosenLines }),
  duplicateProposal: (id: number) => call<Proposal>("duplicate_proposal", { id }),
  /** Confirms an accepted price range's price (within the range); billed from then on. */
  confirmLinePrice: (lineId: number, price: string) => call<Proposal>("confirm_line_price", { lineId, price }),
  amendProposal: (id: number, effectiveFrom: string) => call<Proposal>("amend_proposal", { id, effectiveFrom }),
  clientScope: (clientId: number, month: string) => call<ClientScope>("client_scope", { clientId, month }),
  previewProposal: (id: number | null, draft: ProposalDraft) => call<ProposalPreview>("preview_proposal", { id, draft }),
  proposalPdf: (id: number) => call<string>("proposal_pdf", { id }),
  /** Opens the save dialog (in Rust) and writes the PDF there; false when cancelled. */
  exportProposalPdf: (id: number) => call<boolean>("export_proposal_pdf", { id }),
  proposalTemplates: () => call<ProposalTemplates>("proposal_templates"),
  saveProposalTemplates: (templates: ProposalTemplates) => call<ProposalTemplates>("save_proposal_templates", { templates }),
  previewPriceIncrease: (increase: PriceIncrease) => call<PriceIncreasePreview>("preview_price_increase", { increase }),
  applyPriceIncrease: (increase: PriceIncrease) => call<PriceIncreaseResult>("apply_price_increase", { increase }),

  emailSettings: () => call<EmailSettings>("email_settings"),
  /** A non-empty `password` goes to the OS keychain; null or "" keeps the saved one. */
  saveEmailSettings: (draft: EmailSettingsDraft, password: string | null) =>
    call<EmailSettings>("save_email_settings", { draft, password }),
  sendTestEmail: () => call<string>("send_test_email"),
  composeProposalEmail: (proposalId: number) => call<ComposedEmail>("compose_proposal_email", { proposalId }),
  sendProposalEmail: (draft: EmailDraft) => call<Proposal>("send_proposal_email", { draft }),
  /** Emails proposals in one action (`key` kept for a retry: nothing sent twice); `onProgress` hears before each. */
  emailProposals: (ids: number[], key: string, onProgress: (p: BulkProgress) => void) => {
    const progress = new Channel<BulkProgress>();
    progress.onmessage = onProgress;
    return call<BulkResult[]>("email_proposals", { ids, key, progress });
  },
  openProposalEmailDraft: (draft: EmailDraft) => call<string>("open_proposal_email_draft", { draft }),
  markProposalEmailed: (draft: EmailDraft) => call<Proposal>("mark_proposal_emailed", { draft }),
};

export type {
  AppInfo,
  ComposedEmail,
  EmailDraft,
  EmailSettings,
  EmailSettingsDraft,
  ClientScope,
  LineDraft,
  Proposal,
  ProposalDraft,
  Client,
  ClientRow,
  ClientDraft,
  ImportPreview,
  ConnectedOrganisation,
  Practice,
  PracticeDraft,
  PricePreview,
  ReferenceData,
  Service,
  ServiceDraft,
  SignInOutcome,
  XeroLists,
  XeroStatus,
};
