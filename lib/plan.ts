import { createHash } from 'node:crypto';
import { Finding, Severity } from './certificate/findings';
import { CertManagerCertificateOptions, KeyVaultCertificateFormat, KeyVaultCertificateOptions } from './certificate/external';
import { certManagerTlsSecretProblems } from './constructs/delivery/cert-manager';
import { checkSealingCertificate } from './sealing/seal';
import { SealingScope } from './sealing/scope';
import { keyVaultTlsSecretProblems } from './constructs/delivery/key-vault';
import { ResolvedTlsCertificate, TlsCertificate, TlsCertificateSourceKind, TlsMaterial, withDevStateRun } from './certificate/source';
import { TlsMaterialInput, validateCname, validateTlsMaterial } from './certificate/validate';
import { TlsReport } from './certificate/facts';
import { objectMetadataProblems } from './constructs/metadata';
import { Problem, ValidationError } from './problems';
import { ClusterIdentity, ExtensionSettings } from './settings/model';
import { checkAndBuildExtensionModel, ExtensionModel } from './settings/extension-model';
import { TlsSettings } from './settings/tls';

/** How the certificate reaches azureml-fe. */
export enum TlsDelivery {
  /** A Secret in `azureml` (`cert.pem`, `key.pem`) and `sslSecret=<name>`: the doc's best practice. */
  SECRET = 'secret',
  /** Protected settings `sslCertPemFile` / `sslKeyPemFile`: no Secret, the extension keeps the material. */
  PEM_SETTINGS = 'pemSettings',
  /** A SealedSecret, sealed offline with the Sealed Secrets controller's public certificate (spec section 6). */
  SEALED_SECRET = 'sealedSecret',
  /** An External Secrets Operator ExternalSecret that reads the certificate from Azure Key Vault. */
  EXTERNAL_SECRET = 'externalSecret',
  /** A cert-manager Certificate, copied by External Secrets Operator into `cert.pem` / `key.pem`. */
  CERT_MANAGER = 'certManager',
}

/** The default name of the generated TLS Secret. */
export const DEFAULT_SECRET_NAME = 'azureml-fe-tls';

/** How to seal the Secret for the Sealed Secrets controller (sealedSecret delivery). */
export interface SealingOptions {
  /** The controller's public certificate (`kubeseal --fetch-cert`), PEM. */
  readonly certificatePem: string;
  /**
   * Who may unseal it: strict binds the value to the Secret's namespace and name.
   * @default SealingScope.STRICT
   */
  readonly scope?: SealingScope;
  /**
   * The certificate's file name, for messages.
   * @default 'the sealing certificate'
   */
  readonly label?: string;
}

/** HTTPS options: the name clients call, the certificate and how it is delivered. */
export interface AzureMlTlsOptions {
  /** `sslCname`: the FQDN clients call. Compared case-insensitively and written in lower case. */
  readonly cname: string;
  /** Where the certificate comes from. */
  readonly certificate: TlsCertificate;
  /**
   * How the certificate reaches azureml-fe.
   * @default - what the source implies: SECRET for PEM material and existing Secrets, EXTERNAL_SECRET for Key Vault,
   * CERT_MANAGER for cert-manager
   */
  readonly delivery?: TlsDelivery;
  /**
   * The name of the Secret to create (secret delivery of material). An existing Secret is named by its source.
   * @default 'azureml-fe-tls'
   */
  readonly secretName?: string;
  /**
   * The Sealed Secrets controller's certificate and the scope, for sealedSecret delivery.
   * @default - none; required with sealedSecret delivery
   */
  readonly sealing?: SealingOptions;
  /**
   * Acknowledge that secret delivery writes the private key into the manifest (base64 is not encryption), for a
   * certificate that is not a generated development certificate. Without it synth refuses and names the safer modes.
   * @default false
   */
  readonly allowPlaintextKey?: boolean;
  /**
   * Suffix the Secret's name with the first 10 hex digits of the leaf certificate's SHA-256 fingerprint, so a new
   * certificate gives a new `sslSecret` and rotation is a normal settings change the extension sees
   * (`az k8s-extension update`). Secret delivery of material only.
   * @default false
   */
  readonly fingerprintSuffix?: boolean;
}

