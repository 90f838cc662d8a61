import { createConnection, type Socket } from 'node:net';
import { UserError } from '../errors.js';
import { encode, lineReader, type ClientMessage, type InstanceMessage } from './protocol.js';

type Request = ClientMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;
type Reply = Exclude<InstanceMessage, { type: 'log' } | { type: 'requests' } | { type: 'stopping' }>;
type Event = Extract<InstanceMessage, { type: 'log' } | { type: 'requests' } | { type: 'stopping' }>;

/** A connection to the shared instance: requests with replies, and the events it sends. */
export class ControlConnection {
  private readonly socket: Socket;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private eventHandler: (event: Event) => void = () => undefined;
  /** Resolves when the connection is gone (the instance stopped or died, or we closed it). */
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on(
      'data',
      lineReader(
        (message) => this.receive(message as InstanceMessage),
        () => socket.destroy(),
      ),
    );
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        for (const { reject } of this.pending.values()) reject(new UserError('the devtls instance closed the connection'));
        this.pending.clear();
        resolve();
      }),
    );
    socket.on('error', () => socket.destroy());
  }

  /** Connect to the instance's socket; rejects with the socket error (ENOENT, ECONNREFUSED, EACCES…). */
  static connect(path: string): Promise<ControlConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new ControlConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  onEvent(handler: (event: Event) => void): void {
    this.eventHandler = handler;
  }

  /** Send a request; resolves with the reply, rejects with a UserError for an `error` reply. */
  request(message: Request): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(encode({ ...message, id } as ClientMessage));
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private receive(message: InstanceMessage): void {
    if (message.type === 'log' || message.type === 'requests' || message.type === 'stopping') {
      this.eventHandler(message);
      return;
    }
    const waiting = this.pending.get(message.id);
    if (waiting === undefined) return;
    this.pending.delete(message.id);
    if (message.type === 'error') waiting.reject(new UserError(message.message, { ...(message.hint === undefined ? {} : { hint: message.hint }), code: message.code ?? 'EINSTANCE' }));
    else waiting.resolve(message);
  }
}
