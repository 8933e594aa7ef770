/**
 * Text from the binary as goxray prints it for people (trace output, `funcs`, `check`): control
 * characters (C0, DEL, C1, U+2028 and U+2029) become `\xNN` or `\u{N}` and a backslash becomes
 * `\\`, so that a name can neither start a line of its own, and so forge an event or a row, nor
 * move the cursor; everything else, other scripts' letters included, is kept as it is.
 */
export function shownName(text: string): string {
  // A quick test first: almost every name is plain.
  if (!/[\0-\x1f\x7f-\x9f\u2028\u2029\\]/.test(text)) return text;
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code === 0x2028 || code === 0x2029) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return out;
}
