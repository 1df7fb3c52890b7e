// Typed errors of the litmus runner: where in which file, and what was
// expected there.

export type LitmusErrorCode =
  | 'parse' //       the file is not a herd7 litmus test we can read
  | 'unsupported' // it parses, but uses something the model does not cover
  | 'bad-option' //  a command-line or API option is out of range
  | 'io'; //         the file cannot be read

export class LitmusError extends Error {
  override name = 'LitmusError';
  constructor(
    readonly code: LitmusErrorCode,
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly expected?: string,
  ) {
    super(
      (file !== undefined ? `${file}${line !== undefined ? `:${line}` : ''}: ` : '') +
        message +
        (expected !== undefined ? ` (expected ${expected})` : ''),
    );
  }
}
