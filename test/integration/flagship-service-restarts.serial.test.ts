/**
 * The flagship's production profile as tasks, 2 processes, with the Kafka broker and then the NATS
 * server restarted mid-run (issue 10): the job rides both out — nothing lost, nothing counted twice —
 * and `sluice validate` finds the HBase counts equal to the DuckDB recomputation from the union of
 * the tasks' files.
 *
 * The broker is restarted once a fifth of the records are read, the NATS server once 60 % are
 * (replays count). The broker and the NATS server are
 * this test's own (`PrivateServices`: scripts/services on other ports and another run folder), so
 * restarting them takes nothing away from other tests; HBase is the shared one.
 * A `.serial.test.ts` file: it runs alone, after the other tests.
 */
import { after, before, test } from 'node:test';
import { MALFORMED, TasksHarness } from './flagship-tasks-harness.ts';
import { recordsToRead, sleep, until } from './flagship-production.ts';
import { PrivateServices } from './private-services.ts';

const PARTITIONS = 4;
const TOTAL = Number(process.env.SLUICE_TEST_RESTARTS_EVENTS ?? 160_000);

let services: PrivateServices;
let h: TasksHarness;

before(async () => {
  services = await PrivateServices.create();
  await services.up('kafka', 'nats');
  h = new TasksHarness({ partitions: PARTITIONS, brokers: services.kafkaBrokers, env: services.pipelineEnv });
});

after(async () => {
  await h?.dispose();
  await services?.dispose();
});

void test('the flagship as tasks rides out a restart of the Kafka broker and of the NATS server: `sluice validate` is clean, every record archived once', { timeout: 720_000 }, async (t) => {
  await h.start('ft_restarts', TOTAL, 2);
  const total = recordsToRead(TOTAL, MALFORMED, PARTITIONS).total;
  const read = (share: number) =>
    until(`${share} of the records read`, 240_000, async () => {
      const n = await h.readByAll();
      return n >= share * total ? n : undefined;
    }, 100);

  // The broker: a graceful stop (controller and broker in one JVM), down for 5 s, started again on its data.
  const atKafka = await read(0.2);
  const kafkaDown = Date.now();
  await services.down('kafka');
  await sleep(5000);
  await services.up('kafka');
  const kafkaUp = Date.now();
  const atUp = await h.readByAll();
  await until('records read after the broker restart', 240_000, async () => ((await h.readByAll()) > atUp ? true : undefined), 250);
  t.diagnostic(`broker restarted at ${atKafka} of ${total} records read: down ${kafkaUp - kafkaDown} ms (stop, 5 s, start); reading again ${Date.now() - kafkaUp} ms after it was back`);

  // The NATS server: the experiments bucket every first-stage task watches, the alerts subject.
  const atNats = await read(0.6);
  const natsDown = Date.now();
  await services.down('nats');
  await sleep(3000);
  await services.up('nats');
  t.diagnostic(`NATS restarted at ${atNats} of ${total} records read (replays count): down ${Date.now() - natsDown} ms`);

  await h.drainAndValidate(t, TOTAL, h.procs);
});
