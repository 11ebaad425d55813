import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CertManagerIssuerKind } from '../../certificate/external';
import {
  Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyEncoding, CertificateSpecPrivateKeyRotationPolicy, CertificateSpecUsages,
} from '../../../imports/certmanager-cert-manager.io';
import { tlsExternalSecret } from './tls-external-secret';
import { SecretStore, SecretStoreSpecProviderKubernetesServerCaProviderType } from '../../../imports/secretstores-external-secrets.io';
import { validateCname } from '../../certificate/validate';
import { formatProblem, Problem } from '../../problems';
import { dns1123SubdomainError } from '../../settings/names';
import { AZUREML_NAMESPACE, CERT_KEY, KEY_KEY } from '../tls-secret';
import { isGoDuration } from './key-vault';

/** The keys cert-manager writes into its `kubernetes.io/tls` Secret. */
const TLS_CRT = 'tls.crt';
const TLS_KEY = 'tls.key';
/** ESO `secretKey`s of the two values; Go templates need identifiers (`.tls.crt` would be a field path). */
const CRT_VAR = 'tlscrt';
const KEY_VAR = 'tlskey';

/**
 * The private key cert-manager generates for the certificate.
 *
 * azureml-fe is documented and tested with RSA keys (its troubleshooting guide checks them with `openssl rsa`).
 * Choosing an ECDSA key is an explicit opt-in into an unverified setup.
 */
export class CertManagerPrivateKey {
  /** RSA, 2048 bits: the documented key type of azureml-fe. */
  public static readonly RSA_2048 = new CertManagerPrivateKey(CertificateSpecPrivateKeyAlgorithm.RSA, 2048);
  /** RSA, 4096 bits. */
  public static readonly RSA_4096 = new CertManagerPrivateKey(CertificateSpecPrivateKeyAlgorithm.RSA, 4096);
  /** ECDSA on P-256. Unverified with azureml-fe: an explicit opt-in. */
  public static readonly ECDSA_P256 = new CertManagerPrivateKey(CertificateSpecPrivateKeyAlgorithm.ECDSA, 256);
  /** ECDSA on P-384. Unverified with azureml-fe: an explicit opt-in. */
  public static readonly ECDSA_P384 = new CertManagerPrivateKey(CertificateSpecPrivateKeyAlgorithm.ECDSA, 384);

  /**
   * @param algorithm cert-manager's `privateKey.algorithm` (`RSA` or `ECDSA`)
   * @param size cert-manager's `privateKey.size` in bits (RSA) or the curve size (ECDSA)
   */
  private constructor(public readonly algorithm: string, public readonly size: number) {}

  /** True for RSA keys. */
  public get isRsa(): boolean {
    return this.algorithm === CertificateSpecPrivateKeyAlgorithm.RSA;
  }
}

/**
 * Properties for {@link CertManagerTlsSecret}.
 */
