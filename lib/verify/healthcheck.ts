// Reading the AzureML extension's health check report: the `arcml-healthcheck` ConfigMap in namespace azureml, as
// `kubectl get configmap -o yaml|json` or `kubectl describe configmap` prints it. Pure: text in, facts out; no
// clock, no file system, no network. The meanings of the codes are this project's own summary of Microsoft's
// troubleshooting table for the extension (learn.microsoft.com how-to-troubleshoot-kubernetes-extension and the older
// Azure/AML-Kubernetes docs/troubleshooting.md), which is what users are pointed at by `TroubleShootingGuide:`.
import { parseAllDocuments } from 'yaml';

/** The data keys the health check writes, one per Helm hook (and `test` for `helm test`), in hook order. */
export const REPORT_KEYS = ['reports-pre-install', 'reports-pre-upgrade', 'reports-pre-rollback', 'reports-pre-delete', 'reports-test'] as const;

/** One `Status: ... Name: ...` line of a report. */
export interface HealthCheck {
  /** The checker's name, e.g. `instancetype`. */
  readonly name: string;
  /** `Passed`, `Failed`, or whatever else the checker wrote. */
  readonly status: string;
  readonly passed: boolean;
  /** @default - none (passed checks carry no code) */
  readonly errorCode?: string;
  /** @default - none */
  readonly errorMessage?: string;
}

/** The report of one hook. */
export interface HealthReport {
  /** The ConfigMap data key, e.g. `reports-pre-install`. */
  readonly key: string;
  /** The hook, e.g. `pre-install`. */
  readonly phase: string;
  /** `Date:` of the report, as written. @default - not written */
  readonly date?: string;
  /** `CorrelationId:`, which Microsoft support asks for. @default - not written */
  readonly correlationId?: string;
  readonly checks: HealthCheck[];
}

/** A parsed ConfigMap, or the one reason it cannot be read. */
export type HealthcheckParse =
  | { readonly ok: true; readonly format: 'yaml' | 'json' | 'describe'; readonly name?: string; readonly reports: HealthReport[] }
  | { readonly ok: false; readonly error: string };

/** What a health check code means and what to do next. */
export interface CodeInfo {
  readonly code: string;
  /** The symbolic name Microsoft's table gives the code; undefined when the table does not describe it. */
  readonly name?: string;
  readonly meaning: string;
  readonly next: string;
  /**
   * Codes under E45000 are blocking (the install stops); from E45000 they are diagnostic (read the health check log).
   */
  readonly blocking: boolean;
  /** False for a code in the documented range that Microsoft's table does not describe. */
  readonly documented: boolean;
}

/** The codes that mean the TLS settings are invalid: E40007 today, E40004 in releases before June 2022. */
export const TLS_CODES = ['E40007', 'E40004'] as const;

const LOGS = 'kubectl logs healthcheck -n azureml (the health check pod\'s log names the failing resource)';