/** How many hex digits of the leaf's SHA-256 fingerprint {@link AzureMlTlsOptions.fingerprintSuffix} appends. */
export const FINGERPRINT_SUFFIX_LENGTH = 10;

/** Properties for an AzureML extension installation: settings, TLS and the cluster. */
export interface AzureMlExtensionProps {
  /** The extension's settings (spec section 2). */
  readonly settings: ExtensionSettings;
  /**
   * HTTPS for azureml-fe.
   * @default - none: set `settings.allowInsecureConnections` for plain HTTP, or disable inference
   */
  readonly tls?: AzureMlTlsOptions;
  /**
   * The cluster, as far as known.
   * @default - unknown; the az CLI derives the cluster keys at install time
   */
  readonly cluster?: ClusterIdentity;
  /**
   * A production environment: plain HTTP is refused.
   * @default false
   */
  readonly production?: boolean;
  /**
   * The time certificates are checked against.
   * @default - the current time
   */
  readonly now?: Date;
  /**
   * A git-ignored folder where generated certificates are kept between runs.
   * @default - none
   */
  readonly stateDir?: string;
  /**
   * Only read the state folder, never renew or write (for reports).
   * @default false
   */
  readonly readOnlyState?: boolean;
  /**
   * Emit the Namespace `azureml`, so a GitOps tool can apply the folder to a cluster that does not have it yet.
   * @default - true when the extension puts objects into `azureml` (a TLS Secret, SealedSecret, ExternalSecret or
   * Certificate), false otherwise
   */
  readonly createNamespace?: boolean;
  /**
   * Labels for every Kubernetes object the extension emits (the Namespace included).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Annotations by object kind, e.g. `{ Secret: { 'argocd.argoproj.io/sync-wave': '-1' } }`: each kind's map is added
   * to every object of that kind the extension emits. Kinds are matched exactly (`Secret`, `SealedSecret`,
   * `ExternalSecret`, `SecretStore`, `ServiceAccount`, `Certificate`, `Role`, `RoleBinding`, `Namespace`; `Extension`,
   * `Kustomization` and `Application` for the ASO and fleet objects made from the same config).
   * @default - none
   */
  readonly annotations?: { [kind: string]: { [key: string]: string } };
}

/** Everything decided about one installation before any construct is created. */
export interface ExtensionPlan {
  /** Every problem, certificate errors included. Empty when the installation can be synthesized. */
  readonly problems: Problem[];
  /** Certificate and settings warnings (usable, but worth a look). */
  readonly warnings: Finding[];
  /**
   * The extension model (settings, protected settings, Helm values).
   * @default - none when there are problems
   */
  readonly model?: ExtensionModel;
  /**
   * The Secret to create, in secret delivery of material.
   * @default - none
   */
  readonly secret?: { readonly secretName: string; readonly certificatePem: string; readonly privateKeyPem: string };
  /**
   * The SealedSecret to create, in sealedSecret delivery.
   * @default - none
   */
  readonly sealed?: {
    readonly secretName: string;
    readonly certificatePem: string;
    readonly privateKeyPem: string;
    readonly sealingCertificatePem: string;
    readonly scope: SealingScope;
  };
  /**
   * The Key Vault ExternalSecret to create, in externalSecret delivery.
   * @default - none
   */
  readonly keyVault?: { readonly secretName: string; readonly options: KeyVaultCertificateOptions };
  /**
   * The cert-manager Certificate (and its ESO copy) to create, in certManager delivery.
   * @default - none
   */
  readonly certManager?: { readonly secretName: string; readonly cname: string; readonly options: CertManagerCertificateOptions };
  /**
   * How the certificate reaches azureml-fe.
   * @default - none (no TLS)
   */
  readonly delivery?: TlsDelivery;
  /**
   * The certificate report, when material was checked.
   * @default - none
   */
  readonly certificateReport?: TlsReport;
  /**
   * The resolved certificate source.
   * @default - none (no TLS)
   */
  readonly resolvedCertificate?: ResolvedTlsCertificate;
}

