// Formatting of exact decimal strings from Rust. Money arrives already rounded; this file only
// lays the digits out the way the practice's locale writes them. No arithmetic on money here:
// a decimal string is never turned into a JavaScript number.

interface Pattern {
  /** Template parts for a negative amount, in order. */
  parts: Intl.NumberFormatPart[];
  group: string;
  decimal: string;
  primaryGroup: number;
  secondaryGroup: number;
  minFraction: number;
}

const patterns = new Map<string, Pattern>();

function pattern(locale: string, currency: string | null): Pattern {
  const key = `${locale}|${currency ?? ""}`;
  const cached = patterns.get(key);
  if (cached) return cached;
  const options: Intl.NumberFormatOptions = currency
    ? { style: "currency", currency }
    : { maximumFractionDigits: 20 };
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(locale, options);
  } catch {
    format = new Intl.NumberFormat("en", options);
  }
  // A template with both separators and a sign shows where everything goes.
  const parts = format.formatToParts(-1234567.5);
  const integers = parts.filter((p) => p.type === "integer").map((p) => p.value.length);
  const found: Pattern = {
    parts,
    group: parts.find((p) => p.type === "group")?.value ?? "",
    decimal: parts.find((p) => p.type === "decimal")?.value ?? ".",
    primaryGroup: integers.length > 1 ? integers[integers.length - 1] : 3,
    secondaryGroup: integers.length > 2 ? integers[integers.length - 2] : 3,
    minFraction: currency ? (format.resolvedOptions().minimumFractionDigits ?? 2) : 0,
  };
  patterns.set(key, found);
  return found;
}

interface Decimal {
  negative: boolean;
  integer: string;
  fraction: string;
}

function parseDecimal(text: string): Decimal | null {
  const match = /^\s*(-)?(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) return null;
  const integer = match[2].replace(/^0+(?=\d)/, "") || "0";
  const fraction = match[3] ?? "";
  const negative = match[1] === "-" && /[1-9]/.test(integer + fraction);
  return { negative, integer, fraction };
}

function groupDigits(integer: string, p: Pattern): string {
  if (!p.group || integer.length <= p.primaryGroup) return integer;
  const head = integer.slice(0, integer.length - p.primaryGroup);
  const groups = [integer.slice(integer.length - p.primaryGroup)];
  for (let end = head.length; end > 0; end -= p.secondaryGroup) {
    groups.unshift(head.slice(Math.max(0, end - p.secondaryGroup), end));
  }
  return groups.join(p.group);
}

function layout(text: string, locale: string, currency: string | null, minFraction?: number): string {
  const value = parseDecimal(text);
  if (!value) return text;
  const p = pattern(locale, currency);
  let fraction = value.fraction.replace(/0+$/, "");
  const wanted = minFraction ?? p.minFraction;
  if (fraction.length < wanted) fraction = fraction.padEnd(wanted, "0");
  let out = "";
  let numberWritten = false;
  for (const part of p.parts) {
    switch (part.type) {
      case "minusSign":
        if (value.negative) out += part.value;
        break;
      case "integer":
      case "group":
      case "decimal":
      case "fraction":
        if (!numberWritten) {
          out += groupDigits(value.integer, p);
          if (fraction) out += p.decimal + fraction;
          numberWritten = true;
        }
        break;
      case "literal":
        // Brackets and spaces belong to the sign pattern; keep spaces, drop a lone sign literal.
        if (value.negative || /\s/.test(part.value)) out += part.value;
        break;
      default:
        out += part.value;
    }
  }
  return out.trim();
}

/** `"1234.5"`, `"AUD"`, `"en-AU"` → `"$1,234.50"`. Extra decimals (unit prices) are kept. */
export function formatMoney(amount: string, currency: string, locale: string): string {
  return layout(amount, locale, currency);
}

/** A quantity or count in the locale's digits: `"12500"` → `"12,500"`. */
export function formatNumber(value: string, locale: string): string {
  return layout(value, locale, null, 0);
}

/** `"90"` minutes → `"1 h 30 min"`. */
export function formatMinutes(minutes: number): string {
  if (!Number.isFinite(minutes) || minutes <= 0) return "—";
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** The currency's symbol in the locale, for an input's prefix ("$", "£", "€"). */
export function currencySymbol(currency: string, locale: string): string {
  return pattern(locale, currency).parts.find((p) => p.type === "currency")?.value ?? currency;
}

const collator = new Intl.Collator(undefined, { numeric: true });
const sortKeys = new Map<string, string>();

/**
 * A text's sort key: compared with `<`, keys order texts as the collator does for the names a
 * firm keeps (accents and case set aside, numbers by value, spaces and punctuation before
 * digits before letters). Kept for the texts seen, so a sort reads each text's key once.
 */
function sortKey(text: string): string {
  let key = sortKeys.get(text);
  if (key === undefined) {
    key = /^[\x20-\x7e]*$/.test(text) ? plainKey(text) : unicodeKey(text);
    if (sortKeys.size > 50_000) sortKeys.clear();
    sortKeys.set(text, key);
  }
  return key;
}

/** A number's part of a key: its length first, so 9 comes before 10. */
function numberKey(digits: string): string {
  const value = digits.replace(/^0+(?=\d)/, "");
  return "0" + String.fromCharCode(0x30 + value.length) + value;
}

/** The key of a text in printable ASCII (most names), character by character. */
function plainKey(text: string): string {
  let key = "";
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
      key += numberKey(text.slice(i, end));
      i = end;
      continue;
    }
    if (c >= 65 && c <= 90) key += String.fromCharCode(c + 32);
    else if (c >= 97 && c <= 122) key += text[i];
    else if (c === 32) key += "\u0001";
    else key += "\u0002" + text[i];
    i++;
  }
  return key;
}