// Written in this project's words; the table in Microsoft's docs is the source of the facts, not of the text.
const CODES: Record<string, Omit<CodeInfo, 'code' | 'blocking'>> = {
  E40000: { name: 'UNKNOWN_ERROR', documented: true, meaning: 'the health check failed for a reason it could not classify', next: `read ${LOGS}` },
  E40001: {
    name: 'LOAD_BALANCER_NOT_SUPPORT', documented: true,
    meaning: 'inferenceRouterServiceType is LoadBalancer, but the cluster cannot provision a load balancer',
    next: 'install a load balancer implementation (e.g. MetalLB on bare metal), or set extension.inferenceRouterServiceType to NodePort or ClusterIP',
  },
  E40002: {
    name: 'INSUFFICIENT_NODE', documented: true,
    meaning: 'too few healthy nodes match: inferenceRouterHA needs at least 3, or the nodeSelector matches too few',
    next: 'add nodes, fix extension.nodeSelector, or set extension.inferenceRouterHA: false on clusters with fewer than 3 nodes',
  },
  E40003: {
    name: 'INTERNAL_LOAD_BALANCER_NOT_SUPPORT', documented: true,
    meaning: 'internalLoadBalancerProvider is set, but only AKS supports an internal load balancer (provider azure only)',
    next: 'remove extension.internalLoadBalancerProvider unless the cluster is AKS, and use azure as its value there',
  },
  E40004: {
    name: 'INVALID_SSL_SETTING', documented: true,
    meaning: 'the TLS certificate or key is missing, unreadable or invalid, or does not cover sslCname (the number releases before June 2022 used; E40007 now)',
    next: 'check the Secret named by sslSecret (or the sslCertPemFile / sslKeyPemFile settings) against the cname',
  },
  E40005: { documented: false, meaning: 'a blocking check failed; Microsoft\'s table does not describe this code', next: `read the message and ${LOGS}` },
  E40006: { documented: false, meaning: 'a blocking check failed; Microsoft\'s table does not describe this code', next: `read the message and ${LOGS}` },
  E40007: {
    name: 'INVALID_SSL_SETTING', documented: true,
    meaning: 'the TLS certificate or key is invalid, or the certificate does not cover sslCname',
    next: 'check the Secret named by sslSecret (or the sslCertPemFile / sslKeyPemFile settings) against the cname',
  },
  E45001: {
    name: 'AGENT_UNHEALTHY', documented: true,
    meaning: 'some of the extension\'s own Pods, Jobs, Deployments, DaemonSets or StatefulSets are not healthy',
    next: `find the unhealthy resource: kubectl get pods -n azureml, kubectl get events -n azureml --sort-by=.lastTimestamp, and ${LOGS}`,
  },
  E45002: {
    name: 'PROMETHEUS_CONFLICT', documented: true,
    meaning: 'another Prometheus Operator is already installed and conflicts with the extension\'s',
    next: 'set extension.installPromOp: false and let the existing operator watch namespace azureml',
  },
  E45003: {
    name: 'BAD_NETWORK_CONNECTIVITY', documented: true,
    meaning: 'the cluster cannot reach the endpoints Azure Machine Learning needs (outbound network, proxy or private link)',
    next: 'open the outbound rules of Microsoft\'s network requirements for Kubernetes compute (and the private link DNS, if used)',
  },
  E45004: {
    name: 'AZUREML_FE_ROLE_CONFLICT', documented: true,
    meaning: 'a ClusterRole azureml-fe-role exists that the extension does not own, usually left by legacy AKS inference (v1)',
    next: 'remove the legacy azureml-fe components (ClusterRole azureml-fe-role, its binding and service account) before installing',
  },
  E45005: {
    name: 'AZUREML_FE_DEPLOYMENT_CONFLICT', documented: true,
    meaning: 'a Deployment azureml-fe exists that the extension does not own, usually left by legacy AKS inference (v1)',
    next: 'remove the legacy azureml-fe Deployment, Services, Secret azuremlfessl and ConfigMap azuremlfeconfig before installing',
  },
  // Not in the table; reported by users from the `instancetype` checker with "Failed to validate or update instancetype".
  E45006: {
    documented: false,
    meaning: 'the instance type check failed: the extension could not validate or update its InstanceType resources (the default instance type)',
    next: `list them with kubectl get instancetype -A, fix or remove invalid ones (nodeSelector, resources), and ${LOGS}`,
  },
  E49999: { name: 'CHECKER_PANIC', documented: true, meaning: 'a checker crashed instead of reporting', next: `read ${LOGS}; send it with the CorrelationId when asking Microsoft support` },
};

/** What a code means; undefined for a code outside the table (show its message as it is). */
export function describeCode(code: string): CodeInfo | undefined {
  const c = code.toUpperCase();
  const info = CODES[c];
  return info ? { code: c, ...info, blocking: c < 'E45000' } : undefined;
}

/** True for the codes of invalid TLS settings (either numbering). */
export function isTlsCode(code: string | undefined): boolean {
  return code !== undefined && (TLS_CODES as readonly string[]).includes(code.toUpperCase());
}

/** Which numbering a TLS code belongs to, for the message. */
export function tlsNumbering(code: string): string {
  return code.toUpperCase() === 'E40004'
    ? 'E40004 is the number of INVALID_SSL_SETTING in extension releases before June 2022 (E40007 since): the extension on this cluster is old, consider updating it'
    : 'E40007 is INVALID_SSL_SETTING (E40004 in extension releases before June 2022)';
}

