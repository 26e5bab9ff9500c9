// Long tables render only the rows on screen (and a margin above and below); spacer rows keep
// the scrollbar and the scroll position true to the whole list. Lists up to `threshold` rows are
// rendered whole, so short lists (and search results) behave as plain tables.

/** Tracks which rows of a long table are on screen. Attach with `{@attach win.track}`. */
export class Windowed {
  /** First row rendered. */
  start = $state(0);
  /**
   * One past the last row rendered. The first paint draws a screenful (rows are rarely under
   * 32 px) without measuring; the overscan follows in the next frame.
   */
  end = $state(Math.ceil((typeof window === "undefined" ? 900 : window.innerHeight) / 32));
  /** Measured height of a body row, in pixels. */
  rowHeight = $state(45);

  /**
   * `overscan`: rows kept above and below the screen, so a scroll shows rows already laid out
   * while the next frame catches up (a third of a screen each way; more only slows the first
   * paint of the table).
   */
  constructor(
    private readonly threshold = 200,
    private readonly overscan = 8,
  ) {}

  /** Whether a list of `count` rows is windowed at all. */
  active(count: number): boolean {
    return count > this.threshold;
  }

  /** The rows to render. */
  slice<T>(items: T[]): T[] {
    return this.active(items.length) ? items.slice(this.start, Math.min(this.end, items.length)) : items;
  }

  /** Height of the spacer above the rendered rows. */
  top(count: number): number {
    return this.active(count) ? this.start * this.rowHeight : 0;
  }

  /** Height of the spacer below them. */
  bottom(count: number): number {
    return this.active(count) ? Math.max(0, count - Math.min(this.end, count)) * this.rowHeight : 0;
  }

  /** Follows the scrolling of the table's scroll container (the app's content pane). */
  track = (table: HTMLElement) => {
    const scroller: HTMLElement | Window = table.closest<HTMLElement>(".content") ?? window;
    let frame = 0;
    const update = () => {
      frame = 0;
      const row = table.querySelector<HTMLElement>("tbody tr:not(.spacer)");
      if (row && row.offsetHeight > 0) this.rowHeight = row.offsetHeight;
      const head = table.querySelector<HTMLElement>("thead")?.offsetHeight ?? 0;
      // How far the table's body has scrolled above the top of the window.
      const above = Math.max(0, -(table.getBoundingClientRect().top + head));
      const first = Math.max(0, Math.floor(above / this.rowHeight) - this.overscan);
      const shown = Math.ceil(window.innerHeight / this.rowHeight) + 2 * this.overscan;
      if (first !== this.start) this.start = first;
      if (first + shown !== this.end) this.end = first + shown;
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(update);
    };
    scroller.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    // Measured once the first rows are on screen, not before: their paint comes first.
    schedule();
    return () => {
      scroller.removeEventListener("scroll", schedule);
      window.removeEventListener("resize", schedule);
      if (frame) cancelAnimationFrame(frame);
    };
  };
}
