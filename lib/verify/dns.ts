import { isIP, isIPv4 } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { Finding, Severity } from '../certificate/findings';
import { validateCname } from '../certificate/validate';

/**
 * Pure planning of the DNS record that points the sslCname at azureml-fe's load balancer: from the text of
 * `kubectl get svc azureml-fe -n azureml -o json` (or `-o yaml`) to the record, the `az network dns record-set`
 * commands that create it, and an ExternalDNS `DNSEndpoint`. No I/O: the caller reads the file.
 *
 * Why: spec section 5 of the extension spec (Operations, DNS) says to point the FQDN (sslCname) at the azureml-fe
 * external IP (`kubectl get svc azureml-fe -n azureml`); it is the last manual step of an install, and some load
 * balancers hand out a host name instead of an IP, which needs a CNAME instead of an A record.
 */

/** The command that shows azureml-fe's address; repeated in fixes so each can be pasted. */
export const KUBECTL_GET_SVC = 'kubectl get svc azureml-fe -n azureml -o json';
/** `--ttl` when not given: short, so that a load balancer that gets a new address is followed within minutes. */
export const DEFAULT_DNS_TTL = 300;
/** Azure DNS accepts TTLs up to 2^31-1 seconds. */
const MAX_TTL = 2_147_483_647;
/** The placeholder printed when `--resource-group` is not given: the commands stay paste-able after `RESOURCE_GROUP=...`. */
export const RESOURCE_GROUP_PLACEHOLDER = '"$RESOURCE_GROUP"';

/** What azureml-fe's load balancer answers on. */
export interface ServiceAddress {
  /** `ip` for `status.loadBalancer.ingress[0].ip`, `hostname` for `.hostname`. */
  readonly kind: 'ip' | 'hostname';
  /** The IP address or host name (lower case, no trailing dot). */
  readonly value: string;
  /** The Service's `metadata.namespace/metadata.name`, for messages. */
  readonly service: string;
  /** The Service's `spec.type`. */
  readonly type: string;
}

/** A Service document read, or why not. */
export type ServiceRead = { readonly address: ServiceAddress; readonly findings: Finding[] } | { readonly address?: undefined; readonly findings: Finding[] };

const error = (code: string, message: string, fix: string): Finding => ({ severity: Severity.ERROR, code, message, fix });

/**
 * Reads the load balancer address from the text of a Service (JSON or YAML, as `kubectl get svc -o json|yaml` prints
 * it; a `List` holding azureml-fe is accepted too). `label` names the input in messages (a file name, or standard input).
 */
