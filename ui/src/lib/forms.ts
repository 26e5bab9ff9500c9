// Saving a form: field problems go beside their fields, anything else to the form's banner.
import { tick } from "svelte";
import { ApiError } from "./api";

export type SaveOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; fields: Record<string, string>; failure: string | null };

/**
 * Runs `action`. When core refuses the input, returns its field problems and moves the focus
 * to the first field marked invalid in `form`; any other failure comes back as a sentence.
 */
export async function submit<T>(form: HTMLElement | undefined, action: () => Promise<T>): Promise<SaveOutcome<T>> {
  try {
    return { ok: true, value: await action() };
  } catch (e) {
    if (e instanceof ApiError && e.code === "invalid") {
      tick().then(() => form?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      return { ok: false, fields: e.fields, failure: null };
    }
    return { ok: false, fields: {}, failure: e instanceof Error ? e.message : String(e) };
  }
}
