// Keyboard shortcuts. `mod` is Ctrl on Windows/Linux and ⌘ on macOS.
const isMac = typeof navigator !== "undefined" && /Mac/.test(navigator.platform);

export const modKey = isMac ? "⌘" : "Ctrl";

/** Human label for a combo like "mod+s". */
export function label(combo: string): string {
  return combo
    .split("+")
    .map((k) => (k === "mod" ? modKey : k.length === 1 ? k.toUpperCase() : k))
    .join(isMac ? "" : "+");
}

function matches(event: KeyboardEvent, combo: string): boolean {
  const keys = combo.toLowerCase().split("+");
  const key = keys[keys.length - 1];
  const wantMod = keys.includes("mod");
  const mod = isMac ? event.metaKey : event.ctrlKey;
  if (wantMod !== mod || keys.includes("shift") !== event.shiftKey || event.altKey) return false;
  return event.key.toLowerCase() === key || (key === "esc" && event.key === "Escape");
}

function typing(event: KeyboardEvent): boolean {
  const el = event.target as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

/**
 * Calls `handler` on `combo`. Plain keys ("n", "/") are ignored while typing in a field;
 * combos with mod and Escape always work. Returns the function that removes the shortcut.
 */
export function shortcut(combo: string, handler: (e: KeyboardEvent) => void): () => void {
  const plain = !combo.includes("mod") && combo !== "esc";
  const listener = (event: KeyboardEvent) => {
    if (!matches(event, combo) || (plain && typing(event))) return;
    event.preventDefault();
    handler(event);
  };
  window.addEventListener("keydown", listener);
  return () => window.removeEventListener("keydown", listener);
}
