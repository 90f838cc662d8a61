import type { Duplex } from 'node:stream';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  421: 'Misdirected Request',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error';
}

/** `HTTP/1.1 404 Not Found` + a plain-text body, closing the connection: the bytes, for sockets no HTTP parser owns. */
export function rawResponse(status: number, text: string): string {
  const body = `${text}\n`;
  return `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * The one way devtls answers on a raw HTTP/1.1 socket (a refused upgrade or CONNECT, a
 * request Node's parser rejected, plain HTTP on the TLS port): a short plain-text answer,
 * then the connection closes.
 */
export function writeRawResponse(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  if (socket.writable) socket.end(rawResponse(status, text));
  else socket.destroy();
}