export function readServiceAddress(text: string, label: string): ServiceRead {
  if (text.trim() === '') {
    return { findings: [error('service-unreadable', `${label} is empty`, `save the Service first: ${KUBECTL_GET_SVC} > azureml-fe.json`)] };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // `-o yaml` is as common as `-o json`; YAML also covers JSON with comments or trailing text that JSON.parse refuses.
    try {
      doc = parseYaml(text);
    } catch {
      doc = undefined;
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { findings: [error('service-unreadable', `${label} is not a JSON or YAML object (is it the output of kubectl describe, or an error message?)`, `give the output of ${KUBECTL_GET_SVC}`)] };
  }
  let svc = doc as Record<string, unknown>;
  if (svc.kind === undefined && svc.apiVersion === undefined) {
    // `kubectl describe` text and kubectl's own errors ("Error from server (NotFound): ...") parse as YAML maps.
    return { findings: [error('service-unreadable', `${label} is not a Kubernetes object (no kind or apiVersion: is it the output of kubectl describe, or an error message?)`, `give the output of ${KUBECTL_GET_SVC}`)] };
  }
  if (svc.kind === 'List' && Array.isArray(svc.items)) {
    // `kubectl get svc -n azureml -o json` (no name) prints a List: take azureml-fe from it rather than refuse.
    const fe = svc.items.find((i) => isObject(i) && i.kind === 'Service' && isObject(i.metadata) && i.metadata.name === 'azureml-fe');
    if (!isObject(fe)) {
      return { findings: [error('not-a-service', `${label} is a List without the azureml-fe Service`, `give azureml-fe alone: ${KUBECTL_GET_SVC}`)] };
    }
    svc = fe;
  }
  if (svc.kind !== 'Service') {
    return { findings: [error('not-a-service', `${label} is not a Service (kind ${JSON.stringify(svc.kind ?? null)})`, `give the output of ${KUBECTL_GET_SVC}`)] };
  }
  const metadata = isObject(svc.metadata) ? svc.metadata : {};
  const name = `${typeof metadata.namespace === 'string' ? metadata.namespace : 'default'}/${typeof metadata.name === 'string' ? metadata.name : '(unnamed)'}`;
  const findings: Finding[] = [];
  if (metadata.name !== 'azureml-fe') {
    findings.push({ severity: Severity.WARNING, code: 'not-azureml-fe', message: `${label} is Service ${name}, not azureml/azureml-fe (the inference router that serves HTTPS)`, fix: `check that this is the router: ${KUBECTL_GET_SVC}` });
  }
  const spec = isObject(svc.spec) ? svc.spec : {};
  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
  if (type !== 'LoadBalancer') {
    // Nothing outside the cluster has an address for a NodePort or ClusterIP router: there is no record to print.
    const fix = type === 'NodePort'
      ? 'a NodePort router has no load balancer address: point the cname at your own load balancer or ingress in front of the node ports (then use its IP or host name), or reinstall the extension with inferenceRouterServiceType=loadBalancer'
      : 'a ClusterIP router is reachable inside the cluster only: expose it through your ingress controller and point the cname at that, or reinstall the extension with inferenceRouterServiceType=loadBalancer';
    return { findings: [...findings, error('service-not-load-balancer', `Service ${name} is of type ${type}, not LoadBalancer, so it has no external address`, fix)] };
  }
  const status = isObject(svc.status) ? svc.status : {};
  const lb = isObject(status.loadBalancer) ? status.loadBalancer : {};
  const ingress = Array.isArray(lb.ingress) ? lb.ingress.filter(isObject) : [];
  const first = ingress[0];
  const ip = first && typeof first.ip === 'string' && first.ip !== '' ? first.ip : undefined;
  const hostname = first && typeof first.hostname === 'string' && first.hostname !== '' ? first.hostname : undefined;
  if (!ip && !hostname) {
    return {
      findings: [...findings, error('service-pending', `Service ${name} has no load balancer address yet (status.loadBalancer.ingress is empty: EXTERNAL-IP <pending>)`,
        'wait until EXTERNAL-IP shows an address: kubectl get svc azureml-fe -n azureml -w; if it stays <pending>, look at its events: kubectl describe svc azureml-fe -n azureml')],
    };
  }
  if (ingress.length > 1) {
    findings.push({ severity: Severity.WARNING, code: 'several-addresses', message: `Service ${name} has ${ingress.length} load balancer addresses; the first (${ip ?? hostname}) is used`, fix: 'add the others to the same record set if clients should use them too' });
  }
  if (ip) {
    if (isIP(ip) === 0) {
      return { findings: [...findings, error('service-address-invalid', `Service ${name} has ${JSON.stringify(ip)} as load balancer ip, which is not an IP address`, `look at the Service: ${KUBECTL_GET_SVC}`)] };
    }
    if (isPrivate(ip)) {
      // spec section 5: a public FQDN with a private cluster is not supported; a private zone is where this belongs.
      findings.push({ severity: Severity.WARNING, code: 'private-address', message: `${ip} is a private address (an internal load balancer): clients outside the virtual network cannot reach it`, fix: 'put the record in an Azure private DNS zone linked to the clients\' network (az network private-dns record-set ...), not a public zone' });
    }
    return { address: { kind: 'ip', value: ip.toLowerCase(), service: name, type }, findings };
  }
  const host = (hostname as string).toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(host)) {
    return { findings: [...findings, error('service-address-invalid', `Service ${name} has ${JSON.stringify(hostname)} as load balancer hostname, which is not a host name`, `look at the Service: ${KUBECTL_GET_SVC}`)] };
  }
  return { address: { kind: 'hostname', value: host, service: name, type }, findings };
}

/** Options of {@link planDnsRecord}. */
export interface DnsPlanOptions {
  /** The sslCname (validated here). */
  readonly cname: string;
  /** Where it should point. */
  readonly address: ServiceAddress;
  /**
   * The DNS zone that holds the record.
   * @default - the cname without its first label (the zone itself for a two-label cname)
   */
  readonly zone?: string;
  /**
   * The resource group of the zone.
   * @default - the placeholder "$RESOURCE_GROUP"
   */
  readonly resourceGroup?: string;
  /** @default 300 */
  readonly ttl?: number;
}

/** The record to create. */
export interface DnsRecordPlan {
  /** The FQDN (the cname, lower case). */
  readonly fqdn: string;
  readonly zone: string;
  /** The record set name relative to the zone; `@` at the apex. */
  readonly recordSetName: string;
  readonly recordType: 'A' | 'AAAA' | 'CNAME';
  readonly target: string;
  readonly ttl: number;
  /** The resource group, or undefined when the placeholder is used. */
  readonly resourceGroup?: string;
  /** `az network dns record-set ...`, one command per element. */
  readonly commands: string[];
  /** The ExternalDNS manifest (an object; the CLI prints it as YAML). */
  readonly dnsEndpoint: DnsEndpoint;
}

