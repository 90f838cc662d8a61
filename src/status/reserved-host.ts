/** The name under which devtls serves its own status page; no route may take it. */
export const RESERVED_HOST = 'devtls.localhost';
