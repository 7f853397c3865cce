/**
 * The cross-process wake-up of operation waiters: a Postgres NOTIFY on `atoll_operations` whose payload
 * is the operation id. Sent by the statement or transaction that settles the operation, so Postgres
 * delivers it at commit, when a re-read will see the new state. It only says "read again". The
 * statements that send it are in store.ts (`settleOperation`, `notifyOperationSql`).
 */
export const OPERATIONS_CHANNEL = 'atoll_operations';
