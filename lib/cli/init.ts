import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG_FILE, nodeModulesProblem } from '../config/load';
import { formatProblem } from '../problems';
import { CommandIo } from './commands';
import { PACKAGE_NAME, packageRoot, packageVersion, SCHEMA_FILE_NAME } from './package-info';

/** Options of `init`. */
export interface InitCommandOptions {
  /** The config file to write. @default 'azureml-tls.yaml' in the current folder */
  readonly out?: string;
  /** Replace an existing file. @default false */
  readonly force?: boolean;
}

/**
 * The `$schema` reference for a config in `configDir`: the schema of the nearest install above it
 * (`node_modules/cdk8s-azureml-tls`), which resolves the same in every clone of the project; else the schema of the
 * package this CLI runs from. Relative when possible, with `/` separators.
 */
export function schemaReference(configDir: string, root: string = packageRoot()): string {
  for (let dir = path.resolve(configDir); ; dir = path.dirname(dir)) {
    const installed = path.join(dir, 'node_modules', PACKAGE_NAME, SCHEMA_FILE_NAME);
    if (fs.existsSync(installed)) return relativeReference(configDir, installed);
    if (path.dirname(dir) === dir) break;
  }
  return relativeReference(configDir, path.join(root, SCHEMA_FILE_NAME));
}

function relativeReference(fromDir: string, file: string): string {
  const rel = path.relative(path.resolve(fromDir), file);
  // Another drive (Windows) has no relative path: the absolute one still works in the editor.
  if (path.isAbsolute(rel)) return file;
  const posix = rel.split(path.sep).join('/');
  return posix.startsWith('.') ? posix : `./${posix}`;
}

/** The starter config `init` writes: it passes the JSON Schema and synthesizes as it is. */
export function starterConfig(schema: string, version: string): string {
  return `# yaml-language-server: $schema=${schema}
#
# azureml-tls config, written by \`azureml-tls init\` (${PACKAGE_NAME} ${version}). Edit it, then run:
#   npx azureml-tls synth     # writes dist/ in the current folder (--out DIR elsewhere; --config FILE for this file
#                             # when it is not ./${DEFAULT_CONFIG_FILE})
#   npx azureml-tls report    # every environment's certificate and when it expires
#
# What synth writes, for each environment <name> (it replaces the output folder whole):
#   dist/clusters/<name>/               the Kubernetes objects (Namespace, TLS Secret or SealedSecret, ExternalSecret,
#                                       Certificate) and a kustomization.yaml: point Flux, Argo CD or kubectl apply -k here
#   dist/install/<name>/values.yml      Helm values
#   dist/install/<name>/settings.json, protected-settings.json   the settings az-create.sh passes to az k8s-extension
#   dist/install/<name>/az-create.sh, az-update.sh   the az commands; Bicep, ARM and Terraform too with a full cluster block
#   dist/aso/<name>/                    with an \`aso\` block: the extension as an Azure Service Operator object
# State is kept beside this file in .azureml-tls/ (it ignores itself in git; never commit it): the local development
# CA and the certificates made for \`selfSigned\`. Trust .azureml-tls/dev-ca/ca.pem in clients (curl --cacert).
#
# More environments: add items to the list. Keys shared by all of them can go in a \`defaults:\` block (the same keys
# as an environment, without name), merged under every environment.
environments:
  # One environment is one cluster's AzureML extension. Its name (lower case, digits, -) names the output files.
  - name: dev
    # production: true refuses plain HTTP and self-signed certificates.
    production: false

    # The cluster, as far as known: the az scripts use it, and with subscriptionId, resourceGroup, name and location
    # synth also writes Bicep, ARM and Terraform files. Uncomment and fill in:
    # cluster:
    #   type: aks                  # aks, or arc for an Arc-enabled cluster
    #   subscriptionId: 00000000-0000-0000-0000-000000000000
    #   resourceGroup: rg-ml-dev
    #   name: aks-ml-dev
    #   location: eastus
    #   nodeCount: 3               # under 3 nodes is a DevTest cluster (no inferenceRouterHA)

    # The extension's settings, upstream keys verbatim (az k8s-extension create --config KEY=VALUE).
    extension:
      enableInference: true        # the inference components, among them azureml-fe (the HTTPS endpoint)
      # enableTraining: true       # the training components (at least one of the two)
      inferenceRouterServiceType: LoadBalancer   # how azureml-fe is exposed: LoadBalancer, NodePort or ClusterIP
      # internalLoadBalancerProvider: azure      # an internal load balancer (AKS only, not with NodePort)
      # inferenceRouterHA: true                  # three azureml-fe replicas; needs 3 or more nodes
      # nodeSelector: { kubernetes.azure.com/agentpool: mlpool }

    # HTTPS for azureml-fe. Plain HTTP instead (development and test only): remove this block, set insecure: true.
    tls:
      # sslCname: the name clients call. The certificate must cover it; point its DNS record at azureml-fe.
      cname: ml.dev.example.com
      # Where the certificate comes from: exactly one of certificate (with exactly one of selfSigned, files or
      # existingSecret), keyVault or certManager.
      certificate:
        # A development certificate signed by the local development CA, made on the first synth and reused until it
        # nears expiry (refused in production).
        selfSigned: { days: 90 }
        # Your own PEM files instead (paths relative to this file; the full chain, leaf first; an unencrypted key):
        # files: { cert: certs/cert.pem, key: certs/key.pem }
        # Or a Secret that already exists in namespace azureml (keys cert.pem and key.pem): only its name is used.
        # existingSecret: azureml-fe-tls
      # Or, instead of certificate: a certificate in Azure Key Vault, read in the cluster by External Secrets Operator
      # with workload identity:
      # keyVault: { vaultUrl: https://my-vault.vault.azure.net/, certificateName: azureml-fe, clientId: <client id>, tenantId: <tenant id> }
      # Or one issued in the cluster by cert-manager:
      # certManager: { issuerName: letsencrypt, issuerKind: ClusterIssuer }

      # How the certificate reaches azureml-fe (by default what the source implies):
      #   secret          a Secret in the manifest. Base64 is not encryption: fine for a development certificate; for
      #                   your own key use sealedSecret, or acknowledge with allowPlaintextKey: true
      #   sealedSecret    a SealedSecret; add sealing: { certificate: sealing.pem } (kubeseal --fetch-cert > sealing.pem)
      #   pemSettings     no Secret: the az script passes the PEM files as protected settings
      #   externalSecret  with keyVault;   certManager  with certManager
      delivery: secret
      secretName: azureml-fe-tls   # the Secret's name, passed as sslSecret
`;
}

