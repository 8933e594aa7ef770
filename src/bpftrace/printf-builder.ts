import { stringLiteral } from "./literal.js";

/**
 * One bpftrace printf being built: its format text, its arguments, and the statements that compute
 * them into `$` variables first. Text from the binary goes in through `text`, which keeps `%` and
 * every byte outside printable ASCII out of the format (they become `%s` arguments that are string
 * literals), so no name can add a conversion or end the format early.
 */
export class PrintfBuilder {
  private format = "";
  private readonly args: string[] = [];
  private readonly statements: string[] = [];
  private readonly variables: { next: number };
  private readonly stringBytes: number;
  /** What the printf's arguments and the `$` variables take of the BPF stack, roughly (see stackBytes). */
  private stack = 0;

  /**
   * `stringBytes` is the size bpftrace gives every string value (BPFTRACE_STRLEN: 64 on 0.17);
   * `variables` is shared by every builder of one probe, so their `$` names never collide.
   */
  constructor(stringBytes = 64, variables: { next: number } = { next: 0 }) {
    this.stringBytes = stringBytes;
    this.variables = variables;
  }

  /**
   * An estimate of the BPF stack the printf needs: bpftrace 0.17 builds the arguments on the
   * 512-byte stack, a string (a literal, a map value, a ternary's result) twice (its value, then
   * its copy among the arguments: a probe with three such strings and a 64-byte buf() was
   * refused), a buf() as its size plus its length word, an integer or `$` variable as 8 bytes.
   */
  get stackBytes(): number {
    return this.stack;
  }

  /** Appends `text` to what is printed, exactly. */
  text(text: string): void {
    let run = "";
    const flush = (): void => {
      if (run === "") return;
      this.format += "%s";
      this.args.push(stringLiteral(run, this.stringBytes - 1));
      this.stack += 2 * this.stringBytes;
      run = "";
    };
    for (const ch of text) {
      const code = ch.codePointAt(0) ?? 0;
      if (code >= 0x20 && code < 0x7f && ch !== "%") {
        flush();
        this.format += ch === '"' ? '\\"' : ch === "\\" ? "\\\\" : ch;
      } else {
        run += ch;
      }
    }
    flush();
  }

  /** Appends one conversion (`%ld`, `%r`, …) printing `expression`; a buf() for %r and %rh holds `bufBytes`. */
  conversion(spec: "%ld" | "%lu" | "%lx" | "%s" | "%r" | "%rh", expression: string, bufBytes = 0): void {
    this.format += spec;
    this.args.push(expression);
    this.stack += spec === "%s" ? 2 * this.stringBytes : spec === "%r" || spec === "%rh" ? bufBytes + 8 : 8;
  }

  /** Computes `expression` into a new `$` variable before the printf, and returns its name. */
  variable(expression: string): string {
    const name = `$v${this.variables.next++}`;
    this.statements.push(`${name} = ${expression};`);
    this.stack += 8;
    return name;
  }

  /** A statement to run before the printf (an `if` that clamps a variable). */
  statement(code: string): void {
    this.statements.push(code);
  }

  /** Conditions under which a string was cut (its length over what is shown): see `withLengths`. */
  readonly cutConditions: string[] = [];

  /** The statements, then the printf with a newline; one per line, indented by `indent`. */
  render(indent: string): string {
    return [...this.statements, this.printf()].map((line) => indent + line).join("\n");
  }

  /**
   * This printf, or, when one of its strings is cut, `other` (the same values printed with their
   * lengths): bpftrace cannot turn a number into text, so the choice is two printfs. This
   * builder's statements run first (its conditions need them), `other`'s only in its branch.
   */
  renderUnlessCut(other: PrintfBuilder, indent: string): string {
    if (this.cutConditions.length === 0) return this.render(indent);
    const lines = [...this.statements, `if (${this.cutConditions.join(" || ")}) {`, ...other.statements.map((l) => `  ${l}`), `  ${other.printf()}`, "} else {", `  ${this.printf()}`, "}"];
    return lines.map((line) => indent + line).join("\n");
  }

  private printf(): string {
    return `printf(${['"' + this.format + '\\n"', ...this.args].join(", ")});`;
  }
}
