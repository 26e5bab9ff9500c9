// Words for the catalogue's enums, as a bookkeeper reads them.
import type { Frequency } from "./bindings/Frequency";
import type { Pricing } from "./bindings/Pricing";
import type { PricingKind } from "./bindings/PricingKind";

export const frequencies: { value: Frequency; label: string; per: string }[] = [
  { value: "one_off", label: "One-off", per: "" },
  { value: "weekly", label: "Weekly", per: "/ week" },
  { value: "monthly", label: "Monthly", per: "/ month" },
  { value: "quarterly", label: "Quarterly", per: "/ quarter" },
  { value: "annually", label: "Annually", per: "/ year" },
];

export const pricingKinds: { value: PricingKind; label: string }[] = [
  { value: "fixed", label: "Fixed price" },
  { value: "per_unit", label: "Per unit" },
  { value: "hourly", label: "Hourly" },
  { value: "minimum", label: "From" },
  { value: "range", label: "Range" },
  { value: "banded", label: "By band" },
  { value: "included", label: "Included" },
];

export function frequencyLabel(f: Frequency): string {
  return frequencies.find((x) => x.value === f)?.label ?? f;
}

export function perPeriod(f: Frequency): string {
  return frequencies.find((x) => x.value === f)?.per ?? "";
}

/** "Fixed", "Per transaction · 3 tiers", "Hourly · 2.5 h". */
export function pricingSummary(p: Pricing, number: (v: string) => string): string {
  switch (p.kind) {
    case "fixed":
      return "Fixed";
    case "minimum":
      return "From (minimum)";
    case "included":
      return "Included, no charge";
    case "range":
      return "Range (estimate)";
    case "banded":
      return `By band · ${p.prices.length} bands`;
    case "hourly":
      return `Hourly · ${number(p.estimated_hours)} h`;
    case "per_unit": {
      const unit = p.unit_name.replace(/s$/, "");
      return p.tiers.length > 1 ? `Per ${unit} · ${p.tiers.length} tiers` : `Per ${unit}`;
    }
  }
}

/** What the typical quantity costs each period, as the catalogue lists it: "$450.00", or the
 * span core worked out for a range or a price by band ("$400.00–$600.00"). */
export function typicalPrice(
  s: { typical_total: string | null; typical_high: string | null },
  money: (v: string | null) => string,
): string {
  return s.typical_high ? `${money(s.typical_total)}–${money(s.typical_high)}` : money(s.typical_total);
}