export interface CertManagerTlsSecretProps {
  /**
   * The name of the Secret azureml-fe reads (the extension's `sslSecret`), in namespace `azureml`. ESO creates and
   * owns it; cert-manager's own Secret is `<secretName>-cert-manager`. Must be a DNS-1123 subdomain.
   */
  readonly secretName: string;
  /** The FQDN azureml-fe serves (the extension's `sslCname`): the certificate's first DNS name. Upper case is lowered. */
  readonly cname: string;
  /** The name of the cert-manager issuer. */
  readonly issuerName: string;
  /**
   * The issuer's kind.
   * @default CertManagerIssuerKind.CLUSTER_ISSUER
   */
  readonly issuerKind?: CertManagerIssuerKind;
  /**
   * The issuer's API group (another group for external issuers).
   * @default 'cert-manager.io'
   */
  readonly issuerGroup?: string;
  /**
   * More DNS names for the certificate (`*.` wildcards allowed, if the issuer can sign them).
   * @default - none
   */
  readonly extraNames?: string[];
  /**
   * The requested lifetime (a Go duration, at least `1h`); the issuer may ignore it.
   * @default - cert-manager's default (90 days)
   */
  readonly duration?: string;
  /**
   * How long before expiry cert-manager renews (a Go duration, at least `5m`, less than `duration`).
   * @default - cert-manager's default (a third of the lifetime)
   */
  readonly renewBefore?: string;
  /**
   * The private key cert-manager generates (PKCS#8, a new key at every renewal).
   * @default CertManagerPrivateKey.RSA_2048
   */
  readonly privateKey?: CertManagerPrivateKey;
  /**
   * The ServiceAccount ESO authenticates as to copy cert-manager's Secret.
   * @default '<secretName>-cert-manager-reader'
   */
  readonly serviceAccountName?: string;
  /**
   * How often ESO copies cert-manager's Secret again (a Go duration). A renewed certificate reaches the Secret
   * within this interval; azureml-fe may still need `az k8s-extension update` to pick it up (spec section 5).
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/**
 * The TLS Secret azureml-fe reads, issued by cert-manager and renamed by the External Secrets Operator.
 *
 * cert-manager writes only a `kubernetes.io/tls` Secret with `tls.crt` (leaf and chain) and `tls.key`; azureml-fe
 * reads an Opaque Secret with `cert.pem` and `key.pem`. So this creates in namespace `azureml`: a cert-manager
 * Certificate (into `<secretName>-cert-manager`), a ServiceAccount with a Role that may only `get` that one Secret
 * and its RoleBinding, a SecretStore with ESO's `kubernetes` provider (the local API server, CA from the
 * `kube-root-ca.crt` ConfigMap), and an ExternalSecret that copies `tls.crt`/`tls.key` into `cert.pem`/`key.pem`.
 *
 * RBAC: ESO's kubernetes provider reads with `get` only (`data[].remoteRef`), so the Role grants `get` on the one
 * Secret by `resourceNames`; `list`/`watch` would only serve `dataFrom.find`, which is not used and which
 * `resourceNames` would block anyway. ESO validates the store with a SelfSubjectRulesReview (falling back to a
 * SelfSubjectAccessReview): those are cluster-scoped and already granted to every authenticated user by Kubernetes'
 * default `system:basic-user` ClusterRole, so no ClusterRole is created (a Role rule for them, as ESO's docs show,
 * would have no effect).
 *
 * @see https://cert-manager.io/docs/usage/certificate/
 * @see https://external-secrets.io/latest/provider/kubernetes/
 */
export class CertManagerTlsSecret extends Construct {
  /** The name of the Secret azureml-fe reads (the value of `sslSecret`). */
  public readonly secretName: string;
  /** The name of the `kubernetes.io/tls` Secret cert-manager writes. */
  public readonly certManagerSecretName: string;
  /** The certificate's DNS names, the cname first, lower case. */
  public readonly dnsNames: string[];
  /** The cert-manager Certificate. */
  public readonly certificate: ApiObject;
  /** The ServiceAccount ESO authenticates as. */
  public readonly serviceAccount: ApiObject;
  /** The Role that may read cert-manager's Secret. */
  public readonly role: ApiObject;
  /** The RoleBinding of the Role to the ServiceAccount. */
  public readonly roleBinding: ApiObject;
  /** The SecretStore (ESO `kubernetes` provider). */
  public readonly secretStore: ApiObject;
  /** The ExternalSecret that writes the Secret. */
  public readonly externalSecret: ApiObject;

