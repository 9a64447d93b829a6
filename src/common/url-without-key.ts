// A request URL fit for a log line: Google's clients may send their key as `?key=…` (the Gemini
// route accepts it), and a key must never reach a log. The value is replaced, the rest kept.

export function urlWithoutKey(url: string | undefined): string | undefined {
  if (url === undefined || !/[?&]key=/i.test(url)) return url;
  return url.replace(/([?&]key=)[^&#]*/gi, '$1[redacted]');
}
