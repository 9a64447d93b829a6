import { bodyBeforeRouting, jsonText, rememberRawJson, rememberRoutingFields, rememberWithField } from './raw-json';

describe('raw JSON bodies', () => {
  it('gives back the text an object was parsed from, and serializes anything else', () => {
    const text = '{ "model": "m", "seed": 12345678901234567890 }';
    const parsed = JSON.parse(text) as object;
    rememberRawJson(parsed, text);
    expect(jsonText(parsed)).toBe(text);
    // A copy is another object: serialized, as every changed body is.
    expect(jsonText({ ...parsed })).toBe('{"model":"m","seed":12345678901234567000}');
  });

  it('appends a field to the kept text for a copy that adds it, and only then', () => {
    const text = '{ "model": "m", "seed": 12345678901234567890, "stream": true }\n';
    const parsed = JSON.parse(text) as Record<string, unknown>;
    rememberRawJson(parsed, text);
    const copy = { ...parsed, stream_options: { include_usage: true } };
    rememberWithField(parsed, copy, 'stream_options', '{"include_usage":true}');
    expect(jsonText(copy)).toBe('{ "model": "m", "seed": 12345678901234567890, "stream": true ,"stream_options":{"include_usage":true}}\n');
    expect(JSON.parse(jsonText(copy))).toEqual(JSON.parse(JSON.stringify(copy)));
    // Already named (even as a value), or nothing kept, or an empty object: serialized.
    for (const [source, key] of [['{"model":"m","x":"stream_options"}', 'stream_options'], ['{}', 'a']] as const) {
      const other = JSON.parse(source) as object;
      rememberRawJson(other, source);
      const added = { ...other, [key]: 1 };
      rememberWithField(other, added, key, '1');
      expect(jsonText(added)).toBe(JSON.stringify(added));
    }
    const unkept = { model: 'm' };
    const added = { ...unkept, stream_options: {} };
    rememberWithField(unkept, added, 'stream_options', '{}');
    expect(jsonText(added)).toBe(JSON.stringify(added));
  });

  it('keeps no text that has model, stream or include_usage as a key twice, where upstreams may read another value than the gateway did', () => {
    for (const text of ['{"model":"a","model":"b"}', '{"stream":false,"stream":true}', '{"model":"a", "x": {"model" :\n"b"}}', '{"stream_options":{"include_usage":false,"include_usage":true}}']) {
      const parsed = JSON.parse(text) as object;
      rememberRawJson(parsed, text);
      expect(jsonText(parsed)).toBe(JSON.stringify(parsed));
    }
    // A quoted word inside a string is escaped, and a value is no key: neither is a second key.
    const text = '{"model":"a","contents":[{"role":"model","parts":[{"text":"say \\"model\\" and \\"stream\\""}]}],"stream":true}';
    const parsed = JSON.parse(text) as object;
    rememberRawJson(parsed, text);
    expect(jsonText(parsed)).toBe(text);
  });
  it('knows the client body a routed copy was made from, only when the client did not name those fields itself', () => {
    const text = '{ "contents": [], "generationConfig": {"seed": 12345678901234567890} }';
    const body = JSON.parse(text) as object;
    rememberRawJson(body, text);
    const routed = { ...body, model: 'gemini-2.5-pro', stream: true };
    rememberRoutingFields(body, routed, ['model', 'stream']);
    expect(bodyBeforeRouting(routed)).toBe(body);
    expect(jsonText(bodyBeforeRouting(routed)!)).toBe(text);
    // Another copy (payload rules, a translator) was not made from the client's body by routing alone.
    expect(bodyBeforeRouting({ ...routed })).toBeUndefined();

    const naming = JSON.parse('{"contents": [], "stream": false}') as object;
    const routedOver = { ...naming, model: 'm', stream: true };
    rememberRoutingFields(naming, routedOver, ['model', 'stream']);
    expect(bodyBeforeRouting(routedOver)).toBeUndefined();
  });
});
