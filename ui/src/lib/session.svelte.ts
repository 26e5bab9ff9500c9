// What every screen reads: the practice (currency, locale) and the reference lists.
import { api, type Practice, type ReferenceData } from "./api";
import { formatMoney, formatNumber } from "./format";

class Session {
  practice = $state<Practice | null>(null);
  reference = $state<ReferenceData>({ countries: [], currencies: [], tax_types: [] });

  async loadReference() {
    this.reference = await api.referenceData();
  }

  /** Money in the practice's currency and locale. */
  money(amount: string | null | undefined): string {
    if (amount == null) return "—";
    const p = this.practice;
    return p ? formatMoney(amount, p.base_currency, p.locale) : amount;
  }

  number(value: string | null | undefined): string {
    if (value == null) return "—";
    return formatNumber(value, this.practice?.locale ?? "en");
  }
}

export const session = new Session();
