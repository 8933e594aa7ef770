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

  /** `variables` is shared by every builder of one probe, so their `$` names never collide. */
  constructor(variables: { next: number } = { next: 0 }) {
    this.variables = variables;
  }

  /** Appends `text` to what is printed, exactly. */
  text(text: string): void {
    let run = "";
    const flush = (): void => {
      if (run === "") return;
      this.format += "%s";
      this.args.push(stringLiteral(run));
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

  /** Appends one conversion (`%ld`, `%r`, …) printing `expression`. */
  conversion(spec: "%ld" | "%lu" | "%lx" | "%s" | "%r" | "%rh", expression: string): void {
    this.format += spec;
    this.args.push(expression);
  }

  /** Computes `expression` into a new `$` variable before the printf, and returns its name. */
  variable(expression: string): string {
    const name = `$v${this.variables.next++}`;
    this.statements.push(`${name} = ${expression};`);
    return name;
  }

  /** A statement to run before the printf (an `if` that clamps a variable). */
  statement(code: string): void {
    this.statements.push(code);
  }

  /** The statements, then the printf with a newline; one per line, indented by `indent`. */
  render(indent: string): string {
    const printf = `printf(${['"' + this.format + '\\n"', ...this.args].join(", ")});`;
    return [...this.statements, printf].map((line) => indent + line).join("\n");
  }
}
