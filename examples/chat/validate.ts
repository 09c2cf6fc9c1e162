/**
 * Input hygiene and name rules, shared by the TCP and the web side.
 *
 * Every line a client sends goes through {@link sanitize} before anything else looks at it:
 * invalid UTF-8 has already become U+FFFD (the decoder replaces it), lone UTF-16 surrogates
 * (possible in JSON from a browser) become U+FFFD too, tabs become spaces, and control
 * characters are removed: C0 and C1 controls, DEL, and every *format* character (Unicode
 * category Cf: the BOM, zero-width space/joiners, the bidirectional marks LRM/RLM/ALM and the
 * embedding, override and isolate controls, soft hyphen, invisible operators, tags...), which can
 * make a line display differently from what it says or hide text; the line and paragraph
 * separators U+2028/U+2029 (which break lines in some clients) become spaces. One exception:
 * ZERO WIDTH JOINER (U+200D) is kept inside an emoji sequence (👨‍👩‍👧), where it is what joins
 * the emoji, and removed everywhere else. The Hangul filler letters, which render as nothing,
 * are removed too.
 *
 * Nicks are unique by their {@link skeleton}, not their spelling: `lana` and `Iana`, `bob` and
 * `b0b`, `rnoe` and `moe` look alike in many fonts, so the second of each pair is "taken".
 *
 * @module
 */

/** Longest line a client may send, in bytes of UTF-8, not counting the line ending. */
export const MAX_LINE_BYTES = 4096;
/** Longest nick, in characters. */
export const MAX_NICK = 24;
/** Longest room name, in characters (without the leading `#`). */
export const MAX_ROOM = 32;

const controls = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
/** Format characters (Cf) except ZWJ between two emoji, which is what joins them. */
const formats = /(?!(?<=\p{Extended_Pictographic}[\p{M}\p{Emoji_Modifier}]*)\u200d(?=\p{Extended_Pictographic}))\p{Cf}/gu;
/** Letters that render as nothing (Hangul fillers), used to fake an empty or spaced text. */
const fillers = /[\u115f\u1160\u3164\uffa0]/g;
const separators = /[\u2028\u2029]/g;
const loneSurrogates = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const nickRe = /^[A-Za-z][A-Za-z0-9_-]*$/;
const roomRe = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Cleans one line of client input: lone surrogates → U+FFFD, tab → space, control characters
 * removed, surrounding white space trimmed.
 *
 * @param line - the decoded line, without its line ending.
 * @returns the cleaned line (possibly empty).
 * @example
 * ```ts
 * sanitize('hi\u0007 there\r'); // "hi there"
 * ```
 */
export function sanitize(line: string): string {
  return line.replace(loneSurrogates, '\ufffd').replace(/\t/g, ' ').replace(separators, ' ').replace(controls, '').replace(formats, '').replace(fillers, '').trim();
}

/**
 * Look-alike letters, folded to one representative (after NFKC and lowercasing): a small,
 * deliberate subset of Unicode TR39's confusables for what a nick may contain (ASCII letters,
 * digits, `_`, `-`), plus the Cyrillic and Greek letters that look like them, in case the nick
 * rules ever widen. Multi-letter look-alikes (`rn` → `m`, `vv` → `w`, `cl` → `d`) are folded
 * first.
 */
const FOLD: Record<string, string> = {
  '0': 'o', '1': 'l', i: 'l', '|': 'l', '5': 's',
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  ѕ: 's', і: 'l', ї: 'l', ј: 'j', ԁ: 'd', ԛ: 'g', ԝ: 'w', һ: 'h', ӏ: 'l',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'l', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
};
const multi = /rn|vv|cl/g;
const MULTI: Record<string, string> = { rn: 'm', vv: 'w', cl: 'd' };

/**
 * The form two nicks share when they look alike: NFKC, lowercase, multi-letter and single-letter
 * look-alikes folded (see `FOLD`), `_` and `-` kept. Nick uniqueness is checked on it.
 *
 * @example
 * ```ts
 * skeleton('Iana') === skeleton('lana'); // true
 * skeleton('B0B') === skeleton('bob');   // true
 * ```
 */
export function skeleton(nick: string): string {
  let out = '';
  for (const ch of nick.normalize('NFKC').toLowerCase()) out += FOLD[ch] ?? ch;
  // Pairs after single letters, so look-alikes of `r` and `n` (Cyrillic, fullwidth) meet too.
  return out.replace(multi, (m) => MULTI[m]!);
}

/**
 * Checks a nick against the rules: 1 to {@link MAX_NICK} ASCII letters, digits, `_` or `-`,
 * starting with a letter.
 *
 * @returns `null` if valid, else an error text for the user.
 */
export function checkNick(nick: string): string | null {
  if (nick.length === 0) return 'a nick cannot be empty';
  if (nick.length > MAX_NICK) return `nick "${clip(nick)}" is too long (max ${MAX_NICK} characters)`;
  if (!nickRe.test(nick)) {
    return `nick "${clip(nick)}" is invalid: use letters, digits, "_" or "-", starting with a letter`;
  }
  return null;
}

/**
 * The key under which a nick is unique across servers: its {@link skeleton}, so look-alikes are
 * one nick in Redis too. The Redis broker's claims and the hub's claims in flight use it.
 */
export function nickKey(nick: string): string {
  return skeleton(nick);
}

/**
 * Normalizes a room name (`#Go` and `go` are the same room, `go`) and checks it: 1 to
 * {@link MAX_ROOM} lowercase ASCII letters, digits, `_` or `-`, starting with a letter or digit.
 *
 * @returns `[room, null]` if valid, else `["", error text]`.
 */
export function normalizeRoom(name: string): [string, string | null] {
  const room = (name.startsWith('#') ? name.slice(1) : name).toLowerCase();
  if (room.length === 0) return ['', 'a room name cannot be empty'];
  if (room.length > MAX_ROOM) return ['', `room "${clip(name)}" is too long (max ${MAX_ROOM} characters)`];
  if (!roomRe.test(room)) {
    return ['', `room "${clip(name)}" is invalid: use letters, digits, "_" or "-"`];
  }
  return [room, null];
}

/** Shortens a rejected name for an error message. */
function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}
