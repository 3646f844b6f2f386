/** The address a runtime prints and tests connect to, for the host a server listens on. */

/** A wildcard host is reached on loopback; an IPv6 address goes in brackets. */
export function listenUrl(host: string, port: number): string {
  const reach = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${reach.includes(":") ? `[${reach}]` : reach}:${port}`;
}
