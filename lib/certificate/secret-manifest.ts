import { parseAllDocuments } from 'yaml';
import { Finding, Severity } from './findings';

/** The TLS material found in a Secret manifest (`kubectl get secret -n azureml NAME -o yaml`). */
export interface SecretMaterial {
  /** `cert.pem`, decoded. @default - missing (see findings) */
  readonly certificate?: Buffer;
  /** `key.pem`, decoded. @default - missing (see findings) */
  readonly privateKey?: Buffer;
  /** `namespace/name` of the Secret, for messages. */
  readonly label: string;
  /** Problems with the manifest itself. Never contain key material. */
  readonly findings: Finding[];
}

const error = (code: string, message: string, fix: string): Finding => ({ severity: Severity.ERROR, code, message, fix });
const warning = (code: string, message: string, fix: string): Finding => ({ severity: Severity.WARNING, code, message, fix });

/**
 * Reads the TLS Secret azureml-fe uses from manifest text (YAML or JSON, a Secret or a List holding one), checking
 * what spec section 1 requires of it: keys `cert.pem` and `key.pem` (a `kubernetes.io/tls` Secret's `tls.crt` /
 * `tls.key`, as cert-manager writes, are not read by azureml-fe), namespace `azureml`, type `Opaque`.
 */
export function readSecretManifest(text: string, source: string): SecretMaterial {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).flatMap((d) => {
      if (d.errors.length > 0) throw new Error(d.errors[0].message.split('\n')[0]);
      return [d.toJS() as unknown];
    });
  } catch (e) {
    return { label: source, findings: [error('secret-invalid', `${source} is not a YAML or JSON manifest: ${(e as Error).message}`, 'pass the output of kubectl get secret -n azureml NAME -o yaml')] };
  }
  const objects = docs.flatMap((d) => (isObj(d) && d.kind === 'List' && Array.isArray(d.items) ? d.items : [d])).filter(isObj);
  const secrets = objects.filter((o) => o.kind === 'Secret');
  if (secrets.length !== 1) {
    return {
      label: source,
      findings: [error('secret-invalid', `${source} holds ${secrets.length} Secret objects (kinds found: ${objects.map((o) => String(o.kind)).join(', ') || 'none'})`, 'pass exactly one Secret: kubectl get secret -n azureml NAME -o yaml')],
    };
  }
  const secret = secrets[0];
  const meta = isObj(secret.metadata) ? secret.metadata : {};
  const label = `Secret ${String(meta.namespace ?? '(no namespace)')}/${String(meta.name ?? '(no name)')}`;
  const findings: Finding[] = [];
  if (meta.namespace !== undefined && meta.namespace !== 'azureml') {
    findings.push(error('secret-namespace', `${label} is in namespace ${String(meta.namespace)}, but azureml-fe reads its TLS Secret from namespace azureml only`, 'create the Secret in namespace azureml'));
  }
  if (secret.type !== undefined && secret.type !== 'Opaque') {
    findings.push(warning('secret-type', `${label} has type ${String(secret.type)}; the documented type is Opaque`, 'create it with type: Opaque (kubectl create secret generic)'));
  }
  const data = isObj(secret.data) ? secret.data : {};
  const stringData = isObj(secret.stringData) ? secret.stringData : {};
  const read = (key: string): Buffer | undefined => {
    if (typeof stringData[key] === 'string') return Buffer.from(stringData[key] as string, 'utf8');
    const v = data[key];
    if (typeof v !== 'string') return undefined;
    if (!/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(v)) {
      findings.push(error('secret-invalid', `${label}: data.${key} is not base64`, 'store the PEM text base64-encoded in data (kubectl does this for you)'));
      return undefined;
    }
    return Buffer.from(v, 'base64');
  };
  const certificate = read('cert.pem');
  const privateKey = read('key.pem');
  const keys = [...Object.keys(data), ...Object.keys(stringData)];
  for (const [name, value] of [['cert.pem', certificate], ['key.pem', privateKey]] as const) {
    if (value !== undefined) continue;
    const tlsKey = name === 'cert.pem' ? 'tls.crt' : 'tls.key';
    findings.push(error('secret-key-missing',
      `${label} has no ${name} (keys: ${keys.join(', ') || 'none'})${keys.includes(tlsKey) ? `; ${tlsKey} is the kubernetes.io/tls name (cert-manager writes it), but azureml-fe reads ${name}` : ''}`,
      `store the ${name === 'cert.pem' ? 'certificate chain' : 'private key'} under the key ${name}, e.g. kubectl create secret generic NAME -n azureml --from-file=cert.pem=CERT --from-file=key.pem=KEY`));
  }
  return { certificate, privateKey, label, findings };
}

function isObj(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
