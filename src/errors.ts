/** What went wrong, as the CLI maps it to an exit code (README "Exit codes"). */
export type ErrorKind =
  | "usage"
  | "io"
  | "not-elf"
  | "not-go"
  | "malformed"
  | "unsupported"
  | "no-function"
  | "not-traceable"
  | "bpftrace"
  | "cannot-trace"
  | "internal";

/** Where in the input a problem was found: a section-relative offset, or a file offset when `section` is absent. */
export interface ErrorPlace {
  readonly file: string;
  readonly section?: string;
  readonly offset?: number;
}

/** The one error type goxray throws on purpose; everything else reaching the CLI is a bug. */
export class GoxrayError extends Error {
  readonly kind: ErrorKind;
  readonly file: string;
  readonly section: string | undefined;
  readonly offset: number | undefined;
  /** The message without the place, e.g. "unit header: DWARF version 6 is not supported". */
  readonly detail: string;

  constructor(kind: ErrorKind, place: ErrorPlace, detail: string) {
    super(renderPlace(place) + detail);
    this.name = "GoxrayError";
    this.kind = kind;
    this.file = place.file;
    this.section = place.section;
    this.offset = place.offset;
    this.detail = detail;
  }
}

/** `server: .debug_info+0x1a2f: ` or `server: offset 0x40: ` or `server: `. */
function renderPlace(place: ErrorPlace): string {
  const file = place.file === "" ? "" : `${place.file}: `;
  if (place.section !== undefined) {
    return place.offset === undefined
      ? `${file}${place.section}: `
      : `${file}${place.section}+0x${place.offset.toString(16)}: `;
  }
  return place.offset === undefined ? file : `${file}offset 0x${place.offset.toString(16)}: `;
}
