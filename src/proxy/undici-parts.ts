import type { Client as UndiciClient, Pool as UndiciPool } from 'undici';
import PoolClass from 'undici/lib/dispatcher/pool.js';
import ClientClass from 'undici/lib/dispatcher/client.js';

/**
 * undici's Pool and Client without the rest of the package: `import 'undici'` also loads
 * fetch, WebSocket, caches, mocks and interceptors, about 55 ms of start-up and 9 MiB of
 * memory devtls never uses (devtls only calls `dispatch`, which these classes carry
 * themselves). The bundle carries these modules itself, so the instance does not look up
 * and read undici's files one by one at start-up either.
 */
export const Pool = PoolClass;
export const Client = ClientClass;
export type Pool = UndiciPool;
export type Client = UndiciClient;
