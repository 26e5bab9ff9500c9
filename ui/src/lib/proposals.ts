// Words for proposal statuses, as a bookkeeper reads them.
import type { ProposalStatus } from "./bindings/ProposalStatus";

const labels: Record<ProposalStatus, string> = {
  draft: "Draft",
  sent: "Sent",
  accepted: "Accepted",
  declined: "Declined",
  expired: "Expired",
  withdrawn: "Withdrawn",
  superseded: "Superseded",
};

export function statusLabel(status: ProposalStatus): string {
  return labels[status];
}
