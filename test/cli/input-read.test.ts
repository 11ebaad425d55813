import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readInputText } from '../../lib/cli/args';
import { ReadFailureKind } from '../../lib/read-file';

// readInputText (lib/cli/args.ts): the reads of plan --current, dns --service and check --secret, bounded to 4 MiB.
describe('readInputText', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-input-read-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('reads a file, and standard input through the injected reader', () => {
    const file = path.join(dir, 'svc.json');
    fs.writeFileSync(file, '{}');
    expect(readInputText(file)).toEqual({ text: '{}' });
    expect(readInputText('-', () => 'kind: Secret\n')).toEqual({ text: 'kind: Secret\n' });
  });

  test('refuses injected standard input over the cap by its UTF-8 size', () => {
    expect(readInputText('-', () => 'é'.repeat(600), { maxBytes: 1000, what: 'a Secret manifest' }))
      .toEqual({ error: 'is 1200 bytes; a Secret manifest is at most 1000 bytes', kind: ReadFailureKind.TOO_LARGE });
    expect(readInputText('-', () => 'x'.repeat(4 * 1024 * 1024 + 1)))
      .toEqual({ error: 'is 4194305 bytes; an input document is at most 4 MiB', kind: ReadFailureKind.TOO_LARGE });
  });

  test('says why an injected reader failed', () => {
    const failing = () => {
      throw Object.assign(new Error('closed'), { code: 'EBADF' });
    };
    expect(readInputText('-', failing)).toEqual({ error: 'cannot be read (EBADF)', kind: ReadFailureKind.UNREADABLE });
    expect(readInputText('-', () => {
      throw new Error('no stdin in this test');
    })).toEqual({ error: 'cannot be read (no stdin in this test)', kind: ReadFailureKind.UNREADABLE });
  });

  test('keeps the words of a folder and a missing file; names a device', () => {
    expect(readInputText(dir)).toEqual({ error: 'is a folder', kind: ReadFailureKind.NOT_A_FILE });
    expect(readInputText(path.join(dir, 'none.json'))).toEqual({ error: 'does not exist', kind: ReadFailureKind.MISSING });
    expect(readInputText('/dev/zero')).toEqual({ error: 'is a character device, not a regular file', kind: ReadFailureKind.NOT_A_FILE });
  });
});