const plans = new WeakMap<AzureMlExtensionProps, ExtensionPlan>();

/**
 * Resolves the certificate, checks it and the settings, and builds the model. Never throws for bad input: every
 * problem is returned, so a caller can report all environments at once. Memoized per props object, so the
 * constructs that follow reuse the work.
 */
export function planExtension(props: AzureMlExtensionProps): ExtensionPlan {
  let plan = plans.get(props);
  if (!plan) {
    plan = computePlan(props);
    plans.set(props, plan);
  }
  return plan;
}

/** Like {@link planExtension}, but throws a ValidationError when there is any problem. */
export function planExtensionOrThrow(props: AzureMlExtensionProps): ExtensionPlan & { readonly model: ExtensionModel } {
  const plan = planExtension(props);
  if (plan.problems.length > 0 || !plan.model) throw new ValidationError(plan.problems, 'invalid AzureML extension installation');
  return plan as ExtensionPlan & { readonly model: ExtensionModel };
}

function computePlan(props: AzureMlExtensionProps): ExtensionPlan {
  const problems: Problem[] = [];
  const warnings: Finding[] = [];
  const now = props.now ?? new Date();
  const settings = props.settings;

  if (props.production && settings.allowInsecureConnections) {
    problems.push({
      field: 'allowInsecureConnections',
      message: 'plain HTTP is refused in a production environment',
      value: 'True',
      fix: 'serve HTTPS with a tls block, or set production: false for a development cluster',
    });
  }

  problems.push(...objectMetadataProblems(props.labels, props.annotations));

  const tlsPlan = props.tls ? planTls(props.tls, props, now) : undefined;
  if (tlsPlan) {
    problems.push(...tlsPlan.problems);
    warnings.push(...tlsPlan.warnings);
  }

  const built = checkAndBuildExtensionModel({ settings, tls: tlsPlan?.tlsSettings, cluster: props.cluster });
  problems.push(...built.problems);
  warnings.push(...built.warnings);
  const model = problems.length === 0 ? built.model : undefined;
  return {
    problems,
    warnings,
    model,
    secret: model ? tlsPlan?.secret : undefined,
    sealed: model ? tlsPlan?.sealed : undefined,
    keyVault: model ? tlsPlan?.keyVault : undefined,
    certManager: model ? tlsPlan?.certManager : undefined,
    delivery: tlsPlan?.delivery,
    certificateReport: tlsPlan?.report,
    resolvedCertificate: tlsPlan?.resolved,
  };
}

/** What the TLS options come to: the settings' TLS input and the objects that deliver the certificate. */
interface TlsPlan {
  readonly problems: Problem[];
  readonly warnings: Finding[];
  readonly delivery: TlsDelivery;
  readonly resolved: ResolvedTlsCertificate;
  readonly tlsSettings?: TlsSettings;
  readonly report?: TlsReport;
  readonly secret?: ExtensionPlan['secret'];
  readonly sealed?: ExtensionPlan['sealed'];
  readonly keyVault?: ExtensionPlan['keyVault'];
  readonly certManager?: ExtensionPlan['certManager'];
}

/** The delivery each source implies when none is given, and the deliveries each source allows. */
const DELIVERIES: { readonly [kind in TlsCertificateSourceKind]: readonly TlsDelivery[] } = {
  [TlsCertificateSourceKind.PEM_FILES]: [TlsDelivery.SECRET, TlsDelivery.PEM_SETTINGS, TlsDelivery.SEALED_SECRET],
  [TlsCertificateSourceKind.PEM]: [TlsDelivery.SECRET, TlsDelivery.PEM_SETTINGS, TlsDelivery.SEALED_SECRET],
  [TlsCertificateSourceKind.SELF_SIGNED]: [TlsDelivery.SECRET, TlsDelivery.PEM_SETTINGS, TlsDelivery.SEALED_SECRET],
  [TlsCertificateSourceKind.EXISTING_SECRET]: [TlsDelivery.SECRET],
  [TlsCertificateSourceKind.KEY_VAULT]: [TlsDelivery.EXTERNAL_SECRET],
  [TlsCertificateSourceKind.CERT_MANAGER]: [TlsDelivery.CERT_MANAGER],
};

