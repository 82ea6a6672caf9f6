// Strict reading of JSON whose root must be an object (our files, pcsd's answers).

export const isJsonObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse `text`; when it is not JSON or its root is not an object, `bad` (which throws) gets why. */
export function parseJsonObject(text: string, bad: (why: string) => never): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return bad(`invalid JSON (${(e as Error).message})`);
  }
  return isJsonObject(value) ? value : bad('the root is not a JSON object');
}
