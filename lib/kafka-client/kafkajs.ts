/**
 * kafkajs for this folder: the same exports, with the read_committed fix installed first
 * (read-committed.ts). Import values from here, not from 'kafkajs'.
 */
import './read-committed.ts';

export { AssignerProtocol, CompressionTypes, Kafka, logLevel, PartitionAssigners, Partitioners } from 'kafkajs';