function planTls(tls: AzureMlTlsOptions, props: AzureMlExtensionProps, now: Date): TlsPlan {
  const problems: Problem[] = [];
  const warnings: Finding[] = [];
  // A development certificate is kept in a folder named after its cname: an invalid cname must never reach the file
  // system. It is made in memory only, so the settings rules report the cname with the rest of the config's problems.
  const keepable = tls.certificate.kind !== TlsCertificateSourceKind.SELF_SIGNED || validateCname(tls.cname).cname !== undefined;
  // The synth run the config loader lent these options (synth --check's dry run, the output to adopt from) goes along.
  let resolved: ResolvedTlsCertificate;
  try {
    resolved = tls.certificate.resolve(withDevStateRun({ cname: tls.cname.toLowerCase(), now, stateDir: keepable ? props.stateDir : undefined, readOnly: props.readOnlyState }, tls));
  } catch (e) {
    // The development certificate store refuses a name it cannot keep (an extra name that is no DNS name): one problem
    // each, reported with every other problem of the config.
    // A problem of the state folder itself names its file, not a field: that one stops the run as it is.
    if (!(e instanceof ValidationError) || !e.problems.every((p) => p.field.startsWith('tls.'))) throw e;
    problems.push(...e.problems);
    return { problems, warnings, delivery: tls.delivery ?? DELIVERIES[tls.certificate.kind][0], resolved: { kind: tls.certificate.kind } };
  }
  const allowed = DELIVERIES[resolved.kind];
  const delivery = tls.delivery ?? allowed[0];
  const base = { problems, warnings, delivery, resolved };
  if (!allowed.includes(delivery)) {
    problems.push({
      field: 'tls.delivery',
      message: `${delivery} delivery does not fit the certificate source (${tls.certificate.description})`,
      value: delivery,
      fix: `use delivery ${allowed.join(' or ')} with this source${delivery === TlsDelivery.EXTERNAL_SECRET ? ', or take the certificate from Key Vault (tls.keyVault)' : ''}${delivery === TlsDelivery.CERT_MANAGER ? ', or let cert-manager issue it (tls.certManager)' : ''}`,
    });
    return base;
  }
  if (props.production && resolved.kind === TlsCertificateSourceKind.SELF_SIGNED) {
    problems.push({
      field: 'tls.certificate',
      message: 'a self-signed development certificate is refused in a production environment (the doc allows self-signed certificates for development only)',
      value: 'selfSigned',
      fix: 'give the certificate from your CA (files, existingSecret, keyVault or certManager), or set production: false for a development cluster',
    });
  }
  if (tls.fingerprintSuffix && !resolved.material) {
    problems.push({
      field: 'tls.fingerprintSuffix',
      message: `needs the certificate to compute the fingerprint, but this tool never sees it (${tls.certificate.description})`,
      value: 'true',
      fix: 'remove fingerprintSuffix, or give the PEM files',
    });
  }
  const secretName = tls.secretName ?? DEFAULT_SECRET_NAME;
  problems.push(...unusedOptions(tls, delivery));

  if (resolved.keyVault) {
    const o = resolved.keyVault;
    problems.push(...keyVaultTlsSecretProblems({ ...o, secretName, format: o.format ?? KeyVaultCertificateFormat.PFX })
      .map((p) => ({ ...p, field: p.field === 'secretName' ? 'tls.secretName' : `tls.keyVault.${p.field}` })));
    return { ...base, tlsSettings: { cname: tls.cname, sslSecret: secretName }, keyVault: { secretName, options: o } };
  }
  if (resolved.certManager) {
    const o = resolved.certManager;
    problems.push(...certManagerTlsSecretProblems({ ...o, secretName, cname: tls.cname })
      .filter((p) => p.field !== 'cname') // the settings rules report sslCname
      .map((p) => ({ ...p, field: p.field === 'secretName' ? 'tls.secretName' : `tls.certManager.${p.field}` })));
    return { ...base, tlsSettings: { cname: tls.cname, sslSecret: secretName }, certManager: { secretName, cname: tls.cname, options: o } };
  }
  if (resolved.existingSecretName !== undefined) {
    if (tls.secretName !== undefined && tls.secretName !== resolved.existingSecretName) {
      problems.push({
        field: 'tls.secretName',
        message: `conflicts with the existing Secret ${JSON.stringify(resolved.existingSecretName)} the certificate names`,
        value: tls.secretName,
        fix: 'remove secretName: an existing Secret is referenced by its own name',
      });
    }
    return { ...base, tlsSettings: { cname: tls.cname, sslSecret: resolved.existingSecretName } };
  }

  const m = resolved.material;
  if (!m) return base;
  const report = validateOnce({
    certificate: Buffer.from(m.certificatePem, 'latin1'),
    privateKey: Buffer.from(m.privateKeyPem, 'latin1'),
    cname: tls.cname,
    now,
    certificateLabel: m.certificateFile ?? 'cert.pem',
    keyLabel: m.privateKeyFile ?? 'key.pem',
  });
  for (const f of report.findings) {
    if (f.code === 'cname-invalid') continue; // the settings rules report a bad sslCname once, as tls.cname
    if (f.severity === Severity.ERROR) {
      problems.push({ field: 'tls.certificate', message: f.message, fix: f.fix ?? 'use a valid certificate and key' });
    } else {
      warnings.push(f);
    }
  }
  if (delivery === TlsDelivery.PEM_SETTINGS) {
    problems.push(...pemSettingsHygiene(m));
    return {
      ...base,
      report,
      tlsSettings: {
        cname: tls.cname,
        pem: { certificatePem: m.certificatePem, privateKeyPem: m.privateKeyPem, certificateFile: m.certificateFile, privateKeyFile: m.privateKeyFile },
      },
    };
  }
  const leaf = report.chain[0];
  const suffix = tls.fingerprintSuffix && leaf
    ? `-${leaf.fingerprintSha256.replace(/:/g, '').toLowerCase().slice(0, FINGERPRINT_SUFFIX_LENGTH)}`
    : '';
  const name = `${secretName}${suffix}`;
  if (delivery === TlsDelivery.SEALED_SECRET) {
    if (!tls.sealing) {
      problems.push({
        field: 'tls.sealing',
        message: 'sealedSecret delivery needs the Sealed Secrets controller\'s certificate',
        fix: 'fetch it with kubeseal --fetch-cert > sealing.pem and set tls.sealing: { certificate: sealing.pem }',
      });
      return { ...base, report };
    }
    for (const f of checkSealingCertificate(tls.sealing.certificatePem, now, tls.sealing.label)) {
      if (f.severity === Severity.ERROR) problems.push({ field: 'tls.sealing.certificate', message: f.message, fix: f.fix ?? 'kubeseal --fetch-cert > sealing.pem' });
      else warnings.push(f);
    }
    return {
      ...base,
      report,
      tlsSettings: { cname: tls.cname, sslSecret: name },
      sealed: {
        secretName: name,
        certificatePem: m.certificatePem,
        privateKeyPem: m.privateKeyPem,
        sealingCertificatePem: tls.sealing.certificatePem,
        scope: tls.sealing.scope ?? SealingScope.STRICT,
      },
    };
  }
  // Spec section 6: a plain Secret puts the key in git in base64, which is not encryption.
  if (resolved.kind !== TlsCertificateSourceKind.SELF_SIGNED && !tls.allowPlaintextKey) {
    problems.push({
      field: 'tls.allowPlaintextKey',
      message: 'secret delivery writes the private key into the manifest in base64, which is not encryption: a committed manifest leaks it',
      fix: 'keep the key out of git with delivery sealedSecret (tls.sealing), externalSecret (tls.keyVault) or certManager, or acknowledge with tls.allowPlaintextKey: true',
    });
  }
  return {
    ...base,
    report,
    tlsSettings: { cname: tls.cname, sslSecret: name },
    secret: { secretName: name, certificatePem: m.certificatePem, privateKeyPem: m.privateKeyPem },
  };
}

