/** Payloads come as text or bytes; bytes are UTF-8. */
const utf8 = new TextDecoder('utf-8');

export function payloadText(payload: string | Uint8Array): string {
  return typeof payload === 'string' ? payload : utf8.decode(payload);
}
