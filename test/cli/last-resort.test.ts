import { runMain } from '../../lib/cli/bin';
import { validateCname } from '../../lib/certificate/validate';
import { ValidationError } from '../../lib/problems';

// Issue #12 item 4: whatever a command throws, the CLI prints one line per problem, exit 1, never a stack trace.

async function run(thrown: unknown): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  const code = await runMain(['synth'], io, () => {
    throw thrown;
  });
  return { code, lines };
}

test('a ValidationError: its heading and one line per problem', async () => {
  const r = await run(new ValidationError([{ field: 'tls.cname', message: 'is empty', fix: 'set it' }], 'cannot synthesize x.yaml'));
  expect(r).toEqual({ code: 1, lines: ['error: cannot synthesize x.yaml:', 'error: tls.cname: is empty. Fix: set it'] });
});

test('a file-system error: the path, what it means and a fix', async () => {
  const r = await run(Object.assign(new Error('EACCES: permission denied, open \'/p/x\''), { code: 'EACCES', syscall: 'open', path: '/p/x' }));
  expect(r).toEqual({ code: 1, lines: ['error: cannot open /p/x: permission denied (EACCES) (fix: make /p writable for this user (see ls -ld /p), then run again)'] });
});

test('anything else: one shortened line that says it is a bug, no stack', async () => {
  const r = await run(new TypeError(`${'x'.repeat(300)}\n    at somewhere (file.js:1:1)`));
  expect(r.code).toBe(1);
  expect(r.lines).toEqual([`error: internal error in azureml-tls synth: ${'x'.repeat(200)}... (fix: this is a bug; please report it with the command you ran, without any key material)`]);
});

test('AZUREML_TLS_DEBUG=1 adds the stack after the one line', async () => {
  const before = process.env.AZUREML_TLS_DEBUG;
  process.env.AZUREML_TLS_DEBUG = '1';
  try {
    const r = await run(new RangeError('boom'));
    expect(r.code).toBe(1);
    expect(r.lines[0]).toBe('error: internal error in azureml-tls synth: boom (fix: this is a bug; please report it with the command you ran, without any key material)');
    expect(r.lines[1]).toMatch(/^RangeError: boom\n\s+at /);
  } finally {
    if (before === undefined) delete process.env.AZUREML_TLS_DEBUG;
    else process.env.AZUREML_TLS_DEBUG = before;
  }
});

test('a huge cname is shown shortened in its finding', () => {
  const [finding] = validateCname(`a/${'b'.repeat(10_000)}`).findings;
  expect(finding.message).toMatch(/^sslCname "a\/b+"\.\.\. \(10002 characters\) is not a plain host name: it has a path/);
  expect(finding.message.length).toBeLessThan(600);
});
