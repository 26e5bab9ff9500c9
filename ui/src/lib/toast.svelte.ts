// Short confirmations ("Service saved") in the corner; errors stay beside their fields.
export interface Toast {
  id: number;
  text: string;
  tone: "success" | "info" | "danger";
}

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  show(text: string, tone: Toast["tone"] = "success") {
    const id = this.#next++;
    this.items.push({ id, text, tone });
    setTimeout(() => (this.items = this.items.filter((t) => t.id !== id)), 3500);
  }
}

export const toasts = new Toasts();
