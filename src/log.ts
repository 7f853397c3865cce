/** The JSON logger (pino). Credential-bearing fields are redacted wherever they appear. */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

const REDACT = [
  'authorization',
  'token',
  'secret',
  'password',
  '*.authorization',
  '*.token',
  '*.secret',
  '*.password',
  'headers.authorization',
  '*.headers.authorization',
  'envs',
  '*.envs',
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { svc: 'atoll' }, redact: { paths: REDACT, censor: '[redacted]' } },
    destination,
  );
}