  constructor(scope: Construct, id: string, props: CertManagerTlsSecretProps) {
    super(scope, id);
    const problems = certManagerTlsSecretProblems(props);
    if (problems.length > 0) throw new Error(problems.map((p) => `CertManagerTlsSecret: ${formatProblem(p)}`).join('\n'));
    const certSecret = `${props.secretName}-cert-manager`;
    const readerName = `${props.secretName}-cert-manager-reader`;
    const storeName = `${props.secretName}-kubernetes`;
    const serviceAccountName = props.serviceAccountName ?? readerName;
    const issuerKind = props.issuerKind ?? CertManagerIssuerKind.CLUSTER_ISSUER;
    const issuerGroup = props.issuerGroup ?? 'cert-manager.io';
    const key = props.privateKey ?? CertManagerPrivateKey.RSA_2048;
    const refreshInterval = props.refreshInterval ?? '1h';
    this.dnsNames = dnsNames(props.cname, props.extraNames ?? []).names;
    this.secretName = props.secretName;
    this.certManagerSecretName = certSecret;

    this.certificate = new Certificate(this, 'Resource', {
      metadata: { name: props.secretName, namespace: AZUREML_NAMESPACE },
      spec: {
        secretName: certSecret,
        dnsNames: this.dnsNames,
        issuerRef: { name: props.issuerName, kind: issuerKind, group: issuerGroup },
        duration: props.duration,
        renewBefore: props.renewBefore,
        privateKey: {
          algorithm: key.algorithm as CertificateSpecPrivateKeyAlgorithm,
          size: key.size,
          // PKCS#8 ("PRIVATE KEY"), the same encoding ESO's pkcs12key produces in the Key Vault delivery.
          encoding: CertificateSpecPrivateKeyEncoding.PKCS8,
          // A new key at every renewal (cert-manager's default since v1.18, explicit for older versions).
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
        // Key encipherment applies to RSA key exchange only; ECDSA keys sign.
        usages: key.isRsa
          ? [CertificateSpecUsages.SERVER_AUTH, CertificateSpecUsages.DIGITAL_SIGNATURE, CertificateSpecUsages.KEY_ENCIPHERMENT]
          : [CertificateSpecUsages.SERVER_AUTH, CertificateSpecUsages.DIGITAL_SIGNATURE],
      },
    });

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: serviceAccountName, namespace: AZUREML_NAMESPACE },
    });

    this.role = new k8s.KubeRole(this, 'Role', {
      metadata: { name: readerName, namespace: AZUREML_NAMESPACE },
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [certSecret], verbs: ['get'] }],
    });

    this.roleBinding = new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: readerName, namespace: AZUREML_NAMESPACE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: readerName },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccountName, namespace: AZUREML_NAMESPACE }],
    });

    this.secretStore = new SecretStore(this, 'SecretStore', {
      metadata: { name: storeName, namespace: AZUREML_NAMESPACE },
      spec: {
        provider: {
          kubernetes: {
            remoteNamespace: AZUREML_NAMESPACE,
            // No url: ESO defaults to kubernetes.default. Every namespace has the kube-root-ca.crt ConfigMap.
            server: {
              caProvider: { type: SecretStoreSpecProviderKubernetesServerCaProviderType.CONFIG_MAP, name: 'kube-root-ca.crt', key: 'ca.crt' },
            },
            auth: { serviceAccount: { name: serviceAccountName } },
          },
        },
      },
    });

    this.externalSecret = tlsExternalSecret(this, 'ExternalSecret', {
      secretName: props.secretName,
      storeName,
      refreshInterval,
      template: { [CERT_KEY]: `{{ .${CRT_VAR} }}`, [KEY_KEY]: `{{ .${KEY_VAR} }}` },
      data: [
          { secretKey: CRT_VAR, remoteRef: { key: certSecret, property: TLS_CRT } },
          { secretKey: KEY_VAR, remoteRef: { key: certSecret, property: TLS_KEY } },
        ],
    });
  }
}

/**
 * Every problem with the props, each naming the field, the bad value and the fix (empty when valid). The plan reports
 * them with the other problems of an environment; the construct throws them as a backstop.
 */
