/**
 * Text from the binary (function, type, parameter and field names) in a bpftrace script. Any of it
 * may hold quotes, backslashes, newlines, `%`, a comment end, NUL or bytes that are not UTF-8
 * (docs/trace.md "Injection"), so it enters a script only through this file: as a string literal,
 * as printf format text when it is plainly safe, or as a comment with everything else escaped.
 */

/** The longest name goxray writes into a script; longer names are cut and marked. */
const MAX_NAME = 200;

/** `text` cut to MAX_NAME characters, with "…" when cut. */
function bounded(text: string): string {
  return text.length <= MAX_NAME ? text : `${text.slice(0, MAX_NAME)}…`;
}

/**
 * A bpftrace string literal that prints as `text`: `"` and `\` escaped, every other byte outside
 * printable ASCII written as `\xNN` of its UTF-8 encoding (bpftrace 0.17–0.27 decode `\xNN` in
 * literals). A NUL would end the string early, so it is written as the four characters `\x00`.
 * At most `maxBytes` bytes are printed (0.17 refuses a literal over 63): a longer text is cut and
 * ends in "…".
 */
export function stringLiteral(text: string, maxBytes = 1023): string {
  let latin = Buffer.from(bounded(text), "utf8").toString("latin1").replace(/\0/g, "\\x00");
  if (latin.length > maxBytes) {
    // Cut at a UTF-8 character boundary, then add "…" (3 bytes).
    let cut = Math.max(0, maxBytes - 3);
    while (cut > 0 && (latin.charCodeAt(cut) & 0xc0) === 0x80) cut--;
    latin = latin.substring(0, cut) + Buffer.from("…", "utf8").toString("latin1");
  }
  let out = '"';
  for (const ch of latin) {
    const byte = ch.charCodeAt(0);
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += "\\\\";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return out + '"';
}

/** `text` for a `//` comment: one line, printable ASCII, everything else as `\xNN` (or `\u{N}`). */
export function commentText(text: string): string {
  let out = "";
  for (const ch of bounded(text)) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x20 && code < 0x7f) out += ch;
    else out += code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  }
  return out;
}