// Spec section 3 / issue 4: in PEM settings mode every install path passes the files raw (the az CLI reads them as
// ASCII text, dropping CRs; Bicep, ARM and Terraform base64 the bytes as they are), so a BOM or CRLF line endings
// would make the paths disagree. Non-ASCII bytes are already an error of the certificate checks.
function pemSettingsHygiene(m: TlsMaterial): Problem[] {
  const problems: Problem[] = [];
  for (const [text, file, label] of [[m.certificatePem, m.certificateFile, 'cert.pem'], [m.privateKeyPem, m.privateKeyFile, 'key.pem']] as const) {
    const name = file ?? label;
    if (text.startsWith('\u00ef\u00bb\u00bf') || text.startsWith('\ufeff')) {
      problems.push({
        field: 'tls.certificate',
        message: `${name} starts with a UTF-8 byte order mark: in pemSettings delivery the file is passed raw by every install path, so they would disagree`,
        fix: `remove it: sed -i '1s/^\\xEF\\xBB\\xBF//' ${name}`,
      });
    }
    if (text.includes('\r')) {
      problems.push({
        field: 'tls.certificate',
        message: `${name} has CRLF line endings: in pemSettings delivery the az CLI drops the CRs while Bicep, ARM and Terraform send them, so the install paths would disagree`,
        fix: `convert it: sed -i 's/\\r$//' ${name}`,
      });
    }
  }
  return problems;
}

