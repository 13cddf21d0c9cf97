/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal and the output is not
 * JSON, so pipes, logs and CI output stay clean.
 */
export class Progress {
  readonly #enabled: boolean;
  readonly #total: number;
  readonly #label: string;
  #done = 0;

  constructor(label: string, total: number, { json = false }: { json?: boolean } = {}) {
    this.#enabled = !json && process.stderr.isTTY === true && total > 0;
    this.#total = total;
    this.#label = label;
  }

  /** Advances by `n` and shows `text` (e.g. the current item). */
  tick(text = "", n = 1): void {
    this.#done = Math.min(this.#total, this.#done + n);
    this.#draw(text);
  }

  /** Shows `text` without advancing. */
  note(text: string): void {
    this.#draw(text);
  }

  done(): void {
    if (this.#enabled) process.stderr.write("\r\x1b[2K");
  }

  #draw(text: string): void {
    if (!this.#enabled) return;
    const width = 24;
    const filled = Math.round((this.#done / this.#total) * width);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    const columns = process.stderr.columns ?? 80;
    const line = `${this.#label} ${bar} ${this.#done}/${this.#total} ${text}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, Math.max(10, columns - 1))}`);
  }
}
