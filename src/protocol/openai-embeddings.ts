// OpenAI's Embeddings API (POST /v1/embeddings), as openai-compatible servers (OpenAI, vLLM,
// Ollama, LM Studio, OpenRouter) speak it. The gateway passes the request through and the answer
// back as its bytes; these types say what it reads or checks on the way.

/**
 * What to embed: one text, several, or text already tokenized (one token array, or several).
 * OpenAI refuses an empty string or an empty array; so does the gateway, before any upstream call.
 */
export type EmbeddingsInput = string | string[] | number[] | number[][];

export interface EmbeddingsRequest {
  model: string;
  input: EmbeddingsInput;
  /**
   * `float` (arrays of numbers) or `base64` (little-endian float32s, base64-encoded). The
   * official openai SDK asks for base64 unless told otherwise, and decodes it itself.
   */
  encoding_format?: 'float' | 'base64';
  /** Fewer dimensions than the model's own (text-embedding-3 and later). */
  dimensions?: number;
  user?: string;
  /** Unknown fields pass to the upstream untouched (vLLM's `truncate_prompt_tokens`, …). */
  [field: string]: unknown;
}

export interface Embedding {
  object: 'embedding';
  index: number;
  /** Floats, or a base64 string when `encoding_format: "base64"` was asked for. */
  embedding: number[] | string;
}

export interface EmbeddingsUsage {
  prompt_tokens: number;
  total_tokens: number;
}

export interface EmbeddingsResponse {
  object: 'list';
  data: Embedding[];
  model: string;
  usage: EmbeddingsUsage;
}
