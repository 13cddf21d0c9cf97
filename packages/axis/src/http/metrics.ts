/**
 * A small Prometheus text-format registry: counters with labels, and gauges or counters whose
 * values are read at scrape time.
 */
export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly sampled: {
    type: "gauge" | "counter";
    name: string;
    help: string;
    read: () => Promise<{ labels: Record<string, string>; value: number }[]>;
  }[] = [];

  inc(name: string, help: string, labels: Record<string, string> = {}, by = 1): void {
    let c = this.counters.get(name);
    if (!c) {
      c = { help, values: new Map() };
      this.counters.set(name, c);
    }
    const key = formatLabels(labels);
    c.values.set(key, (c.values.get(key) ?? 0) + by);
  }

  gauge(
    name: string,
    help: string,
    read: () => Promise<{ labels: Record<string, string>; value: number }[]>,
  ): void {
    this.sampled.push({ type: "gauge", name, help, read });
  }

  /** A counter kept elsewhere (it only grows), read at scrape time. */
  counterReadAtScrape(
    name: string,
    help: string,
    read: () => Promise<{ labels: Record<string, string>; value: number }[]>,
  ): void {
    this.sampled.push({ type: "counter", name, help, read });
  }

  async render(): Promise<string> {
    const out: string[] = [];
    for (const [name, c] of this.counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of c.values) out.push(`${name}${labels} ${v}`);
    }
    for (const g of this.sampled) {
      out.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} ${g.type}`);
      try {
        for (const s of await g.read()) out.push(`${g.name}${formatLabels(s.labels)} ${s.value}`);
      } catch {
        // a failing read must not break the scrape
      }
    }
    return `${out.join("\n")}\n`;
  }
}

function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",")}}`;
}
