/**
 * Twisted's `address.HostnameAddress`.
 *
 * @module
 */

/** A host name and port, not yet resolved: where a `HostnameEndpoint` connects to. */
export class HostnameAddress {
  /** The host name, as given. */
  readonly hostname: string;
  /** The port. */
  readonly port: number;

  /**
   * @param hostname - the host name.
   * @param port - the port.
   */
  constructor(hostname: string, port: number) {
    this.hostname = hostname;
    this.port = port;
  }

  /** `true` for a `HostnameAddress` with the same name and port. */
  equals(other: unknown): boolean {
    return other instanceof HostnameAddress && other.hostname === this.hostname && other.port === this.port;
  }

  /** `HostnameAddress(hostname='example.com', port=443)`, as Twisted's repr. */
  toString(): string {
    return `HostnameAddress(hostname='${this.hostname}', port=${this.port})`;
  }
}
