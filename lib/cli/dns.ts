// `azureml-tls dns`: the DNS record that points the sslCname at azureml-fe's load balancer. Spec section 5 (Operations,
// DNS): point the FQDN at the azureml-fe external IP; this turns `kubectl get svc` output into the record to create.
import { stringify as toYaml } from 'yaml';
import { Finding, formatFinding, Severity } from '../certificate/findings';
import { DEFAULT_DNS_TTL, KUBECTL_GET_SVC, planDnsRecord, readServiceAddress, RESOURCE_GROUP_PLACEHOLDER } from '../verify/dns';
import { parse, readInputText, required, str } from './args';
import { CommandIo } from './commands';

/** The usage text of `dns`, for `--help` and usage errors. */
export const DNS_USAGE = `Usage: azureml-tls dns --cname NAME --service FILE|- [--zone ZONE] [--resource-group RG] [--ttl N] [--external-dns] [--json]

  --cname NAME          the sslCname: the name the record creates
  --service FILE        the azureml-fe Service as JSON or YAML (- reads standard input):
                        ${KUBECTL_GET_SVC} | azureml-tls dns --cname NAME --service -
  --zone ZONE           the Azure DNS zone that holds the record (default: the cname without its first label;
                        a two-label cname such as example.com is the apex of its own zone)
  --resource-group RG   the resource group of the zone (default: a "$RESOURCE_GROUP" placeholder to set first)
  --ttl N               the record's TTL in seconds (default ${DEFAULT_DNS_TTL})
  --external-dns        also print an ExternalDNS DNSEndpoint (externaldns.k8s.io/v1alpha1; external-dns --source=crd)
                        inside a kubectl apply command
  --json                print one JSON document (for CI)
  -h, --help            show this help

Takes the load balancer address of the Service (status.loadBalancer.ingress[0]) and prints the record: A (AAAA for
IPv6) for an IP, CNAME for a host name, as az network dns record-set commands to paste. Changes nothing itself.
Then check it: azureml-tls verify --cname NAME (resolves the name and connects to it).
Exit codes: 0 printed, 1 invalid input (no address yet, not a LoadBalancer, not a Service, a bad name), 2 unknown or
missing flags.`;

/** Options of `dns`. */
export interface DnsCommandOptions {
  readonly cname: string;
  /** A file, or `-` for standard input. */
  readonly service: string;
  readonly zone?: string;
  readonly resourceGroup?: string;
  readonly ttl?: number;
  readonly externalDns?: boolean;
  readonly json?: boolean;
}

/** What `dns` reads besides files: injectable so tests give standard input without a process. */
export interface DnsCommandDeps {
  /** @default - reads file descriptor 0 */
  readonly readStdin?: () => string;
}

/** Parses the flags of `dns` and runs it. */
export function runDnsCli(argv: string[], io: CommandIo, deps: DnsCommandDeps = {}): number | Promise<number> {
  const v = parse(argv, {
    'cname': { type: 'string' }, 'service': { type: 'string' }, 'zone': { type: 'string' }, 'resource-group': { type: 'string' },
    'ttl': { type: 'string' }, 'external-dns': { type: 'boolean' }, 'json': { type: 'boolean' },
  }, DNS_USAGE, io);
  if (!v) return 2;
  if (v.help) { io.out(DNS_USAGE); return 0; }
  if (!required(v, ['cname', 'service'], DNS_USAGE, io)) return 2;
  if (v.ttl !== undefined && !/^[0-9]+$/.test(String(v.ttl))) {
    io.err(`error: --ttl ${JSON.stringify(v.ttl)} is not a whole number of seconds (fix: e.g. --ttl ${DEFAULT_DNS_TTL})`);
    io.err('no record was printed');
    return 1;
  }
  const ttl = v.ttl === undefined ? undefined : Number(v.ttl);
  return runDnsCommand({
    cname: str(v.cname) ?? '', service: str(v.service) ?? '', zone: str(v.zone), resourceGroup: str(v['resource-group']), ttl,
    externalDns: v['external-dns'] === true, json: v.json === true,
  }, io, deps);
}