/** An ExternalDNS `DNSEndpoint` (CRD source: external-dns runs with `--source=crd`). */
export interface DnsEndpoint {
  readonly apiVersion: 'externaldns.k8s.io/v1alpha1';
  readonly kind: 'DNSEndpoint';
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: { readonly endpoints: { readonly dnsName: string; readonly recordType: string; readonly targets: string[]; readonly recordTTL: number }[] };
}

/** Plans the record, or returns the findings that prevent it. */
export function planDnsRecord(options: DnsPlanOptions): { readonly plan?: DnsRecordPlan; readonly findings: Finding[] } {
  const findings: Finding[] = [];
  const name = validateCname(options.cname, '--cname');
  findings.push(...name.findings);
  const ttl = options.ttl ?? DEFAULT_DNS_TTL;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) {
    findings.push(error('ttl-invalid', `--ttl ${JSON.stringify(String(options.ttl))} is not a whole number of seconds from 1 to ${MAX_TTL}`, `e.g. --ttl ${DEFAULT_DNS_TTL}`));
  }
  const rg = options.resourceGroup;
  // Printed into shell commands: only what Azure allows in a resource group name, so nothing can be injected.
  if (rg !== undefined && (!/^[-\w.()]{1,90}$/.test(rg) || rg.endsWith('.'))) {
    findings.push(error('resource-group-invalid', `--resource-group ${JSON.stringify(rg)} is not a resource group name (1-90 letters, digits, '_', '-', '.', '(', ')'; not ending in '.')`, 'give the resource group of the DNS zone: az network dns zone list -o table'));
  }
  const cname = name.cname;
  if (cname === undefined) return { findings };
  const labels = cname.split('.');
  // A two-label cname (example.com) is taken as the apex of its own zone: its parent would be a top-level domain.
  const defaultZone = labels.length > 2 ? labels.slice(1).join('.') : cname;
  let zone = options.zone?.toLowerCase().replace(/\.$/, '') ?? defaultZone;
  if (options.zone !== undefined) {
    const z = validateCname(options.zone, '--zone');
    if (z.cname === undefined) {
      findings.push(error('zone-invalid', `--zone ${JSON.stringify(options.zone)} is not a DNS zone name`, `give the zone that holds ${cname}, e.g. --zone ${defaultZone}`));
    } else if (z.cname !== cname && !cname.endsWith(`.${z.cname}`)) {
      findings.push(error('zone-mismatch', `--zone ${z.cname} does not contain ${cname}`, `give a zone ${cname} ends with, e.g. --zone ${defaultZone}`));
    }
    zone = z.cname ?? zone;
  }
  const recordSetName = cname === zone ? '@' : cname.slice(0, -(zone.length + 1));
  const { address } = options;
  const recordType = address.kind === 'hostname' ? 'CNAME' : isIPv4(address.value) ? 'A' : 'AAAA';
  if (recordType === 'CNAME' && recordSetName === '@') {
    // RFC 1034: a CNAME cannot sit beside the SOA and NS records every zone apex has; Azure DNS refuses it too.
    findings.push(error('cname-at-apex', `${cname} is the apex of zone ${zone}, which cannot hold a CNAME (the apex has SOA and NS records), and azureml-fe's load balancer answers on the host name ${address.value}`,
      `use a name below the apex as sslCname (e.g. ml.${zone})${labels.length > 2 ? `, or, if ${zone} is a subzone, create the record in its parent: --zone ${labels.slice(1).join('.')}` : ''}`));
  }
  if (findings.some((f) => f.severity === Severity.ERROR)) return { findings };

  const group = rg ?? RESOURCE_GROUP_PLACEHOLDER;
  const where = `--resource-group ${group} --zone-name ${zone} --record-set-name ${recordSetName}`;
  const commands = recordType === 'CNAME'
    // A CNAME record set holds one record: set-record replaces it.
    ? [`az network dns record-set cname set-record ${where} --cname ${address.value} --ttl ${ttl}`]
    : [`az network dns record-set ${recordType.toLowerCase()} add-record ${where} --${recordType === 'A' ? 'ipv4' : 'ipv6'}-address ${address.value} --ttl ${ttl}`];
  const dnsEndpoint: DnsEndpoint = {
    apiVersion: 'externaldns.k8s.io/v1alpha1',
    kind: 'DNSEndpoint',
    metadata: { name: `azureml-fe-${cname.replace(/\./g, '-')}`.slice(0, 63).replace(/-+$/, ''), namespace: 'azureml' },
    spec: { endpoints: [{ dnsName: cname, recordType, targets: [address.value], recordTTL: ttl }] },
  };
  return { plan: { fqdn: cname, zone, recordSetName, recordType, target: address.value, ttl, resourceGroup: rg, commands, dnsEndpoint }, findings };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 1918 / RFC 6598 IPv4 and unique-local IPv6 (fc00::/7): addresses an internal load balancer hands out. */
function isPrivate(ip: string): boolean {
  if (isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number);
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  return /^f[cd]/i.test(ip);
}
