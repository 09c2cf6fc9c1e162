/**
 * A small strict checker of Prometheus' text exposition format (version 0.0.4), for the tests:
 * prom-client has no parser. Every line must be a `# HELP`, a `# TYPE`, another comment, a blank
 * line or a sample; names and label names must match the spec's grammar, label values must be
 * quoted with only `\\`, `\"` and `\n` escapes, values must be Go floats (incl. NaN, ±Inf);
 * each family has at most one HELP and one TYPE, the TYPE before its samples, a known type, and
 * its samples contiguous. Throws on the first violation (with the line number).
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string | undefined;
  type: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const FLOAT = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|NaN)$/;

function parseValue(s: string, where: string): number {
  if (!FLOAT.test(s)) throw new Error(`${where}: bad value ${JSON.stringify(s)}`);
  if (s === 'NaN') return NaN;
  if (s.endsWith('Inf')) return s.startsWith('-') ? -Infinity : Infinity;
  return Number(s);
}

/** The family a sample name belongs to (histogram/summary suffixes fold into their family). */
function familyOf(name: string, families: Map<string, Family>): string {
  for (const suf of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suf)) {
      const base = name.slice(0, -suf.length);
      const f = families.get(base);
      if (f !== undefined && (f.type === 'histogram' || f.type === 'summary')) return base;
    }
  }
  return name;
}

export function parsePrometheus(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Family>();
  const done = new Set<string>();
  let last: string | null = null;
  const fam = (name: string): Family => {
    let f = families.get(name);
    if (f === undefined) families.set(name, (f = { name, help: undefined, type: 'untyped', samples: [] }));
    return f;
  };
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (m === null) return; // a plain comment
      const [, kind, name, rest = ''] = m;
      if (!NAME.test(name!)) throw new Error(`${where}: bad metric name ${name}`);
      const f = fam(name!);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new Error(`${where}: second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`${where}: bad escape in HELP`);
        f.help = rest;
      } else {
        if (f.samples.length > 0) throw new Error(`${where}: TYPE after samples of ${name}`);
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
        if ((f as { typed?: boolean }).typed) throw new Error(`${where}: second TYPE for ${name}`);
        (f as { typed?: boolean }).typed = true;
        f.type = rest;
      }
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^]*\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (m === null) throw new Error(`${where}: not a sample: ${JSON.stringify(line)}`);
    const [, name, rawLabels, value] = m;
    const labels: Record<string, string> = {};
    if (rawLabels !== undefined) {
      let rest = rawLabels.slice(1, -1);
      while (rest !== '') {
        const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
        if (lm === null || !LABEL.test(lm[1]!)) throw new Error(`${where}: bad labels ${rawLabels}`);
        if (lm[1]! in labels) throw new Error(`${where}: duplicate label ${lm[1]}`);
        labels[lm[1]!] = lm[2]!.replace(/\\(["\\n])/g, (_s, c: string) => (c === 'n' ? '\n' : c));
        rest = rest.slice(lm[0].length);
      }
    }
    const fname = familyOf(name!, families);
    if (fname !== last) {
      if (done.has(fname)) throw new Error(`${where}: samples of ${fname} are not contiguous`);
      if (last !== null) done.add(last);
      last = fname;
    }
    fam(fname).samples.push({ name: name!, labels, value: parseValue(value!, where) });
  });
  return families;
}
