import { Severity } from '../certificate/findings';
import { TlsCertificateSourceKind } from '../certificate/source';
import { findConfigFile, loadConfig } from '../config/load';
import { planExtension } from '../plan';
import { formatProblem, ValidationError } from '../problems';
import { CommandIo, reportConfigSearch } from './commands';

/** Options of `report`. */
export interface ReportCommandOptions {
  /** @default - found by findConfigFile(): $AZUREML_TLS_CONFIG, else ./azureml-tls.yaml */
  readonly config?: string;
  /** Exit 1 when a certificate expires within this many days. @default 30 */
  readonly days?: number;
  /** @default false */
  readonly json?: boolean;
  /** @default - the current time */
  readonly now?: Date;
}

/** One environment's certificate, as `report` shows it. */
export interface CertificateRow {
  /** The environment. */
  readonly environment: string;
  /** The sslCname, or '-' without TLS. */
  readonly cname: string;
  /** Where the certificate comes from (pemFiles, selfSigned, existingSecret, ...), or 'none'. */
  readonly source: string;
  /** secret, pemSettings, ... or '-'. */
  readonly delivery: string;
  /** The leaf's notAfter (ISO), when this tool sees the certificate. @default - not visible (managed in the cluster) */
  readonly notAfter?: string;
  /** Whole days left. @default - not visible */
  readonly daysLeft?: number;
  /** Finding codes and problems, errors first. */
  readonly findings: string[];
  /** Whether the row makes the report fail: expiring within the threshold, or unusable. */
  readonly failing: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The finding of a development certificate not in the state folder yet. */
export const NOT_CREATED_YET = 'not created yet: the next synth creates it (or adopts the one committed in the output)';

/**
 * Runs report: a table of every environment's certificate (cname, source, delivery, not-after, days left, findings).
 * Returns 1 when any certificate expires within `days` or is unusable, else 0.
 */
export function runReportCommand(options: ReportCommandOptions, io: CommandIo): number {
  const now = options.now ?? new Date();
  const days = options.days ?? 30;
  const search = findConfigFile({ config: options.config });
  if (!reportConfigSearch(search, io)) return 1;
  let rows: CertificateRow[];
  try {
    rows = reportRows(search.file, now, days);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    for (const p of e.problems) io.err(`error: ${formatProblem(p)}`);
    return 1;
  }
  const failing = rows.filter((r) => r.failing).length;
  if (options.json) {
    io.out(JSON.stringify({ at: now.toISOString(), days, failing, environments: rows }, null, 2));
  } else {
    const table = [
      ['ENVIRONMENT', 'CNAME', 'SOURCE', 'DELIVERY', 'NOT AFTER', 'DAYS LEFT', 'FINDINGS'],
      ...rows.map((r) => [r.environment, r.cname, r.source, r.delivery, r.notAfter ?? '-', r.daysLeft === undefined ? '-' : String(r.daysLeft), r.findings.join(', ') || 'ok']),
    ];
    const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
    for (const row of table) io.out(row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
    io.out(failing === 0
      ? `ok: ${rows.length} environment(s), none expires within ${days} days`
      : `${failing} of ${rows.length} environment(s) expire within ${days} days or are unusable`);
  }
  return failing === 0 ? 0 : 1;
}

/** The rows of the report, one per environment, in config order. */
export function reportRows(configFile: string, now: Date, days: number): CertificateRow[] {
  const config = loadConfig(configFile, { now, readOnlyState: true });
  return config.environments.map((env) => {
    const plan = planExtension(env.props);
    const tls = env.props.tls;
    // Read-only, a development certificate missing from the state folder is only made up in memory to check the
    // rest: its dates would be new on every run. Say that synth will make (or adopt) it instead.
    const resolved = plan.resolvedCertificate;
    const notStored = resolved?.kind === TlsCertificateSourceKind.SELF_SIGNED && resolved.material !== undefined && resolved.material.certificateFile === undefined;
    const leaf = notStored ? undefined : plan.certificateReport?.chain[0];
    const daysLeft = leaf ? Math.floor((leaf.notAfter.getTime() - now.getTime()) / DAY_MS) : undefined;
    const certificateErrors = notStored ? [] : plan.certificateReport?.findings.filter((f) => f.severity === Severity.ERROR) ?? [];
    const findings = [...new Set([
      ...(notStored ? [NOT_CREATED_YET] : []),
      ...certificateErrors.map((f) => f.code),
      ...plan.problems.filter((p) => p.field !== 'tls.certificate').map((p) => `${p.field}: ${p.message}`),
      ...(notStored ? [] : plan.warnings.map((f) => f.code)),
    ])];
    return {
      environment: env.name,
      cname: tls?.cname.toLowerCase() ?? '-',
      source: tls ? tls.certificate.kind : 'none',
      delivery: plan.delivery ?? '-',
      notAfter: leaf?.notAfter.toISOString(),
      daysLeft,
      findings,
      failing: plan.problems.length > 0 || (daysLeft !== undefined && daysLeft < days),
    };
  });
}
