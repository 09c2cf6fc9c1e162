/**
 * Go 1.22 ServeMux patterns: parsing, matching and the "more specific" relation.
 *
 * A pattern is `[METHOD ][HOST]/[PATH]`. Path segments are literals, `{name}` (one segment),
 * `{name...}` (the rest of the path, last only), or `{$}` (the end of the path, after a trailing
 * slash). A pattern ending in `/` matches every path below it (an anonymous `{...}`).
 *
 * Segments are kept as in Go's net/http: a multi-segment wildcard is `multi`; `{$}` is the
 * literal segment "/" (the slash that ends the path).
 *
 * @module
 */

import { errPattern } from './errors.js';

/** One path segment of a pattern. */
export interface Segment {
  /** A wildcard (`{name}` or `{name...}`). */
  wild: boolean;
  /** A multi-segment wildcard (`{name...}`, or the anonymous one of a trailing slash). */
  multi: boolean;
  /** The literal (unescaped), or the wildcard's name ("" when anonymous). */
  s: string;
}

/** A parsed pattern. */
export interface Pattern {
  /** The pattern as registered. */
  str: string;
  /** Method ("" = any). */
  method: string;
  /** Host ("" = any). */
  host: string;
  segments: Segment[];
}

/** How two patterns relate (Go's `relationship`). */
export const enum Rel {
  Equivalent,
  MoreGeneral,
  MoreSpecific,
  Disjoint,
  Overlaps,
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;

function unescape(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Parses a pattern.
 *
 * @throws `HttpError` STRAND_ERR_PATTERN for an invalid pattern (Go panics likewise).
 */
export function parsePattern(str: string): Pattern {
  if (str.length === 0) throw errPattern(str, 'empty pattern');
  let rest = str;
  let method = '';
  const sp = rest.search(/[ \t]/);
  if (sp >= 0) {
    method = rest.slice(0, sp);
    rest = rest.slice(sp).trimStart();
    if (!TOKEN.test(method)) throw errPattern(str, `invalid method "${method}"`);
  }
  const slash = rest.indexOf('/');
  if (slash < 0) throw errPattern(str, 'host/path missing /');
  const host = rest.slice(0, slash);
  if (host.includes('{')) throw errPattern(str, 'host contains "{" (wildcards are not allowed in hosts)');
  let path = rest.slice(slash);
  const segments: Segment[] = [];
  const names = new Set<string>();
  while (path.length > 0) {
    path = path.slice(1); // the leading slash
    if (path.length === 0) {
      segments.push({ wild: true, multi: true, s: '' });
      break;
    }
    let i = path.indexOf('/');
    if (i < 0) i = path.length;
    const seg = path.slice(0, i);
    path = path.slice(i);
    const open = seg.indexOf('{');
    if (open < 0) {
      if (seg.includes('}')) throw errPattern(str, `bad segment "${seg}"`);
      segments.push({ wild: false, multi: false, s: unescape(seg) });
      continue;
    }
    if (open !== 0 || seg[seg.length - 1] !== '}') {
      throw errPattern(str, `bad wildcard segment "${seg}" (must be a full segment)`);
    }
    let name = seg.slice(1, -1);
    if (name === '$') {
      if (path.length !== 0) throw errPattern(str, '{$} not at end');
      segments.push({ wild: false, multi: false, s: '/' });
      break;
    }
    let multi = false;
    if (name.endsWith('...')) {
      multi = true;
      name = name.slice(0, -3);
      if (path.length !== 0) throw errPattern(str, '{...} wildcard not at end');
    }
    if (name === '') throw errPattern(str, 'empty wildcard');
    if (!IDENT.test(name)) throw errPattern(str, `bad wildcard name "${name}"`);
    if (names.has(name)) throw errPattern(str, `duplicate wildcard name "${name}"`);
    names.add(name);
    segments.push({ wild: true, multi, s: name });
  }
  return { str, method, host, segments };
}

function last(p: Pattern): Segment {
  return p.segments[p.segments.length - 1];
}

/**
 * Matches `path` (escaped, starting with "/") against `p`'s segments. On a match, pushes the
 * wildcard names and values on `out` (name, value, ...) and returns true.
 */
export function matchPath(p: Pattern, path: string, out: string[]): boolean {
  const segs = p.segments;
  let rest = path;
  const mark = out.length;
  for (let k = 0; k < segs.length; k++) {
    const seg = segs[k];
    if (seg.multi) {
      if (rest.length === 0) break;
      if (seg.s !== '') out.push(seg.s, unescape(rest.slice(1)));
      return true;
    }
    if (rest.length === 0) break;
    let s: string;
    if (rest === '/') {
      s = '/';
      rest = '';
    } else {
      let j = rest.indexOf('/', 1);
      if (j < 0) j = rest.length;
      s = unescape(rest.slice(1, j));
      rest = rest.slice(j);
    }
    if (seg.wild) {
      if (s === '/') break;
      out.push(seg.s, s);
    } else if (seg.s !== s) {
      break;
    }
    if (k === segs.length - 1 && rest.length === 0) return true;
  }
  out.length = mark;
  return false;
}

/** Whether a match of `p` on `path` is exact (Go's `exactMatch`, for trailing-slash redirects). */
export function exactMatch(p: Pattern, path: string): boolean {
  const l = last(p);
  if (!l.multi) return true;
  if (path.length > 0 && path[path.length - 1] !== '/') return l.s !== '';
  let slashes = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) slashes++;
  return p.segments.length === slashes;
}

/** Whether a pattern's method accepts a request method (GET also accepts HEAD). */
export function methodMatches(pm: string, m: string): boolean {
  return pm === '' || pm === m || (pm === 'GET' && m === 'HEAD');
}

function inverse(r: Rel): Rel {
  return r === Rel.MoreGeneral ? Rel.MoreSpecific : r === Rel.MoreSpecific ? Rel.MoreGeneral : r;
}

function combine(r1: Rel, r2: Rel): Rel {
  switch (r1) {
    case Rel.Equivalent:
      return r2;
    case Rel.Disjoint:
      return Rel.Disjoint;
    case Rel.Overlaps:
      return r2 === Rel.Disjoint ? Rel.Disjoint : Rel.Overlaps;
    default:
      if (r2 === Rel.Equivalent) return r1;
      if (r2 === inverse(r1)) return Rel.Overlaps;
      return r2;
  }
}

function compareSegments(a: Segment, b: Segment): Rel {
  if (a.multi && b.multi) return Rel.Equivalent;
  if (a.multi) return Rel.MoreGeneral;
  if (b.multi) return Rel.MoreSpecific;
  if (a.wild && b.wild) return Rel.Equivalent;
  if (a.wild) return b.s === '/' ? Rel.Disjoint : Rel.MoreGeneral;
  if (b.wild) return a.s === '/' ? Rel.Disjoint : Rel.MoreSpecific;
  return a.s === b.s ? Rel.Equivalent : Rel.Disjoint;
}

function comparePaths(p1: Pattern, p2: Pattern): Rel {
  const s1 = p1.segments;
  const s2 = p2.segments;
  if (s1.length !== s2.length && !last(p1).multi && !last(p2).multi) return Rel.Disjoint;
  let rel = Rel.Equivalent;
  const n = Math.min(s1.length, s2.length);
  for (let i = 0; i < n; i++) {
    rel = combine(rel, compareSegments(s1[i], s2[i]));
    if (rel === Rel.Disjoint) return rel;
  }
  if (s1.length === s2.length) return rel;
  if (s1.length < s2.length && last(p1).multi) return combine(rel, Rel.MoreGeneral);
  if (s2.length < s1.length && last(p2).multi) return combine(rel, Rel.MoreSpecific);
  return Rel.Disjoint;
}

function compareMethods(p1: Pattern, p2: Pattern): Rel {
  if (p1.method === p2.method) return Rel.Equivalent;
  if (p1.method === '') return Rel.MoreGeneral;
  if (p2.method === '') return Rel.MoreSpecific;
  if (p1.method === 'GET' && p2.method === 'HEAD') return Rel.MoreGeneral;
  if (p2.method === 'GET' && p1.method === 'HEAD') return Rel.MoreSpecific;
  return Rel.Disjoint;
}

/** How `p1` relates to `p2` in methods and paths (hosts are compared by the caller). */
export function compare(p1: Pattern, p2: Pattern): Rel {
  const m = compareMethods(p1, p2);
  if (m === Rel.Disjoint) return m;
  const p = comparePaths(p1, p2);
  if (p === Rel.Disjoint) return p;
  return combine(m, p);
}

/** A path both patterns match, for conflict messages (best effort). */
export function commonPath(p1: Pattern, p2: Pattern): string {
  const n = Math.max(p1.segments.length, p2.segments.length);
  let out = '';
  for (let i = 0; i < n; i++) {
    const a = p1.segments[i];
    const b = p2.segments[i];
    const lit = a !== undefined && !a.wild ? a : b !== undefined && !b.wild ? b : undefined;
    if (lit !== undefined) {
      if (lit.s === '/') return out + '/';
      out += '/' + lit.s;
    } else {
      out += '/x';
    }
  }
  return out || '/';
}