/** Runs init: writes a starter config; returns 0 written, 1 refused. */
export function runInitCommand(options: InitCommandOptions, io: CommandIo): number {
  const file = path.resolve(options.out ?? DEFAULT_CONFIG_FILE);
  const field = options.out === undefined ? `${DEFAULT_CONFIG_FILE} in the current folder` : '--out';
  const inside = nodeModulesProblem(file, field, 'config file');
  if (inside) {
    io.err(`error: ${formatProblem({ ...inside, fix: 'write it in your project, outside node_modules: run `npx azureml-tls init` in the project folder, or pass --out FILE' })}`);
    return 1;
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    io.err(`error: ${formatProblem({ field, message: 'is a folder, not a file', value: file, fix: `name the file, e.g. --out ${path.join(options.out ?? '.', DEFAULT_CONFIG_FILE)}` })}`);
    return 1;
  }
  let text: string;
  try {
    text = starterConfig(schemaReference(path.dirname(file)), packageVersion());
  } catch (e) {
    io.err(`error: ${(e as Error).message}`);
    return 1;
  }
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // 'wx' fails if the file appeared meanwhile, so a config is never replaced without --force.
    fs.writeFileSync(file, text, { mode: 0o644, flag: options.force ? 'w' : 'wx' });
    fs.chmodSync(file, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      io.err(`error: ${formatProblem({ field, message: 'already exists; it was not overwritten', value: file, fix: 'pass --force to replace it, or --out FILE to write another file' })}`);
    } else {
      io.err(`error: ${formatProblem({ field, message: `cannot be written (${code ?? (e as Error).message})`, value: file, fix: 'choose a folder you can write to with --out FILE' })}`);
    }
    return 1;
  }
  const isDefault = file === path.resolve(DEFAULT_CONFIG_FILE);
  const rel = path.relative(process.cwd(), file) || file;
  io.out(`wrote ${file}: a starter config with one environment (dev: a development certificate for ml.dev.example.com)`);
  io.out(`next: edit it (tls.cname, the cluster block), then run: npx azureml-tls synth${isDefault ? '' : ` --config ${rel}`}`);
  return 0;
}
