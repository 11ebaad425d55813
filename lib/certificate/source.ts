import * as path from 'node:path';
import { createDevCa, issueDevCertificate } from './dev-ca';
import { CertManagerCertificateOptions, KeyVaultCertificateOptions } from './external';
import { DevStateRun, loadOrCreateDevCertificate } from './dev-store';
import { readPemFile } from './read';
import { ValidationError } from '../problems';

/** The kinds of certificate source (`TlsCertificate.kind`). */
export enum TlsCertificateSourceKind {
  /** PEM text read from files. */
  PEM_FILES = 'pemFiles',
  /** PEM text given directly. */
  PEM = 'pem',
  /** A Secret that already exists in the `azureml` namespace: no material passes through this tool. */
  EXISTING_SECRET = 'existingSecret',
  /** A development certificate signed by a local development CA (development only). */
  SELF_SIGNED = 'selfSigned',
  /** A certificate in Azure Key Vault, fetched in the cluster by External Secrets Operator. */
  KEY_VAULT = 'keyVault',
  /** A certificate issued in the cluster by cert-manager. */
  CERT_MANAGER = 'certManager',
}

/** Options for {@link TlsCertificate.selfSigned}. */
export interface SelfSignedOptions {
  /**
   * Validity of the leaf in days.
   * @default 90
   */
  readonly days?: number;
  /**
   * DNS names besides the cname for the SAN.
   * @default - none
   */
  readonly extraNames?: string[];
}

/** What a source needs to know to produce material. */
export interface TlsCertificateResolveContext {
  /** The sslCname the certificate is for. */
  readonly cname: string;
  /** The time to evaluate against (never the clock inside library code). */
  readonly now: Date;
  /**
   * A git-ignored folder where generated material may be kept between runs.
   * @default - generated sources cannot persist anything
   */
  readonly stateDir?: string;
  /**
   * Read the state folder but never write it (sources that persist return what is stored).
   * @default false
   */
  readonly readOnly?: boolean;
}

// Internal plumbing, off the public context: the synth run (dry run, previous output to adopt from) that the config
// loader lends each environment's TLS options, and that the planner passes on with the resolve context.
const runsByOwner = new WeakMap<object, DevStateRun>();
const runsByContext = new WeakMap<TlsCertificateResolveContext, DevStateRun>();

/** Lends `run` to the resolves planned for `owner` (an environment's TLS options, which survive copies of its props). */
export function lendDevStateRun(owner: object, run: DevStateRun): void {
  runsByOwner.set(owner, run);
}

/** `context`, tied to the run lent to `owner` (if any), for {@link TlsCertificate.resolve}. */
export function withDevStateRun(context: TlsCertificateResolveContext, owner: object): TlsCertificateResolveContext {
  const run = runsByOwner.get(owner);
  if (run) runsByContext.set(context, run);
  return context;
}

/** PEM material, as bytes were read (latin1 text, one character per byte, so nothing is re-encoded). */
export interface TlsMaterial {
  /** `cert.pem`: the chain, leaf first. */
  readonly certificatePem: string;
  /** `key.pem`: the private key. */
  readonly privateKeyPem: string;
  /**
   * The file the certificate came from (absolute), for messages and for the az CLI's `sslCertPemFile`.
   * @default - not from a file
   */
  readonly certificateFile?: string;
  /**
   * The file the key came from (absolute), for the az CLI's `sslKeyPemFile`.
   * @default - not from a file
   */
  readonly privateKeyFile?: string;
  /**
   * For a development certificate: the CA certificate file clients can trust (`curl --cacert`).
   * @default - not a development certificate, or not persisted
   */
  readonly caFile?: string;
}

/** The outcome of resolving a source: material, or a reference to a Secret that holds it. */
export interface ResolvedTlsCertificate {
  /** Which kind of source produced it. */
  readonly kind: TlsCertificateSourceKind;
  /**
   * The material, for sources that carry it.
   * @default - none (a reference)
   */
  readonly material?: TlsMaterial;
  /**
   * The name of an existing Secret in `azureml`, for reference sources.
   * @default - none
   */
  readonly existingSecretName?: string;
  /**
   * The Key Vault certificate, for a Key Vault source.
   * @default - none
   */
  readonly keyVault?: KeyVaultCertificateOptions;
  /**
   * The cert-manager issuance, for a cert-manager source.
   * @default - none
   */
  readonly certManager?: CertManagerCertificateOptions;
}

