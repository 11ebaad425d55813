import { Finding, formatFinding, Severity } from '../certificate/findings';
import { CertificateFacts, KeyFacts } from '../certificate/inspect';
import { readPemFile } from '../certificate/read';
import { readSecretManifest } from '../certificate/secret-manifest';
import { TlsReport, validateTlsMaterial } from '../certificate/validate';
import { ReadFailureKind } from '../read-file';
import { readInputText } from './args';
import { CommandIo } from './commands';

/** Options of `check`. */
export interface CheckCommandOptions {
  /** The certificate file (chain, leaf first). @default - from `secret` */
  readonly cert?: string;
  /** The key file. @default - from `secret` */
  readonly key?: string;
  /** A Secret manifest file, or `-` for standard input. @default - `cert` and `key` are read */
  readonly secret?: string;
  /** @default - names are not checked */
  readonly cname?: string;
  /** @default - the current time */
  readonly now?: Date;
  /** Warnings count as errors. @default false */
  readonly strict?: boolean;
  /** Print one JSON document instead of the text report. @default false */
  readonly json?: boolean;
  /** Reads standard input (for `--secret -`). @default - fd 0 */
  readonly stdin?: () => string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Runs check: a report of the chain (subject, SANs, issuer, key, validity and days left, SHA-256 fingerprint), then
 * one `error:` / `warning:` line per finding. Returns 0 when usable, 1 on any error (or warning with `strict`).
 * Never prints key material.
 */
export function runCheckCommand(options: CheckCommandOptions, io: CommandIo): number {
  const now = options.now ?? new Date();
  const input = readInput(options);
  const report: TlsReport = input.certificate && input.privateKey && !input.findings.some((f) => f.severity === Severity.ERROR)
    ? validateTlsMaterial({ certificate: input.certificate, privateKey: input.privateKey, cname: options.cname, now, certificateLabel: input.certificateLabel, keyLabel: input.keyLabel })
    : { findings: [], chain: [] };
  const findings = [...input.findings, ...report.findings];
  const errors = findings.filter((f) => f.severity === Severity.ERROR).length;
  const warnings = findings.length - errors;
  const usable = errors === 0 && (!options.strict || warnings === 0);

  if (options.json) {
    io.out(JSON.stringify({
      usable,
      strict: options.strict === true,
      at: now.toISOString(),
      certificate: input.certificateLabel,
      key: input.keyLabel,
      cname: report.cname ?? options.cname?.toLowerCase(),
      chain: report.chain.map((c) => factsJson(c, now)),
      privateKey: report.key ? keyJson(report.key) : undefined,
      findings,
      errors,
      warnings,
    }, null, 2));
    return usable ? 0 : 1;
  }

  report.chain.forEach((c, i) => {
    for (const line of describeCertificate(c, i, report.chain.length, now)) io.out(line);
  });
  if (report.key) io.out(`key: ${describeKey(report.key)} (${input.keyLabel})`);
  if (report.cname) io.out(`cname: ${report.cname}`);
  for (const f of findings) io.out(formatFinding(f));
  const summary = `${errors} error(s), ${warnings} warning(s)`;
  io.out(usable
    ? `ok: usable${report.cname ? ` for ${report.cname}` : ''} (${summary}) at ${now.toISOString()}`
    : `not usable: ${summary}${options.strict && errors === 0 ? ' (--strict counts warnings as errors)' : ''}`);
  return usable ? 0 : 1;
}

interface CheckInput {
  readonly certificate?: Buffer;
  readonly privateKey?: Buffer;
  readonly certificateLabel: string;
  readonly keyLabel: string;
  readonly findings: Finding[];
}

function readInput(options: CheckCommandOptions): CheckInput {
  if (options.secret !== undefined) {
    const fromStdin = options.secret === '-';
    // Bounded (4 MiB, regular files only): the path may name /dev/zero or a FIFO, and standard input may not end.
    const read = readInputText(options.secret, options.stdin, { what: 'a Secret manifest' });
    if (read.error !== undefined) {
      const code = read.kind === ReadFailureKind.TOO_LARGE ? 'file-too-large' : read.kind === ReadFailureKind.UNREADABLE ? 'file-unreadable' : 'file-not-found';
      return { certificateLabel: options.secret, keyLabel: options.secret, findings: [{ severity: Severity.ERROR, code, message: `Secret manifest ${fromStdin ? '- (standard input)' : options.secret} ${read.error}`, fix: 'pass the output of kubectl get secret -n azureml NAME -o yaml, or - for standard input' }] };
    }
    const text = read.text;
    const m = readSecretManifest(text, fromStdin ? 'standard input' : options.secret);
    return { certificate: m.certificate, privateKey: m.privateKey, certificateLabel: `${m.label} cert.pem`, keyLabel: `${m.label} key.pem`, findings: m.findings };
  }
  const cert = readPemFile(options.cert ?? '', 'certificate');
  const key = readPemFile(options.key ?? '', 'key');
  return { certificate: cert.bytes, privateKey: key.bytes, certificateLabel: options.cert ?? '', keyLabel: options.key ?? '', findings: [...cert.findings, ...key.findings] };
}

function describeCertificate(c: CertificateFacts, index: number, count: number, now: Date): string[] {
  const role = index === 0 ? 'leaf' : c.selfSigned ? 'root' : index === count - 1 && c.isCa ? 'CA' : 'intermediate';
  const days = Math.floor((c.notAfter.getTime() - now.getTime()) / DAY_MS);
  const names = [...c.dnsNames.map((n) => `DNS:${n}`), ...c.ipAddresses.map((n) => `IP:${n}`)];
  return [
    `certificate ${index + 1} (${role}): ${c.subject}`,
    `  subjectAltName: ${c.hasSubjectAltName ? names.join(', ') || '(empty)' : '(none)'}`,
    `  issuer: ${c.issuer}${c.selfSigned ? ' (self-signed)' : ''}`,
    `  key: ${describeKey(c)}; signature: ${c.signatureAlgorithm}${c.isCa ? '; CA:TRUE' : ''}`,
    `  valid: ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()} (${days >= 0 ? `${days} days left` : `expired ${-days} days ago`})`,
    `  sha256 fingerprint: ${c.fingerprintSha256}`,
  ];
}

function describeKey(k: KeyFacts): string {
  return `${k.keyType.toUpperCase()}${k.keySize ? ` ${k.keySize} bits` : ''}${k.curve ? ` (${k.curve})` : ''}`;
}

function factsJson(c: CertificateFacts, now: Date) {
  return { ...c, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), daysLeft: Math.floor((c.notAfter.getTime() - now.getTime()) / DAY_MS) };
}

function keyJson(k: KeyFacts) {
  return { keyType: k.keyType, keySize: k.keySize, curve: k.curve };
}
