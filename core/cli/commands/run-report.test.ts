import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resumeCommand, shellWord } from './run-report.ts';

void test('shellWord quotes only what a shell would read otherwise', () => {
  assert.equal(shellWord('pipelines/a.yaml'), 'pipelines/a.yaml');
  assert.equal(shellWord('checkpoint.interval=30s'), 'checkpoint.interval=30s');
  assert.equal(shellWord('my dir/p.yaml'), "'my dir/p.yaml'");
  assert.equal(shellWord("it's"), "'it'\\''s'");
  assert.equal(shellWord('a;rm -rf'), "'a;rm -rf'");
});

void test('resumeCommand repeats what resumes the run, and the run id when its state is under it', () => {
  assert.equal(resumeCommand({ file: 'p.yaml', set: [] }), 'npx sluice run p.yaml');
  assert.equal(
    resumeCommand({ file: 'p.yaml', set: ['log.level=warn', 'kafka.brokers=a b'], profile: 'prod', events: 10, allowPluginPath: true, runId: 'r-1' }),
    "RUN_ID=r-1 npx sluice --allow-plugin-path run p.yaml --profile prod --set log.level=warn --set 'kafka.brokers=a b' --events 10",
  );
});