/** Parses the text of a `kubectl get configmap arcml-healthcheck -n azureml -o yaml|json` or `kubectl describe`. */
export function parseHealthcheck(text: string, source: string): HealthcheckParse {
  if (text.trim() === '') return { ok: false, error: `${source} is empty (fix: pass the output of kubectl get configmap arcml-healthcheck -n azureml -o yaml)` };
  // describe output is not YAML (its `Data\n====` underline and `----` separators), so it is recognised first.
  if (/^Data\s*\r?\n=+\s*$/m.test(text) && /^Name:\s+\S+/m.test(text)) return fromData(describeData(text), 'describe', describeName(text), source);
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).flatMap((d) => {
      if (d.errors.length > 0) throw new Error(d.errors[0].message.split('\n')[0]);
      return [d.toJS() as unknown];
    });
  } catch (e) {
    return { ok: false, error: `${source} is not YAML, JSON or kubectl describe output: ${(e as Error).message} (fix: pass the output of kubectl get configmap arcml-healthcheck -n azureml -o yaml)` };
  }
  const objects = docs.flatMap((d) => (isObj(d) && d.kind === 'List' && Array.isArray(d.items) ? d.items : [d])).filter(isObj);
  const maps = objects.filter((o) => o.kind === 'ConfigMap');
  if (maps.length !== 1) {
    const kinds = objects.map((o) => String(o.kind ?? '(no kind)')).join(', ') || 'none';
    return { ok: false, error: `${source} is not a ConfigMap: it holds ${maps.length} ConfigMap objects (kinds found: ${kinds}) (fix: pass exactly one: kubectl get configmap arcml-healthcheck -n azureml -o yaml)` };
  }
  const meta = isObj(maps[0].metadata) ? maps[0].metadata : {};
  const data = isObj(maps[0].data) ? maps[0].data : {};
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (typeof v === 'string') strings[k] = v;
  return fromData(strings, text.trimStart().startsWith('{') ? 'json' : 'yaml', typeof meta.name === 'string' ? meta.name : undefined, source);
}

function fromData(data: Record<string, string>, format: 'yaml' | 'json' | 'describe', name: string | undefined, source: string): HealthcheckParse {
  // Hook order, then any other reports-* key a newer extension may add.
  const keys = [...REPORT_KEYS.filter((k) => k in data), ...Object.keys(data).filter((k) => k.startsWith('reports-') && !(REPORT_KEYS as readonly string[]).includes(k)).sort()];
  if (keys.length === 0) {
    const found = Object.keys(data);
    return {
      ok: false,
      error: `${source}: ConfigMap ${name ?? '(no name)'} has no health check reports (no data key ${REPORT_KEYS.join(', ')}; keys found: ${found.join(', ') || 'none'}) (fix: pass the arcml-healthcheck ConfigMap of namespace azureml; it is written when the extension is installed, updated or deleted)`,
    };
  }
  return { ok: true, format, name, reports: keys.map((k) => parseReport(k, data[k])) };
}

const CHECK_LINE = /^\s*Status:\s*(\S+)\s+Name:\s*(\S+)(?:\s+ErrorCode:\s*(\S+))?(?:\s+ErrorMessage:\s*(.*?))?\s*$/;

function parseReport(key: string, text: string): HealthReport {
  const checks: HealthCheck[] = [];
  let date: string | undefined;
  let correlationId: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = CHECK_LINE.exec(line);
    if (m) {
      checks.push({ status: m[1], name: m[2], passed: m[1].toLowerCase() === 'passed', errorCode: m[3]?.toUpperCase(), errorMessage: m[4] || undefined });
      continue;
    }
    const header = /^\s*(Date|CorrelationId):\s*(.*?)\s*$/.exec(line);
    if (header && header[2] !== '') {
      if (header[1] === 'Date') date = header[2];
      else correlationId = header[2];
    }
  }
  return { key, phase: key.slice('reports-'.length), date, correlationId, checks };
}

/** The data section of `kubectl describe configmap`: `key:` then a `----` line, then the value up to the next key. */
function describeData(text: string): Record<string, string> {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l, i) => /^Data\s*$/.test(l) && /^=+\s*$/.test(lines[i + 1] ?? ''));
  const data: Record<string, string> = {};
  let key: string | undefined;
  let value: string[] = [];
  const flush = () => {
    if (key !== undefined) data[key] = value.join('\n');
  };
  for (let i = start + 2; i < lines.length; i++) {
    const line = lines[i];
    // The sections after the data (BinaryData, Events) end it.
    if ((/^BinaryData\s*$/.test(line) && /^=+\s*$/.test(lines[i + 1] ?? '')) || /^Events:/.test(line)) break;
    const k = /^(\S[^:\s]*):\s*$/.exec(line);
    if (k && /^-+\s*$/.test(lines[i + 1] ?? '')) {
      flush();
      key = k[1];
      value = [];
      i++;
      continue;
    }
    value.push(line);
  }
  flush();
  return data;
}

function describeName(text: string): string | undefined {
  return /^Name:\s+(\S+)/m.exec(text)?.[1];
}

function isObj(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
