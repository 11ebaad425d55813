// `azureml-tls triage`: explains a failed install, upgrade or delete of the AzureML extension from its health check
// ConfigMap. The extension reports one code per failed check and no cause; for the TLS code the certificate checks
// of `check` run on the Secret azureml-fe reads, so the report names what is actually wrong with it.
import { Finding, formatFinding, Severity } from '../certificate/findings';
import { readSecretManifest } from '../certificate/secret-manifest';
import { validateTlsMaterial } from '../certificate/validate';
import { readConfig } from '../config/load';
import { planExtension, TlsDelivery } from '../plan';
import { formatProblem } from '../problems';
import { CodeInfo, describeCode, HealthCheck, HealthReport, isTlsCode, parseHealthcheck, tlsNumbering } from '../verify/healthcheck';
import { parse, parseAt, readInputText, required, str } from './args';
import { CommandIo } from './commands';

export const TRIAGE_USAGE = `Usage: azureml-tls triage --healthcheck FILE|- [--secret FILE|-] [--config FILE --env NAME | --cname NAME] [--json] [--at ISO-DATE]

  --healthcheck FILE   the health check ConfigMap (- reads standard input), as printed by
                       kubectl get configmap arcml-healthcheck -n azureml -o yaml   (or -o json, or kubectl describe)
  --secret FILE        the TLS Secret azureml-fe reads (- reads standard input), checked when a TLS code
                       (E40007, or E40004 before June 2022) failed:
                       kubectl get secret -n azureml SSLSECRET -o yaml | azureml-tls triage --healthcheck FILE --secret -
  --config FILE        the config file, with --env: takes the environment's tls.cname and Secret name
  --env NAME           the environment of --config the cluster was installed from
  --cname NAME         the sslCname instead of --config and --env
  --at DATE            check certificate validity at this time instead of now (ISO 8601)
  --json               print one JSON document (for CI)
  -h, --help           show this help

Names each failed check of each hook (pre-install, pre-upgrade, pre-rollback, pre-delete, test), what its code means
and what to do next; codes it does not know are shown with their message. Key material is never printed.
Exit codes: 0 every check passed, 1 any check failed (or the input is invalid), 2 unknown, missing or conflicting flags.`;

/** Where the cname and the Secret's name come from, when known. */
interface Target {
  readonly cname?: string;
  readonly secretName?: string;
  readonly delivery?: TlsDelivery;
  /** `environment NAME of FILE`, for messages. */
  readonly from?: string;
  /** `--config FILE --env NAME`, for the command printed. */
  readonly fromFlags?: string;
}

/** The certificate checks run for a TLS code. */
interface TlsTriage {
  readonly code: string;
  readonly numbering: string;
  readonly cname?: string;
  readonly secret?: string;
  readonly findings: Finding[];
  /** The command that fetches the Secret, when none was given. */
  readonly getSecret?: string;
  readonly note?: string;
}

/**
 * Runs triage on `argv` (the arguments after `triage`); returns the exit code. `stdin` reads standard input for
 * `-` (injectable for tests).
 */
