/**
 * TLS input of the settings model: what the extension is told about HTTPS. No certificate logic here; the material
 * has been read and checked before it reaches the model (lib/certificate).
 */

/** How azureml-fe gets its certificate and key (spec section 2: "HTTPS source 1" and "2"). */
export enum TlsMode {
  /** `sslSecret=<name>`: a Secret in the `azureml` namespace holds `cert.pem` and `key.pem`. */
  SSL_SECRET = 'sslSecret',
  /** `--config-protected sslCertPemFile=... sslKeyPemFile=...`: the az CLI sends the files' base64 as protected settings. */
  PEM_SETTINGS = 'pemSettings',
  /** `allowInsecureConnections=True`: plain HTTP, development and test only. */
  INSECURE = 'insecure',
  /** Training only: azureml-fe is not installed, so there is nothing to secure. */
  NONE = 'none',
}

/** PEM material passed as protected settings (PEM settings mode). */
export interface PemSettings {
  /** The full chain, PEM text (leaf first). */
  readonly certificatePem: string;
  /** The unencrypted private key, PEM text. */
  readonly privateKeyPem: string;
  /**
   * The path the az CLI is given as `sslCertPemFile`.
   * @default 'cert.pem'
   */
  readonly certificateFile?: string;
  /**
   * The path the az CLI is given as `sslKeyPemFile`.
   * @default 'key.pem'
   */
  readonly privateKeyFile?: string;
}

/** HTTPS for azureml-fe: the name clients use and exactly one source of TLS material. */
export interface TlsSettings {
  /** `sslCname`: the FQDN clients call; the certificate must cover it. */
  readonly cname: string;
  /**
   * `sslSecret`: name of the Secret in `azureml` that holds `cert.pem` and `key.pem`.
   * @default - none; give this or `pem`
   */
  readonly sslSecret?: string;
  /**
   * PEM material sent as protected settings.
   * @default - none; give this or `sslSecret`
   */
  readonly pem?: PemSettings;
}
