// Light, dark, or following the system. The palette lives in app.css under [data-theme].
export type ThemePreference = "system" | "light" | "dark";

const KEY = "scopebook.theme";
const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

export function themePreference(): ThemePreference {
  const stored = localStorage.getItem(KEY);
  return stored === "light" || stored === "dark" ? stored : "system";
}

function apply() {
  const pref = themePreference();
  const dark = pref === "dark" || (pref === "system" && systemDark.matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

export function setThemePreference(pref: ThemePreference) {
  if (pref === "system") localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, pref);
  apply();
}

/** Applies the saved preference now and follows the system while the preference is "system". */
export function startTheme() {
  apply();
  systemDark.addEventListener("change", apply);
}
