export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`not an s3:// URI: "${uri}"`);
  return { bucket: m[1]!, key: m[2]! };
}

export const joinKey = (...parts: string[]): string =>
  parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
