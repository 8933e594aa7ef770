/** Where a command writes: the process streams in the CLI, buffers in tests. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}