export function runTriageCli(argv: string[], io: CommandIo, stdin?: () => string): number | Promise<number> {
  const v = parse(argv, {
    healthcheck: { type: 'string' }, secret: { type: 'string' }, config: { type: 'string' }, env: { type: 'string' },
    cname: { type: 'string' }, json: { type: 'boolean' }, at: { type: 'string' },
  }, TRIAGE_USAGE, io);
  if (!v) return 2;
  if (v.help) { io.out(TRIAGE_USAGE); return 0; }
  if (!required(v, ['healthcheck'], TRIAGE_USAGE, io)) return 2;
  const usage = (message: string) => { io.err(`error: ${message}`); io.err(TRIAGE_USAGE); return 2; };
  // Standard input can be read once: the ConfigMap and the Secret cannot both come from it.
  if (v.healthcheck === '-' && v.secret === '-') return usage('--healthcheck - and --secret - both read standard input (fix: save one to a file first)');
  if ((v.config === undefined) !== (v.env === undefined)) return usage('--config and --env go together (fix: name both, e.g. --config azureml-tls.yaml --env prod)');
  if (v.config !== undefined && v.cname !== undefined) return usage('give either --config and --env or --cname, not both (the environment has its cname)');
  for (const flag of ['secret', 'config', 'env', 'cname']) if (v[flag] === '') return usage(`--${flag} "" is empty`);
  const now = parseAt(v.at, io);
  if (now === null) return 1;
  const json = v.json === true;

  const hcPath = str(v.healthcheck) ?? '';
  const hcLabel = hcPath === '-' ? 'standard input' : hcPath;
  const hcText = readText(hcPath, stdin);
  if (hcText.text === undefined) {
    io.err(`error: health check ConfigMap ${hcLabel} cannot be read (${hcText.error}) (fix: kubectl get configmap arcml-healthcheck -n azureml -o yaml > healthcheck.yaml, or pipe it with --healthcheck -)`);
    return 1;
  }
  const parsed = parseHealthcheck(hcText.text, hcLabel);
  if (!parsed.ok) {
    io.err(`error: ${parsed.error}`);
    return 1;
  }

  let target: Target = { cname: str(v.cname)?.toLowerCase() };
  if (v.config !== undefined) {
    const t = targetFromConfig(str(v.config) ?? '', str(v.env) ?? '', now ?? new Date(), io);
    if (!t) return 1;
    target = t;
  }

  const failed = parsed.reports.flatMap((r) => r.checks.filter((c) => !c.passed).map((c) => ({ report: r, check: c })));
  const tlsFailure = failed.find((f) => isTlsCode(f.check.errorCode));
  let tls: TlsTriage | undefined;
  if (tlsFailure) {
    const t = triageTls(tlsFailure.check.errorCode ?? '', str(v.secret), target, hcPath, now ?? new Date(), stdin, io);
    if (!t) return 1;
    tls = t;
  }
  const checks = parsed.reports.reduce((n, r) => n + r.checks.length, 0);
  const passed = failed.length === 0;

  if (json) {
    io.out(JSON.stringify({
      passed,
      source: hcLabel,
      format: parsed.format,
      configMap: parsed.name,
      at: (now ?? new Date()).toISOString(),
      checks,
      failed: failed.length,
      reports: parsed.reports.map((r) => ({
        key: r.key, phase: r.phase, date: r.date, correlationId: r.correlationId,
        passed: r.checks.every((c) => c.passed),
        checks: r.checks.map((c) => ({ ...c, code: c.errorCode ? codeJson(describeCode(c.errorCode)) : undefined })),
      })),
      tls,
    }, null, 2));
    return passed ? 0 : 1;
  }

  io.out(`health check ${parsed.name ?? 'ConfigMap'} (${hcLabel}, ${parsed.format}): ${parsed.reports.length} report(s), ${checks} check(s), ${failed.length} failed`);
  for (const r of parsed.reports) for (const line of describeReport(r)) io.out(line);
  if (tls) for (const line of describeTls(tls)) io.out(line);
  if (passed) {
    io.out(checks === 0 ? 'ok: no check failed (the reports hold no check results yet)' : `ok: all ${checks} checks passed`);
    return 0;
  }
  const where = [...new Set(failed.map((f) => f.report.phase))].join(', ');
  io.out(`failed: ${failed.length} check(s) in ${where}: ${failed.map((f) => `${f.check.name}${f.check.errorCode ? ` ${f.check.errorCode}` : ''}`).join(', ')}`);
  return 1;
}

function describeReport(r: HealthReport): string[] {
  const bad = r.checks.filter((c) => !c.passed);
  const head = `${r.phase}: ${r.checks.length === 0 ? 'no check results' : bad.length === 0 ? `passed (${r.checks.length} check${r.checks.length === 1 ? '' : 's'})` : `FAILED (${r.checks.length - bad.length} passed, ${bad.length} failed)`}`;
  const lines = [`${head}${r.date ? `; report of ${r.date}` : ''}${r.correlationId && bad.length > 0 ? `; CorrelationId ${r.correlationId}` : ''}`];
  for (const c of bad) lines.push(...describeFailure(c));
  return lines;
}

function describeFailure(c: HealthCheck): string[] {
  const message = c.errorMessage ? ` "${c.errorMessage}"` : '';
  if (!c.errorCode) return [`  failed: ${c.name} (status ${c.status}, no error code)${message}`, '    next: kubectl logs healthcheck -n azureml'];
  const info = describeCode(c.errorCode);
  if (!info) {
    return [
      `  failed: ${c.name} ${c.errorCode} (unknown code)${message}`,
      '    meaning: not in the table this tool knows (Microsoft\'s troubleshooting table for the extension); the message above is all the report says',
      '    next: kubectl logs healthcheck -n azureml, and https://aka.ms/arcmltsg',
    ];
  }
  return [
    `  failed: ${c.name} ${info.code} ${info.name ?? '(not in Microsoft\'s table)'}${message}`,
    `    meaning: ${info.meaning}${info.documented ? '' : ' (read from the check\'s name and message)'}`,
    `    kind: ${info.blocking ? 'blocking (fix it, then retry the operation)' : 'diagnostic (the health check log has the details)'}`,
    `    next: ${info.next}`,
  ];
}

function describeTls(t: TlsTriage): string[] {
  const lines = [`TLS (${t.code}): ${t.numbering}`];
  if (t.note) lines.push(`  note: ${t.note}`);
  if (t.getSecret) {
    lines.push(`  next: fetch the Secret and run triage on it: ${t.getSecret}`);
    return lines;
  }
  lines.push(`  checked ${t.secret}${t.cname ? ` for cname ${t.cname}` : ' (cname not checked: pass --cname or --config and --env)'}`);
  const errors = t.findings.filter((f) => f.severity === Severity.ERROR);
  for (const f of errors) lines.push(`  cause: ${formatFinding(f)}`);
  for (const f of t.findings.filter((x) => x.severity !== Severity.ERROR)) lines.push(`  ${formatFinding(f)}`);
  if (errors.length === 0) {
    lines.push('  the Secret passes every certificate check, so the failure is in the settings: sslSecret names another Secret, '
      + 'sslCname differs from the cname checked here, or the Secret was created after the install started (compare az k8s-extension show -o json with the config, then retry)');
  }
  return lines;
}

