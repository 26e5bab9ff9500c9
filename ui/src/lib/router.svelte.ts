// Hash routes, one per sidebar section: #/services, #/settings, …
export const sections = [
  { id: "dashboard", label: "Dashboard", icon: "dashboard", key: "1" },
  { id: "clients", label: "Clients", icon: "clients", key: "2" },
  { id: "proposals", label: "Proposals", icon: "proposals", key: "3" },
  { id: "billing", label: "Billing", icon: "billing", key: "4" },
  { id: "services", label: "Services & Pricing", icon: "services", key: "5" },
  { id: "reports", label: "Reports", icon: "reports", key: "6" },
  { id: "settings", label: "Settings", icon: "settings", key: "7" },
] as const;

export type SectionId = (typeof sections)[number]["id"];

function current(): SectionId {
  const id = location.hash.replace(/^#\/?/, "").split("/")[0];
  return sections.find((s) => s.id === id)?.id ?? "dashboard";
}

class Router {
  section = $state<SectionId>(current());

  constructor() {
    window.addEventListener("hashchange", () => (this.section = current()));
  }

  go(section: SectionId) {
    location.hash = `#/${section}`;
    this.section = section;
  }
}

export const router = new Router();