/**
 * Where azureml-fe's certificate comes from. Create one with a static factory.
 *
 * Sources resolve lazily (`resolve()`), once per context, so that sources which generate or fetch material slot in
 * without changing callers.
 */
export abstract class TlsCertificate {
  /**
   * PEM files on disk: the chain (leaf first) and the unencrypted private key. Relative paths resolve against the
   * current directory.
   */
  public static fromPemFiles(certificateFile: string, privateKeyFile: string): TlsCertificate {
    return new PemFilesCertificate(path.resolve(certificateFile), path.resolve(privateKeyFile));
  }

  /** PEM text given directly. */
  public static fromPem(certificatePem: string, privateKeyPem: string): TlsCertificate {
    return new PemCertificate(certificatePem, privateKeyPem);
  }

  /**
   * A Secret that already exists in the `azureml` namespace (holding `cert.pem` and `key.pem`). Nothing is read; the
   * extension is told its name (`sslSecret`).
   */
  public static fromExistingSecret(secretName: string): TlsCertificate {
    return new ExistingSecretCertificate(secretName);
  }

  /**
   * A development certificate for the cname (plus `extraNames`), signed by a local development CA, the way mkcert
   * does it: `cert.pem` is the leaf and the CA, and clients can trust the CA. Kept in the state folder (git-ignored)
   * and reused until it nears expiry or its names change, so synth output stays byte-identical; without a state
   * folder a new one is made on every resolve. Refused in production environments.
   */
  public static selfSigned(options: SelfSignedOptions = {}): TlsCertificate {
    return new SelfSignedCertificate(options);
  }

  /**
   * A certificate in Azure Key Vault: External Secrets Operator reads it in the cluster with workload identity and
   * writes the Secret azureml-fe reads. No key material passes through synth (delivery `externalSecret`).
   */
  public static fromKeyVault(options: KeyVaultCertificateOptions): TlsCertificate {
    return new ReferenceCertificate(TlsCertificateSourceKind.KEY_VAULT, `Key Vault certificate ${options.certificateName} in ${options.vaultUrl}`, { keyVault: options });
  }

  /**
   * A certificate cert-manager issues in the cluster; External Secrets Operator copies its `tls.crt` / `tls.key`
   * into `cert.pem` / `key.pem` (delivery `certManager`). No key material passes through synth.
   */
  public static fromCertManager(options: CertManagerCertificateOptions): TlsCertificate {
    return new ReferenceCertificate(TlsCertificateSourceKind.CERT_MANAGER, `cert-manager certificate from ${options.issuerKind ?? 'ClusterIssuer'} ${options.issuerName}`, { certManager: options });
  }

  /** The kind of source. */
  public abstract readonly kind: TlsCertificateSourceKind;

  /** A description for messages: a file name or Secret name, never material. */
  public abstract readonly description: string;

  private readonly cache = new Map<string, ResolvedTlsCertificate>();

  /**
   * Produces the material (or the reference). Reads or generates at most once per cname and time.
   * @throws Error when a file cannot be read (the config loader checks files first, so users see a field error)
   */
  public resolve(context: TlsCertificateResolveContext): ResolvedTlsCertificate {
    const run = runsByContext.get(context);
    const key = `${context.cname}\u0000${context.now.toISOString()}\u0000${context.stateDir ?? ''}\u0000${context.readOnly ? 'ro' : 'rw'}\u0000${run?.id ?? ''}`;
    let resolved = this.cache.get(key);
    if (!resolved) {
      resolved = this.produce(context);
      this.cache.set(key, resolved);
    }
    return resolved;
  }

  /** Produces the material; called once per context by {@link resolve}. */
  protected abstract produce(context: TlsCertificateResolveContext): ResolvedTlsCertificate;
}

class PemFilesCertificate extends TlsCertificate {
  public readonly kind = TlsCertificateSourceKind.PEM_FILES;
  public readonly description: string;