// A fleet reuses a few certificates across many environments: each distinct (material, cname, time, labels) is
// checked once. Keyed by a digest, so no key material is held as a map key; bounded so a long-lived process stays small.
const reports = new Map<string, TlsReport>();
const MAX_CACHED_REPORTS = 256;

function validateOnce(input: TlsMaterialInput & { readonly certificate: Buffer; readonly privateKey: Buffer }): TlsReport {
  const h = createHash('sha256');
  for (const part of [input.certificate, input.privateKey, Buffer.from(`${input.cname}\u0000${input.now.toISOString()}\u0000${input.certificateLabel}\u0000${input.keyLabel}`)]) {
    h.update(String(part.length)).update('\u0000').update(part);
  }
  const key = h.digest('hex');
  let report = reports.get(key);
  if (!report) {
    report = validateTlsMaterial(input);
    if (reports.size >= MAX_CACHED_REPORTS) reports.clear();
    reports.set(key, report);
  }
  return report;
}

// Options that do nothing in the chosen delivery are refused rather than silently ignored.
function unusedOptions(tls: AzureMlTlsOptions, delivery: TlsDelivery): Problem[] {
  const problems: Problem[] = [];
  const refuse = (field: string, value: string, applies: string) => problems.push({
    field: `tls.${field}`,
    message: `does nothing with ${delivery} delivery (it applies to ${applies})`,
    value,
    fix: `remove ${field}, or choose a delivery it applies to`,
  });
  if (tls.sealing && delivery !== TlsDelivery.SEALED_SECRET) refuse('sealing', 'set', 'sealedSecret');
  if (tls.allowPlaintextKey && delivery !== TlsDelivery.SECRET) refuse('allowPlaintextKey', 'true', 'secret');
  if (tls.fingerprintSuffix && delivery !== TlsDelivery.SECRET && delivery !== TlsDelivery.SEALED_SECRET) refuse('fingerprintSuffix', 'true', 'secret and sealedSecret');
  if (tls.secretName !== undefined && delivery === TlsDelivery.PEM_SETTINGS) refuse('secretName', tls.secretName, 'every delivery that creates a Secret, not pemSettings');
  return problems;
}