export function certManagerTlsSecretProblems(props: CertManagerTlsSecretProps): Problem[] {
  const problems: Problem[] = [];
  const readerName = `${props.secretName}-cert-manager-reader`;
  const issuerKind = props.issuerKind ?? CertManagerIssuerKind.CLUSTER_ISSUER;
  const refreshInterval = props.refreshInterval ?? '1h';
  const name = (field: string, value: string, example: string) => {
    const error = dns1123SubdomainError(value);
    if (error) problems.push({ field, message: `is not a valid object name: it ${error}`, value, fix: `use a name such as ${example}` });
  };
  name('secretName', props.secretName, 'azureml-fe-tls');
  if (readerName.length > 253) {
    problems.push({ field: 'secretName', message: `is ${props.secretName.length} characters long; <secretName>-cert-manager-reader would exceed 253`, fix: 'use a shorter secretName such as azureml-fe-tls' });
  }
  name('serviceAccountName', props.serviceAccountName ?? readerName, 'azureml-fe-tls-cert-manager-reader');
  name('issuerName', props.issuerName, 'letsencrypt-prod');
  name('issuerGroup', props.issuerGroup ?? 'cert-manager.io', 'cert-manager.io');
  if (!Object.values(CertManagerIssuerKind).includes(issuerKind)) {
    problems.push({ field: 'issuerKind', message: 'is not an issuer kind', value: String(issuerKind), fix: 'use Issuer or ClusterIssuer' });
  }
  problems.push(...dnsNames(props.cname, props.extraNames ?? []).problems);
  const duration = props.duration === undefined ? undefined : durationSeconds('duration', props.duration, 3600, '1h', problems);
  const renewBefore = props.renewBefore === undefined ? undefined : durationSeconds('renewBefore', props.renewBefore, 300, '5m', problems);
  if (duration !== undefined && renewBefore !== undefined && renewBefore >= duration) {
    problems.push({ field: 'renewBefore', message: `is not shorter than duration ${JSON.stringify(props.duration)}`, value: String(props.renewBefore), fix: 'renew before the certificate expires, e.g. duration 2160h with renewBefore 720h' });
  }
  if (!isGoDuration(refreshInterval)) {
    problems.push({ field: 'refreshInterval', message: 'is not a Go duration', value: refreshInterval, fix: 'use e.g. 1h, 30m or 1h30m' });
  }
  return problems;
}

/** The cname (validated, lower case) and the extra names (`*.` allowed), without duplicates. */
function dnsNames(cname: string, extraNames: readonly string[]): { names: string[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const first = validateCname(cname, 'cname');
  const names = first.cname === undefined ? [] : [first.cname];
  for (const f of first.findings) problems.push({ field: 'cname', message: f.message, fix: f.fix ?? 'give a plain host name such as ml.example.com' });
  for (const extra of extraNames) {
    const wildcard = extra.startsWith('*.');
    const checked = validateCname(wildcard ? extra.slice(2) : extra, 'extraNames');
    if (checked.cname === undefined) {
      problems.push({ field: 'extraNames', message: `entry is not a DNS name: ${checked.findings.map((f) => f.message).join('; ')}`, value: extra, fix: 'give plain DNS names, optionally starting with *.' });
      continue;
    }
    const name = wildcard ? `*.${checked.cname}` : checked.cname;
    if (!names.includes(name)) names.push(name);
  }
  return { names, problems };
}

const UNIT_SECONDS: { [unit: string]: number } = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** The seconds of a Go duration, checked against cert-manager's minimum; adds a problem naming the field. */
function durationSeconds(field: string, value: string, minimum: number, minimumText: string, problems: Problem[]): number | undefined {
  if (!isGoDuration(value)) {
    problems.push({ field, message: 'is not a Go duration', value, fix: 'use hours and minutes such as 2160h (90 days) or 720h' });
    return undefined;
  }
  let seconds = 0;
  for (const m of value.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) seconds += Number(m[1]) * UNIT_SECONDS[m[2]];
  if (seconds < minimum) {
    problems.push({ field, message: `is below cert-manager's minimum of ${minimumText}`, value, fix: `use at least ${minimumText}` });
  }
  return seconds;
}