  constructor(private readonly certificateFile: string, private readonly privateKeyFile: string, private readonly read?: { readonly certificatePem: string; readonly privateKeyPem: string }) {
    super();
    this.description = `PEM files ${certificateFile} and ${privateKeyFile}`;
  }

  protected produce(): ResolvedTlsCertificate {
    return {
      kind: this.kind,
      material: {
        certificatePem: this.read?.certificatePem ?? readPemOrThrow(this.certificateFile, 'certificate'),
        privateKeyPem: this.read?.privateKeyPem ?? readPemOrThrow(this.privateKeyFile, 'key'),
        certificateFile: this.certificateFile,
        privateKeyFile: this.privateKeyFile,
      },
    };
  }
}

/**
 * A PEM-files source whose files the caller has already read (the config loader reads each once, to report a bad
 * file with its field): the material is these bytes, and the paths are kept for the az CLI's sslCertPemFile.
 */
export function pemFilesAlreadyRead(certificateFile: string, privateKeyFile: string, certificatePem: string, privateKeyPem: string): TlsCertificate {
  return new PemFilesCertificate(path.resolve(certificateFile), path.resolve(privateKeyFile), { certificatePem, privateKeyPem });
}

// Bounded and regular files only, as every read of this tool: a path such as /dev/zero must fail, not hang. The
// problem names the field, so the plan reports it with the config's other problems.
function readPemOrThrow(file: string, role: 'certificate' | 'key'): string {
  const read = readPemFile(file, role);
  if (read.bytes) return read.bytes.toString('latin1');
  throw new ValidationError(read.findings.map((f) => ({
    field: role === 'certificate' ? 'tls.certificate.files.cert' : 'tls.certificate.files.key',
    message: f.message,
    fix: f.fix ?? 'give the path of a PEM file',
  })), `cannot read the ${role} file`);
}

class PemCertificate extends TlsCertificate {
  public readonly kind = TlsCertificateSourceKind.PEM;
  public readonly description = 'PEM text';

  constructor(private readonly certificatePem: string, private readonly privateKeyPem: string) {
    super();
  }

  protected produce(): ResolvedTlsCertificate {
    return { kind: this.kind, material: { certificatePem: this.certificatePem, privateKeyPem: this.privateKeyPem } };
  }
}

class ReferenceCertificate extends TlsCertificate {
  constructor(
    public readonly kind: TlsCertificateSourceKind,
    public readonly description: string,
    private readonly reference: Pick<ResolvedTlsCertificate, 'keyVault' | 'certManager'>,
  ) {
    super();
  }

  protected produce(): ResolvedTlsCertificate {
    return { kind: this.kind, ...this.reference };
  }
}

class ExistingSecretCertificate extends TlsCertificate {
  public readonly kind = TlsCertificateSourceKind.EXISTING_SECRET;
  public readonly description: string;

  constructor(private readonly secretName: string) {
    super();
    this.description = `existing Secret azureml/${secretName}`;
  }

  protected produce(): ResolvedTlsCertificate {
    return { kind: this.kind, existingSecretName: this.secretName };
  }
}

class SelfSignedCertificate extends TlsCertificate {
  public readonly kind = TlsCertificateSourceKind.SELF_SIGNED;
  public readonly description: string;

  constructor(private readonly options: SelfSignedOptions) {
    super();
    this.description = `development certificate (${options.days ?? 90} days)`;
  }

  protected produce(context: TlsCertificateResolveContext): ResolvedTlsCertificate {
    const request = { cname: context.cname, extraNames: this.options.extraNames, days: this.options.days, now: context.now };
    const run = runsByContext.get(context);
    const stored = context.stateDir ? loadOrCreateDevCertificate({ ...request, stateDir: context.stateDir, readOnly: context.readOnly, run }) : undefined;
    if (stored) {
      return {
        kind: this.kind,
        material: {
          certificatePem: stored.certificatePem,
          privateKeyPem: stored.privateKeyPem,
          certificateFile: stored.certificateFile,
          privateKeyFile: stored.privateKeyFile,
          caFile: stored.caFile,
        },
      };
    }
    const ca = createDevCa({ now: context.now });
    const leaf = issueDevCertificate(ca, request);
    return { kind: this.kind, material: { certificatePem: leaf.certificatePem, privateKeyPem: leaf.privateKeyPem } };
  }
}
