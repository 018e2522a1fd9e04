/**
 * The `KafkaClientFactory` on kafkajs 2.2.4: one `Kafka` instance per connection, its log
 * lines sent to the plugin's logger.
 */
import { Kafka } from './kafkajs.ts';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { Logger } from '../../core/api/index.ts';
import type { KafkaClientFactory, KafkaConnection } from './client.ts';
import { KafkajsConsumer } from './kafkajs-consumer.ts';
import { KafkajsAdmin, KafkajsProducer } from './kafkajs-producer.ts';
import { kafkajsLogCreator } from './kafkajs-logger.ts';
import { KafkajsTransactionalProducer } from './kafkajs-transactions.ts';

export { toFetchedBatch } from './kafkajs-consumer.ts';

function kafkaConfig(c: KafkaConnection, logger: Logger): KafkaConfig {
  const sasl = c.sasl ? ({ mechanism: c.sasl.mechanism, username: c.sasl.username, password: c.sasl.password } as SASLOptions) : undefined;
  return {
    brokers: [...c.brokers],
    clientId: c.clientId,
    logCreator: kafkajsLogCreator(logger),
    ...(c.connectionTimeoutMs !== undefined ? { connectionTimeout: c.connectionTimeoutMs } : {}),
    ...(c.requestTimeoutMs !== undefined ? { requestTimeout: c.requestTimeoutMs } : {}),
    ...(sasl ? { sasl } : {}),
    ...(c.tls ? { ssl: { ...c.tls } } : {}),
  };
}

/** A factory of kafkajs clients for one connection; kafkajs logs go to `logger`. */
export function createKafkajsClient(connection: KafkaConnection, logger: Logger): KafkaClientFactory {
  const kafka = new Kafka(kafkaConfig(connection, logger));
  return {
    consumer: (options) => new KafkajsConsumer(kafka, options),
    producer: (options) => new KafkajsProducer(kafka, options),
    transactionalProducer: (options) => new KafkajsTransactionalProducer(kafka, options),
    admin: () => new KafkajsAdmin(kafka),
  };
}
