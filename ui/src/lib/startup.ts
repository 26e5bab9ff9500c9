// The start-up figure: once the first screen is interactive, Rust says how long ago the process
// started, and the window keeps it as a performance mark ("scopebook-first-screen", its detail
// the figure) for the figures bench to read.
import { api } from "./api";

let marked = false;

/** Call when the first screen's content is on screen; only the first call counts. */
export function firstScreenShown(): void {
  if (marked) return;
  marked = true;
  requestAnimationFrame(() => {
    api.startupTime().then(
      (time) => performance.mark("scopebook-first-screen", { detail: time }),
      () => {},
    );
  });
}
