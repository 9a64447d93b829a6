// A request a translator cannot carry into the upstream's protocol without changing what it
// means (a hosted tool a chat model cannot run, server-side conversation state byokey does not
// keep): refused before anything is sent, with a message that says what to change. The API
// layer answers it as a 400 `invalid_request_error` (api/errors/to-gateway-error.ts).

export type TranslationRefusalCode =
  /** A request field the upstream protocol has no equivalent for. */
  | 'unsupported_parameter'
  /** A tool (hosted, or a shape) the upstream protocol cannot offer the model. */
  | 'unsupported_tool'
  /** An input item or content part the upstream protocol cannot carry. */
  | 'unsupported_input';

export class TranslationRefusal extends Error {
  readonly code: TranslationRefusalCode;
  /** The request field at fault, as a path (`tools[2]`, `input[4].content[1]`), or null. */
  readonly param: string | null;

  constructor(message: string, options: { code: TranslationRefusalCode; param?: string | null }) {
    super(message);
    this.name = 'TranslationRefusal';
    this.code = options.code;
    this.param = options.param ?? null;
  }
}
