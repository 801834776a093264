// types.mjs - the types a client generates from docs/openapi.json (TAP):
//
//   1. openapi-typescript (the pinned CLI) turns the document into api.d.ts,
//      in a temporary directory;
//   2. client.ts, a typical openapi-fetch client (create with the README's
//      body, list, get, join both ways, end, recordings by metadata, BBB's
//      XML as text, the event stream's types, problem+json errors), compiles
//      under tsc --strict --noEmit with no error at all;
//   3. client_errors.ts compiles too: each of its `// @ts-expect-error TSnnnn`
//      lines does fail (tsc reports an unused marker otherwise);
//   4. client_errors.ts without its markers fails exactly on the marked
//      lines, each with the error code its marker names, so a marker cannot
//      pass on some unrelated mistake;
//   5. Redocly's recommended rules find nothing in the document (except
//      operation-4xx-response: the probes and this document answer no 4xx).
//
// usage: node types.mjs OPENAPI_JSON (run from anywhere; the node_modules
// next to this file hold the pinned tools)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [docArg] = process.argv.slice(2);
if (!docArg) {
  console.error('usage: node types.mjs OPENAPI_JSON');
  process.exit(2);
}
const doc = resolve(docArg);
const modules = join(here, 'node_modules');

console.log('TAP version 13');
let n = 0;
let failed = 0;
function ok(cond, name, diag = []) {
  n += 1;
  if (!cond) failed += 1;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`);
  for (const line of diag) console.log(`# ${String(line).replace(/\n/g, '\n# ')}`);
}

const dir = mkdtempSync(join(tmpdir(), 'bbb-gateway-types-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
// the copies import "openapi-fetch" and "./api" as a client project would
symlinkSync(modules, join(dir, 'node_modules'), 'dir');

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 120000 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

// tsc --strict --noEmit on one file: its diagnostics as { file, line, code, text }.
function tsc(file) {
  const config = `tsconfig.${file}.json`;
  writeFileSync(join(dir, config), JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2022', 'DOM'],
      types: [],
      skipLibCheck: false,
    },
    files: [file],
  }));
  const r = run([join(modules, 'typescript', 'bin', 'tsc'), '-p', config, '--pretty', 'false']);
  const diags = [];
  for (const line of r.out.split('\n')) {
    const m = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
    if (m) diags.push({ file: m[1], line: Number(m[2]), code: m[3], text: m[4] });
  }
  // an exit status without a parsed diagnostic (a crash, a bad option) is a failure too
  if (r.status !== 0 && diags.length === 0) diags.push({ file, line: 0, code: 'tsc', text: r.out.trim() });
  return diags;
}
const shown = (d) => `${d.file}:${d.line}: ${d.code} ${d.text.slice(0, 300)}`;

// ---- 1. openapi-typescript ----
const gen = run([join(modules, 'openapi-typescript', 'bin', 'cli.js'), doc, '-o', join(dir, 'api.d.ts')]);
const version = JSON.parse(readFileSync(join(modules, 'openapi-typescript', 'package.json'), 'utf8')).version;
let api = '';
try {
  api = readFileSync(join(dir, 'api.d.ts'), 'utf8');
} catch {
  // reported below
}
ok(gen.status === 0 && api.includes('export interface paths'),
  `openapi-typescript ${version} generates api.d.ts from the document`, gen.status === 0 ? [] : [gen.out]);

// ---- 2. the typical client ----
writeFileSync(join(dir, 'client.ts'), readFileSync(join(here, 'client.ts')));
const tsVersion = JSON.parse(readFileSync(join(modules, 'typescript', 'package.json'), 'utf8')).version;
const clientDiags = tsc('client.ts');
ok(clientDiags.length === 0,
  `client.ts (openapi-fetch: create, list, get, join both ways, end, recordings by metadata, XML, events, problems) compiles under tsc ${tsVersion} --strict: ${clientDiags.length} errors`,
  clientDiags.map(shown));

// ---- 3. and 4. the lines that must not compile ----
const errorsSrc = readFileSync(join(here, 'client_errors.ts'), 'utf8');
const lines = errorsSrc.split('\n');
const expected = new Map(); // line number (1-based) of the line that must fail -> { code, what }
const bare = lines.map((line, i) => {
  const m = /^(\s*)\/\/ @ts-expect-error (TS\d+) (.*)$/.exec(line);
  if (!m) return line;
  expected.set(i + 2, { code: m[2], what: m[3] });
  return `${m[1]}// (marker removed)`;
});
const markers = lines.filter((l) => /^\s*\/\/ @ts-expect-error/.test(l)).length;
ok(markers === expected.size && expected.size >= 10,
  `client_errors.ts: ${expected.size} marked lines, each marker names the error code it expects`,
  markers === expected.size ? [] : [`${markers - expected.size} markers without "// @ts-expect-error TSnnnn what"`]);

writeFileSync(join(dir, 'client_errors.ts'), errorsSrc);
const withMarkers = tsc('client_errors.ts');
ok(withMarkers.length === 0, `client_errors.ts compiles: each of its ${expected.size} @ts-expect-error lines fails`,
  withMarkers.map(shown));

writeFileSync(join(dir, 'client_errors_bare.ts'), bare.join('\n'));
const bareDiags = tsc('client_errors_bare.ts');
for (const [line, { code, what }] of expected) {
  const got = bareDiags.filter((d) => d.line === line);
  const hit = got.some((d) => d.code === code);
  ok(hit, `does not compile: ${what} (line ${line}, ${code})`,
    hit ? [] : got.length > 0 ? got.map(shown) : ['the line compiles']);
}
const stray = bareDiags.filter((d) => !expected.has(d.line));
ok(stray.length === 0, 'client_errors.ts fails nowhere else', stray.map(shown));

// ---- 5. Redocly ----
try {
  const { createConfig, lint } = await import('@redocly/openapi-core');
  const config = await createConfig({
    extends: ['recommended'],
    // /healthz, /readyz and /v1/openapi.json answer 200 or 503, never a 4xx
    rules: { 'operation-4xx-response': 'off' },
  });
  const problems = await lint({ ref: doc, config });
  ok(problems.length === 0, `Redocly's recommended rules: ${problems.length} problems`,
    problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} ${p.location?.[0]?.pointer ?? ''}`));
} catch (e) {
  ok(false, "Redocly's recommended rules", [e.stack ?? String(e)]);
}

console.log(`1..${n}`);
console.log(`# ${n - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
