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

function parts(): string[] {
  return location.hash.replace(/^#\/?/, "").split("/");
}

function current(): SectionId {
  const id = parts()[0];
  return sections.find((s) => s.id === id)?.id ?? "dashboard";
}

class Router {
  section = $state<SectionId>(current());
  /** The part after the section: `#/settings/integrations` → "integrations". */
  sub = $state<string>(parts()[1] ?? "");

  constructor() {
    window.addEventListener("hashchange", () => {
      this.section = current();
      this.sub = parts()[1] ?? "";
    });
  }

  /** What the screen opened should show first (e.g. `{ status: "sent" }` for proposals); read
   * once when it opens. */
  params = $state<Record<string, string>>({});

  go(section: SectionId, sub = "", params: Record<string, string> = {}) {
    this.params = params;
    location.hash = sub ? `#/${section}/${sub}` : `#/${section}`;
    this.section = section;
    this.sub = sub;
  }
}

export const router = new Router();
