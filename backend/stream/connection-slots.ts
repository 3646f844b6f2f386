/**
 * The connection limits (`max_connections`, `max_connections_per_ip`), counted from the upgrade on.
 * The WebSocket guard reserves a slot before it lets an upgrade through; the slot is the connection's
 * until its socket closes. Counting sessions only once they opened let a burst of simultaneous
 * upgrades all pass the check before the first of them was counted.
 *
 * A reserved slot that no session claims is given back: by the runtime when the upgrade fails (the
 * client left, a bad handshake), and in any case after `claimTimeoutMs`, so a runtime that cannot tell
 * never leaks the limit away.
 */

export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
}

/** One connection's place within the limits. Releasing it twice counts once. */
export interface ConnectionSlot {
  readonly address: string;
  /** The upgrade became a session: the slot stays until `release`. */
  claim(): void;
  release(): void;
}

export class ConnectionSlots {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly claimTimeoutMs = 10_000,
  ) {}

  /** Connections counted now: open ones, and upgrades under way. */
  get count(): number {
    return this.total;
  }

  /** Why a new connection from `address` must be refused, or null. */
  refusal(address: string): string | null {
    if (this.total >= this.limits.maxConnections) return `the server holds its maximum of ${this.limits.maxConnections} connections`;
    if ((this.perAddress.get(address) ?? 0) >= this.limits.maxConnectionsPerAddress) return `your address holds its maximum of ${this.limits.maxConnectionsPerAddress} connections`;
    return null;
  }

  /** A slot for a new connection from `address`, or the reason there is none. */
  reserve(address: string): ConnectionSlot | string {
    const refusal = this.refusal(address);
    if (refusal) return refusal;
    const slot = this.take(address);
    const unclaimed = setTimeout(() => slot.release(), this.claimTimeoutMs);
    (unclaimed as { unref?: () => void }).unref?.();
    return {
      address,
      claim: () => clearTimeout(unclaimed),
      release: () => {
        clearTimeout(unclaimed);
        slot.release();
      },
    };
  }

  /** A slot counted whatever the limits (a connection a runtime opened without reserving). */
  take(address: string): ConnectionSlot {
    this.total++;
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    let released = false;
    return {
      address,
      claim: () => {},
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const n = (this.perAddress.get(address) ?? 1) - 1;
        if (n <= 0) this.perAddress.delete(address);
        else this.perAddress.set(address, n);
      },
    };
  }
}
