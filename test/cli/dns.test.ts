import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DNS_USAGE, runDnsCli } from '../../lib/cli/dns';
import { main } from '../../lib/cli/bin';

// `azureml-tls dns` in-process with a capturing io, on hand-written `kubectl get svc azureml-fe -n azureml -o json`
// samples (test/fixtures/services). Nothing here touches the network or the clock.

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'services');
const IP = path.join(FIXTURES, 'azureml-fe-lb-ip.json');
const HOSTNAME = path.join(FIXTURES, 'azureml-fe-lb-hostname.json');
const IPV6 = path.join(FIXTURES, 'azureml-fe-lb-ipv6.yaml');
const PENDING = path.join(FIXTURES, 'azureml-fe-lb-pending.json');
const NODEPORT = path.join(FIXTURES, 'azureml-fe-nodeport.json');
const ELB = 'a5f0c9a537a2e4c1b9a570e2d8c1f3b6-1843120971.eu-west-1.elb.amazonaws.com';

interface Run { readonly code: number; readonly out: string[]; readonly err: string[] }

function dns(args: string[], stdin?: string): Run {
  const out: string[] = [];
  const err: string[] = [];
  const code = runDnsCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, { readStdin: () => stdin ?? '' });
  if (typeof code !== 'number') throw new Error('dns is synchronous');
  return { code, out, err };
}

