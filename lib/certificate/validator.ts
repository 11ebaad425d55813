import { TlsReport } from './facts';
import { validateTlsMaterial } from './validate';

/** Input of {@link TlsValidator.validate}: the content of `cert.pem` and `key.pem`, the sslCname and the time. */
export interface TlsValidationInput {
  /** Content of `cert.pem`: the chain, leaf first, PEM text. */
  readonly certificatePem: string;
  /**
   * Content of `key.pem`, PEM text.
   * @default - the key is not checked (a certificate alone)
   */
  readonly privateKeyPem?: string;
  /**
   * The sslCname the leaf must cover.
   * @default - names are not checked
   */
  readonly cname?: string;
  /** The time validity is checked against: the library never reads the clock here. */
  readonly now: Date;
  /**
   * The certificate file's name, for messages.
   * @default 'cert.pem'
   */
  readonly certificateLabel?: string;
  /**
   * The key file's name, for messages.
   * @default 'key.pem'
   */
  readonly keyLabel?: string;
  /**
   * Warn when a certificate expires within this many days.
   * @default 30
   */
  readonly expiryWarningDays?: number;
}

/**
 * The certificate checks synth runs, as a pure function: PEM text, cname and `now` in, every finding out.
 *
 * Checks the PEM structure and encoding of both files, the chain order, that exactly one unencrypted key matches the
 * leaf, that a DNS subjectAltName covers the cname, the validity of every certificate at `now`, and the leaf's key
 * size, signature algorithm, key type, extended key usage and basic constraints. Never throws on bad input, never
 * reads files; messages never hold key material.
 */
export class TlsValidator {
  /** Checks a certificate chain, its key and the cname; returns the chain's facts and every finding. */
  public static validate(input: TlsValidationInput): TlsReport {
    return validateTlsMaterial({
      certificate: input.certificatePem,
      privateKey: input.privateKeyPem,
      cname: input.cname,
      now: input.now,
      certificateLabel: input.certificateLabel,
      keyLabel: input.keyLabel,
      expiryWarningDays: input.expiryWarningDays,
    });
  }

  private constructor() {}
}
