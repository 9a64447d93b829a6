// Checks a Gemini generateContent body (POST /v1beta/models/{model}:generateContent) for what the
// gateway itself reads before routing: `contents` as a list of turns, each with a `parts` list.
// Nothing else: part kinds, generationConfig fields and new fields are the upstream's to judge.
// `:countTokens` may send the request wrapped as `generateContentRequest` instead.
import { invalidRequest } from '../../common/gateway-error';
import type { GeminiRequest } from '../../protocol/gemini-generate-content';
import { isObject } from '../../protocol/json-object';

export function validateGeminiRequest(body: unknown): GeminiRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object.');
  if (!Array.isArray(body.contents)) throw invalidRequest('contents: Field required, a list of Content', 'contents');
  body.contents.forEach((content, index) => {
    if (!isObject(content) || !Array.isArray(content.parts)) throw invalidRequest(`contents[${index}].parts: Field required, a list of Part`, `contents[${index}].parts`);
  });
  if (body.systemInstruction !== undefined && !(isObject(body.systemInstruction) && Array.isArray(body.systemInstruction.parts))) {
    throw invalidRequest('systemInstruction: must be a Content with a list of parts', 'systemInstruction');
  }
  if (body.tools !== undefined && !Array.isArray(body.tools)) throw invalidRequest('tools: must be a list of Tool', 'tools');
  if (body.generationConfig !== undefined && !isObject(body.generationConfig)) throw invalidRequest('generationConfig: must be an object', 'generationConfig');
  return body as GeminiRequest;
}

/** A countTokens body: `{contents}` or `{generateContentRequest:{model, contents, …}}`. */
export function validateGeminiCountRequest(body: unknown): GeminiRequest {
  if (isObject(body) && isObject(body.generateContentRequest)) {
    const { model: _model, ...inner } = body.generateContentRequest;
    return validateGeminiRequest(inner);
  }
  return validateGeminiRequest(body);
}
