/** Probing what this machine allows, with a plain node:dgram socket (not the code under test). */
import dgram from 'node:dgram';

/**
 * Whether a plain `type` socket can bind `host`:`port` right now (port 0: any free one). The
 * probe socket is closed again whatever happens.
 */
export async function canBind(type: 'udp4' | 'udp6', port: number, host: string): Promise<boolean> {
  const s = dgram.createSocket(type);
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, host, () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    try {
      s.close();
    } catch {
      // never bound
    }
  }
}