/** Runs `dns`; returns 0 when the record was printed, 1 on invalid input. Prints addresses and names only. */
export function runDnsCommand(options: DnsCommandOptions, io: CommandIo, deps: DnsCommandDeps = {}): number {
  const label = options.service === '-' ? 'standard input' : options.service;
  const text = readText(options.service, deps);
  const read = 'finding' in text ? { findings: [text.finding] } : readServiceAddress(text.text, label);
  const planned = read.address
    ? planDnsRecord({ cname: options.cname, address: read.address, zone: options.zone, resourceGroup: options.resourceGroup, ttl: options.ttl })
    : { findings: [] };
  const findings: Finding[] = [...read.findings, ...planned.findings];
  const plan = 'plan' in planned ? planned.plan : undefined;
  const errors = findings.filter((f) => f.severity === Severity.ERROR).length;

  if (options.json) {
    io.out(JSON.stringify({
      ok: plan !== undefined,
      cname: plan?.fqdn ?? options.cname,
      service: read.address ? { name: read.address.service, type: read.address.type, address: read.address.value, addressKind: read.address.kind } : undefined,
      record: plan ? { zone: plan.zone, recordSetName: plan.recordSetName, type: plan.recordType, target: plan.target, ttl: plan.ttl } : undefined,
      resourceGroup: plan ? plan.resourceGroup ?? null : undefined,
      commands: plan?.commands ?? [],
      dnsEndpoint: plan && options.externalDns ? plan.dnsEndpoint : undefined,
      findings,
      errors,
      warnings: findings.length - errors,
    }, null, 2));
    return plan ? 0 : 1;
  }

  // Findings go to standard error, so standard output stays a script that can be piped to a shell or saved.
  for (const f of findings) io.err(formatFinding(f));
  if (!plan || !read.address) {
    io.err('no record was printed');
    return 1;
  }
  const what = plan.recordType === 'CNAME' ? `the host name ${plan.target}` : `the ${plan.recordType === 'A' ? 'IPv4' : 'IPv6'} address ${plan.target}`;
  io.out(`# ${read.address.service} answers on ${what}: point ${plan.fqdn} at it with ${plan.recordType === 'CNAME' ? 'a' : 'an'} ${plan.recordType} record`);
  io.out(`# record: ${plan.fqdn}. ${plan.ttl} IN ${plan.recordType} ${plan.target}${plan.recordType === 'CNAME' ? '.' : ''} (zone ${plan.zone}, record set ${plan.recordSetName})`);
  if (plan.resourceGroup === undefined) io.out(`# set the resource group of zone ${plan.zone} first: RESOURCE_GROUP=<name> (az network dns zone list -o table)`);
  if (plan.recordType !== 'CNAME') {
    // add-record adds to the set: an address left from an earlier load balancer would stay and get some of the traffic.
    io.out(`# add-record keeps addresses already in the set; list them with: az network dns record-set ${plan.recordType.toLowerCase()} show --resource-group ${plan.resourceGroup ?? RESOURCE_GROUP_PLACEHOLDER} --zone-name ${plan.zone} --name ${plan.recordSetName}`);
  }
  for (const c of plan.commands) io.out(c);
  if (options.externalDns) {
    io.out('# or let ExternalDNS (running with --source=crd) manage the record instead:');
    io.out('kubectl apply -f - <<\'EOF\'');
    for (const line of toYaml(plan.dnsEndpoint).trimEnd().split('\n')) io.out(line);
    io.out('EOF');
  }
  io.out(`# then check it: azureml-tls verify --cname ${plan.fqdn}`);
  return 0;
}

function readText(file: string, deps: DnsCommandDeps): { readonly text: string } | { readonly finding: Finding } {
  const read = readInputText(file, deps.readStdin);
  if (read.error === undefined) return { text: read.text };
  return {
    finding: {
      severity: Severity.ERROR,
      code: 'service-unreadable',
      message: `--service ${file === '-' ? '- (standard input)' : file} ${read.error}`,
      fix: `save the Service first: ${KUBECTL_GET_SVC} > azureml-fe.json, or pipe it: ${KUBECTL_GET_SVC} | azureml-tls dns --cname NAME --service -`,
    },
  };
}