/** The key of any other text: accents set aside, then as `plainKey` does. */
function unicodeKey(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/\d+|\s|[^\p{L}\p{N}]/gu, (part) => {
      if (/\s/.test(part)) return "\u0001";
      if (!/\d/.test(part)) return "\u0002" + part;
      return numberKey(part);
    });
}

/**
 * Orders two texts as a reader expects ("Émile" beside "Emile", "client 10" after "client 9").
 * By sort key, with the collator only between texts whose keys tie ("acme" and "Acme"): the
 * webview's collator takes microseconds a comparison, and sorting 2,000 clients makes over
 * 20,000 of them.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const ka = sortKey(a);
  const kb = sortKey(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return collator.compare(a, b);
}

/** Orders two decimal strings by value without converting them to floating point. */
export function compareDecimal(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const pa = parseDecimal(a);
  const pb = parseDecimal(b);
  if (!pa || !pb) return compareText(a, b);
  if (pa.negative !== pb.negative) return pa.negative ? -1 : 1;
  const sign = pa.negative ? -1 : 1;
  if (pa.integer.length !== pb.integer.length) return sign * (pa.integer.length - pb.integer.length);
  if (pa.integer !== pb.integer) return sign * (pa.integer < pb.integer ? -1 : 1);
  const width = Math.max(pa.fraction.length, pb.fraction.length);
  const fa = pa.fraction.padEnd(width, "0");
  const fb = pb.fraction.padEnd(width, "0");
  return fa === fb ? 0 : sign * (fa < fb ? -1 : 1);
}

const formatters = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

/**
 * One formatter per locale and style, made on first use: building an Intl formatter costs far
 * more than using one, and a table formats a date on every row.
 */
function cached<F extends Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, locale: string, make: (locale: string) => F): F {
  const id = `${key}|${locale}`;
  let found = formatters.get(id) as F | undefined;
  if (!found) {
    try {
      found = make(locale);
    } catch {
      // A locale the engine doesn't know: written in English rather than not at all.
      found = make("en");
    }
    formatters.set(id, found);
  }
  return found;
}

/** An RFC 3339 timestamp as the locale writes a date and time: "22 Nov 2026, 9:15 am". */
export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return "—";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  return cached("datetime", locale, (l) => new Intl.DateTimeFormat(l, { dateStyle: "medium", timeStyle: "short" })).format(when);
}

/** The day of an RFC 3339 timestamp, in the user's time zone, as the locale writes it: "22 Nov 2026". */
export function formatDate(iso: string | null | undefined, locale: string): string {
  if (!iso) return "—";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  return cached("date", locale, (l) => new Intl.DateTimeFormat(l, { dateStyle: "medium" })).format(when);
}

/** A day (`"2026-11-30"`) as the locale writes it: "30 Nov 2026". */
export function formatDay(day: string | null | undefined, locale: string): string {
  if (!day) return "—";
  const [y, m, d] = day.split("-").map(Number);
  if (!y || !m || !d) return day;
  return cached("day", locale, (l) => new Intl.DateTimeFormat(l, { dateStyle: "medium", timeZone: "UTC" })).format(new Date(Date.UTC(y, m - 1, d)));
}

/** A month (`"2026-11"`) in short: "Nov 26". */
export function formatMonthShort(month: string, locale: string): string {
  const [y, m] = month.split("-").map(Number);
  if (!y || !m) return month;
  return cached("month-short", locale, (l) => new Intl.DateTimeFormat(l, { month: "short", year: "2-digit", timeZone: "UTC" })).format(new Date(Date.UTC(y, m - 1, 1)));
}

/** "just now", "5 minutes ago", "yesterday", … relative to `now`. */
export function formatRelative(iso: string | null | undefined, locale: string, now = new Date()): string {
  if (!iso) return "never";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  const seconds = Math.round((when.getTime() - now.getTime()) / 1000);
  if (Math.abs(seconds) < 45) return "just now";
  const rtf = cached("relative", locale, (l) => new Intl.RelativeTimeFormat(l, { numeric: "auto" }));
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === "minute") return rtf.format(Math.round(seconds / size), unit);
  }
  return "just now";
}