/** The one `error:` line of a failed run, which must also say nothing was printed. */
function oneError(r: Run): string {
  expect(r.code).toBe(1);
  expect(r.out).toEqual([]);
  expect(r.err[r.err.length - 1]).toBe('no record was printed');
  const errors = r.err.filter((l) => l.startsWith('error: '));
  expect(errors).toHaveLength(1);
  return errors[0];
}

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'azml-dns-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('an IP load balancer: an A record', () => {
  test('prints the az command with the zone derived from the cname and the placeholder resource group', () => {
    const r = dns(['--cname', 'ML.Example.com', '--service', IP]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out).toEqual([
      '# azureml/azureml-fe answers on the IPv4 address 20.61.7.142: point ml.example.com at it with an A record',
      '# record: ml.example.com. 300 IN A 20.61.7.142 (zone example.com, record set ml)',
      '# set the resource group of zone example.com first: RESOURCE_GROUP=<name> (az network dns zone list -o table)',
      '# add-record keeps addresses already in the set; list them with: az network dns record-set a show --resource-group "$RESOURCE_GROUP" --zone-name example.com --name ml',
      'az network dns record-set a add-record --resource-group "$RESOURCE_GROUP" --zone-name example.com --record-set-name ml --ipv4-address 20.61.7.142 --ttl 300',
      '# then check it: azureml-tls verify --cname ml.example.com',
    ]);
  });

  test('--zone, --resource-group and --ttl: the record set name is relative to the zone', () => {
    const r = dns(['--cname', 'ml.eu.contoso.com', '--service', IP, '--zone', 'contoso.com', '--resource-group', 'rg-dns', '--ttl', '3600']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('az network dns record-set a add-record --resource-group rg-dns --zone-name contoso.com --record-set-name ml.eu --ipv4-address 20.61.7.142 --ttl 3600');
    expect(r.out.join('\n')).not.toContain('RESOURCE_GROUP');
  });

  test('a cname that is the zone apex gets an A record named @', () => {
    const r = dns(['--cname', 'contoso.com', '--service', IP]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('az network dns record-set a add-record --resource-group "$RESOURCE_GROUP" --zone-name contoso.com --record-set-name @ --ipv4-address 20.61.7.142 --ttl 300');
  });

  test('an IPv6 load balancer (kubectl -o yaml) gets an AAAA record', () => {
    const r = dns(['--cname', 'ml.example.com', '--service', IPV6]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('az network dns record-set aaaa add-record --resource-group "$RESOURCE_GROUP" --zone-name example.com --record-set-name ml --ipv6-address 2603:1020:203:3::5b --ttl 300');
  });

  test('standard input (-), as piped from kubectl', () => {
    const r = dns(['--cname', 'ml.example.com', '--service', '-'], fs.readFileSync(IP, 'utf8'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('az network dns record-set a add-record --resource-group "$RESOURCE_GROUP" --zone-name example.com --record-set-name ml --ipv4-address 20.61.7.142 --ttl 300');
  });

  test('a List from kubectl get svc -n azureml -o json: azureml-fe is taken from it', () => {
    const svc = JSON.parse(fs.readFileSync(IP, 'utf8'));
    const other = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'azureml-ingress-nginx-controller', namespace: 'azureml' }, spec: { type: 'ClusterIP' } };
    const r = dns(['--cname', 'ml.example.com', '--service', file('list.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [other, svc] }))]);
    expect(r.code).toBe(0);
    expect(r.out.some((l) => l.includes('--ipv4-address 20.61.7.142'))).toBe(true);
  });

  test('an internal load balancer (private IP) is printed with a warning about public zones', () => {
    const svc = JSON.parse(fs.readFileSync(IP, 'utf8'));
    svc.status.loadBalancer.ingress = [{ ip: '10.240.0.97', ipMode: 'VIP' }];
    const r = dns(['--cname', 'ml.example.com', '--service', file('internal.json', JSON.stringify(svc))]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([expect.stringMatching(/^warning: 10\.240\.0\.97 is a private address .* \(fix: put the record in an Azure private DNS zone/)]);
  });

  test('several addresses: the first is used, with a warning', () => {
    const svc = JSON.parse(fs.readFileSync(IP, 'utf8'));
    svc.status.loadBalancer.ingress.push({ ip: '20.61.7.143' });
    const r = dns(['--cname', 'ml.example.com', '--service', file('two.json', JSON.stringify(svc))]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual(['warning: Service azureml/azureml-fe has 2 load balancer addresses; the first (20.61.7.142) is used (fix: add the others to the same record set if clients should use them too)']);
  });
});

describe('a host name load balancer: a CNAME record', () => {
  test('prints cname set-record', () => {
    const r = dns(['--cname', 'ml.example.com', '--service', HOSTNAME, '--resource-group', 'rg-dns']);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out).toEqual([
      `# azureml/azureml-fe answers on the host name ${ELB}: point ml.example.com at it with a CNAME record`,
      `# record: ml.example.com. 300 IN CNAME ${ELB}. (zone example.com, record set ml)`,
      `az network dns record-set cname set-record --resource-group rg-dns --zone-name example.com --record-set-name ml --cname ${ELB} --ttl 300`,
      '# then check it: azureml-tls verify --cname ml.example.com',
    ]);
  });
});

describe('--external-dns: a DNSEndpoint', () => {
  /** The manifest between the heredoc markers. */
  function manifest(r: Run): Record<string, unknown> {
    const start = r.out.indexOf('kubectl apply -f - <<\'EOF\'');
    const end = r.out.indexOf('EOF');
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    return parseYaml(r.out.slice(start + 1, end).join('\n'));
  }

  test('an A endpoint with the address and the TTL', () => {
    const r = dns(['--cname', 'ml.example.com', '--service', IP, '--external-dns', '--ttl', '600']);
    expect(r.code).toBe(0);
    expect(manifest(r)).toEqual({
      apiVersion: 'externaldns.k8s.io/v1alpha1',
      kind: 'DNSEndpoint',
      metadata: { name: 'azureml-fe-ml-example-com', namespace: 'azureml' },
      spec: { endpoints: [{ dnsName: 'ml.example.com', recordType: 'A', targets: ['20.61.7.142'], recordTTL: 600 }] },
    });
    // The az command is still printed: the manifest is an alternative.
    expect(r.out.some((l) => l.startsWith('az network dns record-set a add-record'))).toBe(true);
  });

  test('a CNAME endpoint for a host name', () => {
    const r = dns(['--cname', 'ml.example.com', '--service', HOSTNAME, '--external-dns']);
    expect((manifest(r).spec as { endpoints: unknown[] }).endpoints).toEqual([{ dnsName: 'ml.example.com', recordType: 'CNAME', targets: [ELB], recordTTL: 300 }]);
  });

  test('--json holds the record, the commands and the DNSEndpoint', () => {
    const r = dns(['--cname', 'ml.example.com', '--service', IPV6, '--external-dns', '--json']);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    const doc = JSON.parse(r.out.join('\n'));
    expect(doc).toMatchObject({
      ok: true,
      cname: 'ml.example.com',
      service: { name: 'azureml/azureml-fe', type: 'LoadBalancer', address: '2603:1020:203:3::5b', addressKind: 'ip' },
      record: { zone: 'example.com', recordSetName: 'ml', type: 'AAAA', target: '2603:1020:203:3::5b', ttl: 300 },
      resourceGroup: null,
      commands: ['az network dns record-set aaaa add-record --resource-group "$RESOURCE_GROUP" --zone-name example.com --record-set-name ml --ipv6-address 2603:1020:203:3::5b --ttl 300'],
      dnsEndpoint: { kind: 'DNSEndpoint', spec: { endpoints: [{ dnsName: 'ml.example.com', recordType: 'AAAA', targets: ['2603:1020:203:3::5b'], recordTTL: 300 }] } },
      findings: [],
      errors: 0,
    });
  });
});

describe('errors: one message each, with the fix', () => {
  test('no address yet (EXTERNAL-IP <pending>)', () => {
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', PENDING]))).toBe(
      'error: Service azureml/azureml-fe has no load balancer address yet (status.loadBalancer.ingress is empty: EXTERNAL-IP <pending>) '
      + '(fix: wait until EXTERNAL-IP shows an address: kubectl get svc azureml-fe -n azureml -w; if it stays <pending>, look at its events: kubectl describe svc azureml-fe -n azureml)');
  });

  test('a NodePort router', () => {
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', NODEPORT]))).toMatch(
      /^error: Service azureml\/azureml-fe is of type NodePort, not LoadBalancer, so it has no external address \(fix: a NodePort router has no load balancer address: point the cname at your own load balancer .* inferenceRouterServiceType=loadBalancer\)$/);
  });

  test('a ClusterIP router', () => {
    const svc = JSON.parse(fs.readFileSync(NODEPORT, 'utf8'));
    svc.spec.type = 'ClusterIP';
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', file('clusterip.json', JSON.stringify(svc))]))).toMatch(
      /^error: Service azureml\/azureml-fe is of type ClusterIP, .* \(fix: a ClusterIP router is reachable inside the cluster only: expose it through your ingress controller/);
  });

  test('not a Service', () => {
    const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'arcml-healthcheck', namespace: 'azureml' }, data: {} });
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', file('cm.json', cm)]))).toMatch(
      /^error: .*cm\.json is not a Service \(kind "ConfigMap"\) \(fix: give the output of kubectl get svc azureml-fe -n azureml -o json\)$/);
  });

  test('a List without azureml-fe', () => {
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] })))).toBe(
      'error: standard input is a List without the azureml-fe Service (fix: give azureml-fe alone: kubectl get svc azureml-fe -n azureml -o json)');
  });

  test('not JSON or YAML (kubectl describe text, an error message)', () => {
    const describe = 'Name:                     azureml-fe\nNamespace:                azureml\nType:                     LoadBalancer\nLoadBalancer Ingress:     20.61.7.142\n';
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', '-'], 'Error from server (NotFound): services "azureml-fe" not found\n'))).toBe(
      'error: standard input is not a Kubernetes object (no kind or apiVersion: is it the output of kubectl describe, or an error message?) (fix: give the output of kubectl get svc azureml-fe -n azureml -o json)');
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', file('describe.txt', describe)]))).toMatch(/describe\.txt is not a Kubernetes object/);
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', '-'], '{"kind": "Service", "spec": {'))).toBe(
      'error: standard input is not a JSON or YAML object (is it the output of kubectl describe, or an error message?) (fix: give the output of kubectl get svc azureml-fe -n azureml -o json)');
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', '-'], '- just\n- a list\n'))).toMatch(/is not a JSON or YAML object/);
  });

  test('empty input', () => {
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', '-'], ''))).toBe(
      'error: standard input is empty (fix: save the Service first: kubectl get svc azureml-fe -n azureml -o json > azureml-fe.json)');
  });

  test('an unreadable file', () => {
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', path.join(tmp, 'nope.json')]))).toMatch(
      /^error: --service .*nope\.json does not exist \(fix: save the Service first: kubectl get svc azureml-fe -n azureml -o json > azureml-fe\.json, or pipe it: .* \| azureml-tls dns --cname NAME --service -\)$/);
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', tmp]))).toMatch(/^error: --service .* is a folder/);
  });

  test('an invalid FQDN', () => {
    expect(oneError(dns(['--cname', 'https://ml.example.com/', '--service', IP]))).toBe(
      'error: --cname "https://ml.example.com/" is not a plain host name: it has a scheme (https://); a path (/) (fix: set --cname to ml.example.com)');
    expect(oneError(dns(['--cname', 'ml', '--service', IP]))).toMatch(/^error: --cname "ml" is not a plain host name: it has a single label/);
  });

  test('a CNAME at a zone apex', () => {
    expect(oneError(dns(['--cname', 'ml.example.com', '--zone', 'ml.example.com', '--service', HOSTNAME]))).toBe(
      `error: ml.example.com is the apex of zone ml.example.com, which cannot hold a CNAME (the apex has SOA and NS records), and azureml-fe's load balancer answers on the host name ${ELB} `
      + '(fix: use a name below the apex as sslCname (e.g. ml.ml.example.com), or, if ml.example.com is a subzone, create the record in its parent: --zone example.com)');
  });

  test('a two-label cname is the apex of its own zone: no CNAME there either, and no top-level domain suggested', () => {
    expect(oneError(dns(['--cname', 'contoso.com', '--service', HOSTNAME]))).toBe(
      `error: contoso.com is the apex of zone contoso.com, which cannot hold a CNAME (the apex has SOA and NS records), and azureml-fe's load balancer answers on the host name ${ELB} `
      + '(fix: use a name below the apex as sslCname (e.g. ml.contoso.com))');
  });

  test('a zone that does not contain the cname, and an invalid zone', () => {
    expect(oneError(dns(['--cname', 'ml.example.com', '--zone', 'contoso.com', '--service', IP]))).toBe(
      'error: --zone contoso.com does not contain ml.example.com (fix: give a zone ml.example.com ends with, e.g. --zone example.com)');
    expect(oneError(dns(['--cname', 'ml.example.com', '--zone', 'example..com', '--service', IP]))).toBe(
      'error: --zone "example..com" is not a DNS zone name (fix: give the zone that holds ml.example.com, e.g. --zone example.com)');
  });

  test('a resource group that is not a name (it would be pasted into a shell)', () => {
    expect(oneError(dns(['--cname', 'ml.example.com', '--resource-group', 'rg; rm -rf ~', '--service', IP]))).toBe(
      'error: --resource-group "rg; rm -rf ~" is not a resource group name (1-90 letters, digits, \'_\', \'-\', \'.\', \'(\', \')\'; not ending in \'.\') (fix: give the resource group of the DNS zone: az network dns zone list -o table)');
  });

  test('a bad --ttl', () => {
    expect(oneError(dns(['--cname', 'ml.example.com', '--ttl', '5m', '--service', IP]))).toBe(
      'error: --ttl "5m" is not a whole number of seconds (fix: e.g. --ttl 300)');
    expect(oneError(dns(['--cname', 'ml.example.com', '--ttl', '0', '--service', IP]))).toMatch(/^error: --ttl "0" is not a whole number of seconds from 1 to 2147483647 \(fix: e\.g\. --ttl 300\)$/);
  });

  test('a load balancer address that is not an address', () => {
    const svc = JSON.parse(fs.readFileSync(IP, 'utf8'));
    svc.status.loadBalancer.ingress = [{ ip: '20.61.7' }];
    expect(oneError(dns(['--cname', 'ml.example.com', '--service', file('badip.json', JSON.stringify(svc))]))).toBe(
      'error: Service azureml/azureml-fe has "20.61.7" as load balancer ip, which is not an IP address (fix: look at the Service: kubectl get svc azureml-fe -n azureml -o json)');
  });

  test('a Service other than azureml-fe is used with a warning', () => {
    const svc = JSON.parse(fs.readFileSync(IP, 'utf8'));
    svc.metadata.name = 'my-router';
    const r = dns(['--cname', 'ml.example.com', '--service', file('other.json', JSON.stringify(svc))]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([expect.stringMatching(/^warning: .*other\.json is Service azureml\/my-router, not azureml\/azureml-fe/)]);
  });

  test('--json on an error: one document, exit 1, nothing on standard error', () => {
    const r = dns(['--cname', 'ml.example.com', '--service', PENDING, '--json']);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([]);
    const doc = JSON.parse(r.out.join('\n'));
    expect(doc).toMatchObject({ ok: false, commands: [], errors: 1, findings: [{ severity: 'error', code: 'service-pending' }] });
    expect(doc.record).toBeUndefined();
  });
});

describe('usage', () => {
  test('--help prints the usage on standard output (exit 0), also through the bin dispatcher', () => {
    const r = dns(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([DNS_USAGE]);
    const out: string[] = [];
    expect(main(['dns', '-h'], { out: (l) => out.push(l), err: () => undefined })).toBe(0);
    expect(out).toEqual([DNS_USAGE]);
  });

  test('missing or unknown flags: exit 2 with the usage', () => {
    const missing = dns(['--cname', 'ml.example.com']);
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual(['error: missing --service', DNS_USAGE]);
    expect(dns(['--service', IP]).err[0]).toBe('error: missing --cname');
    const unknown = dns(['--cname', 'ml.example.com', '--service', IP, '--record-type', 'A']);
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toMatch(/^error: Unknown option '--record-type'/);
  });
});
