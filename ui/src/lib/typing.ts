import { untrack } from "svelte";

/** How long a list waits after the last key before it searches (ms). */
export const TYPING_PAUSE = 120;

/**
 * For a list screen's `$effect` over its search and filters: loads at once when the screen
 * opens or a filter changes (nothing is being typed), or after a pause in the typing; returns
 * the effect's cleanup, which cancels a search overtaken by the next key. What `load` reads is
 * not a dependency of the effect: only what the effect itself reads.
 */
export function loadAfterTyping(load: () => void, typing: boolean): () => void {
  if (!typing) {
    untrack(load);
    return () => {};
  }
  const timer = setTimeout(load, TYPING_PAUSE);
  return () => clearTimeout(timer);
}

/**
 * Resolves once what was just put on screen is shown: the next frame paints it, the one after
 * finds it on screen (with the webview's compositor the paint reaches the screen a frame
 * later). Or after 250 ms when no frame comes (a hidden window paints nothing). For work that
 * would otherwise hold up that paint.
 */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0)));
    setTimeout(resolve, 250);
  });
}
