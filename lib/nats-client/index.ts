/**
 * Plain library shared by the NATS plugins (not a plugin: it exports no definition).
 * Connection options and connecting, `{field}` templates, error classification, ack-subject
 * metadata and headers.
 */
export { natsConnectionFields, connectNats, closeNats, connectionOptions } from './connection.ts';
export type { NatsConnectionConfig } from './connection.ts';
export { compileTemplate, parseTemplate } from './template.ts';
export type { Template } from './template.ts';
export { classifyNatsError, jetStreamStatusClass } from './errors.ts';
export type { NatsErrorClass } from './errors.ts';
export { parseAckSubject } from './ack-subject.ts';
export type { AckInfo } from './ack-subject.ts';
export { headersToRow, activeTraceparent } from './headers.ts';
