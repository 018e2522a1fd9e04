/**
 * docs/configuration.md, rendered from the convict schema (config/schema.ts) and the
 * shipped layers (config/*.yaml): every field with its default, its variable, its doc and
 * allowed values, and what each shipped file sets. `sluice config --docs` prints it; a test
 * (test/cli/config-docs.test.ts) fails when the committed page drifts from it.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatDuration } from '../../api/index.ts';
import { configFields } from './fields.ts';
import type { ConfigField } from './fields.ts';
import { loadRuntimeConfig } from './load.ts';

const OWN_CONFIG_DIR = fileURLToPath(new URL('../../../config/', import.meta.url));

const HEADER = `# Runtime configuration

<!-- Generated from config/schema.ts and config/*.yaml by \`npx sluice config --docs > docs/configuration.md\`;
     test/cli/config-docs.test.ts fails when this page drifts. Do not edit by hand. -->

The runtime (not a pipeline) is configured by a convict schema, \`config/schema.ts\`. Layers,
lowest first — each loaded and validated on its own, so a problem names its file:line:col,
variable or flag, with the field's doc:

1. the schema's defaults (the **default** column);
2. \`config/default.yaml\`;
3. \`config/<NODE_ENV>.yaml\` (\`NODE_ENV\` unset: \`development\`, which ships no file);
4. environment variables (the **variable** column); a secret may instead be read from the
   file named by \`<VARIABLE>_FILE\`;
5. \`--set a.b=c\` on the command line (repeatable; the last wins).

The YAML files come from \`./config/\` when it holds a \`default.yaml\`, else from the runtime's
own \`config/\`. \`npx sluice config [--set k=v]…\` prints every effective value and where it came
from; secrets print as \`[redacted]\`. An invalid value is left out (the layer below stays in
force) and reported, and \`sluice run\` refuses to start (exit 1); unknown keys are errors
(in a file or variable: exit 1; in \`--set\`: a usage error, exit 2). Durations are written as
in pipelines: \`250ms\`, \`10s\`, \`1m\`, \`3d\`.
`;

function shownDefault(field: ConfigField, value: unknown): string {
  if (field.sensitive) return value === '' ? '(none)' : '[redacted]';
  if (field.format === 'duration' && typeof value === 'number') return `\`${formatDuration(value)}\``;
  if (value === '') return '`""`';
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

/** Table-safe: pipes escaped, one line, `<` and `>` outside code spans shown as text, not tags. */
function cell(text: string): string {
  const escaped = text
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replace(/</g, '&lt;').replace(/>/g, '&gt;') : part))
    .join('`');
  return escaped.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The doc, its allowed values and the secret flag, in one cell. */
function description(field: ConfigField): string {
  const parts = [field.doc.trim()];
  if (field.values) parts.push(`One of ${field.values.map((v) => `\`${v}\``).join(', ')}.`);
  if (field.sensitive) parts.push('**Secret**: printed as `[redacted]`.');
  return cell(parts.join(' '));
}

/** What each shipped file sets, by field path: `default.yaml: 10s; test.yaml: 1s`. */
function shippedValues(): Map<string, string[]> {
  const envs = readdirSync(OWN_CONFIG_DIR)
    .filter((f) => f.endsWith('.yaml') && f !== 'default.yaml')
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
  const out = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const nodeEnv of ['development', ...envs]) {
    const loaded = loadRuntimeConfig({ env: {}, nodeEnv, configDir: OWN_CONFIG_DIR, cwd: OWN_CONFIG_DIR });
    for (const field of configFields()) {
      const origin = loaded.sources[field.path];
      if (origin?.kind !== 'file') continue;
      const name = origin.file.split(/[\\/]/).pop()!;
      const tag = `${field.path}\0${name}`;
      if (seen.has(tag)) continue;
      seen.add(tag);
      const value = field.path.split('.').reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], loaded.config);
      const list = out.get(field.path) ?? [];
      list.push(`${name}: ${shownDefault(field, value)}`);
      out.set(field.path, list);
    }
  }
  return out;
}

export function renderConfigReference(): string {
  const shipped = shippedValues();
  const sections = new Map<string, ConfigField[]>();
  for (const field of configFields()) {
    const section = field.path.split('.')[0]!;
    sections.set(section, [...(sections.get(section) ?? []), field]);
  }
  const body = [...sections].map(([section, fields]) => {
    const rows = fields.map((f) =>
      `| \`${f.path}\` | ${shownDefault(f, f.default)} | ${f.env ? `\`${f.env}\`` : '—'} | ${(shipped.get(f.path) ?? []).join('<br>') || '—'} | ${description(f)} |`,
    );
    return [`## \`${section}\``, '', '| field | default | variable | shipped files | what it does |', '|---|---|---|---|---|', ...rows].join('\n');
  });
  return `${HEADER}\n${body.join('\n\n')}\n`;
}