function triageTls(code: string, secret: string | undefined, target: Target, hcPath: string, now: Date, stdin: (() => string) | undefined, io: CommandIo): TlsTriage | undefined {
  const base = { code, numbering: tlsNumbering(code), cname: target.cname };
  if (target.delivery === TlsDelivery.PEM_SETTINGS && secret === undefined) {
    return {
      ...base, findings: [],
      note: `${target.from} delivers the certificate through the protected settings sslCertPemFile / sslKeyPemFile, not a Secret`,
      getSecret: `azureml-tls check --cert CERT.pem --key KEY.pem --cname ${target.cname ?? 'CNAME'} (the files the environment's az script passes)`,
    };
  }
  if (secret === undefined) {
    const name = target.secretName ?? '<sslSecret>';
    const hc = hcPath === '-' ? 'healthcheck.yaml' : hcPath;
    const cname = target.fromFlags ? ` ${target.fromFlags}` : target.cname ? ` --cname ${target.cname}` : ' --cname <sslCname>';
    return {
      ...base, findings: [],
      note: target.secretName ? `${target.from} names the Secret ${target.secretName}` : 'the Secret\'s name is the sslSecret setting (az k8s-extension show -o json | grep -i sslSecret)',
      getSecret: `kubectl get secret -n azureml ${name} -o yaml | azureml-tls triage --healthcheck ${hc} --secret -${cname}`,
    };
  }
  const label = secret === '-' ? 'standard input' : secret;
  const read = readText(secret, stdin);
  if (read.text === undefined) {
    io.err(`error: Secret manifest ${label} cannot be read (${read.error}) (fix: kubectl get secret -n azureml ${target.secretName ?? 'SSLSECRET'} -o yaml > secret.yaml, or pipe it with --secret -)`);
    return undefined;
  }
  const m = readSecretManifest(read.text, label);
  if (m.findings.some((f) => f.code === 'secret-invalid')) {
    io.err(`error: ${formatFinding(m.findings.find((f) => f.code === 'secret-invalid') as Finding).replace(/^error: /, '')}`);
    return undefined;
  }
  const findings = [...m.findings];
  if (target.secretName && !m.label.endsWith(`/${target.secretName}`)) {
    findings.push({ severity: Severity.WARNING, code: 'secret-name', message: `${m.label} is not the Secret ${target.from} names (${target.secretName})`, fix: `fetch that one: kubectl get secret -n azureml ${target.secretName} -o yaml` });
  }
  // The certificate checks need both halves; a missing key (tls.crt / tls.key names) is already the cause.
  if (m.certificate && m.privateKey) {
    const report = validateTlsMaterial({ certificate: m.certificate, privateKey: m.privateKey, cname: target.cname, now, certificateLabel: `${m.label} cert.pem`, keyLabel: `${m.label} key.pem` });
    findings.push(...report.findings);
  }
  return { ...base, secret: m.label, findings };
}

function targetFromConfig(file: string, env: string, now: Date, io: CommandIo): Target | undefined {
  // Read only: triage never writes development certificates.
  const { config, problems } = readConfig(file, { now, readOnlyState: true });
  const e = config.environments.find((x) => x.name === env);
  if (!e) {
    for (const p of problems) io.err(`error: ${formatProblem(p)}`);
    const names = config.environments.map((x) => x.name);
    if (problems.length === 0 || names.length > 0) io.err(`error: ${file} has no environment ${JSON.stringify(env)} (environments: ${names.join(', ') || 'none'})`);
    return undefined;
  }
  const tls = e.props.tls;
  const fromFlags = `--config ${file} --env ${env}`;
  const from = `environment ${env} of ${file}`;
  if (!tls) return { from, fromFlags };
  const plan = planExtension({ ...e.props, now });
  const settings = plan.model?.settings as { readonly [key: string]: unknown } | undefined;
  const sslSecret = typeof settings?.sslSecret === 'string' ? settings.sslSecret : undefined;
  return { cname: tls.cname.toLowerCase(), secretName: sslSecret, delivery: plan.delivery, from, fromFlags };
}

// Bounded like every input (4 MiB, regular files only, standard input read at most that far): a ConfigMap or a
// Secret is a few KiB, and `--healthcheck /dev/zero` must end with an error, not fill the memory.
function readText(file: string, stdin: (() => string) | undefined): { text: string; error?: undefined } | { text?: undefined; error: string } {
  const read = readInputText(file, stdin, { what: file === '-' ? 'standard input' : 'the manifest' });
  return read.error === undefined ? { text: read.text } : { error: read.error };
}

function codeJson(info: CodeInfo | undefined) {
  return info ? { known: true, ...info } : { known: false };
}
