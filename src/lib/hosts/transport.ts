// The one interface every workflow uses to reach a host, whatever carries it
// (pcsd HTTPS or SSH). Implementations: pcsd.ts, ssh.ts. All methods throw
// PcmkctlError with a classified report (code, host, hint) on failure.

export interface HostTarget {
  /** Node name (known-hosts key for pcsd, ssh config Host for ssh). */
  name: string;
  /** Address to connect to; for pcsd defaults to known-hosts dest_list[0]. */
  addr?: string;
  port?: number;
}

export interface HostFacts {
  pacemakerRemoteInstalled: boolean;
  pacemakerRemoteRunning: boolean;
  pacemakerRemoteEnabled: boolean;
  pacemakerRunning: boolean;
  corosyncRunning: boolean;
  /** corosync.conf or a CIB exists on the host (it is or was a full cluster node). */
  clusterConfigExists: boolean;
}

/** Result of writing the authkey (pcsd put_file codes). */
export type AuthkeyWrite = 'written' | 'rewritten' | 'same_content' | 'conflict';
export type AuthkeyRemove = 'deleted' | 'not_found';
export type ServiceAction = 'start-enable' | 'stop-disable';

export interface AuthkeyState {
  exists: boolean;
  /** SHA-256 hex of the key bytes, when the transport can read it. */
  sha256?: string;
  /** The previous key itself, when the transport can read it (for rollback). */
  content?: Buffer;
  mode?: number;
  owner?: string;
  group?: string;
  path: string;
}

export interface HostTransport {
  readonly kind: 'pcsd' | 'ssh';
  /** Reachable and authorised? */
  checkAuth(host: HostTarget): Promise<void>;
  checkHost(host: HostTarget): Promise<HostFacts>;
  /** null when the transport cannot read keys (pcsd). */
  readAuthkey(host: HostTarget): Promise<AuthkeyState | null>;
  /**
   * Write the key (0400 hacluster:haclient). overwrite=false never replaces a
   * different key: it answers 'conflict' (or 'same_content').
   */
  putAuthkey(host: HostTarget, key: Buffer, options: {overwrite: boolean}): Promise<AuthkeyWrite>;
  removeAuthkey(host: HostTarget): Promise<AuthkeyRemove>;
  manageService(host: HostTarget, action: ServiceAction): Promise<void>;
  /** Release connections; always called in a finally. */
  close(): Promise<void>;
}
