import { describe, expect, it } from "vitest";
import {
  compareText,
  compareDecimal,
  currencySymbol,
  formatDateTime,
  formatMinutes,
  formatMoney,
  formatNumber,
  formatRelative,
} from "./format";

describe("formatMoney", () => {
  it("lays out amounts in the practice's locale", () => {
    expect(formatMoney("1234.5", "AUD", "en-AU")).toBe("$1,234.50");
    expect(formatMoney("425.00", "AUD", "en-AU")).toBe("$425.00");
    expect(formatMoney("1234567.89", "GBP", "en-GB")).toBe("£1,234,567.89");
    expect(formatMoney("1234.5", "EUR", "de-DE")).toBe("1.234,50\u00a0€");
    expect(formatMoney("1234.5", "EUR", "en-IE")).toBe("€1,234.50");
  });

  it("writes decimal-comma locales as Rust's money.rs does (and reads them back)", () => {
    // The same strings as money.rs's digits_are_laid_out_as_the_ui_lays_them_out test.
    expect(formatMoney("-1234567.5", "ZAR", "en-ZA")).toBe("-R\u00a01\u00a0234\u00a0567,50");
    expect(formatNumber("-1234567.5", "en-ZA")).toBe("-1\u00a0234\u00a0567,5");
    expect(formatNumber("-1234567.5", "fr-FR")).toBe("-1\u202f234\u202f567,5");
    expect(formatNumber("-1234567.5", "nl-NL")).toBe("-1.234.567,5");
    expect(formatMoney("1234.5", "EUR", "de-DE")).toBe("1.234,50\u00a0€");
  });

  it("shows negatives with the locale's sign", () => {
    expect(formatMoney("-5", "USD", "en-US")).toBe("-$5.00");
    expect(formatMoney("-0.00", "USD", "en-US")).toBe("$0.00");
  });

  it("keeps every digit of a unit price and never rounds", () => {
    expect(formatMoney("0.125", "AUD", "en-AU")).toBe("$0.125");
    expect(formatMoney("99999999999999.99", "AUD", "en-AU")).toBe("$99,999,999,999,999.99");
  });

  it("uses the currency's places", () => {
    expect(formatMoney("1235", "JPY", "en-AU")).toBe("JPY\u00a01,235");
    expect(formatMoney("1235", "NZD", "en-NZ")).toBe("$1,235.00");
  });

  it("groups in lakhs where the locale does", () => {
    expect(formatNumber("1234567", "en-IN")).toBe("12,34,567");
  });

  it("leaves text that isn't a number alone", () => {
    expect(formatMoney("abc", "AUD", "en-AU")).toBe("abc");
  });
});

describe("formatNumber and helpers", () => {
  it("formats quantities without padding", () => {
    expect(formatNumber("12500", "en-AU")).toBe("12,500");
    expect(formatNumber("2.5", "en-AU")).toBe("2.5");
    expect(formatNumber("2.50", "de-DE")).toBe("2,5");
  });

  it("formats minutes as hours and minutes", () => {
    expect(formatMinutes(90)).toBe("1 h 30 min");
    expect(formatMinutes(240)).toBe("4 h");
    expect(formatMinutes(45)).toBe("45 min");
    expect(formatMinutes(0)).toBe("—");
  });

  it("finds the currency symbol", () => {
    expect(currencySymbol("GBP", "en-GB")).toBe("£");
    expect(currencySymbol("AUD", "en-AU")).toBe("$");
  });
});

describe("compareDecimal", () => {
  it("orders by value, not by text", () => {
    const values = ["10", "9.5", "-3", "100.01", "100.1", "0", null, "-10"];
    const sorted = [...values].sort(compareDecimal);
    expect(sorted).toEqual([null, "-10", "-3", "0", "9.5", "10", "100.01", "100.1"]);
  });
});

describe("dates", () => {
  it("formats timestamps and relative times", () => {
    expect(formatDateTime("2026-11-22T09:15:00Z", "en-GB")).toMatch(/22 Nov 2026/);
    expect(formatDateTime(null, "en-GB")).toBe("—");
    const now = new Date("2026-11-22T10:00:00Z");
    expect(formatRelative("2026-11-22T09:59:50Z", "en", now)).toBe("just now");
    expect(formatRelative("2026-11-22T09:55:00Z", "en", now)).toBe("5 minutes ago");
    expect(formatRelative("2026-11-22T07:00:00Z", "en", now)).toBe("3 hours ago");
    expect(formatRelative("2026-11-21T10:00:00Z", "en", now)).toBe("yesterday");
    expect(formatRelative(null, "en", now)).toBe("never");
  });
});

describe("compareText", () => {
  const collator = new Intl.Collator(undefined, { numeric: true });

  it("orders names as a reader expects", () => {
    const names = ["client 10", "Émile Roux", "client 9", "Acme", "acme", "Emile Rose", "Zed", "3D Studio", "A & B Co", "AB Co"];
    expect([...names].sort(compareText)).toEqual(["3D Studio", "A & B Co", "AB Co", "acme", "Acme", "client 9", "client 10", "Emile Rose", "Émile Roux", "Zed"]);
  });

  it("agrees with the collator on names made of letters, digits and spaces", () => {
    // Random names from a small alphabet, so ties, prefixes and numbers of every length meet.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ["a", "b", "B", "é", "E", "e", " ", "0", "1", "9", "07"];
    const names = Array.from({ length: 150 }, () =>
      Array.from({ length: 1 + Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(""),
    );
    for (const a of names) {
      for (const b of names) {
        expect(Math.sign(compareText(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(Math.sign(collator.compare(a, b)));
      }
    }
  });
});
